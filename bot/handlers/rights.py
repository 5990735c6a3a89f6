"""Calls that need an admin right the bot may lack in a group (pinning, opening topics).

Telegram answers "not enough rights to …" when the bot lacks one. The caller then falls back
(no pin; a reply thread instead of a topic) and the group's moderators are told once what
happened and which right to grant (bindings.right_refused remembers it until the bot's rights
change). Any other refusal is only logged: nothing stored depends on a pin or a topic.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ForumTopic

from bot import render
from bot.flows import bindings
from bot.handlers.delivery import send
from bot.i18n import DEFAULT_LANGUAGE
from storage.engine import Database

log = logging.getLogger("xieshang.rights")
NOT_ENOUGH = "not enough rights"


async def pin(bot: Bot, db: Database, chat_id: int, message_id: int) -> bool:
    """Pin quietly; False (and the moderators told once) when the bot may not."""
    try:
        await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
    except TelegramAPIError as refused:
        await _refused(bot, db, chat_id, "pin", refused)
        return False
    return True


async def open_topic(bot: Bot, db: Database, chat_id: int, name: str) -> ForumTopic | None:
    """A new forum topic, or None (and the moderators told once) when the bot may not."""
    try:
        return await bot.create_forum_topic(chat_id, name)
    except TelegramAPIError as refused:
        await _refused(bot, db, chat_id, "topics", refused)
        return None


async def _refused(
    bot: Bot, db: Database, chat_id: int, key: str, refused: TelegramAPIError
) -> None:
    log.info("chat %s refused %s: %s", chat_id, key, refused.message)
    if not isinstance(refused, TelegramBadRequest) or NOT_ENOUGH not in refused.message:
        return
    said = await bindings.right_refused(db, chat_id, key)
    if not said:
        return
    language = await bindings.group_language(db, chat_id) or DEFAULT_LANGUAGE
    try:
        await send(bot, chat_id, render.message(language, said))
    except TelegramAPIError as failed:
        log.info("could not tell chat %s about the missing right: %s", chat_id, failed.message)
