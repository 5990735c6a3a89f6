"""The pacing math: a limiter built for "N per window" never lets N+1 through in any window."""

from __future__ import annotations

import time

from bot.outbound import window_limiter


async def test_window_limiter_never_exceeds_its_count_in_any_window() -> None:
    limiter = window_limiter(5, 0.5)
    stamps: list[float] = []
    for _ in range(12):
        await limiter.acquire()
        stamps.append(time.monotonic())
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s - start < 0.5]
        assert len(in_window) <= 5


async def test_window_limiter_lets_the_first_send_through_and_holds_the_second() -> None:
    limiter = window_limiter(20, 60)
    assert limiter.has_capacity()
    await limiter.acquire()
    assert not limiter.has_capacity(), "the next send waits about three seconds"
