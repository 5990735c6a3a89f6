"""Runs the bot's sweeps: as the virtual clock moves, or on APScheduler under the real clock.

Work is never scheduled as a job per item or recipient (perf-notes: each add_job blocks about
1.4 ms): each sweep is one interval job that asks the database what is due, so after downtime
missed work runs once, late, and a restart repeats nothing. The jobs live in APScheduler's
SQLAlchemy job store in the project's database; a lease (storage.lease) lets one process of a
deployment run them, and another take over when it stops renewing.

APScheduler runs in its own thread (BackgroundScheduler), not in the event loop: its job store
talks to the database synchronously, and inside the loop it could wait on an SQLite lock held
by one of the loop's own open transactions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import Clock, Sweep, VirtualClock
from storage import lease
from storage.engine import Database
from storage.migrate import sync_url

log = logging.getLogger("xieshang")

LEASE = "sweeps"
STOP_GRACE = 30.0  # seconds a sweep under way may take to finish when the bot stops
_RUNNING: dict[str, Scheduler] = {}  # by holder: the persisted jobs find their scheduler here


def run_sweep(holder: str, name: str) -> None:
    """The persisted jobs' callable (in APScheduler's thread): run the sweep in the bot's loop.

    A job left in the store by a process that is gone names an unknown holder and does nothing.
    """
    scheduler = _RUNNING.get(holder)
    if scheduler is not None:
        scheduler.run_from_thread(name)


class Scheduler:
    def __init__(self, db: Database, clock: Clock, interval: float = 5.0) -> None:
        self.db = db
        self.clock = clock
        self.interval = interval
        self.ttl = timedelta(seconds=max(30.0, 6 * interval))
        self.holder = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sweeps: dict[str, Sweep] = {}
        self._aps: BackgroundScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: asyncio.Task[None] | None = None
        self._in_flight: set[concurrent.futures.Future[None]] = set()

    def add(self, name: str, sweep: Sweep) -> None:
        """Register a sweep before :meth:`start`; its name is its job's id in the store."""
        self.sweeps[name] = sweep

    async def start(self) -> None:
        if isinstance(self.clock, VirtualClock):
            for sweep in self.sweeps.values():
                self.clock.add_sweep(sweep)
            return
        self._loop = asyncio.get_running_loop()
        _RUNNING[self.holder] = self
        if not await self._take_lease():
            self._waiting = asyncio.create_task(self._wait_for_lease())

    async def stop(self) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiting
        holding = self._aps is not None
        await asyncio.to_thread(self._stop_jobs)
        _RUNNING.pop(self.holder, None)
        if holding:
            try:  # a shutdown hook that raises would leave aiogram's polling never stopping
                await lease.release(self.db, LEASE, self.holder, _wall())
            except Exception:
                log.exception("scheduler: could not release the lease; it runs out by itself")

    async def _take_lease(self) -> bool:
        if not await lease.take(self.db, LEASE, self.holder, _wall(), self.ttl):
            return False
        # In a thread: the job store writes synchronously and may wait on the database's lock.
        await asyncio.to_thread(self._start_jobs)
        log.info("scheduler: this process runs the sweeps (%s)", ", ".join(self.sweeps))
        return True

    async def _wait_for_lease(self) -> None:
        # The lease lives in the database, where another process lets go of it: poll it.
        while not await self._take_lease():  # noqa: ASYNC110
            await asyncio.sleep(self.interval)
        self._waiting = None

    async def _hand_over(self) -> None:
        await asyncio.to_thread(self._stop_jobs)
        await self._wait_for_lease()

    def _start_jobs(self) -> None:
        store = SQLAlchemyJobStore(url=sync_url(self.db.url).render_as_string(hide_password=False))
        self._aps = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
        self._aps.start()
        for name in self.sweeps:
            self._aps.add_job(
                "bot.scheduler:run_sweep",
                "interval",
                seconds=self.interval,
                args=[self.holder, name],
                id=name,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=_wall(),  # at once: catch up with what came due while down
            )

    def _stop_jobs(self) -> None:
        """No new runs; a sweep under way is let finish (up to STOP_GRACE), never cancelled:
        cancelled inside a write transaction it could leave the database locked."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        concurrent.futures.wait(list(self._in_flight), timeout=STOP_GRACE)

    def run_from_thread(self, name: str) -> None:
        if self._loop is None or self._loop.is_closed():
            return
        future = asyncio.run_coroutine_threadsafe(self._run(name), self._loop)
        self._in_flight.add(future)
        try:
            future.result()
        except concurrent.futures.CancelledError:  # the loop closed under it
            pass
        finally:
            self._in_flight.discard(future)

    async def _run(self, name: str) -> None:
        if not await lease.take(self.db, LEASE, self.holder, _wall(), self.ttl):
            log.warning("scheduler: another process took over the sweeps; waiting for the lease")
            self._waiting = asyncio.create_task(self._hand_over())
            return
        try:
            await self.sweeps[name].run(self.clock.now())
        except Exception:
            log.exception("sweep %s failed; it runs again in %s s", name, self.interval)


def _wall() -> datetime:
    """Leases are about live processes, so they run on the wall clock, not the bot's clock."""
    return datetime.now(UTC)
