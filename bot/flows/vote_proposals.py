"""A vote that decides a proposal (``/vote #3``): the proposal gives the title and the scope;
opening the vote puts it on the agenda, closing it decides it.

Status changes happen inside the vote's own write transaction (opening, closing), with their
audit events, so a proposal can never be left on the agenda of a vote that closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import render
from bot.flows import proposal_category as category
from bot.flows import proposals, standing
from bot.flows.inputs import Invalid
from bot.flows.proposal_messages import STATUS_NAMES
from bot.flows.vote_rules import Result
from bot.i18n import t
from storage import audit
from storage.models import Community, Proposal, Scope, Vote

VOTABLE = (*proposals.ACTIVE, "on_agenda")
REASON_LIMIT = 500


async def votable(
    session: AsyncSession, community_id: int, number: int, group_scope_id: int
) -> Proposal:
    """Proposal No. ``number`` if a vote on it may open in the group bound to
    ``group_scope_id``; else Invalid saying why. Its households must all see the ballot, so
    its scope must lie inside the group's."""
    proposal = await proposals.find(session, community_id, number)
    if proposal is None:
        raise Invalid(t("There is no proposal No. {number} in this community.", number=number))
    await _check_open_to_vote(session, proposal)
    paths = await standing.scope_paths(session, community_id)
    group, own = paths.get(group_scope_id, ()), paths.get(proposal.scope_id, ())
    if own[: len(group)] != group or not group:
        scope = await session.get(Scope, proposal.scope_id)
        raise Invalid(
            t(
                "Proposal No. {number} concerns {scope}: open its vote in that scope's group "
                "(or a group above it), where all its households can vote.",
                number=number,
                scope=scope.name if scope else "",
            )
        )
    return proposal


async def _check_open_to_vote(session: AsyncSession, proposal: Proposal) -> None:
    if category.private(proposal):
        raise Invalid(category.not_for_agenda(proposal))
    if proposal.status not in VOTABLE:
        raise Invalid(
            t(
                "Proposal No. {number} is already {status}: it cannot be put to a vote.",
                number=proposal.number,
                status=STATUS_NAMES[proposal.status],
            )
        )
    running = await session.scalar(
        select(Vote.id).where(Vote.proposal_id == proposal.id, Vote.closed_at.is_(None))
    )
    if running is not None:
        raise Invalid(
            t(
                "Vote {id} on proposal No. {number} is still open.",
                id=running,
                number=proposal.number,
            )
        )


async def put_on_agenda(
    session: AsyncSession, proposal_id: int, *, actor_id: int | None, now: datetime
) -> Proposal:
    """Inside the opening transaction (before the vote row exists): check again, then
    open/supported → on_agenda."""
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    await _check_open_to_vote(session, proposal)
    if proposal.status != "on_agenda":
        previous = proposal.status
        proposal.status, proposal.updated_at = "on_agenda", now
        session.add(proposal)
        await audit.record(
            session,
            "proposal.on_agenda",
            actor_id=actor_id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={"from": previous, "by": "vote"},
        )
    return proposal


async def settle(
    session: AsyncSession, vote: Vote, result: Result, *, actor_id: int | None, now: datetime
) -> Proposal | None:
    """Inside the closing transaction: passed → decided, failed → rejected; the reason is the
    result's sentence in the community's language. None when the proposal is not on the
    agenda any more."""
    if vote.proposal_id is None:
        return None
    found = (
        await session.execute(
            select(Proposal, Community.language)
            .join(Community, Community.id == Proposal.community_id)
            .where(Proposal.id == vote.proposal_id)
        )
    ).one_or_none()
    if found is None or found[0].status != "on_agenda":
        return None
    proposal, language = found
    status = "decided" if result.passed else "rejected"
    reason = render.plain(language, result.reason)[:REASON_LIMIT]
    await proposals.set_status(
        session, proposal, status, actor_id=actor_id, reason=reason, now=now, vote=vote.id
    )
    return proposal
