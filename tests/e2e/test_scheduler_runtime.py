"""Under the real clock, APScheduler (its jobs kept in the project's database) runs the sweeps:
a vote whose close time has passed is closed and its result posted, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from storage.models import Vote
from tests.e2e.test_vote_chat import building_seven, result_and_chart


async def test_the_scheduler_closes_a_vote_past_its_time(running, world):
    group, chair, wang, *_ = await building_seven(running, world)
    await group.send("/vote 门禁 | | 过半数 | 48小时", by=chair)
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    await group.press(ballot, "同意", by=wang)
    db = running.app.db
    async with db.write() as session:  # as if the 48 hours had passed while nobody looked
        vote = await session.scalar(select(Vote))
        vote.closes_at = running.app.clock.now() - timedelta(seconds=1)
        session.add(vote)
    result = await result_and_chart(group)  # the next sweep, within its 5-second interval
    assert "6户中1户同意" in result["text"]
    await group.expect_silence(within=6)  # the following sweep finds nothing more to do
    async with db.session() as session:
        jobs = (await session.execute(text("SELECT id FROM apscheduler_jobs"))).scalars().all()
        closed = await session.scalar(select(Vote.closed_at))
    assert "votes" in jobs and closed is not None
