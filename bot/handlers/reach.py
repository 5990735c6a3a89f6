"""Chats the bot cannot reach. Every 403 Telegram answers a call to a chat marks it (a person:
unreachable privately; a group: its binding inactive — bot.flows.reach) and is passed on to the
caller, who falls back as before; a person who blocks or unblocks the bot is marked or cleared
from the private my_chat_member, and cleared when they write to the bot (handlers.context)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ChatMemberUpdated

from bot.clock import Clock
from bot.flows import bindings, reach
from bot.handlers.context import Context
from bot.handlers.requests import Again, ChatRefusals, install
from storage.engine import Database

log = logging.getLogger("xieshang.reach")


class Refusals(ChatRefusals):
    refusal = TelegramForbiddenError

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def refused(self, bot: Bot, chat_id: int, refused: TelegramAPIError, again: Again) -> Any:
        """Mark the chat, and let the caller learn of the 403 as before."""
        await self.mark(chat_id, refused.message)
        raise refused

    async def mark(self, chat_id: int, why: str) -> None:
        try:
            if chat_id > 0:  # a person's private chat
                await reach.unreachable(self.db, chat_id, why, self.clock.now())
            else:
                await bindings.unbind(self.db, chat_id, actor_id=None, reason=why)
        except Exception:  # the caller must still learn of the 403 itself
            log.exception("could not mark chat %s unreachable", chat_id)


def router(refusals: Refusals) -> Router:
    r = Router(name="reach")

    async def startup(bot: Bot) -> None:
        install(bot, refusals)

    async def blocked_or_not(update: ChatMemberUpdated, ctx: Context) -> None:
        if update.new_chat_member.status == "kicked":
            await reach.unreachable(ctx.db, update.chat.id, "blocked", ctx.clock.now())
        elif update.new_chat_member.status == "member":
            await reach.reachable(ctx.db, update.chat.id)

    r.startup.register(startup)
    r.my_chat_member.register(blocked_or_not, F.chat.type == "private")
    return r
