"""One limiter for everything the bot sends, so broadcasts queue instead of being refused.

Telegram allows about 30 messages/s overall, 20/min into one group and about 1/s per chat (short
bursts pass). Every sending call waits for room under all three; a 429 that still happens is
waited out for ``retry_after`` and retried, never dropped.

The group and global limits are :class:`SlidingWindow`\\ s, "at most N in any window T" (a leaky
bucket would either let 2N through in the first window or forbid the bursts Telegram allows);
the per-chat limit is a :class:`TokenBucket` (a burst, then a steady rate), as at Telegram.

A send counts from the moment it starts until its answer came back, and then as if Telegram had
counted it at that last moment. Telegram counts it at some instant in between, so however long a
request travels, Telegram's count never runs ahead of ours: no margin to guess, no 429 from our
own pacing, and the only price is one round trip per window.

Waiters are served in the order sends were handed over, in every limit: a group message that
waited for its group's minute goes out next, instead of queueing behind the thousands of
private reminders handed over after it.

Neither holding a place until the answer nor one order across three limits is something
aiolimiter (used here before) offers: its leaky bucket counts a send when it starts, and
``xieshang bench broadcast`` measured it at 0.81 of the allowed rate against 0.95 for this.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, nullcontext
from typing import TypeVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

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
P = TypeVar("P", bound="Pacer")


class Pacer:
    """Places for sends under one limit: :meth:`acquire` before the request, :meth:`release`
    when it was answered. Subclasses say how long a new send must wait (:meth:`_wait`)."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap by order
        self._tiebreak = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    def _wait(self, now: float) -> float:
        """0 when one more send may start now, else seconds to wait (inf: until a release)."""
        raise NotImplementedError

    def _ended(self, now: float) -> None:
        """Count a send that has just been answered."""
        raise NotImplementedError

    def would_wait(self) -> bool:
        return bool(self._waiting) or self._wait(time.monotonic()) > 0

    async def acquire(self, order: float = 0.0) -> None:
        """Take a place (the lowest ``order`` waiting first)."""
        if not self._waiting and self._wait(time.monotonic()) == 0:
            self._in_flight += 1
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (order, next(self._tiebreak), granted))
        self._serve()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted, then cancelled: give back
                self._in_flight -= 1
                self._serve()
            raise

    def release(self) -> None:
        self._in_flight -= 1
        self._ended(time.monotonic())
        self._serve()

    def _serve(self) -> None:
        """Grant places to the first waiters while there is room; else wake up when there is."""
        now = time.monotonic()
        while self._waiting and self._wait(now) == 0:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():  # a cancelled waiter is skipped
                granted.set_result(None)
                self._in_flight += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiting and (wait := self._wait(now)) != math.inf:  # inf: a release serves
            self._timer = asyncio.get_running_loop().call_later(wait, self._serve)

    @asynccontextmanager
    async def place(self, order: float = 0.0) -> AsyncIterator[None]:
        await self.acquire(order)
        try:
            yield
        finally:
            self.release()


class SlidingWindow(Pacer):
    """At most ``count`` sends in any ``seconds``-long window."""

    def __init__(self, count: int, seconds: float) -> None:
        super().__init__()
        self.count = count
        self.seconds = seconds
        self._answered: deque[float] = deque()  # when recent sends were answered, oldest first

    def _wait(self, now: float) -> float:
        while self._answered and now - self._answered[0] >= self.seconds:
            self._answered.popleft()
        if len(self._answered) + self._in_flight < self.count:
            return 0.0
        return self._answered[0] + self.seconds - now if self._answered else math.inf

    def _ended(self, now: float) -> None:
        self._answered.append(now)


class TokenBucket(Pacer):
    """``burst`` sends at once, then ``per_second``: a bucket of ``burst`` tokens refilling at
    ``per_second``. Sends in flight hold a token each; an answered one is taken from the bucket
    at its answer."""

    def __init__(self, burst: int, per_second: float) -> None:
        super().__init__()
        self.burst = burst
        self.per_second = per_second
        self._tokens = float(burst)
        self._stamp = 0.0  # when _tokens was counted (a full bucket needs no stamp)

    def _level(self, now: float) -> float:
        return min(float(self.burst), self._tokens + (now - self._stamp) * self.per_second)

    def _wait(self, now: float) -> float:
        if self._in_flight + 1 > self.burst:
            return math.inf
        missing = 1 + self._in_flight - self._level(now)
        return max(missing, 0.0) / self.per_second

    def _ended(self, now: float) -> None:
        self._tokens = self._level(now) - 1
        self._stamp = now


class OutboundLimiter(BaseRequestMiddleware):
    """The aiogram request middleware pacing every sending call.

    ``speedup`` runs the limits' time faster (windows shrink, ``retry_after`` is in sped-up
    seconds): a benchmark uses it against a sandbox sped up as much (``RateLimits.speedup``).
    """

    def __init__(self, settings: OutboundSettings, speedup: float = 1.0) -> None:
        self.settings = settings
        self.speedup = speedup
        self.overall = SlidingWindow(settings.global_per_second, 1 / speedup)
        self._per_chat: OrderedDict[int | str, TokenBucket] = OrderedDict()
        self._per_group: OrderedDict[int | str, SlidingWindow] = OrderedDict()
        self._handed_over = itertools.count()  # the order sends are served in, under every limit
        self.retried_429 = 0

    @staticmethod
    def _limit(table: OrderedDict[int | str, P], chat_id: int | str, make: Callable[[], P]) -> P:
        limit = table.get(chat_id)
        if limit is None:
            limit = table[chat_id] = make()
            if len(table) > MAX_TRACKED_CHATS:
                table.popitem(last=False)
        else:
            table.move_to_end(chat_id)
        return limit

    def limits(self, chat_id: int | str | None) -> list[Pacer]:
        """The limits a send to ``chat_id`` needs a place under, in the order they are taken."""
        settings = self.settings
        found: list[Pacer] = []
        if chat_id is not None:
            rate = settings.per_chat_per_second * self.speedup
            found.append(
                self._limit(
                    self._per_chat, chat_id, lambda: TokenBucket(settings.per_chat_burst, rate)
                )
            )
            if _is_group(chat_id):
                found.append(
                    self._limit(
                        self._per_group,
                        chat_id,
                        lambda: SlidingWindow(settings.per_group_per_minute, 60 / self.speedup),
                    )
                )
        found.append(self.overall)
        return found

    @asynccontextmanager
    async def room(
        self, chat_id: int | str | None, order: int | None = None
    ) -> AsyncIterator[None]:
        """A place under every limit a send to ``chat_id`` counts in, held for the block; sends
        handed over earlier (lower ``order``, by default: now) are served first."""
        if order is None:
            order = next(self._handed_over)
        async with AsyncExitStack() as places:
            for limit in self.limits(chat_id):
                await places.enter_async_context(limit.place(order))
            yield

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        sending = method.__api_method__ in SENDING_METHODS
        chat_id = getattr(method, "chat_id", None)
        order = next(self._handed_over)  # a retry keeps its place in the queue
        attempt = 0
        while True:
            try:
                async with self.room(chat_id, order) if sending else nullcontext():
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
                await asyncio.sleep(exc.retry_after / self.speedup)


def _is_group(chat_id: int | str) -> bool:
    """Group and supergroup ids are negative; ``@username`` targets are channels or groups."""
    return isinstance(chat_id, str) or chat_id < 0
