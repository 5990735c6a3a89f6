"""Set-up in chat: grids, buildings, roles, community settings, binding groups, and the bot's
own membership of groups (my_chat_member)."""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Chat, ChatMemberUpdated, Message

from bot import render
from bot.flows import bindings, communities, roles, scopes, welcome
from bot.flows.inputs import Invalid
from bot.flows.members import Person
from bot.flows.policy import Action
from bot.flows.results import Outcome, Reply, Toast, reply
from bot.handlers.context import Context
from bot.handlers.delivery import send

OUT = ("left", "kicked")
RIGHT_FIELDS = {"pin": "can_pin_messages", "topics": "can_manage_topics"}


async def _answer(ctx: Context, work: Awaitable[Outcome | list[Outcome]]) -> None:
    """Show a flow's result, or why it refused (a toast for a button, else a reply)."""
    try:
        outcome = await work
    except Invalid as problem:
        pressed = isinstance(ctx.event, CallbackQuery)
        outcome = Toast(problem.text, alert=True) if pressed else reply(problem.text)
    await ctx.show(outcome)


async def grid(message: Message, command: CommandObject, ctx: Context) -> None:
    if await ctx.require(Action.MANAGE_SCOPES):
        s = ctx.standing
        await _answer(
            ctx, scopes.grid_command(ctx.db, s.community_id, s.member_id, command.args or "")
        )


async def building(message: Message, command: CommandObject, ctx: Context) -> None:
    if await ctx.require(Action.MANAGE_SCOPES):
        s = ctx.standing
        await _answer(
            ctx, scopes.building_command(ctx.db, s.community_id, s.member_id, command.args or "")
        )


def _replied_person(message: Message) -> Person | None:
    """The author of the message this one replies to (not a bot, not a topic's opening)."""
    original = message.reply_to_message
    if original is None or original.forum_topic_created or original.from_user is None:
        return None
    if original.from_user.is_bot:
        return None
    return Person(original.from_user.id, original.from_user.full_name)


async def role(message: Message, command: CommandObject, ctx: Context) -> None:
    if await ctx.require(Action.MANAGE_ROLES):
        s = ctx.standing
        work = roles.role_command(
            ctx.db, s.community_id, s.member_id, command.args or "", _replied_person(message)
        )
        await _answer(ctx, work)


async def roles_(message: Message, ctx: Context) -> None:
    if ctx.standing.community_id is None:
        await ctx.show(roles.no_community())
    elif await ctx.require(Action.READ):
        await ctx.show(await roles.roles_reply(ctx.db, ctx.standing.community_id))


async def settings(message: Message, command: CommandObject, ctx: Context) -> None:
    if await ctx.require(Action.CONFIGURE):
        s = ctx.standing
        await _answer(
            ctx,
            communities.settings_command(ctx.db, s.community_id, s.member_id, command.args or ""),
        )


# -- binding ---------------------------------------------------------------------------------


async def _facts(ctx: Context, chat: Chat) -> bindings.ChatFacts:
    me = await ctx.bot.get_chat_member(chat.id, ctx.bot.id)
    return _facts_from(chat, me, await _privacy_off(ctx.bot))


async def _privacy_off(bot: Bot) -> bool:
    """Whether BotFather's privacy mode is off for us; asked afresh (not aiogram's cached
    ``bot.me()``), since the owner may change it while the bot runs."""
    return bool((await bot.get_me()).can_read_all_group_messages)


def _facts_from(chat: Chat, me, privacy_off: bool) -> bindings.ChatFacts:
    """The bot's standing in a group: admin or not, which of the rights it needs it lacks, and
    whether it sees the discussion (an admin does, and any bot with privacy mode off)."""
    wanted = ("pin", "topics") if chat.is_forum else ("pin",)
    if me.status == "creator":
        missing: tuple[str, ...] = ()
    elif me.status == "administrator":
        missing = tuple(k for k in wanted if getattr(me, RIGHT_FIELDS[k], None) is False)
    else:
        missing = wanted
    is_admin = me.status in ("creator", "administrator")
    return bindings.ChatFacts(
        chat.id, chat.title or "", bool(chat.is_forum), is_admin, missing, is_admin or privacy_off
    )


async def bind(message: Message, ctx: Context) -> None:
    if ctx.where == "private":
        await ctx.show(bindings.private_hint())
    elif await ctx.require(Action.BIND_CHAT):
        await ctx.show(await bindings.menu(ctx.db, ctx.standing.community_id, message.chat.id))


async def bind_pressed(query: CallbackQuery, ctx: Context) -> None:
    kind, _, argument = (query.data or "").removeprefix(bindings.PREFIX).partition(":")
    if query.message is None or not await ctx.require(Action.BIND_CHAT):
        return
    community_id, chat = ctx.standing.community_id, query.message.chat
    if kind == "top":
        await ctx.show(await bindings.top_menu(ctx.db, community_id, chat.id))
        return
    if kind == "no":
        await ctx.show(await bindings.keep(ctx.db, chat.id))
        return
    scope_id = int(argument) if argument.isdigit() else 0
    path = await bindings.target(ctx.db, community_id, scope_id)
    if path is None:
        await ctx.show(bindings.unavailable())
    elif kind == "g":
        await ctx.show(await bindings.grid_menu(ctx.db, community_id, scope_id))
    elif await ctx.require(Action.BIND_CHAT, path):
        facts = await _facts(ctx, chat)
        await ctx.show(
            await bindings.choose(
                ctx.db,
                community_id,
                facts,
                scope_id,
                actor_id=ctx.standing.member_id,
                confirmed=kind == "ok",
            )
        )


async def unbind(message: Message, ctx: Context) -> None:
    if ctx.where == "private":
        await ctx.show(bindings.private_hint())
    elif ctx.binding is None:
        await ctx.show(bindings.not_bound())
    elif await ctx.require(
        Action.BIND_CHAT,
        await bindings.target(ctx.db, ctx.binding.community_id, ctx.binding.scope_id),
    ):
        await ctx.show(
            await bindings.unbind_command(ctx.db, message.chat.id, ctx.standing.member_id)
        )


async def bot_membership(update: ChatMemberUpdated, ctx: Context) -> None:
    """The bot was added, promoted, demoted or removed: keep the binding true and say so."""
    chat = update.chat
    actor_id = ctx.member.id if ctx.member else None
    if update.new_chat_member.status in OUT:
        await bindings.unbind(ctx.db, chat.id, actor_id=actor_id, reason="bot removed")
        return
    facts = _facts_from(chat, update.new_chat_member, await _privacy_off(ctx.bot))
    if update.old_chat_member.status in OUT:
        said: Reply | None = welcome.start("group", "")
        said = reply(*said.paragraphs, *bindings.wanted(facts))
    else:
        said = await bindings.bot_rights_changed(ctx.db, facts, actor_id=actor_id)
    if said is not None:
        language = await bindings.group_language(ctx.db, chat.id) or ctx.language
        await send(ctx.bot, chat.id, render.message(language, said.paragraphs, said.buttons))


def router() -> Router:
    r = Router(name="setup")
    r.message.register(grid, Command("grid"))
    r.message.register(building, Command("building"))
    r.message.register(role, Command("role"))
    r.message.register(roles_, Command("roles"))
    r.message.register(settings, Command("settings"))
    r.message.register(bind, Command("bind"))
    r.message.register(unbind, Command("unbind"))
    r.callback_query.register(bind_pressed, F.data.startswith(bindings.PREFIX))
    r.my_chat_member.register(bot_membership, F.chat.type != "private")
    return r
