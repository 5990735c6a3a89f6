"""Merging a proposal into another (``/merge A B``): A ends as merged, its supporters count for B.

Supporters are moved by one ``INSERT … SELECT`` that skips households already supporting B, so
the partial unique index on active ``proposal_support`` rows is never hit and no household counts
twice. A's own rows stay as they were: its history (who seconded it) is kept, and A is closed, so
nothing counts them any more. Everything happens in one write transaction with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, insert, literal
from sqlalchemy.orm import aliased
from sqlmodel import select

from bot.flows import proposals as pr
from bot.flows.proposal_messages import STATUS_NAMES
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Proposal, ProposalSupport

# Why a merge was refused.
SAME = "same"
SOURCE_CLOSED = "source_closed"
TARGET_CLOSED = "target_closed"
OTHER_COMMUNITY = "other_community"


@dataclass(frozen=True)
class Merged:
    """What a merge did: ``refused`` names why it did not happen, else A and B after it."""

    source: Proposal
    target: Proposal
    refused: str | None = None
    moved: int = 0  # households whose support now counts for B
    shared: int = 0  # A's households that already supported B
    count: int = 0  # B's support after the merge
    reached: bool = False  # B reached the threshold through the merge


async def merge(
    db: Database,
    source_id: int,
    target_id: int,
    *,
    actor_id: int | None,
    reason: str | None,
    threshold: int,
    now: datetime,
) -> Merged:
    async with db.write() as session:
        source = await session.get(Proposal, source_id)
        target = await session.get(Proposal, target_id)
        refused = _refusal(source, target)
        if refused is not None:
            return Merged(source, target, refused)
        mine, theirs = aliased(ProposalSupport), aliased(ProposalSupport)
        moving = select(
            literal(target.id), mine.household_id, mine.member_id, mine.created_at
        ).where(
            mine.proposal_id == source.id,
            mine.withdrawn_at.is_(None),
            ~exists().where(
                theirs.proposal_id == target.id,
                theirs.household_id == mine.household_id,
                theirs.withdrawn_at.is_(None),
            ),
        )
        before = await pr.support_count(session, source.id)
        result = await session.execute(
            insert(ProposalSupport).from_select(
                ["proposal_id", "household_id", "member_id", "created_at"], moving
            )
        )
        moved = result.rowcount
        count = await pr.support_count(session, target.id)
        reached = target.status == "open" and count >= threshold
        if reached:
            target.status = "supported"
        target.updated_at = now
        source.status, source.merged_into_id, source.reason = "merged", target.id, reason
        source.updated_at = now
        session.add_all([source, target])
        await audit.record(
            session,
            "proposal.merged",
            actor_id=actor_id,
            community_id=source.community_id,
            subject=f"proposal:{source.id}",
            data={
                "into": target.id,
                "into_number": target.number,
                "reason": reason,
                "moved": moved,
                "shared": before - moved,
                "support": count,
                "supported": reached,
            },
        )
        return Merged(source, target, None, moved, before - moved, count, reached)


def _refusal(source: Proposal, target: Proposal) -> str | None:
    if source.id == target.id:
        return SAME
    if source.community_id != target.community_id:
        return OTHER_COMMUNITY
    if source.status not in pr.ACTIVE:
        return SOURCE_CLOSED
    if target.status not in pr.ACTIVE:
        return TARGET_CLOSED
    return None


def refusal_text(result: Merged) -> Text:
    source, target = result.source, result.target
    if result.refused == SAME:
        return t("A proposal cannot be merged into itself: give two different numbers.")
    if result.refused == OTHER_COMMUNITY:
        return t("Only proposals of the same community can be merged.")
    closed = source if result.refused == SOURCE_CLOSED else target
    return t(
        "No. {number} is {status}: only open proposals can be merged.",
        number=closed.number,
        status=STATUS_NAMES[closed.status],
    )


def done(result: Merged) -> Text:
    """The answer in the chat where /merge was sent."""
    return t(
        "No. {number} is merged into No. {into}: {moved} households' support moved over "
        "({shared} already supported No. {into}). No. {into} now has {n} households.",
        number=result.source.number,
        into=result.target.number,
        moved=result.moved,
        shared=result.shared,
        n=result.count,
    )


def into_yours(result: Merged) -> Text:
    """What the proposer of B is told."""
    return t(
        "Proposal No. {number} “{title}” is merged into your proposal No. {into}; No. {into} now "
        "has {n} households.",
        number=result.source.number,
        title=result.source.title,
        into=result.target.number,
        n=result.count,
    )
