"""A reminder broadcast of N messages through the project's outbound limiter, against the sandbox
with Telegram's flood limits on.

The mix is a month's reminders: one in a hundred messages goes to one of 3 community groups, the
rest each to its own resident's private chat. All N are handed over at once, as the bot's
reminder sweep does, through the same path (``delivery.notify`` on a real aiogram ``Bot`` with
``OutboundLimiter`` as its request middleware); the limiter queues them.

``sent`` is what the sandbox stored (read back from its chats, each message recognised by its
household code), ``lost`` is what was asked for and not stored, ``unhandled_429`` counts the
429s that reached the caller instead of being waited out. ``throughput_ratio`` is the achieved
rate over the allowed rate: N over the least time the sandbox's ``RateLimits`` permit for this
mix (the largest of what the global, per-group and per-chat limits each need, starting with a
full burst), computed from the limits' values.

``--speedup S`` runs the limits' clock S times faster in both the sandbox and the limiter
(windows and refills shrink, ``retry_after`` counts sped-up seconds), so 10,000 messages at 30/s
take 333/S seconds instead of five and a half minutes; rates are reported in the limits' seconds.
"""

from __future__ import annotations

import asyncio
import math
import re
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from bot.config import load_settings
from bot.flows.results import Notify
from bot.handlers.delivery import notify
from bot.i18n import t
from bot.outbound import OutboundLimiter
from sandbox.server import RateLimits, Sandbox
from sandbox.world import World

TOKEN = "1000000004:BENCH-BROADCAST"
GROUPS = 3
GROUP_EVERY = 100  # every 100th message goes to a group
PER_BUILDING = 120  # households per building, for the household codes
CODE = re.compile(r"(?<!\d)(\d+)-1-(\d{3})(?!\d)")


@dataclass(frozen=True)
class Mix:
    """Where the messages go: ``chats[i]`` is the chat of message ``i``."""

    chats: list[int]
    private_chats: int
    groups: list[int]

    def group_messages(self, group: int) -> int:
        return self.chats.count(group)


def build_mix(world: World, messages: int) -> Mix:
    """Residents with a private chat each, and 3 groups (with their join messages dropped)."""
    groups = [
        world.create_chat("supergroup", title=f"第{n + 1}网格居民群", user_id=_resident(world, n))[
            "id"
        ]
        for n in range(GROUPS)
    ]
    chats = []
    for index in range(messages):
        if index % GROUP_EVERY == GROUP_EVERY - 1:
            chats.append(groups[(index // GROUP_EVERY) % GROUPS])
        else:
            chats.append(world.create_chat("private", user_id=_resident(world, index))["id"])
    world.updates.drop_pending()
    return Mix(chats, len(chats) - sum(c in groups for c in chats), groups)


def _resident(world: World, index: int) -> int:
    return world.create_user(first_name=f"居民{index + 1}", language_code="zh-hans")["id"]


def household_code(index: int) -> str:
    building, room = divmod(index, PER_BUILDING)
    return f"{building + 1}-1-{room + 1:03d}"


def message_index(text: str) -> int | None:
    found = CODE.search(text)
    return (int(found[1]) - 1) * PER_BUILDING + int(found[2]) - 1 if found else None


def reminder(chat_id: int, index: int) -> Notify:
    return Notify(
        chat_id,
        (
            t(
                "Reminder: your household {code} has not voted yet in vote {id}: {title}.",
                code=household_code(index),
                id=7,
                title="加装电梯",
            ),
        ),
    )


def shortest_seconds(mix: Mix, limits: RateLimits) -> float:
    """The least time (in the limits' seconds) the limits allow for the whole mix: each limit
    starts with a full burst, so n sends in windows of ``count`` need ceil(n/count) - 1 windows
    after the first, and a bucket needs (n - burst) / rate."""

    def windows(n: int, count: int, seconds: float) -> float:
        return max(0, math.ceil(n / count) - 1) * seconds

    def bucket(n: int) -> float:
        return max(0.0, (n - limits.per_chat_burst) / limits.per_chat_per_second)

    needs = [windows(len(mix.chats), limits.global_per_second, 1.0)]
    for group in mix.groups:
        n = mix.group_messages(group)
        needs += [windows(n, limits.group_per_minute, 60.0), bucket(n)]
    return max(needs)


@dataclass
class Outcome:
    unhandled_429: int = 0
    refused: int = 0  # notify() returned False: Telegram refused the chat
    errors: int = 0  # any other exception
    elapsed_s: float = 0.0


async def broadcast(bot: Bot, mix: Mix) -> Outcome:
    """Hand every reminder over at once and wait for all of them."""

    async def one(index: int, chat_id: int) -> bool:
        return await notify(bot, reminder(chat_id, index), "zh_CN")

    outcome = Outcome()
    started = time.perf_counter()
    results = await asyncio.gather(
        *(one(i, chat) for i, chat in enumerate(mix.chats)), return_exceptions=True
    )
    outcome.elapsed_s = time.perf_counter() - started
    for result in results:
        if isinstance(result, TelegramRetryAfter):
            outcome.unhandled_429 += 1
        elif isinstance(result, BaseException):
            outcome.errors += 1
        elif result is False:
            outcome.refused += 1
    return outcome


def stored(world: World, mix: Mix) -> tuple[int, int]:
    """Asked of the sandbox: (distinct reminders stored, extra copies), by household code."""
    seen: set[int] = set()
    copies = 0
    for chat_id in dict.fromkeys(mix.chats):
        for message in world.transcript(chat_id):
            if message["from"]["id"] != world.bot.id or "text" not in message:
                continue
            index = message_index(message["text"])
            if index is not None and index < len(mix.chats) and mix.chats[index] == chat_id:
                copies += index in seen
                seen.add(index)
    return len(seen), copies


async def run(messages: int, speedup: float, config: Path | None = None) -> dict[str, Any]:
    limits = RateLimits(speedup=speedup)
    outbound = load_settings(config, log_level="WARNING").outbound
    async with Sandbox(bot_token=TOKEN, port=0, limits=limits) as sandbox:
        setup = time.perf_counter()
        mix = build_mix(sandbox.world, messages)
        setup_s = time.perf_counter() - setup
        limiter = OutboundLimiter(outbound, speedup=speedup)
        bot = Bot(
            TOKEN,
            session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)),
            default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
        )
        bot.session.middleware(limiter)
        try:
            outcome = await broadcast(bot, mix)
        finally:
            await bot.session.close()
        sent, duplicated = stored(sandbox.world, mix)
    allowed = messages / shortest_seconds(mix, limits)
    achieved = sent / (outcome.elapsed_s * speedup)
    return {
        "bench": "broadcast",
        "messages": messages,
        "sent": sent,
        "lost": messages - sent,
        "duplicated": duplicated,
        "unhandled_429": outcome.unhandled_429,
        "refused": outcome.refused,
        "errors": outcome.errors,
        "retried_429": limiter.retried_429,
        "throughput_ratio": round(achieved / allowed, 4),
        "achieved_per_s": round(achieved, 2),
        "allowed_per_s": round(allowed, 2),
        "private_chats": mix.private_chats,
        "groups": len(mix.groups),
        "group_messages": messages - mix.private_chats,
        "speedup": speedup,
        "elapsed_s": round(outcome.elapsed_s, 1),
        "limits": {k: v for k, v in asdict(limits).items() if k not in ("enabled", "speedup")},
        "setup_s": round(setup_s, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
