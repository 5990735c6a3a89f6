"""One limiter for everything the bot sends, so broadcasts queue instead of being refused.

Telegram allows about 30 messages/s overall, 20/min into one group and about 1/s per chat (short
bursts pass). Every sending call waits for room in all three (aiolimiter's leaky buckets); a
429 that still happens is waited out for ``retry_after`` and retried, never dropped.

The per-chat limit is a bucket with short bursts (aiolimiter). The group and global limits are
"at most N in any window T": a leaky bucket would either let 2N through in the first window or
forbid the bursts Telegram allows, so those two use :class:`SlidingWindow`. Windows and refills
carry a margin, so network jitter between our clock and Telegram's never turns a paced send into
a 429.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiolimiter import AsyncLimiter

from bot.config import OutboundSettings

log = logging.getLogger(__name__)

# Methods that put a new message into a chat: the ones Telegram's flood limits count.
SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendPoll", "sendMediaGroup",
        "sendAudio", "sendVideo", "sendVoice", "sendAnimation", "sendSticker",
        "sendLocation", "sendContact", "forwardMessage", "copyMessage",
    }
)  # fmt: skip
MAX_TRACKED_CHATS = 10_000
JITTER_MARGIN = 1.1  # windows and refills 10 % wider than the limits themselves
L = TypeVar("L", AsyncLimiter, "SlidingWindow")


class SlidingWindow:
    """At most ``count`` acquisitions in any ``seconds``-long window; waiters go first come,
    first served (asyncio.Lock is fair)."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds * JITTER_MARGIN
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _wait_needed(self) -> float:
        now = time.monotonic()
        while self._stamps and now - self._stamps[0] >= self.seconds:
            self._stamps.popleft()
        return 0.0 if len(self._stamps) < self.count else self.seconds - (now - self._stamps[0])

    def would_wait(self) -> bool:
        return self._wait_needed() > 0

    async def acquire(self) -> None:
        async with self._lock:
            # Sleeps exactly until the oldest send leaves the window; loops only if woken early.
            while (wait := self._wait_needed()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            self._stamps.append(time.monotonic())


class OutboundLimiter(BaseRequestMiddleware):
    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self.overall = SlidingWindow(settings.global_per_second, 1)
        self._per_chat: OrderedDict[int | str, AsyncLimiter] = OrderedDict()
        self._per_group: OrderedDict[int | str, SlidingWindow] = OrderedDict()
        self.retried_429 = 0

    @staticmethod
    def _limiter(
        table: OrderedDict[int | str, L],
        chat_id: int | str,
        make: Callable[[], L],
    ) -> L:
        limiter = table.get(chat_id)
        if limiter is None:
            limiter = table[chat_id] = make()
            if len(table) > MAX_TRACKED_CHATS:
                table.popitem(last=False)
        else:
            table.move_to_end(chat_id)
        return limiter

    async def _wait_for_room(self, chat_id: int | str | None) -> None:
        settings = self.settings
        if chat_id is not None:
            burst = settings.per_chat_burst
            refill = burst / settings.per_chat_per_second * JITTER_MARGIN
            await self._limiter(
                self._per_chat, chat_id, lambda: AsyncLimiter(burst, refill)
            ).acquire()
            if _is_group(chat_id):
                await self._limiter(
                    self._per_group,
                    chat_id,
                    lambda: SlidingWindow(settings.per_group_per_minute, 60),
                ).acquire()
        await self.overall.acquire()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        sending = method.__api_method__ in SENDING_METHODS
        chat_id = getattr(method, "chat_id", None)
        attempt = 0
        while True:
            if sending:
                await self._wait_for_room(chat_id)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                if attempt > self.settings.max_retries:
                    raise
                self.retried_429 += 1
                log.warning(
                    "429 on %s to %s: waiting %ss (attempt %d)",
                    method.__api_method__, chat_id, exc.retry_after, attempt,
                )  # fmt: skip
                await asyncio.sleep(exc.retry_after)


def _is_group(chat_id: int | str) -> bool:
    """Group and supergroup ids are negative; ``@username`` targets are channels or groups."""
    return isinstance(chat_id, str) or chat_id < 0
