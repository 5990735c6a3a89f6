"""Turn flow outcomes into aiogram calls: send, edit the pressed message, answer the press."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import render
from bot.flows.results import EditOrigin, Notify, Outcome, Reply, Toast

log = logging.getLogger("xieshang.delivery")

LanguageOf = Callable[[int], Awaitable[str]]


def markup(rows: render.Keyboard) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
            for row in rows
        ]
    )


async def send(
    bot: Bot, chat_id: int, rendered: render.Rendered, thread_id: int | None = None
) -> list[Message]:
    """Send every chunk; the keyboard goes under the last one, where the reader ends up."""
    sent = []
    for index, chunk in enumerate(rendered.chunks):
        last = index == len(rendered.chunks) - 1
        sent.append(
            await bot.send_message(
                chat_id,
                chunk,
                message_thread_id=thread_id,
                reply_markup=markup(rendered.keyboard) if last else None,
            )
        )
    return sent


async def notify(bot: Bot, notice: Notify, language: str) -> bool:
    """Send a notice to another chat; False when Telegram refuses (blocked, never started…),
    or still answers 429 after the outbound limiter's retries: one chat Telegram keeps refusing
    must not cut short a round of notices to everyone else."""
    try:
        await send(bot, notice.chat_id, render.message(language, notice.paragraphs, notice.buttons))
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.info("notice to chat %s not delivered: %s", notice.chat_id, exc.message)
        return False
    except TelegramRetryAfter as exc:
        log.error("notice to chat %s not delivered, still flood-limited: %s", notice.chat_id, exc)
        return False
    return True


IN_FLIGHT = 30  # notices of one round sent at once: Telegram's overall limit per second


def everyone_in(language: str) -> LanguageOf:
    """A reader's language for a round said in one language whoever reads it."""

    async def same(_chat_id: int) -> str:
        return language

    return same


async def notify_all(bot: Bot, notices: Sequence[Notify], language_of: LanguageOf) -> list[Notify]:
    """Send a round of notices side by side, each in its reader's language; returns those
    Telegram refused, in order. One at a time a round went at Telegram's round-trip pace (about
    10 a second); the outbound limiter keeps the limits and the order either way."""
    turns = asyncio.Semaphore(IN_FLIGHT)

    async def one(notice: Notify) -> bool:
        async with turns:
            return await notify(bot, notice, await language_of(notice.chat_id))

    sent = await asyncio.gather(*map(one, notices))
    return [notice for notice, ok in zip(notices, sent, strict=True) if not ok]


async def deliver(
    bot: Bot,
    event: Message | CallbackQuery | None,
    language: str,
    outcomes: list[Outcome],
    language_of: LanguageOf | None = None,
) -> list[Notify]:
    """Carry out the outcomes; returns the notices that could not be delivered.

    ``language_of`` gives a notice's recipient language (else the asker's is used).
    """
    undelivered: list[Notify] = []
    origin = event.message if isinstance(event, CallbackQuery) else event
    if not isinstance(origin, Message):
        origin = None  # a press on a message too old for Telegram to show us
    toast: Toast | None = None

    notices: list[Notify] = []  # a run of notices goes out as one round
    for outcome in [*outcomes, None]:
        if isinstance(outcome, Notify):
            notices.append(outcome)
            continue
        if notices:
            undelivered += await notify_all(bot, notices, language_of or everyone_in(language))
            notices = []
        if isinstance(outcome, Toast):
            toast = outcome
        elif isinstance(outcome, Reply) and origin is not None:
            thread = origin.message_thread_id if origin.is_topic_message else None
            await send(
                bot,
                origin.chat.id,
                render.message(language, outcome.paragraphs, outcome.buttons),
                thread,
            )
        elif isinstance(outcome, EditOrigin) and origin is not None:
            rendered = render.message(language, outcome.paragraphs, outcome.buttons)
            try:
                await bot.edit_message_text(
                    text=rendered.chunks[0],
                    chat_id=origin.chat.id,
                    message_id=origin.message_id,
                    reply_markup=markup(rendered.keyboard),
                )
            except TelegramBadRequest as exc:
                # A double press edits to the same content; Telegram refuses, nothing is lost.
                if "message is not modified" not in exc.message:
                    raise
    # Notices alone go to other chats on the side (a proposer told after the press was
    # answered): they leave the press to the outcomes that answer it, once.
    if isinstance(event, CallbackQuery) and not all(isinstance(o, Notify) for o in outcomes):
        if toast is None:
            await event.answer()
        else:
            await event.answer(render.text(language, toast.text), show_alert=toast.alert)
    return undelivered
