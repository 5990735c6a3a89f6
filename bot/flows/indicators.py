"""The monthly indicators of a community (scenario 08): participation, proposals, deliberations
and votes, follow-up, ratings, for the community and each grid and building.

Every figure is one GROUP BY query keyed by a scope (a household's building, a proposal's,
vote's or action item's scope), rolled up the scope tree in Python: the cost does not grow
with the households (a community may have 12,000). Only the period's closed votes are read
row by row, for their turnout; a secret vote gives its counts, never a choice.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import report_period, standing
from bot.flows.proposals import ACTIVE
from bot.flows.report_period import Period
from storage.engine import Database
from storage.models import (
    ActionItem,
    AgendaItem,
    Ballot,
    Community,
    Household,
    Member,
    Proposal,
    ProposalSupport,
    Rating,
    Scope,
    Vote,
    VoteElector,
)


@dataclass(frozen=True)
class Figures:
    """One scope's indicators over the period (its own and everything inside it)."""

    households: int = 0  # present during the period, not moved out before it
    took_part: int = 0  # of those, raised, seconded, voted or rated at least once
    raised: int = 0
    to_agenda: int = 0  # on an agenda of the period's months
    decided: int = 0  # a vote on it closed in the period
    passed: int = 0
    answered: int = 0  # private matters answered in the period
    unanswered: int = 0  # private matters still waiting for an answer at the period's end
    deliberations: int = 0  # agenda items whose vote closed in the period
    votes: int = 0  # votes closed in the period
    ballots: int = 0  # counted ballots of those votes, from the scope's households
    electors: int = 0  # the scope's households entitled to vote in them
    on_time: int = 0  # action items done in the period by their due date
    late: int = 0  # done in the period after it
    overdue: int = 0  # past due and not done at the period's end (or now)
    ratings: int = 0
    rating_total: int = 0

    @property
    def average_rating(self) -> float | None:
        return self.rating_total / self.ratings if self.ratings else None

    @property
    def participation(self) -> float | None:
        return self.took_part / self.households if self.households else None

    @property
    def turnout(self) -> float | None:
        return self.ballots / self.electors if self.electors else None


@dataclass(frozen=True)
class ScopeFigures:
    scope_id: int
    kind: str  # community | grid | building
    name: str
    grid: str | None  # a building's grid
    figures: Figures


@dataclass(frozen=True)
class VoteTurnout:
    id: int
    title: str
    closed_at: datetime
    ballots: int
    electorate: int
    passed: bool
    secret: bool

    @property
    def share(self) -> float | None:
        return self.ballots / self.electorate if self.electorate else None


@dataclass(frozen=True)
class Report:
    community: str
    period: Period
    scopes: list[ScopeFigures]  # the community first, then each grid followed by its buildings
    votes: list[VoteTurnout]

    @property
    def total(self) -> Figures:
        return self.scopes[0].figures

    @property
    def grids(self) -> list[ScopeFigures]:
        return [s for s in self.scopes if s.kind == "grid"]


PerScope = dict[int, int]  # scope id -> count, before rolling up


async def asked(db: Database, community_id: int, typed: str, now: datetime) -> Report:
    """The report of the period as typed after /report (Invalid when it cannot be read)."""
    async with db.session() as session:
        community = await session.get(Community, community_id)
        assert community is not None
        period = report_period.parse(typed, now, community.timezone)
        return await report(session, community_id, period, now)


async def report(session: AsyncSession, community_id: int, period: Period, now: datetime) -> Report:
    community = await session.get(Community, community_id)
    assert community is not None
    start, end = period.start, period.end
    found: dict[str, PerScope] = {}
    found["households"], found["took_part"] = await _households(session, community_id, start, end)
    found["raised"] = await _grouped(
        session,
        select(Proposal.scope_id, func.count()).where(
            Proposal.community_id == community_id, _within(Proposal.created_at, start, end)
        ),
    )
    found["to_agenda"] = await _grouped(
        session,
        select(Proposal.scope_id, func.count(AgendaItem.proposal_id.distinct()))
        .select_from(AgendaItem)
        .join(Proposal, Proposal.id == AgendaItem.proposal_id)
        .where(AgendaItem.community_id == community_id, AgendaItem.month.in_(period.months)),
    )
    found |= await _private_matters(session, community_id, start, end)
    closed = await _closed_votes(session, community_id, start, end)
    found |= await _votes(session, community_id, closed)
    found |= await _follow_up(session, community_id, start, end, min(end, now))
    found |= await _ratings(session, community_id, start, end)
    scopes = await _scopes(session, community_id, found)
    turnouts = [_turnout(vote) for vote in closed]
    return Report(community.name, period, scopes, turnouts)


def _within(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


async def _grouped(session: AsyncSession, query) -> PerScope:
    """A query of (scope id, count) rows, grouped by its first column."""
    rows = await session.execute(query.group_by(query.selected_columns[0]))
    return {scope: count or 0 for scope, count in rows.all() if scope is not None}


async def _households(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> tuple[PerScope, PerScope]:
    """Households present in the period, and those that took part, by building."""
    present = and_(
        Household.community_id == community_id,
        Household.created_at < end,
        or_(Household.moved_out_at.is_(None), Household.moved_out_at >= start),
    )
    everyone = await _grouped(
        session, select(Household.building_scope_id, func.count()).where(present)
    )
    took_part = union(
        select(Member.household_id.label("household_id"))
        .join(Proposal, Proposal.proposer_id == Member.id)
        .where(Proposal.community_id == community_id, _within(Proposal.created_at, start, end)),
        select(ProposalSupport.household_id)
        .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
        .where(
            Proposal.community_id == community_id,
            _within(ProposalSupport.created_at, start, end),
        ),
        select(Ballot.household_id)
        .join(Vote, Vote.id == Ballot.vote_id)
        .where(Vote.community_id == community_id, _within(Ballot.cast_at, start, end)),
        select(Rating.household_id)
        .join(ActionItem, ActionItem.id == Rating.action_id)
        .where(ActionItem.community_id == community_id, _within(Rating.rated_at, start, end)),
    ).subquery()
    active = await _grouped(
        session,
        select(Household.building_scope_id, func.count())
        .join(took_part, took_part.c.household_id == Household.id)
        .where(present),
    )
    return everyone, active


async def _private_matters(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> dict[str, PerScope]:
    """私事 answered in the period, and those still unanswered at its end. An answer is
    final (no status follows ``answered``), so its ``updated_at`` is when it was given."""
    answer = Proposal.status == "answered"
    answered_in = and_(answer, _within(Proposal.updated_at, start, end))
    waiting = or_(Proposal.status.in_(ACTIVE), and_(answer, Proposal.updated_at >= end))
    rows = await session.execute(
        select(
            Proposal.scope_id,
            func.sum(case((answered_in, 1), else_=0)),
            func.sum(case((and_(Proposal.created_at < end, waiting), 1), else_=0)),
        )
        .where(Proposal.community_id == community_id, Proposal.kind == "private")
        .group_by(Proposal.scope_id)
    )
    answered: PerScope = {}
    unanswered: PerScope = {}
    for scope_id, done, open_ in rows.all():
        answered[scope_id], unanswered[scope_id] = done or 0, open_ or 0
    return {"answered": answered, "unanswered": unanswered}


async def _closed_votes(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> list[Vote]:
    return list(
        (
            await session.scalars(
                select(Vote)
                .where(Vote.community_id == community_id, _within(Vote.closed_at, start, end))
                .order_by(Vote.closed_at, Vote.id)
            )
        ).all()
    )


def _result(vote: Vote) -> dict:
    return json.loads(vote.result) if vote.result else {}


def _turnout(vote: Vote) -> VoteTurnout:
    result = _result(vote)
    return VoteTurnout(
        vote.id,
        vote.title,
        vote.closed_at,
        int(result.get("ballots", 0)),
        int(result.get("electorate", 0)),
        bool(result.get("passed")),
        vote.secret,
    )


async def _votes(
    session: AsyncSession, community_id: int, closed: list[Vote]
) -> dict[str, PerScope]:
    """Votes held, the proposals they decided and the agenda items they deliberated, by the
    vote's scope; ballots and electors by the households' buildings."""
    ids = [vote.id for vote in closed]
    proposal_ids = {vote.proposal_id for vote in closed if vote.proposal_id is not None}
    listed = set(
        (
            await session.scalars(
                select(AgendaItem.proposal_id).where(
                    AgendaItem.community_id == community_id,
                    AgendaItem.proposal_id.in_(proposal_ids),
                )
            )
        ).all()
    )
    votes, decided, passed, deliberated = Counter(), Counter(), Counter(), Counter()
    seen: set[int] = set()
    for vote in closed:
        votes[vote.scope_id] += 1
        if vote.proposal_id is None or vote.proposal_id in seen:
            continue
        seen.add(vote.proposal_id)
        decided[vote.scope_id] += 1
        passed[vote.scope_id] += bool(_result(vote).get("passed"))
        deliberated[vote.scope_id] += vote.proposal_id in listed
    ballots = await _grouped(
        session,
        select(Household.building_scope_id, func.count())
        .select_from(Ballot)
        .join(Household, Household.id == Ballot.household_id)
        .where(Ballot.vote_id.in_(ids)),
    )
    electors = await _grouped(
        session,
        select(Household.building_scope_id, func.count())
        .select_from(VoteElector)
        .join(Household, Household.id == VoteElector.household_id)
        .where(VoteElector.vote_id.in_(ids)),
    )
    return {
        "votes": dict(votes),
        "decided": dict(decided),
        "passed": dict(passed),
        "deliberations": dict(deliberated),
        "ballots": ballots,
        "electors": electors,
    }


async def _follow_up(
    session: AsyncSession, community_id: int, start: datetime, end: datetime, cutoff: datetime
) -> dict[str, PerScope]:
    """Action items done on time or late in the period, and those overdue at its end."""
    done_in = _within(ActionItem.done_at, start, end)
    overdue = and_(
        ActionItem.created_at < end,
        ActionItem.due_at < cutoff,
        or_(ActionItem.done_at.is_(None), ActionItem.done_at >= cutoff),
    )
    rows = await session.execute(
        select(
            ActionItem.scope_id,
            func.sum(case((and_(done_in, ActionItem.done_at <= ActionItem.due_at), 1), else_=0)),
            func.sum(case((and_(done_in, ActionItem.done_at > ActionItem.due_at), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(ActionItem.community_id == community_id)
        .group_by(ActionItem.scope_id)
    )
    found: dict[str, PerScope] = {"on_time": {}, "late": {}, "overdue": {}}
    for scope_id, *counts in rows.all():
        for name, count in zip(found, counts, strict=True):
            found[name][scope_id] = count or 0
    return found


async def _ratings(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> dict[str, PerScope]:
    """Ratings given in the period, by the rating household's building."""
    rows = await session.execute(
        select(Household.building_scope_id, func.count(), func.sum(Rating.score))
        .select_from(Rating)
        .join(Household, Household.id == Rating.household_id)
        .join(ActionItem, ActionItem.id == Rating.action_id)
        .where(ActionItem.community_id == community_id, _within(Rating.rated_at, start, end))
        .group_by(Household.building_scope_id)
    )
    count: PerScope = {}
    total: PerScope = {}
    for scope_id, n, score in rows.all():
        count[scope_id], total[scope_id] = n, score or 0
    return {"ratings": count, "rating_total": total}


async def _scopes(
    session: AsyncSession, community_id: int, found: dict[str, PerScope]
) -> list[ScopeFigures]:
    """Each scope's figures, rolled up along the scope paths, in tree order."""
    paths = await standing.scope_paths(session, community_id)
    rolled: dict[str, Counter[int]] = {}
    for name, per_scope in found.items():
        rolled[name] = Counter()
        for scope_id, count in per_scope.items():
            for ancestor in paths.get(scope_id, ()):
                rolled[name][ancestor] += count
    scopes = (
        await session.scalars(
            select(Scope).where(Scope.community_id == community_id, Scope.kind != "street")
        )
    ).all()
    by_id = {scope.id: scope for scope in scopes}
    names = [f.name for f in fields(Figures)]

    ordered = sorted(scopes, key=lambda scope: paths.get(scope.id, ()))  # tree order
    return [
        ScopeFigures(
            scope.id,
            scope.kind,
            scope.name,
            by_id[scope.parent_id].name if scope.kind == "building" and scope.parent_id else None,
            Figures(**{name: rolled[name][scope.id] for name in names}),
        )
        for scope in ordered
    ]
