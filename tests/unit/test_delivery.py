"""Notices to other chats: a chat Telegram keeps flood-limiting is reported undelivered, and the
round of notices goes on to everyone else; a round's notices are in flight side by side."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage
from aiogram.types import Chat, Message

from bot.flows.results import Notify
from bot.handlers.delivery import IN_FLIGHT, notify, notify_all
from bot.i18n import t

FLOODED = 1


class Telegram(BaseSession):
    """Answers sendMessage, except to FLOODED: 429 however often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[int] = []
        self.in_flight = self.most_in_flight = 0

    async def make_request(self, bot, method, timeout=None):  # noqa: ASYNC109 (aiogram API)
        assert isinstance(method, SendMessage)
        if method.chat_id == FLOODED:
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=30)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)  # the answer comes back later: others may be asked meanwhile
        self.in_flight -= 1
        self.sent.append(method.chat_id)
        return Message(
            message_id=len(self.sent),
            date=datetime.now(UTC),
            chat=Chat(id=method.chat_id, type="private"),
            text=method.text,
        )

    async def stream_content(self, *args, **kwargs):  # abstract in BaseSession; never asked
        raise NotImplementedError

    async def close(self) -> None:
        pass


async def test_a_flood_limited_chat_is_undelivered_and_the_round_goes_on():
    session = Telegram()
    bot = Bot("42:TEST", session=session)
    said = (t("Reminder"),)
    delivered = [await notify(bot, Notify(chat, said), "en") for chat in (FLOODED, 2, 3)]
    assert delivered == [False, True, True]
    assert session.sent == [2, 3]


async def test_a_round_is_sent_side_by_side_and_reports_the_refused_in_order():
    session = Telegram()
    bot = Bot("42:TEST", session=session)
    chats = [*range(2, 2 + 2 * IN_FLIGHT), FLOODED]
    notices = [Notify(chat, (t("Reminder"),)) for chat in chats]
    languages: list[int] = []

    async def language_of(chat_id: int) -> str:
        languages.append(chat_id)
        return "zh_CN"

    refused = await notify_all(bot, notices, language_of)
    assert refused == [notices[-1]]
    assert sorted(session.sent) == chats[:-1] and sorted(languages) == sorted(chats)
    assert 1 < session.most_in_flight <= IN_FLIGHT
