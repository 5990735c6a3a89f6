"""The pacing rules: N per window is never exceeded, bursts up to N are not held back, a chat
refills one send at a time, a send counts until its answer came back, waiters keep their order,
the limiter never trips the sandbox's limits, and a 429 is waited out rather than passed on."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetMe, SendMessage

from bot.config import OutboundSettings
from bot.outbound import OutboundLimiter, SlidingWindow, TokenBucket
from sandbox.limits import RateLimiter, RateLimits


async def test_sliding_window_never_lets_more_than_its_count_into_any_window() -> None:
    window = SlidingWindow(5, 0.3)
    spans: list[tuple[float, float]] = []  # (start, end) of each send

    async def send() -> None:
        async with window.place():
            started = time.monotonic()
            await asyncio.sleep(0.01)
            spans.append((started, time.monotonic()))

    await asyncio.gather(*(send() for _ in range(12)))
    # Whenever a send starts, at most 4 others started before it and ended less than 0.3 s ago.
    for start, _ in spans:
        busy = [1 for s, e in spans if s <= start and start - e < 0.3]
        assert len(busy) <= 5


async def test_sliding_window_lets_a_burst_of_its_count_through_then_holds() -> None:
    window = SlidingWindow(20, 60)
    for _ in range(20):
        assert not window.would_wait(), "Telegram allows 20 at once into a group"
        await window.acquire()
        window.release()
    assert window.would_wait(), "the 21st waits for the window to move"


async def test_a_send_in_flight_holds_its_place_until_its_answer_plus_the_window() -> None:
    window = SlidingWindow(1, 0.05)
    await window.acquire()
    second = asyncio.create_task(window.acquire())
    await asyncio.sleep(0.1)  # twice the window, but the first send has not been answered
    assert not second.done()
    window.release()
    answered = time.monotonic()
    await second
    assert time.monotonic() - answered >= 0.05 * 0.95


async def test_a_chat_gets_its_burst_then_one_send_per_refill() -> None:
    bucket = TokenBucket(4, 20.0)  # 4 at once, then one every 50 ms
    for _ in range(4):
        assert not bucket.would_wait()
        async with bucket.place():
            pass
    answered = time.monotonic()
    assert bucket.would_wait()
    async with bucket.place():
        waited = time.monotonic() - answered
    assert 0.05 * 0.95 <= waited < 0.15, "one refill, not the whole burst's period"


async def test_waiters_are_served_in_the_order_they_were_handed_over() -> None:
    window = SlidingWindow(1, 0.02)
    served: list[int] = []
    await window.acquire()

    async def send(order: int) -> None:
        async with window.place(order):
            served.append(order)

    late, early = asyncio.create_task(send(9)), asyncio.create_task(send(2))
    await asyncio.sleep(0)  # both are waiting, the later one first
    window.release()
    await asyncio.gather(late, early)
    assert served == [2, 9]


@pytest.mark.parametrize(("chat_id", "sends"), [(-100123, 45), (42, 12)], ids=["group", "private"])
async def test_the_limiter_never_trips_the_sandbox_limits(chat_id: int, sends: int) -> None:
    """The same limits on both sides, sped up 200 times: every send is accepted."""
    speedup = 200.0
    limiter = OutboundLimiter(OutboundSettings(), speedup=speedup)
    sandbox = RateLimiter(RateLimits(speedup=speedup))
    refused = []

    async def send() -> None:
        async with limiter.room(chat_id):
            await asyncio.sleep(0.001)  # the request travels…
            retry_after = sandbox.acquire(chat_id, chat_id < 0)  # …and Telegram counts it
            if retry_after is not None:
                refused.append(retry_after)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(send() for _ in range(sends)))
    assert refused == []


def _flood(method: SendMessage) -> TelegramRetryAfter:
    return TelegramRetryAfter(method, "Too Many Requests: retry after 2", retry_after=2)


async def test_a_429_is_waited_out_in_sped_up_seconds_and_retried() -> None:
    limiter = OutboundLimiter(OutboundSettings(), speedup=100.0)
    method = SendMessage(chat_id=42, text="提醒")
    calls: list[float] = []

    async def make_request(bot: object, m: SendMessage) -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise _flood(m)
        return "sent"

    assert await limiter(make_request, None, method) == "sent"  # type: ignore[arg-type]
    assert limiter.retried_429 == 2
    assert all(later - earlier >= 0.02 * 0.95 for earlier, later in itertools.pairwise(calls))


async def test_a_429_reaches_the_caller_only_after_max_retries() -> None:
    limiter = OutboundLimiter(OutboundSettings(max_retries=1), speedup=1000.0)
    method = SendMessage(chat_id=-100123, text="提醒")

    async def make_request(bot: object, m: SendMessage) -> str:
        raise _flood(m)

    with pytest.raises(TelegramRetryAfter):
        await limiter(make_request, None, method)  # type: ignore[arg-type]
    assert limiter.retried_429 == 1


async def test_calls_that_send_nothing_are_not_paced() -> None:
    limiter = OutboundLimiter(OutboundSettings(global_per_second=1))
    await limiter.overall.acquire()  # the only place of the second is taken and never given back

    async def make_request(bot: object, m: GetMe) -> str:
        return "me"

    assert await asyncio.wait_for(limiter(make_request, None, GetMe()), 1) == "me"  # type: ignore[arg-type]
