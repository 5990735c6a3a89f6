"""A running sandbox per test plus small HTTP helpers for both of its faces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.server import Sandbox

TOKEN = "123456:test-token"


class Client:
    """Talks to one sandbox: `bot(...)` is a Bot API call, `user(...)` a user API call."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sb = sandbox
        self.session = session

    async def bot_raw(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.sb.url}/bot{TOKEN}/{method}", json=params) as r:
            return r.status, await r.json()

    async def bot(self, method: str, **params: Any) -> Any:
        status, body = await self.bot_raw(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def bot_error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.bot_raw(method, **params)
        assert not body["ok"] and body["error_code"] == status, body
        return status, body["description"]

    async def user_raw(self, verb: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.session.request(verb, f"{self.sb.url}/sandbox/api{path}", **kwargs) as r:
            return r.status, await r.json()

    async def user(self, verb: str, path: str, **kwargs: Any) -> Any:
        status, body = await self.user_raw(verb, path, **kwargs)
        assert status == 200, body
        return body

    async def new_user(self, first_name: str = "张三", **fields: Any) -> dict[str, Any]:
        return await self.user("POST", "/users", json={"first_name": first_name, **fields})

    async def private_chat(self, first_name: str = "张三", **fields: Any) -> int:
        """A user who has started the bot; returns the chat id (== user id)."""
        user = await self.new_user(first_name, **fields)
        await self.user("POST", "/chats", json={"type": "private", "user_id": user["id"]})
        return user["id"]

    async def say(self, chat_id: int, user_id: int, text: str, **fields: Any) -> int:
        body = {"user_id": user_id, "text": text, **fields}
        return (await self.user("POST", f"/chats/{chat_id}/messages", json=body))["message_id"]

    async def press(
        self, chat_id: int, message_id: int, data: str, user_id: int | None = None
    ) -> Any:
        """Press an inline button as ``user_id`` (the private chat's user by default)."""
        body = {
            "chat_id": chat_id,
            "message_id": message_id,
            "user_id": user_id or chat_id,
            "data": data,
        }
        return await self.user("POST", "/callbacks", json=body)

    async def drain(self) -> list[dict[str, Any]]:
        """All pending updates, confirmed."""
        updates = await self.bot("getUpdates")
        if updates:
            await self.bot("getUpdates", offset=updates[-1]["update_id"] + 1)
        return updates


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(TOKEN, port=0, limits=None)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def client(sb: Sandbox) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(sb, session)
