"""The application's database handle: async engine, read sessions, write transactions."""

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage import migrate, postgres, sqlite
from storage.changes import Changes
from storage.timestamps import utcnow

NOW = "now"  # key of the clock in every session's info


class Database:
    """One database, by URL: sqlite+aiosqlite:///path.db (default) or postgresql+asyncpg://….

    Reads use `session()`. Writes use `write()`: one transaction, committed on exit and
    rolled back on an exception; on SQLite it starts with BEGIN IMMEDIATE, so concurrent
    writers queue on busy_timeout instead of failing half-way, and on PostgreSQL with an
    advisory lock that queues them the same way (storage.postgres).
    """

    def __init__(
        self, url: str | URL, *, echo: bool = False, now: Callable[[], datetime] = utcnow
    ) -> None:
        self.url = make_url(url)
        self.engine = create_async_engine(self.url, echo=echo)
        self.changes = Changes(self.engine.sync_engine)
        writer = self.engine
        if self.engine.dialect.name == "sqlite":
            sqlite.set_pragmas(self.engine.sync_engine)
            sqlite.own_begin(self.engine.sync_engine)
            writer = self.engine.execution_options(**sqlite.BEGIN_IMMEDIATE)
        elif self.engine.dialect.name == "postgresql":
            postgres.serialise_writes(self.engine.sync_engine)
            writer = self.engine.execution_options(**postgres.WRITE_LOCK)
        # Sessions carry the clock, so audit events are stamped with the bot's time (virtual
        # in tests and the demo), the same time its phases and deadlines are computed with.
        self._reads = async_sessionmaker(self.engine, expire_on_commit=False, info={NOW: now})
        self._writes = async_sessionmaker(writer, expire_on_commit=False, info={NOW: now})

    def session(self) -> AsyncSession:
        """A session for reading: `async with db.session() as s`."""
        return self._reads()

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A write transaction: `async with db.write() as s`; commits on success."""
        return self._writes.begin()

    async def upgrade(self) -> None:
        """Run Alembic `upgrade head` (idempotent) off the event loop."""
        await asyncio.to_thread(migrate.upgrade, self.url)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
