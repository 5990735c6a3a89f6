"""aiogram FSM storage in the project's database, so a guided dialogue survives a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

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
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _row(self, key: StorageKey) -> DialogState | None:
        async with self.db.session() as session:
            return await session.get(DialogState, _key(key))

    async def _save(self, key: StorageKey, **changes: Any) -> None:
        async with self.db.write() as session:
            row = await session.get(DialogState, _key(key)) or DialogState(key=_key(key))
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            if row.state is None and row.data == "{}":
                if row in session:
                    await session.delete(row)
                return
            session.add(row)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._save(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._row(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._save(key, data=json.dumps(dict(data), ensure_ascii=False, sort_keys=True))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        return json.loads(row.data) if row else {}

    async def close(self) -> None:
        """The database belongs to the app, which disposes of it."""
