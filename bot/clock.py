"""The bot's notion of now.

Everything time-based asks a :class:`Clock`, never ``datetime.now``, so tests and the demo can
move time forward. Scheduled work registers as a :class:`Sweep`: "when are you next due after
this instant" and "run as of this instant". The virtual clock steps through those instants in
order, so the same sweeps run the same way as under the real clock, only sooner.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class Sweep(Protocol):
    def next_due(self, after: datetime) -> datetime | None:
        """The first instant strictly after ``after`` at which this sweep has work, if any."""

    async def run(self, at: datetime) -> None:
        """Do whatever is due as of ``at`` (idempotent: stored timestamps say what is done)."""


class Clock(Protocol):
    virtual: bool

    def now(self) -> datetime: ...


class RealClock:
    virtual = False

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to; moving it runs due sweeps one instant at a time."""

    virtual = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
        self._sweeps: list[Sweep] = []
        self._lock = asyncio.Lock()

    def now(self) -> datetime:
        return self._now

    def add_sweep(self, sweep: Sweep) -> None:
        self._sweeps.append(sweep)

    async def advance_to(self, target: datetime) -> None:
        """Move to ``target``, running every sweep due on the way at its own instant, in order."""
        target = target.astimezone(UTC)
        if target < self._now:
            raise ValueError("the virtual clock does not go backwards")
        async with self._lock:
            while True:
                due = [
                    (when, index)
                    for index, sweep in enumerate(self._sweeps)
                    if (when := sweep.next_due(self._now)) is not None and when <= target
                ]
                if not due:
                    break
                when, index = min(due)
                self._now = when
                await self._sweeps[index].run(when)
            self._now = target
