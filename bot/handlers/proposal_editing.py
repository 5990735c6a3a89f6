"""``/edit N`` (the proposer rewrites their proposal) and ``/merge A B`` (staff fold a duplicate
into another): parse, check, call the flow, keep the proposal messages and the index current."""

from __future__ import annotations

import unicodedata

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.flows import proposal_edits as edits
from bot.flows import proposal_merge as merging
from bot.flows import proposal_settings as settings
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.proposal_status import notice as status_notice
from bot.flows.proposal_text import parse_draft
from bot.flows.results import reply
from bot.handlers.context import Context
from bot.handlers.proposal_lookup import load
from bot.handlers.proposal_notices import tell_proposer
from bot.handlers.proposals import Proposals
from bot.i18n import t

REASON_MAX = 500


def _number(word: str) -> int | None:
    """A proposal number as its own word: 3, #3, ３ (full-width); None for anything else."""
    word = unicodedata.normalize("NFKC", word).lstrip("#")
    return int(word) if word.isdigit() else None


def router(runtime: Proposals) -> Router:
    r = Router(name="proposal_editing")

    async def edit_command(message: Message, command: CommandObject, ctx: Context) -> None:
        first, _, text = (command.args or "").strip().partition("\n")
        word, _, title = first.strip().partition(" ")
        number = _number(word)
        text = f"{title}\n{text}".strip()
        if number is None or not text:
            await ctx.show(
                reply(
                    t(
                        "Give the number and the new title, e.g. <code>/edit 3 7栋安装门禁系统</code>; "
                        "new details can follow on the next lines (without them the details stay "
                        "as they are)."
                    )
                )
            )
            return
        proposal, _ = await load(ctx, number=number)
        if proposal is None:
            return
        try:
            draft = parse_draft(text)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        result = await edits.edit(ctx.db, proposal.id, ctx.member, draft, ctx.clock.now())
        if result.status == edits.EDITED:
            await runtime.indexed(result.proposal)
            runtime.cards.touch(result.proposal.id)
        await ctx.show(reply(edits.answer(result)))

    async def merge_command(message: Message, command: CommandObject, ctx: Context) -> None:
        words = (command.args or "").split(maxsplit=2)
        numbers = [_number(w) for w in words[:2]]
        if len(numbers) < 2 or None in numbers:
            await ctx.show(
                reply(
                    t("Give the two numbers: /merge 5 3 merges No. 5 into No. 3 (reason optional).")
                )
            )
            return
        source, source_path = await load(ctx, number=numbers[0])
        if source is None:
            return
        target, target_path = await load(ctx, number=numbers[1])
        if target is None:
            return
        if not await ctx.require(Action.MERGE_REJECT, source_path):
            return
        if not await ctx.require(Action.MERGE_REJECT, target_path):
            return
        reason = " ".join(words[2].split())[:REASON_MAX] if len(words) > 2 else None
        result = await merging.merge(
            ctx.db,
            source.id,
            target.id,
            actor_id=ctx.member.id if ctx.member else None,
            reason=reason,
            threshold=await settings.support_threshold(ctx.db, target.community_id),
            now=ctx.clock.now(),
        )
        if result.refused is not None:
            await ctx.show(reply(merging.refusal_text(result)))
            return
        await runtime.indexed(result.source)
        runtime.cards.touch(result.source.id)
        runtime.cards.touch(result.target.id)
        await ctx.show(reply(merging.done(result)))
        await tell_proposer(ctx, result.source, status_notice(result.source, into=result.target))
        told = [merging.into_yours(result)]
        if result.reached:
            told.append(status_notice(result.target, count=result.count))
        await tell_proposer(ctx, result.target, *told)

    r.message.register(edit_command, Command("edit"))
    r.message.register(merge_command, Command("merge"))
    return r
