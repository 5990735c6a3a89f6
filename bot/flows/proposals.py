"""Proposals (提案): raising, seconding per household, withdrawing, closing, listing.

Support is counted per household: the partial unique index on ``proposal_support`` allows one
active row per household and proposal, and every write checks it inside a write transaction
(on SQLite one writer at a time), so a double tap or two members of one household add one.
Every change writes its audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import proposal_category as category
from bot.flows import standing
from bot.flows.members import Person, ensure
from bot.flows.proposal_text import Draft
from storage import audit
from storage.engine import Database
from storage.models import Community, Household, Member, Proposal, ProposalSupport, Scope

ACTIVE = ("open", "supported")  # may be seconded, are listed and matched against new ones

# Results of seconding and withdrawing support.
NEW = "new"
ALREADY = "already"  # this member's household supports it already
CLOSED = "closed"  # the proposal no longer takes support
PRIVATE = "private"  # a confirmed 私事: answered by the grid worker, never seconded
WITHDRAWN = "withdrawn"
NOT_SUPPORTING = "not_supporting"
NOT_YOURS = (
    "not_yours"  # another member of the household seconded; they or the representative may withdraw
)


@dataclass(frozen=True)
class Support:
    """What a seconding or a withdrawal did, and the proposal's support after it."""

    status: str
    proposal: Proposal
    count: int
    household_code: str = ""
    by_name: str | None = None  # who in the household seconded, when it was someone else
    reached: bool = False  # the threshold was reached just now
    dropped: bool = False  # support fell below the threshold just now


async def support_count(session: AsyncSession, proposal_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(ProposalSupport)
            .where(
                ProposalSupport.proposal_id == proposal_id, ProposalSupport.withdrawn_at.is_(None)
            )
        )
    ) or 0


async def find(session: AsyncSession, community_id: int, number: int) -> Proposal | None:
    return await session.scalar(
        select(Proposal).where(Proposal.community_id == community_id, Proposal.number == number)
    )


async def create(
    db: Database,
    *,
    community_id: int,
    scope_id: int,
    draft: Draft,
    person: Person,
    language: str,
    household_id: int | None,
    now: datetime,
    kind: str | None = None,
    area: str | None = None,
    source_message_id: int | None = None,
) -> tuple[Proposal, int]:
    """A new open proposal with the next number; a verified proposer's household is its first
    supporter (``household_id``), an unverified proposer's proposal is marked as such. Without
    ``kind``/``area`` it gets the suggested 三事分流 kind and 4335 area."""
    if kind is None or area is None:
        suggested = await category.suggestion(draft.title, draft.details)
        kind, area = kind or suggested.kind, area or suggested.area
    async with db.write() as session:
        member = await ensure(session, person, language)
        last = await session.scalar(
            select(func.max(Proposal.number)).where(Proposal.community_id == community_id)
        )
        proposal = Proposal(
            community_id=community_id,
            number=(last or 0) + 1,
            scope_id=scope_id,
            title=draft.title,
            details=draft.details,
            proposer_id=member.id,
            unverified_proposer=household_id is None,
            kind=kind,
            area=area,
            created_at=now,
            updated_at=now,
            source_message_id=source_message_id,
        )
        session.add(proposal)
        await session.flush()
        if household_id is not None:
            session.add(
                ProposalSupport(
                    proposal_id=proposal.id,
                    household_id=household_id,
                    member_id=member.id,
                    created_at=now,
                )
            )
        await audit.record(
            session,
            "proposal.raised",
            actor_id=member.id,
            community_id=community_id,
            subject=f"proposal:{proposal.id}",
            data={
                "number": proposal.number,
                "scope_id": scope_id,
                "title": draft.title,
                "details": draft.details,
                "unverified": household_id is None,
                "first_supporter": household_id,
                "kind": kind,
                "area": area,
            },
        )
    return proposal, 1 if household_id is not None else 0


async def set_message(
    db: Database, proposal_id: int, chat_id: int, message_id: int, thread_id: int | None
) -> None:
    """Where the proposal's message is, so its support count can be kept up to date."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        proposal.chat_id, proposal.message_id, proposal.thread_id = chat_id, message_id, thread_id
        session.add(proposal)


async def second(
    db: Database, proposal_id: int, member: Member, threshold: int, now: datetime
) -> Support:
    """Add the member's household's support (the caller checked the member may second)."""
    assert member.household_id is not None
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        household = await session.get(Household, member.household_id)
        if proposal.status not in ACTIVE:
            return Support(CLOSED, proposal, await support_count(session, proposal.id))
        if category.private(proposal):
            return Support(PRIVATE, proposal, await support_count(session, proposal.id))
        existing = await _active_support(session, proposal.id, member.household_id)
        if existing is not None:
            by = await session.get(Member, existing.member_id) if existing.member_id else None
            return Support(
                ALREADY,
                proposal,
                await support_count(session, proposal.id),
                household.code,
                by.display_name if by and by.id != member.id else None,
            )
        session.add(
            ProposalSupport(
                proposal_id=proposal.id,
                household_id=member.household_id,
                member_id=member.id,
                created_at=now,
            )
        )
        await session.flush()
        count = await support_count(session, proposal.id)
        reached = proposal.status == "open" and count >= threshold
        if reached:
            proposal.status = "supported"
            proposal.updated_at = now
            session.add(proposal)
        await audit.record(
            session,
            "proposal.seconded",
            actor_id=member.id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={"household_id": member.household_id, "support": count, "supported": reached},
        )
        return Support(NEW, proposal, count, household.code, reached=reached)


async def unsecond(
    db: Database, proposal_id: int, member: Member, threshold: int, now: datetime
) -> Support:
    """Withdraw the household's support while the proposal is open; only the member who
    seconded or the household's representative may."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        count = await support_count(session, proposal.id)
        if proposal.status not in ACTIVE:
            return Support(CLOSED, proposal, count)
        existing = (
            await _active_support(session, proposal.id, member.household_id)
            if member.household_id is not None
            else None
        )
        if existing is None:
            return Support(NOT_SUPPORTING, proposal, count)
        household = await session.get(Household, member.household_id)
        if existing.member_id != member.id and not member.representative:
            by = await session.get(Member, existing.member_id) if existing.member_id else None
            return Support(
                NOT_YOURS, proposal, count, household.code, by.display_name if by else None
            )
        existing.withdrawn_at = now
        session.add(existing)
        count -= 1
        dropped = proposal.status == "supported" and count < threshold
        if dropped:
            proposal.status = "open"  # below the threshold again: not eligible for the agenda
        proposal.updated_at = now
        session.add(proposal)
        await audit.record(
            session,
            "proposal.unseconded",
            actor_id=member.id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={"household_id": member.household_id, "support": count},
        )
        return Support(WITHDRAWN, proposal, count, household.code, dropped=dropped)


async def close(
    db: Database,
    proposal_id: int,
    status: str,
    *,
    actor_id: int | None,
    reason: str | None,
    now: datetime,
) -> Proposal | None:
    """End an active proposal (withdrawn by its proposer, rejected with a reason…); None when
    it was not active any more (a second press, a race)."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        if proposal is None or proposal.status not in ACTIVE:
            return None
        await set_status(session, proposal, status, actor_id=actor_id, reason=reason, now=now)
        return proposal


async def set_status(
    session: AsyncSession,
    proposal: Proposal,
    status: str,
    *,
    actor_id: int | None,
    reason: str | None,
    now: datetime,
    **data: object,
) -> None:
    """Move a proposal to ``status`` in the caller's transaction, audited with where it came
    from, the reason and ``data``: every status change is recorded the same way."""
    previous = proposal.status
    proposal.status, proposal.reason, proposal.updated_at = status, reason, now
    session.add(proposal)
    await audit.record(
        session,
        f"proposal.{status}",
        actor_id=actor_id,
        community_id=proposal.community_id,
        subject=f"proposal:{proposal.id}",
        data={"from": previous, "reason": reason, **data},
    )


async def _active_support(
    session: AsyncSession, proposal_id: int, household_id: int
) -> ProposalSupport | None:
    return await session.scalar(
        select(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal_id,
            ProposalSupport.household_id == household_id,
            ProposalSupport.withdrawn_at.is_(None),
        )
    )


async def active_titles(session: AsyncSession) -> list[tuple[int, int, str]]:
    """(community id, proposal id, title) of every active proposal: what the index holds."""
    rows = await session.execute(
        select(Proposal.community_id, Proposal.id, Proposal.title).where(
            Proposal.status.in_(ACTIVE)
        )
    )
    return [tuple(row) for row in rows.all()]


async def counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(ProposalSupport.proposal_id, func.count())
        .where(
            ProposalSupport.proposal_id.in_(proposal_ids), ProposalSupport.withdrawn_at.is_(None)
        )
        .group_by(ProposalSupport.proposal_id)
    )
    found = dict(rows.all())
    return {pid: found.get(pid, 0) for pid in proposal_ids}


async def active_in_scope(
    session: AsyncSession, community_id: int, scope_id: int
) -> list[tuple[Proposal, int]]:
    """Active proposals in the scope and below it, most supported first (ties: older first)."""
    paths = await standing.scope_paths(session, community_id)
    top = paths.get(scope_id, ())
    found = [
        p
        for p in (
            await session.scalars(
                select(Proposal).where(
                    Proposal.community_id == community_id, Proposal.status.in_(ACTIVE)
                )
            )
        ).all()
        if paths.get(p.scope_id, ())[: len(top)] == top
    ]
    support = await counts(session, [p.id for p in found])
    found.sort(key=lambda p: (-support[p.id], p.number))
    return [(p, support[p.id]) for p in found]


async def support_by_building(session: AsyncSession, proposal_id: int) -> list[tuple[str, int]]:
    """Supporting households per building, most first (ties by name)."""
    rows = await session.execute(
        select(Scope.name, func.count())
        .select_from(ProposalSupport)
        .join(Household, Household.id == ProposalSupport.household_id)
        .join(Scope, Scope.id == Household.building_scope_id)
        .where(ProposalSupport.proposal_id == proposal_id, ProposalSupport.withdrawn_at.is_(None))
        .group_by(Scope.name)
    )
    return sorted(((name, n) for name, n in rows.all()), key=lambda row: (-row[1], row[0]))


async def proposer_reach(session: AsyncSession, proposal: Proposal) -> tuple[int, str] | None:
    """(Telegram id, language) to tell the proposer privately in; None when they cannot be:
    forgotten, or marked unreachable (blocked the bot, never started it: bot.flows.reach)."""
    found = (
        await session.execute(
            select(Member.tg_user_id, Member.language, Community.language)
            .join(Community, Community.id == proposal.community_id)
            .where(
                Member.id == proposal.proposer_id,
                Member.forgotten_at.is_(None),
                Member.unreachable_at.is_(None),
            )
        )
    ).one_or_none()
    if found is None:
        return None
    tg_user_id, own, community = found
    return tg_user_id, own or community
