"""The pacing rules: N per window is never exceeded, and bursts up to N are not held back."""

from __future__ import annotations

import time

from bot.outbound import SlidingWindow


async def test_sliding_window_never_lets_more_than_its_count_into_any_window() -> None:
    window = SlidingWindow(5, 0.3)
    stamps: list[float] = []
    for _ in range(12):
        await window.acquire()
        stamps.append(time.monotonic())
    for i, start in enumerate(stamps):
        assert len([s for s in stamps[i:] if s - start < 0.3]) <= 5


async def test_sliding_window_lets_a_burst_of_its_count_through_then_holds() -> None:
    window = SlidingWindow(20, 60)
    for _ in range(20):
        assert not window.would_wait(), "Telegram allows 20 at once into a group"
        await window.acquire()
    assert window.would_wait(), "the 21st waits for the window to move"
