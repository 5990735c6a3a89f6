"""Sped-up flood limits keep Telegram's shape: the same counts, in windows S times shorter, and
retry_after in sped-up seconds."""

from __future__ import annotations

import time

import pytest

from sandbox.limits import RateLimiter, RateLimits


def test_a_sped_up_group_minute_passes_in_a_fraction_of_a_real_second() -> None:
    limiter = RateLimiter(
        RateLimits(per_chat_burst=100, per_chat_per_second=100, group_per_minute=3, speedup=1000)
    )
    assert [limiter.acquire(-1, True) for _ in range(3)] == [None, None, None]
    retry_after = limiter.acquire(-1, True)
    assert retry_after is not None and 58 <= retry_after <= 60, "a minute, in sped-up seconds"
    time.sleep(0.07)  # 70 sped-up seconds
    assert limiter.acquire(-1, True) is None


def test_speedup_is_a_limit_like_the_others() -> None:
    limits = RateLimits().updated({"speedup": 10})
    assert limits.speedup == 10 and limits.global_per_second == 30


@pytest.mark.parametrize("bad", [0, -1, True, "fast"])
def test_speedup_must_be_a_positive_number(bad: object) -> None:
    with pytest.raises(ValueError, match="speedup must be a positive number"):
        RateLimits().updated({"speedup": bad})
