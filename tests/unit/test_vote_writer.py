"""The ballot writer: one counted ballot per household however taps arrive; nothing after close;
secret ballots that no table row links to a household after close; /verify catches edits."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot.flows import ballot_writer, votes
from bot.flows import vote_rules as rules
from bot.flows.ballot_writer import BallotWriter, Cast
from bot.render import plain
from storage.models import AuditEvent, Ballot, SecretBallot
from tests import factories

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
APPROVAL = ("同意", "不同意", "弃权")


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


@pytest.fixture
async def estate(db):
    """Building 7 with six households, each with a representative (members 1..6)."""
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "7栋")
    households = []
    for index in range(6):
        household = await factories.household(
            db, place, "7栋", f"7-1-10{index + 1}", room=f"10{index + 1}"
        )
        await factories.member(
            db, 5000 + index, f"代表{index}", household_id=household, representative=True
        )
        households.append(household)
    return place, households


async def open_vote(db, place, *, secret=False, rule=None):
    spec = votes.Spec(
        "7栋安装门禁系统",
        rules.APPROVAL,
        APPROVAL,
        rule or rules.share_of_eligible(rules.HALF, rules.MORE_THAN),
        secret=secret,
    )
    return await votes.open_vote(
        db, place.community_id, place.buildings["7栋"], spec, opened_by_id=None, now=NOW
    )


@pytest.fixture
async def writer(db):
    clock = Clock()
    w = BallotWriter(db, clock.now)
    w.clock = clock
    await w.start()
    yield w
    await w.stop()


async def ballot_rows(db, vote_id):
    async with db.session() as s:
        return (await s.scalars(select(Ballot).where(Ballot.vote_id == vote_id))).all()


async def test_duplicates_end_as_one_counted_ballot(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    first = households[0]
    # The same update twice, a double tap, and two members of one household at once.
    results = await asyncio.gather(
        writer.cast(Cast(vote.id, first, 0, member_id=1)),
        writer.cast(Cast(vote.id, first, 0, member_id=1)),
        writer.cast(Cast(vote.id, first, 0, member_id=7)),
        writer.cast(Cast(vote.id, households[1], 1, member_id=2)),
    )
    assert [r.status for r in results] == ["new", "same", "same", "new"]
    rows = await ballot_rows(db, vote.id)
    assert sorted(r.household_id for r in rows) == [first, households[1]]
    async with db.session() as s:
        assert await ballot_writer.tally(s, vote.id, secret=False) == {0: 1, 1: 1}
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.subject == f"vote:{vote.id}"))
        ).all()
    assert [e.action for e in events] == ["vote.open", "vote.cast", "vote.cast"]


async def test_a_change_is_stored_and_audited(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    await writer.cast(Cast(vote.id, households[0], 0, member_id=1))
    changed = await writer.cast(Cast(vote.id, households[0], 1, member_id=1))
    assert (changed.status, changed.option, changed.previous) == ("changed", 1, 0)
    [row] = await ballot_rows(db, vote.id)
    assert (row.option, row.changed_count) == (1, 1)
    async with db.session() as s:
        actions = (
            await s.scalars(
                select(AuditEvent.action).where(AuditEvent.subject == f"vote:{vote.id}")
            )
        ).all()
    assert actions == ["vote.open", "vote.cast", "vote.change"]
    assert (await votes.verify(db, vote.id)).ok


async def test_a_ballot_after_close_is_refused(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    await writer.cast(Cast(vote.id, households[0], 0, member_id=1))
    closed = await votes.close_vote(db, vote.id, now=NOW + timedelta(hours=1))
    assert closed is not None and closed.counts == (1, 0, 0)
    assert await votes.close_vote(db, vote.id, now=NOW + timedelta(hours=2)) is None  # once
    late = await writer.cast(Cast(vote.id, households[1], 0, member_id=2))
    assert late.status == "closed" and not late.stored
    assert len(await ballot_rows(db, vote.id)) == 1


async def test_a_ballot_after_the_close_time_is_refused_before_the_sweep(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    writer.clock.at = vote.closes_at
    assert (await writer.cast(Cast(vote.id, households[0], 0, member_id=1))).status == "closed"


async def test_refusals(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    outsider = await factories.household(db, place, "7栋", "7-2-101", unit="2")  # after opening
    assert (await writer.cast(Cast(vote.id, outsider, 0, member_id=9))).status == "not_elector"
    assert (await writer.cast(Cast(vote.id, households[0], 3, member_id=1))).status == "no_option"
    assert (
        await writer.cast(Cast(vote.id + 99, households[0], 0, member_id=1))
    ).status == "no_vote"


async def test_offline_ballots_are_kept_unless_the_grid_worker_allows_a_change(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    paper = Cast(vote.id, households[0], 0, member_id=None, offline=True, recorded_by_id=6)
    assert (await writer.cast(paper)).status == "new"
    assert (
        await writer.cast(Cast(vote.id, households[0], 1, member_id=1))
    ).status == "offline_locked"
    allowed = Cast(
        vote.id, households[1], 0, None, offline=True, recorded_by_id=6, online_may_replace=True
    )
    await writer.cast(allowed)
    assert (await writer.cast(Cast(vote.id, households[1], 1, member_id=2))).status == "changed"
    await writer.cast(Cast(vote.id, households[2], 1, member_id=3))
    on_paper = Cast(vote.id, households[2], 0, None, offline=True, recorded_by_id=6)
    assert (await writer.cast(on_paper)).status == "voted_online"
    closed = await votes.close_vote(db, vote.id, now=NOW + timedelta(hours=1))
    assert closed.offline == 1 and closed.counts == (1, 2, 0)


async def test_verify_detects_a_ballot_changed_in_the_database(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    for household in households[:4]:
        await writer.cast(Cast(vote.id, household, 0, member_id=1))
    assert (await votes.verify(db, vote.id)).ok
    async with db.write() as s:
        await s.execute(
            text("UPDATE ballot SET option = 1 WHERE vote_id = :v AND household_id = :h"),
            {"v": vote.id, "h": households[2]},
        )
    report = await votes.verify(db, vote.id)
    assert not report.ok
    assert [plain("en", p) for p in report.problems] == [
        "Household 7-1-103: the ballot says 不同意, the audit log says 同意."
    ]


async def test_secret_ballots_keep_no_household_choice_after_close(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place, secret=True)
    for household, option in zip(households, (0, 0, 1, 2, 0), strict=False):
        await writer.cast(Cast(vote.id, household, option, member_id=1))
    assert (await writer.cast(Cast(vote.id, households[0], 0, member_id=1))).status == "same"
    assert (await writer.cast(Cast(vote.id, households[1], 1, member_id=1))).status == "changed"
    assert (await votes.verify(db, vote.id)).ok
    rows = await ballot_rows(db, vote.id)
    assert {r.option for r in rows} == {None}
    async with db.session() as s:
        logged = (
            await s.scalars(select(AuditEvent.data).where(AuditEvent.subject == f"vote:{vote.id}"))
        ).all()
    assert all("option" not in json.loads(d) for d in logged[1:])
    closed = await votes.close_vote(db, vote.id, now=NOW + timedelta(hours=1))
    assert closed.counts == (2, 2, 1)
    assert closed.vote.seal is None
    assert (await votes.verify(db, vote.id)).ok
    # After close the box holds counts only; a changed choice is still detected.
    async with db.write() as s:
        receipt = await s.scalar(select(SecretBallot.receipt).where(SecretBallot.option == 2))
        await s.execute(
            text("UPDATE secret_ballot SET option = 0 WHERE receipt = :r"), {"r": receipt}
        )
    report = await votes.verify(db, vote.id)
    assert not report.ok and any("add up to [3, 2, 0]" in plain("en", p) for p in report.problems)


async def test_a_secret_ballot_altered_during_the_vote_is_detected(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place, secret=True)
    await writer.cast(Cast(vote.id, households[0], 0, member_id=1))
    async with db.write() as s:
        await s.execute(text("UPDATE secret_ballot SET option = 1"))
    [problem] = (await votes.verify(db, vote.id)).problems
    assert plain("zh_CN", problem) == "7-1-101户：其无记名选票被改动过。"


async def test_the_electorate_is_fixed_when_the_vote_opens(db, estate, writer):
    place, households = estate
    vote = await open_vote(db, place)
    await factories.household(db, place, "7栋", "7-3-101", unit="3")
    for household in households[:4]:
        await writer.cast(Cast(vote.id, household, 0, member_id=1))
    closed = await votes.close_vote(db, vote.id, now=NOW + timedelta(hours=1))
    assert closed.result.electorate == 6 and closed.result.passed  # 4 of 6, not 4 of 7
