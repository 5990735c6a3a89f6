"""The groups' rating messages of an item: the 1–5 buttons with the average and count so far,
edited on every new or changed rating, and once closed the result without buttons."""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from bot import render
from bot.flows import action_messages as say
from bot.flows import ratings
from bot.flows.actions import Item
from bot.flows.ratings import Summary
from bot.handlers.context import reader_language
from bot.handlers.delivery import markup
from bot.i18n import DEFAULT_LANGUAGE
from storage.engine import Database


async def show_rating(
    bot: Bot, db: Database, item: Item, rated: Summary, *, closed: bool = False
) -> None:
    async with db.session() as session:
        posted = await ratings.group_messages(session, item.id)
    buttons = () if closed else ratings.buttons(item.id)
    for chat_id, message_id in posted:
        language = await reader_language(db, chat_id, DEFAULT_LANGUAGE)
        shown = render.message(language, say.rate_request(item, rated, closed=closed), buttons)
        with contextlib.suppress(TelegramBadRequest):  # unchanged, or the message is gone
            await bot.edit_message_text(
                shown.chunks[0],
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup(shown.keyboard),
            )
