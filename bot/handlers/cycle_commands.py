"""Moderators steer the cycle: /freeze now, /postpone N, /skipmonth, /chair CODE. Each is announced in the
community's groups; the cycle sweep forgets its cached calendar so it sees the change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.flows import agenda, agenda_changes, chair_turns, cycle_notices
from bot.flows.cycle_phases import month_of
from bot.flows.inputs import Invalid, normalize
from bot.flows.policy import Action
from bot.flows.results import Notify, reply
from bot.handlers.context import Context
from bot.handlers.cycle import asked_about
from bot.i18n import Text, t

if TYPE_CHECKING:
    from bot.handlers.cycle_runtime import CycleRuntime

NOW_WORDS = ("", "now", "现在", "立即")


async def _community(ctx: Context) -> int | None:
    """The community, when the asker may set its agenda (else says why)."""
    community_id = await asked_about(ctx)
    if community_id is None or not await ctx.require(Action.SET_AGENDA):
        return None
    return community_id


def router(runtime: CycleRuntime) -> Router:
    r = Router(name="cycle_commands")

    async def announce(ctx: Context, community_id: int, said: tuple[Text, ...]) -> None:
        """To the asker, and to the community's other groups."""
        here = ctx.chat.id if ctx.chat else None
        async with ctx.db.session() as session:
            chats = await agenda.bound_chats(session, community_id)
        await ctx.show(reply(*said), [Notify(c.chat_id, said) for c in chats if c.chat_id != here])

    async def freeze(message: Message, command: CommandObject, ctx: Context) -> None:
        if normalize(command.args or "").lower() not in NOW_WORDS:
            await ctx.show(reply(t("Use /freeze now to fix the coming agenda at once.")))
            return
        community_id = await _community(ctx)
        if community_id is None:
            return
        actor = ctx.standing.member_id
        try:
            frozen = await agenda_changes.freeze_now(
                ctx.db, community_id, ctx.clock.now(), actor_id=actor
            )
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        runtime.forget()
        await runtime.announce_agenda(frozen)
        if ctx.where == "private":
            await ctx.show(reply(t("Done: the agenda is announced in the community's groups.")))

    async def postpone(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await _community(ctx)
        if community_id is None:
            return
        try:
            done = await agenda_changes.postpone(
                ctx.db,
                community_id,
                agenda_changes.position_of(command.args),
                ctx.clock.now(),
                actor_id=ctx.standing.member_id,
            )
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        await announce(ctx, community_id, (cycle_notices.postponed(done),))

    async def skip(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await _community(ctx)
        if community_id is None:
            return
        now = ctx.clock.now()
        try:
            skipped, skipped_when = await agenda_changes.coming(ctx.db, community_id, now)
            _, moved = await agenda_changes.skip_month(
                ctx.db, community_id, now, actor_id=ctx.standing.member_id
            )
            _, next_when = await agenda_changes.coming(ctx.db, community_id, skipped.d)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        runtime.forget()
        await announce(ctx, community_id, cycle_notices.skipped(skipped_when, next_when, moved))

    async def chair(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await _community(ctx)
        if community_id is None:
            return
        words = normalize(command.args or "").split()
        now = ctx.clock.now()
        try:
            if len(words) != 1:
                raise Invalid(t("Name the chair's household: /chair 7-1-101."))
            found, said_when = await agenda_changes.coming(ctx.db, community_id, now)
            chosen = await chair_turns.override(
                ctx.db,
                community_id,
                words[0],
                month_of(found),
                now,
                actor_id=ctx.standing.member_id,
            )
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        said = t(
            "The chair of the 协商日 {when}: {name} (named by a moderator).",
            when=said_when,
            name=chosen.name,
        )
        await announce(ctx, community_id, (said,))

    r.message.register(chair, Command("chair"))
    r.message.register(freeze, Command("freeze"))
    r.message.register(postpone, Command("postpone"))
    r.message.register(skip, Command("skipmonth"))
    return r
