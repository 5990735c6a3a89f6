"""The proposer edits their proposal (``/edit N`` with the new title, details after).

Only until another household has seconded it: people who seconded a text must not find
themselves supporting a different one. "Has seconded" includes support withdrawn since, so
the window closes for good. Every edit is audited with the old and the new text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from bot.flows import proposals as pr
from bot.flows.proposal_messages import STATUS_NAMES
from bot.flows.proposal_text import Draft
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Member, Proposal, ProposalSupport

EDITED = "edited"
UNCHANGED = "unchanged"
NOT_PROPOSER = "not_proposer"
SECONDED = "seconded"
CLOSED = "closed"


@dataclass(frozen=True)
class Edit:
    status: str
    proposal: Proposal


async def edit(
    db: Database, proposal_id: int, member: Member | None, draft: Draft, now: datetime
) -> Edit:
    """Replace the title, and the details when the draft has some (none given keeps them)."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        if member is None or member.id != proposal.proposer_id:
            return Edit(NOT_PROPOSER, proposal)
        if proposal.status not in pr.ACTIVE:
            return Edit(CLOSED, proposal)
        proposer = await session.get(Member, proposal.proposer_id)
        others = await session.scalar(
            select(func.count())
            .select_from(ProposalSupport)
            .where(
                ProposalSupport.proposal_id == proposal.id,
                ProposalSupport.household_id.is_distinct_from(proposer.household_id),
            )
        )
        if others:
            return Edit(SECONDED, proposal)
        details = draft.details if draft.details is not None else proposal.details
        if (draft.title, details) == (proposal.title, proposal.details):
            return Edit(UNCHANGED, proposal)
        old = {"title": proposal.title, "details": proposal.details}
        proposal.title, proposal.details, proposal.updated_at = draft.title, details, now
        session.add(proposal)
        await audit.record(
            session,
            "proposal.edited",
            actor_id=member.id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={"old": old, "new": {"title": draft.title, "details": details}},
        )
        return Edit(EDITED, proposal)


def answer(result: Edit) -> Text:
    p = result.proposal
    if result.status == EDITED:
        return t("No. {number} now reads: {title}", number=p.number, title=p.title)
    if result.status == UNCHANGED:
        return t("No. {number} already reads like that: nothing changed.", number=p.number)
    if result.status == NOT_PROPOSER:
        return t("Only its proposer can edit a proposal.")
    if result.status == CLOSED:
        return t(
            "No. {number} is {status}: it can no longer be edited.",
            number=p.number,
            status=STATUS_NAMES[p.status],
        )
    return t(
        "No. {number} can no longer be edited: another household has seconded it, and they "
        "seconded the text as it was. Withdraw it and raise a new one if it must change.",
        number=p.number,
    )
