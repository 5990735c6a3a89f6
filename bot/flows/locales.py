"""Each community's language and timezone, kept in memory.

The runtime needs them for nearly every message it sends on its own (a ballot, a result) and
they change almost never, so reading the community row each time was a good part of a monthly
cycle's queries (``xieshang bench cycles``). The copy holds every community, is read in one
statement, and is read again when this process writes the community table (storage.changes)
or, for writes by another process such as the CLI, when it is older than ``max_age`` seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlmodel import select

from storage.engine import Database
from storage.models import Community

TABLES = ("community",)


@dataclass(frozen=True)
class Locale:
    language: str
    timezone: str


class Locales:
    def __init__(self, db: Database, max_age: float = 60.0) -> None:
        self.db = db
        self.max_age = max_age
        self._copy: dict[int, Locale] = {}
        self._version = -1
        self._read_at = 0.0

    async def of(self, community_id: int) -> Locale | None:
        """The community's locale; None when there is no such community."""
        if (
            community_id not in self._copy
            or self.db.changes.version(TABLES) != self._version
            or time.monotonic() - self._read_at > self.max_age
        ):
            await self._load()
        return self._copy.get(community_id)

    async def _load(self) -> None:
        version = self.db.changes.version(TABLES)  # noted first: a write meanwhile reloads
        async with self.db.session() as session:
            rows = await session.execute(
                select(Community.id, Community.language, Community.timezone)
            )
            self._copy = {id_: Locale(language, zone) for id_, language, zone in rows.all()}
        self._version, self._read_at = version, time.monotonic()
