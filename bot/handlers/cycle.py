"""/cycle: the monthly 协商日 and the next time of every phase; /cycle set FIELD VALUE changes
one setting (moderators), tells the asker and announces the new dates in the other bound groups."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.flows import cycle_messages, cycle_settings
from bot.flows.inputs import Invalid, normalize
from bot.flows.policy import Action
from bot.flows.results import reply
from bot.handlers.context import Context
from bot.i18n import t

SET_WORDS = ("set", "设置", "修改")


async def asked_about(ctx: Context) -> int | None:
    """The community a cycle command is about: the group's, or in private the asker's own;
    None (and says so) when there is none."""
    community_id = ctx.binding.community_id if ctx.binding else None
    if ctx.where == "private":
        community_id = ctx.standing.community_id
    if community_id is None:
        await ctx.show(
            reply(t("Ask in a group bound to the community, or join your household first."))
        )
    return community_id


async def cycle(message: Message, command: CommandObject, ctx: Context) -> None:
    community_id = await asked_about(ctx)
    if community_id is None:
        return
    words = normalize(command.args or "").split(maxsplit=2)
    now = ctx.clock.now()
    if not words:
        editable = bool(ctx.permits(Action.CYCLE_SETTINGS))
        await ctx.show(await cycle_messages.show(ctx.db, community_id, now, editable=editable))
        return
    if words[0].lower() not in SET_WORDS:
        await ctx.show(
            reply(t("Use /cycle to see the schedule; moderators change it with /cycle set."))
        )
        return
    if not await ctx.require(Action.CYCLE_SETTINGS):
        return
    try:
        if len(words) < 3:
            raise Invalid(cycle_settings.usage())
        change = await cycle_settings.change(
            ctx.db,
            community_id,
            cycle_settings.field_of(words[1]),
            words[2],
            now,
            actor_id=ctx.standing.member_id,
            via="chat",
        )
    except Invalid as problem:
        await ctx.show(reply(problem.text))
        return
    notices = await cycle_messages.announcements(
        ctx.db, community_id, change, now, besides=message.chat.id
    )
    await ctx.show(cycle_messages.changed(change, now), notices)


def router() -> Router:
    r = Router(name="cycle")
    r.message.register(cycle, Command("cycle"))
    return r
