"""Wake-ups for long polls: every waiter re-checks its own condition whenever the state changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Notifier:
    """A broadcast "something changed" signal with predicate waits (no lost wake-ups)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until predicate() is true (→ True) or `seconds` pass (→ predicate())."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(seconds, 0.0)
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True
