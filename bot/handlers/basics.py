"""/start, /help, /lang, and the catch-alls for commands and chatter we don't handle."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.flows import language, welcome
from bot.handlers.context import Context


async def start(message: Message, ctx: Context) -> None:
    name = message.from_user.first_name if message.from_user else ""
    await ctx.show(welcome.start(ctx.where, name))


async def help_(message: Message, ctx: Context) -> None:
    await ctx.show(welcome.help_text(ctx.where, ctx.standing))


async def lang(message: Message, command: CommandObject, ctx: Context) -> None:
    if not command.args:
        await ctx.show(language.choose(ctx.language))
        return
    chosen = language.parse(command.args)
    if chosen is None or ctx.person is None:
        await ctx.show(language.unknown(command.args))
        return
    outcomes = await language.set_language(ctx.db, ctx.person, chosen, from_button=False)
    ctx.language = chosen
    await ctx.show(outcomes)


async def lang_pressed(query: CallbackQuery, ctx: Context) -> None:
    chosen = language.parse(query.data.removeprefix("lang:")) if query.data else None
    if chosen is None or ctx.person is None:
        await query.answer()
        return
    outcomes = await language.set_language(ctx.db, ctx.person, chosen, from_button=True)
    ctx.language = chosen
    await ctx.show(outcomes)


async def unknown_command(message: Message, ctx: Context) -> None:
    """Answer a command meant for us that nobody handles; ignore ones addressed to other bots."""
    word = message.text.split(maxsplit=1)[0][1:]
    name, _, addressee = word.partition("@")
    me = await message.bot.me()
    if addressee and addressee.lower() != (me.username or "").lower():
        return
    await ctx.show(welcome.unknown_command(name))


async def private_chatter(message: Message, ctx: Context) -> None:
    await ctx.show(welcome.private_hint())


def router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    r = Router(name="basics")
    r.message.register(start, CommandStart())
    r.message.register(help_, Command("help"))
    r.message.register(lang, Command("lang"))
    r.callback_query.register(lang_pressed, F.data.startswith("lang:"))
    r.message.register(unknown_command, F.text.startswith("/"))
    r.message.register(private_chatter, F.chat.type == "private")
    return r
