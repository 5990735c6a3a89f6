"""The scheduler runs each sweep from APScheduler's job store in the project's database, in one
process of a deployment at a time, and hands over when that process stops."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text

from bot.clock import RealClock, VirtualClock
from bot.scheduler import Scheduler


class Counting:
    """A sweep that records the instants it ran at."""

    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.ran = asyncio.Event()

    def next_due(self, after: datetime) -> datetime | None:
        return None

    async def run(self, at: datetime) -> None:
        self.runs.append(at)
        self.ran.set()


async def test_a_sweep_runs_from_the_persistent_job_store(db):
    sweep = Counting()
    scheduler = Scheduler(db, RealClock(), interval=0.2)
    scheduler.add("votes", sweep)
    await scheduler.start()
    try:
        await asyncio.wait_for(sweep.ran.wait(), 5)
        sweep.ran.clear()
        await asyncio.wait_for(sweep.ran.wait(), 5)  # and again, on its interval
        async with db.session() as session:
            jobs = (await session.execute(text("SELECT id FROM apscheduler_jobs"))).scalars()
            assert list(jobs) == ["votes"]
    finally:
        await scheduler.stop()


async def test_one_process_runs_the_sweeps_and_another_takes_over_when_it_stops(db):
    first, second = Counting(), Counting()
    one = Scheduler(db, RealClock(), interval=0.2)
    one.add("votes", first)
    other = Scheduler(db, RealClock(), interval=0.2)
    other.add("votes", second)
    await one.start()
    await other.start()
    try:
        await asyncio.wait_for(first.ran.wait(), 5)
        await asyncio.sleep(0.6)  # three intervals: the other process must not have run
        assert second.runs == []
        await one.stop()
        await asyncio.wait_for(second.ran.wait(), 5)
    finally:
        await one.stop()
        await other.stop()


async def test_on_the_virtual_clock_sweeps_run_as_it_moves(db):
    class Due(Counting):
        def next_due(self, after: datetime) -> datetime | None:
            at = datetime(2026, 5, 1, 9, tzinfo=UTC)
            return at if after < at else None

    clock = VirtualClock(datetime(2026, 4, 30, tzinfo=UTC))
    sweep = Due()
    scheduler = Scheduler(db, clock)
    scheduler.add("cycle", sweep)
    await scheduler.start()
    await clock.advance_to(datetime(2026, 5, 2, tzinfo=UTC))
    await scheduler.stop()
    assert sweep.runs == [datetime(2026, 5, 1, 9, tzinfo=UTC)]
