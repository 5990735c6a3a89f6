"""Everything the bot sends is queued under Telegram's flood limits and arrives, all of it: the
sandbox enforces the limits (sped up 300 times, so a minute of group limit passes in 0.2 s) and
a real aiogram Bot sends through the project's OutboundLimiter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.config import OutboundSettings
from bot.flows.results import Notify
from bot.handlers.delivery import deliver
from bot.i18n import t
from bot.outbound import OutboundLimiter
from sandbox.server import RateLimits, Sandbox

TOKEN = "1000000005:OUTBOUND-TEST"
SPEEDUP = 300.0


@dataclass
class Limited:
    sandbox: Sandbox
    bot: Bot
    limiter: OutboundLimiter

    def bot_texts(self, chat_id: int) -> list[str]:
        """What the sandbox stored from the bot in the chat (service messages aside)."""
        return [
            m["text"]
            for m in self.sandbox.world.transcript(chat_id)
            if m["from"]["id"] == self.sandbox.world.bot.id and "text" in m
        ]


@pytest.fixture
async def limited() -> AsyncIterator[Limited]:
    async with Sandbox(bot_token=TOKEN, port=0, limits=RateLimits(speedup=SPEEDUP)) as sandbox:
        limiter = OutboundLimiter(OutboundSettings(), speedup=SPEEDUP)
        bot = Bot(
            TOKEN,
            session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)),
            default=DefaultBotProperties(parse_mode="HTML"),
        )
        bot.session.middleware(limiter)
        try:
            yield Limited(sandbox, bot, limiter)
        finally:
            await bot.session.close()


async def test_300_messages_into_one_group_all_arrive_paced_not_refused(limited: Limited) -> None:
    world = limited.sandbox.world
    creator = world.create_user(first_name="网格员")
    group = world.create_chat("supergroup", title="阳光小区", user_id=creator["id"])["id"]
    texts = [f"第{n}户：请于周五前投票" for n in range(300)]

    await asyncio.gather(*(limited.bot.send_message(group, text) for text in texts))

    assert sorted(limited.bot_texts(group)) == sorted(texts), "every message arrives, once"
    assert limited.limiter.retried_429 == 0, "paced to the limits, not refused and retried"


async def test_reminders_to_300_households_through_delivery_all_arrive(limited: Limited) -> None:
    """The path /pending's [Remind them] takes: one Notify per household, delivered in turn."""
    world = limited.sandbox.world
    notices = []
    for n in range(300):
        resident = world.create_user(first_name=f"户代表{n}", language_code="zh-hans")
        world.create_chat("private", user_id=resident["id"])
        code = f"3-1-{n + 1:03d}"
        notices.append(
            Notify(
                resident["id"],
                (
                    t(
                        "Reminder: your household {code} has not voted yet in vote {id}: {title}.",
                        code=code,
                        id=4,
                        title="<b>加装电梯</b>",
                    ),
                ),
            )
        )

    undelivered = await deliver(limited.bot, None, "zh_CN", notices)

    assert undelivered == []
    for n, notice in enumerate(notices):
        (text,) = limited.bot_texts(notice.chat_id)
        assert f"3-1-{n + 1:03d}" in text and "<b>加装电梯</b>" in text
