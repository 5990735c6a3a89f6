"""The one way a proposer hears that their proposal changed (see bot.flows.proposal_status)."""

from __future__ import annotations

from bot import render
from bot.flows.results import Notify
from bot.handlers.context import Context
from bot.i18n import Text
from storage.models import Member, Proposal


async def tell_proposer(ctx: Context, proposal: Proposal, *paragraphs: Text) -> None:
    """A notice in the proposer's private chat; in the proposal's group if they never opened
    one. The person who made the change sees the answer already, so is not told twice."""
    if ctx.member is not None and ctx.member.id == proposal.proposer_id:
        return
    async with ctx.db.session() as session:
        proposer = await session.get(Member, proposal.proposer_id)
    if proposer is None or proposer.forgotten_at is not None:
        return
    if await ctx.show(Notify(proposer.tg_user_id, paragraphs)) and proposal.chat_id:
        await ctx.bot.send_message(
            proposal.chat_id,
            "\n\n".join(render.text(ctx.language, p) for p in paragraphs),
            message_thread_id=proposal.thread_id,
        )
