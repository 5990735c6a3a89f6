"""The "actions" sweep on the clock: starts action items whose decision became final, reminds
assignees before the due date, escalates overdue items (bot.flows.action_sweep decides and
records; this module says it). What is pending is cached and reloaded when action items,
公示 or communities change here, or after a minute (the CLI writes from another process)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from functools import partial

from aiogram import Bot, Router

from bot.clock import Clock
from bot.flows import action_sweep, ratings
from bot.flows.action_sweep import Step
from bot.flows.results import Notify
from bot.handlers.context import reader_language
from bot.handlers.delivery import notify_all
from bot.handlers.rating_board import show_rating
from bot.scheduler import Scheduler
from storage.engine import Database

log = logging.getLogger("xieshang.actions")
WATCHED = ("action_item", "publicity", "community")
MAX_AGE = 60.0  # seconds (wall clock) the cached steps are trusted without a local change
SOON = timedelta(microseconds=1)


class ActionRuntime:
    def __init__(self, db: Database, clock: Clock, scheduler: Scheduler, language: str) -> None:
        self.db = db
        self.clock = clock
        self.language = language  # when a reader's is unknown
        scheduler.add("actions", self)
        self.bot: Bot | None = None
        self.steps: list[Step] | None = None
        self._version = -1
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def startup(self, bot: Bot) -> None:
        self.bot = bot

    # -- the Sweep protocol (bot.clock) ---------------------------------------------------------

    def _stale(self) -> bool:
        return self.steps is None or self.db.changes.version(WATCHED) != self._version

    def next_due(self, after: datetime) -> datetime | None:
        if self._stale():
            return after + SOON  # run() reloads first
        assert self.steps is not None
        return min((max(step.at, after + SOON) for step in self.steps), default=None)

    async def run(self, at: datetime) -> None:
        async with self._lock:
            if self._stale() or time.monotonic() - self._loaded_at > MAX_AGE:
                self._version = self.db.changes.version(WATCHED)
                self._loaded_at = time.monotonic()
                self.steps = await action_sweep.pending(self.db)
            assert self.steps is not None
            due = sorted((s for s in self.steps if s.at <= at), key=lambda s: (s.at, s.action_id))
            for step in due:
                self.steps.remove(step)  # tried once per load: a failure waits for the next
                try:
                    await self.take(step, at)
                except Exception:
                    log.exception("action step %s failed; it is tried again later", step)

    async def take(self, step: Step, at: datetime) -> None:
        if step.kind == action_sweep.CLOSE:
            closed = await ratings.close(self.db, step.action_id, at)
            if closed is not None:
                await show_rating(self.bot, self.db, *closed, closed=True)
            return
        await self.tell(await action_sweep.TAKE[step.kind](self.db, step.action_id, at))

    async def tell(self, notices: list[Notify]) -> list[Notify]:
        """Send each notice in its reader's language; returns those Telegram refused."""
        assert self.bot is not None
        return await notify_all(
            self.bot, notices, partial(reader_language, self.db, default=self.language)
        )


def router(runtime: ActionRuntime) -> Router:
    r = Router(name="action_runtime")
    r.startup.register(runtime.startup)
    return r
