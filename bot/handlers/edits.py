"""Edited messages. aiogram hands them to ``edited_message`` handlers only, so an edited command
is never run again. An edit to the message a proposal was raised with (``/propose`` or
``#提案``) edits the proposal under the proposal's own rules (its proposer, until another
household seconds it); an edit to a message kept in an agenda item's thread updates the kept
text. Everything else edited (chatter) is left as it was, with no reply."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.types import Message
from sqlmodel import or_, select

from bot.flows import proposal_edits, threads
from bot.flows.inputs import Invalid
from bot.flows.proposal_text import parse_draft, strip_tag
from bot.flows.results import reply
from bot.handlers.context import Context
from bot.handlers.proposals import Proposals
from storage.models import Proposal

PROPOSE = re.compile(r"^/propose(@\w+)?(\s+|$)", re.IGNORECASE)


def _raised_text(text: str) -> str | None:
    """What follows /propose or #提案, or None for any other message."""
    command = PROPOSE.match(text)
    return text[command.end() :] if command else strip_tag(text)


def router(runtime: Proposals) -> Router:
    r = Router(name="edits")

    async def edited(message: Message, ctx: Context) -> None:
        text = message.text or ""
        raised = _raised_text(text)
        if raised is not None and await edit_proposal(message, ctx, raised):
            return
        await threads.revise(ctx.db, message.chat.id, message.message_id, text)

    async def edit_proposal(message: Message, ctx: Context, text: str) -> bool:
        """True when the message raised a proposal (whatever the edit's outcome)."""
        if ctx.binding is None:
            return False
        async with ctx.db.session() as session:
            proposal = await session.scalar(
                select(Proposal).where(
                    Proposal.community_id == ctx.binding.community_id,
                    Proposal.source_message_id == message.message_id,
                    # its card is posted here, or is being posted right now
                    or_(Proposal.chat_id == message.chat.id, Proposal.chat_id.is_(None)),
                )
            )
        if proposal is None:
            return False
        try:
            draft = parse_draft(text)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return True
        result = await proposal_edits.edit(ctx.db, proposal.id, ctx.member, draft, ctx.clock.now())
        if result.status == proposal_edits.EDITED:
            await runtime.indexed(result.proposal)
            runtime.cards.touch(result.proposal.id)
        await ctx.show(reply(proposal_edits.answer(result)))
        return True

    r.edited_message.register(edited, F.chat.type.in_({"group", "supergroup"}), F.text)
    return r
