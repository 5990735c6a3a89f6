"""aiogram FSM storage in the project's database, so a guided dialogue survives a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlmodel import select

from storage.engine import Database
from storage.models import DialogState
from storage.timestamps import utcnow


def _key(key: StorageKey) -> str:
    return ":".join(
        str(part)
        for part in (key.bot_id, key.chat_id, key.user_id, key.thread_id or "",
                     key.business_connection_id or "", key.destiny)
    )  # fmt: skip


class DatabaseStorage(BaseStorage):
    """Every dialogue is written to the database and mirrored in memory.

    aiogram reads the state on every update; with the mirror a vote tap reads nothing. The
    mirror is loaded whole at the first read (only open dialogues have rows) and written
    through, so it assumes one bot process per database, as polling does anyway.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._mirror: dict[str, tuple[str | None, str]] | None = None
        self._loading = asyncio.Lock()

    async def _row(self, key: StorageKey) -> tuple[str | None, str]:
        if self._mirror is None:
            async with self._loading:
                if self._mirror is None:
                    async with self.db.session() as session:
                        rows = (await session.scalars(select(DialogState))).all()
                    self._mirror = {row.key: (row.state, row.data) for row in rows}
        return self._mirror.get(_key(key), (None, "{}"))

    async def _save(self, key: StorageKey, **changes: Any) -> None:
        await self._row(key)  # the mirror is loaded before it is written through
        async with self.db.write() as session:
            row = await session.get(DialogState, _key(key)) or DialogState(key=_key(key))
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            if row.state is None and row.data == "{}":
                if row in session:
                    await session.delete(row)
            else:
                session.add(row)
        assert self._mirror is not None
        if row.state is None and row.data == "{}":
            self._mirror.pop(row.key, None)
        else:
            self._mirror[row.key] = (row.state, row.data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._save(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._save(key, data=json.dumps(dict(data), ensure_ascii=False, sort_keys=True))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._row(key))[1])

    async def close(self) -> None:
        """The database belongs to the app, which disposes of it."""
