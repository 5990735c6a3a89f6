"""Telegram's flood limits for sending methods, so a bot learns to honour 429 retry_after locally.

Limits run on real monotonic time, never on the virtual clock: Telegram throttles wall-clock
traffic, and a test that jumps the virtual clock a month ahead must not unlock a burst. ``speedup``
runs that time faster (windows and refills shrink, ``retry_after`` is in the sped-up seconds), so
a benchmark can push 10,000 messages through Telegram's limits in a fraction of the real time
without changing their shape.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, fields


@dataclass
class RateLimits:
    """Knobs for the three limits Telegram documents (per chat, per group per minute, global)."""

    enabled: bool = True
    per_chat_burst: int = 4  # token bucket size per chat
    per_chat_per_second: float = 1.0  # bucket refill rate
    group_per_minute: int = 20  # rolling 60 s window per group/supergroup
    global_per_second: int = 30  # rolling 1 s window over all chats
    speedup: float = 1.0  # limit seconds per real second (a scaled clock, for benchmarks)

    def updated(self, changes: dict) -> RateLimits:
        """A copy with `changes` applied; raises ValueError on unknown fields or bad values."""
        names = {f.name: f.type for f in fields(self)}
        unknown = set(changes) - set(names)
        if unknown:
            raise ValueError(f"unknown rate limit fields: {', '.join(sorted(unknown))}")
        merged = {name: getattr(self, name) for name in names}
        for name, value in changes.items():
            if name == "enabled":
                if not isinstance(value, bool):
                    raise ValueError("enabled must be a boolean")
            elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number")
            merged[name] = value
        return RateLimits(**merged)


class RateLimiter:
    """Decides whether one more send may go out now; a refused send consumes nothing."""

    def __init__(self, limits: RateLimits | None) -> None:
        self.limits = limits or RateLimits(enabled=False)
        self._buckets: dict[int, tuple[float, float]] = {}  # chat_id -> (tokens, stamp)
        self._group_sends: dict[int, deque[float]] = {}
        self._global_sends: deque[float] = deque()

    def configure(self, limits: RateLimits) -> None:
        self.limits = limits
        self._buckets.clear()
        self._group_sends.clear()  # stamps are in the old speedup's seconds
        self._global_sends.clear()

    def acquire(self, chat_id: int, is_group: bool) -> int | None:
        """Record a send and return None, or return the retry_after (whole seconds ≥ 1)."""
        limits = self.limits
        if not limits.enabled:
            return None
        now = time.monotonic() * limits.speedup
        waits = []
        tokens, stamp = self._buckets.get(chat_id, (float(limits.per_chat_burst), now))
        tokens = min(
            float(limits.per_chat_burst), tokens + (now - stamp) * limits.per_chat_per_second
        )
        if tokens < 1:
            waits.append((1 - tokens) / limits.per_chat_per_second)
        group = self._group_sends.setdefault(chat_id, deque()) if is_group else None
        if group is not None:
            waits.append(self._window_wait(group, now, 60.0, limits.group_per_minute))
        waits.append(self._window_wait(self._global_sends, now, 1.0, limits.global_per_second))
        wait = max(waits)
        if wait > 0:
            self._buckets[chat_id] = (tokens, now)
            return max(1, math.ceil(wait))
        self._buckets[chat_id] = (tokens - 1, now)
        if group is not None:
            group.append(now)
        self._global_sends.append(now)
        return None

    @staticmethod
    def _window_wait(sends: deque[float], now: float, window: float, limit: int) -> float:
        while sends and sends[0] <= now - window:
            sends.popleft()
        if len(sends) < limit:
            return 0.0
        return sends[len(sends) - int(limit)] + window - now
