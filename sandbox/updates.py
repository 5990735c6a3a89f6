"""The bot's update queue with Telegram's getUpdates semantics.

* allowed_updates is remembered between calls and applied when an update is *created* (so, as on
  Telegram, updates produced before the bot asked for a type are never delivered);
* offset confirms (drops) earlier updates, a negative offset keeps only the last -offset ones;
* a newer getUpdates terminates a waiting one with 409, and a webhook forbids getUpdates.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .errors import BotApiError
from .notify import Notifier

UPDATE_TYPES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
     "business_message", "edited_business_message", "deleted_business_messages",
     "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
     "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
     "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
     "removed_chat_boost"}
)  # fmt: skip
DEFAULT_ALLOWED = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}
FIRST_UPDATE_ID = 100_001

CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = FIRST_UPDATE_ID
        self._allowed: frozenset[str] = DEFAULT_ALLOWED
        self._explicit_allowed: list[str] | None = None
        self._poller: object | None = None
        self.webhook_active = False
        self.changed = Notifier()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        """What the bot last asked for (None if it never did), as getWebhookInfo reports it."""
        return self._explicit_allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting; [] restores the default; unknown names are ignored."""
        if allowed is None:
            return
        self._explicit_allowed = list(allowed)
        wanted = frozenset(allowed) & UPDATE_TYPES
        self._allowed = wanted if wanted else DEFAULT_ALLOWED

    def wants(self, kind: str) -> bool:
        return kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update if the bot accepts its type; returns it (with update_id) or None."""
        if not self.wants(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self.changed.notify()
        return update

    def confirm(self, offset: int) -> None:
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        elif offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()

    def first(self) -> dict[str, Any] | None:
        return self._pending[0] if self._pending else None

    def remove(self, update_id: int) -> None:
        """Drop a delivered update (webhook mode)."""
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.popleft()

    def drop_pending(self) -> None:
        self._pending.clear()

    def set_webhook_active(self, active: bool) -> None:
        self.webhook_active = active
        self.changed.notify()

    async def get_updates(
        self, offset: int, limit: int, seconds: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        if self.webhook_active:
            raise BotApiError(409, CONFLICT_WEBHOOK)
        self.set_allowed(allowed)
        self.confirm(offset)
        me = object()
        self._poller = me
        self.changed.notify()  # wakes an older poll, which then fails with 409
        try:
            await self.changed.wait_for(
                lambda: bool(self._pending) or self._poller is not me or self.webhook_active,
                seconds,
            )
        finally:
            terminated = self._poller is not me
            if not terminated:
                self._poller = None
        if terminated:
            raise BotApiError(409, CONFLICT_OTHER_POLL)
        if self.webhook_active:
            raise BotApiError(409, CONFLICT_WEBHOOK)
        return list(self._pending)[: max(1, min(limit, 100))]
