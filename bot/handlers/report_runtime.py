"""The "report" sweep: on the 1st of each month the previous month's indicators go by themselves
to the groups bound to each enabled community (config ``auto_report``); what is owed comes
from bot.flows.report_schedule, which also makes each report go out once."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.clock import Clock
from bot.config import AutoReportSettings
from bot.flows import indicators, report_schedule
from bot.flows.cycle_phases import AlreadyRan, late_note
from bot.flows.report_schedule import Owed
from bot.handlers.report import send_report
from bot.scheduler import Scheduler
from storage.engine import Database
from storage.models import Community

log = logging.getLogger("xieshang.report")
WATCHED = ("community",)  # a new or renamed community may be owed reports
MAX_AGE = 60.0  # seconds (wall clock) the owed reports are trusted without a local change
SOON = timedelta(microseconds=1)


class AutoReports:
    def __init__(
        self, db: Database, clock: Clock, scheduler: Scheduler, settings: AutoReportSettings
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.bot: Bot | None = None
        self.owed: dict[int, Owed] | None = None
        self._version = -1
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        if settings.communities:
            scheduler.add("report", self)

    async def startup(self, bot: Bot) -> None:
        self.bot = bot

    # -- the Sweep protocol (bot.clock) ---------------------------------------------------------

    def _stale(self) -> bool:
        return self.owed is None or self.db.changes.version(WATCHED) != self._version

    def next_due(self, after: datetime) -> datetime | None:
        if self._stale():
            return after + SOON  # run() loads first
        assert self.owed is not None
        return min((o.due_at for o in self.owed.values() if o.due_at > after), default=None)

    async def run(self, at: datetime) -> None:
        async with self._lock:
            if self._stale() or time.monotonic() - self._loaded_at > MAX_AGE:
                self._version = self.db.changes.version(WATCHED)
                self._loaded_at = time.monotonic()
                async with self.db.session() as session:
                    self.owed = await report_schedule.owed(
                        session, self.settings.enabled, self.settings.at, at
                    )
            assert self.owed is not None
            for community_id, owed in list(self.owed.items()):
                if owed.due_at > at:
                    continue
                try:
                    await self.send(owed, at)
                except AlreadyRan:
                    pass
                except Exception:
                    log.exception("report of %s for %s failed", community_id, owed.month)
                    continue
                self.owed[community_id] = report_schedule.owed_after(
                    community_id, owed.timezone, self.settings.at, owed.due_at + timedelta(days=1)
                )

    async def send(self, owed: Owed, at: datetime) -> None:
        """Drawn up first, then claimed (AlreadyRan if it went out already), then sent."""
        assert self.bot is not None
        async with self.db.session() as session:
            community = await session.get(Community, owed.community_id)
            found = await indicators.report(session, owed.community_id, owed.period, at)
            chats = await report_schedule.community_groups(session, owed.community_id)
        run = await report_schedule.claim(self.db, owed, at)
        for chat_id in chats:
            try:
                await send_report(self.bot, chat_id, community.language, found, late_note(run))
            except (TelegramBadRequest, TelegramForbiddenError) as refused:
                log.warning("report to group %s refused: %s", chat_id, refused)


def router(reports: AutoReports) -> Router:
    r = Router(name="report_runtime")
    r.startup.register(reports.startup)
    return r
