"""The change feed the web page long-polls: every visible change becomes one numbered event."""

from __future__ import annotations

from typing import Any

from .notify import Notifier

EVENT_TYPES = frozenset(
    {"message", "edit", "delete", "pin", "unpin", "chat", "member", "user",
     "callback_answer", "poll", "action"}
)  # fmt: skip


class EventLog:
    """Append-only list of events with increasing `seq`; also the sandbox's general change signal."""

    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []
        self.changed = Notifier()

    @property
    def last_seq(self) -> int:
        return len(self._events)

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        assert type_ in EVENT_TYPES, type_
        event = {"seq": len(self._events) + 1, "type": type_, **fields}
        self._events.append(event)
        self.changed.notify()
        return event

    def since(self, after: int) -> list[dict[str, Any]]:
        return self._events[max(after, 0) :]

    async def wait(self, after: int, seconds: float) -> list[dict[str, Any]]:
        await self.changed.wait_for(lambda: self.last_seq > after, seconds)
        return self.since(after)
