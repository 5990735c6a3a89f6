"""Staff around a running vote: /offline (a grid worker records a paper ballot, confirmed by a
button) and /pending (who has not voted, per building, with a button that reminds them)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.flows import ballot_writer, households, offline_ballots, pending
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Toast, reply
from bot.handlers.context import Context
from bot.handlers.delivery import deliver
from bot.handlers.vote_lookup import vote_by_number
from bot.i18n import t
from storage.models import Vote

if TYPE_CHECKING:
    from bot.handlers.voting import Voting


def router(voting: Voting) -> Router:
    r = Router(name="vote_staff")
    reminding: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def offline_command(message: Message, command: CommandObject, ctx: Context) -> None:
        try:
            draft = await offline_ballots.draft(ctx.db, ctx.standing.community_id, command.args)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        if not await ctx.require(Action.RECORD_OFFLINE_BALLOT, draft.located.path):
            return
        if draft.vote.secret and ctx.where == "group":
            await ctx.show(reply(offline_ballots.secret_in_group()))
            return
        await ctx.show(offline_ballots.confirmation(draft))

    async def offline_confirmed(query: CallbackQuery, ctx: Context) -> None:
        request = offline_ballots.parse_data(query.data or "")
        located = await households.find_by_id(ctx.db, request.household_id) if request else None
        async with ctx.db.session() as session:
            vote = await session.get(Vote, request.vote_id) if request else None
        if request is None or located is None or vote is None:
            await ctx.show(Toast(t("This vote no longer exists."), alert=True))
            return
        if not await ctx.require(Action.RECORD_OFFLINE_BALLOT, located.path):
            return
        outcome = await voting.writer.cast(
            ballot_writer.Cast(
                vote.id,
                located.household.id,
                request.option,
                member_id=None,
                offline=True,
                recorded_by_id=ctx.member.id,
                online_may_replace=request.allow_online,
            )
        )
        if outcome.status in (ballot_writer.NEW, ballot_writer.CHANGED):
            voting.dirty.add(vote.id)
        await ctx.show(
            offline_ballots.recorded(outcome, vote, located.household.code, request.allow_online)
        )

    async def offline_cancelled(query: CallbackQuery, ctx: Context) -> None:
        if not ctx.permits(Action.RECORD_OFFLINE_BALLOT):
            await ctx.require(Action.RECORD_OFFLINE_BALLOT)
            return
        await ctx.show(EditOrigin((t("Not recorded."),)))

    async def pending_command(message: Message, command: CommandObject, ctx: Context) -> None:
        vote = await vote_by_number(ctx, command.args, "/pending 3", open_only=True)
        if vote is None:
            return
        found = await pending.pending(ctx.db, vote, ctx.standing, ctx.clock.now())
        if not found.visible:
            await ctx.require(Action.VIEW_PENDING, found.path)  # says who may
            return
        paragraphs, buttons = pending.listing(found)
        await ctx.show(reply(*paragraphs, buttons=buttons))

    async def remind_pressed(query: CallbackQuery, ctx: Context) -> None:
        vote_id = pending.parse_remind(query.data or "")
        async with ctx.db.session() as session:
            vote = await session.get(Vote, vote_id) if vote_id else None
        if vote is None or vote.community_id != ctx.standing.community_id:
            await ctx.show(Toast(t("This vote no longer exists."), alert=True))
            return
        if vote.closed_at is not None:
            await ctx.show(Toast(t("Vote {id} is already closed.", id=vote.id), alert=True))
            return
        async with reminding[vote.id]:  # two presses at once: the second sees the first's event
            now = ctx.clock.now()
            found = await pending.pending(ctx.db, vote, ctx.standing, now)
            if not found.visible:
                await ctx.require(Action.VIEW_PENDING, found.path)
                return
            round_ = await pending.prepare(ctx.db, found, now)
            # Answer the press first: a few hundred notices take longer than Telegram waits.
            await ctx.show(Toast(t("Sending {n} reminders…", n=len(round_.notices))))
            undelivered = await deliver(
                ctx.bot, None, ctx.language, list(round_.notices.values()), ctx.language_of
            )
            failed = {n.chat_id for n in undelivered}
            reminded = [h for h, n in round_.notices.items() if n.chat_id not in failed]
            unreached = [a for a in found.absent if a.household_id in round_.notices
                         and round_.notices[a.household_id].chat_id in failed]  # fmt: skip
            if round_.notices or round_.nobody:
                await pending.record(
                    ctx.db,
                    vote,
                    reminded,
                    [a.household_id for a in [*round_.nobody, *unreached]],
                    actor_id=ctx.member.id if ctx.member else None,
                    now=now,
                )
        report = pending.report(
            found, round_, len(reminded), unreached, now, names=ctx.where == "private"
        )
        await deliver(ctx.bot, query.message, ctx.language, [reply(*report)])

    r.message.register(offline_command, Command("offline"))
    r.message.register(pending_command, Command("pending"))
    r.callback_query.register(offline_cancelled, F.data == offline_ballots.CANCEL)
    r.callback_query.register(offline_confirmed, F.data.startswith(offline_ballots.PREFIX))
    r.callback_query.register(remind_pressed, F.data.startswith(pending.REMIND_PREFIX))
    return r
