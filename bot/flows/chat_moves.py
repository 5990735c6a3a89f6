"""A group upgraded to a supergroup gets a new chat id: everything stored under the old id
follows it — the binding, proposals, votes, polls and agenda threads — in one audited write.

Telegram tells the bot twice (the service messages, and a 400 with ``migrate_to_chat_id`` on any
call to the old id), in either order; following is idempotent, so whichever comes second finds
nothing left under the old id and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import select

from bot.flows.proposals import ACTIVE
from storage import audit
from storage.engine import Database
from storage.models import AgendaItem, ChatBinding, Poll, Proposal, Vote

TABLES = (Proposal, Vote, Poll, AgendaItem)  # every table that remembers a group's chat id


@dataclass(frozen=True)
class Moved:
    """What followed the group; open votes and active proposals need their message again in
    the new chat, since the old chat's buttons can no longer be pressed."""

    old_chat_id: int
    new_chat_id: int
    open_votes: tuple[int, ...]
    active_proposals: tuple[int, ...]


async def follow(
    db: Database, old_chat_id: int, new_chat_id: int, *, learnt_from: str
) -> Moved | None:
    """Point every row naming ``old_chat_id`` at ``new_chat_id``; None when nothing named it
    (already followed, or a group the bot never used)."""
    async with db.write() as s:
        binding = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == old_chat_id))
        open_votes = tuple(
            (
                await s.scalars(
                    select(Vote.id).where(Vote.chat_id == old_chat_id, Vote.closed_at.is_(None))
                )
            ).all()
        )
        active = tuple(
            (
                await s.scalars(
                    select(Proposal.id).where(
                        Proposal.chat_id == old_chat_id, Proposal.status.in_(ACTIVE)
                    )
                )
            ).all()
        )
        counts = {}
        for table in TABLES:
            moved = await s.execute(
                update(table).where(table.chat_id == old_chat_id).values(chat_id=new_chat_id)
            )
            counts[table.__tablename__] = moved.rowcount
        if binding is None and not any(counts.values()):
            return None
        community_id = binding.community_id if binding else None
        if binding is not None:
            taken = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == new_chat_id))
            if taken is None:
                binding.chat_id = new_chat_id
            else:  # the new supergroup was bound already: the old binding has no chat left
                binding.active = False
            s.add(binding)
        await audit.record(
            s,
            "chat.migrated",
            community_id=community_id,
            subject=f"chat:{old_chat_id}",
            data={"to_chat_id": new_chat_id, "learnt_from": learnt_from, "moved": counts},
        )
    return Moved(old_chat_id, new_chat_id, open_votes, active)
