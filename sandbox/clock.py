"""Time as the sandbox sees it: a pluggable virtual clock, or the real one when none is attached.

Message dates and poll deadlines follow the clock so that a bot driven by a virtual clock sees
consistent timestamps; rate limits deliberately use real monotonic time instead (see limits.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class ClockProvider(Protocol):
    """A virtual clock the bot owns; the sandbox only reads it and asks it to move forward."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    async def advance_to(self, target: datetime) -> None:
        """Move to `target`, running every job due up to it, in order."""
        ...


def now(clock: ClockProvider | None) -> datetime:
    return clock.now() if clock is not None else datetime.now(UTC)


def unix_now(clock: ClockProvider | None) -> int:
    return int(now(clock).timestamp())
