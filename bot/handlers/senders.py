"""Senders who are not a person: an anonymous administrator posting as the group, a post made
as a channel. Telegram hides who they are, so they are never a resident or a household: every
command and button they try is refused here, once, with the same words. What they write still
counts as discussion (the cycle's thread keeper sees it before this router)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.flows.proposal_text import strip_tag
from bot.flows.results import Toast, reply
from bot.handlers.context import Context
from bot.i18n import Text, t


def not_a_person() -> Text:
    return t(
        "You are posting as the group or a channel, so I cannot tell who you are. "
        "Please do this from your own account."
    )


def _from_chat(event: Message | CallbackQuery, ctx: Context) -> bool:
    return ctx.sender_is_chat


async def _asks_us(message: Message) -> bool:
    """A command for this bot (bare or ``@ourname``), or a proposal by hashtag."""
    text = message.text or message.caption or ""
    if strip_tag(text) is not None:
        return True
    if not text.startswith("/"):
        return False
    addressee = text.split(maxsplit=1)[0].partition("@")[2]
    return not addressee or addressee.lower() == ((await message.bot.me()).username or "").lower()


async def command(message: Message, ctx: Context) -> None:
    await ctx.show(reply(not_a_person()))


async def pressed(query: CallbackQuery, ctx: Context) -> None:
    await ctx.show(Toast(not_a_person(), alert=True))


def router() -> Router:
    r = Router(name="senders")
    r.message.register(command, _from_chat, _asks_us)
    r.callback_query.register(pressed, _from_chat)
    return r
