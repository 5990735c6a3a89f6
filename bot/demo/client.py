"""Simulated residents over the sandbox's documented user API (docs/sandbox.md), with aiohttp.

The bot package must not import the tests' driver, so the demo has its own small client.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

Message = dict[str, Any]


class SandboxClient:
    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http

    async def call(self, verb: str, path: str, **kwargs: Any) -> Any:
        async with self.http.request(verb, f"/sandbox/api{path}", **kwargs) as response:
            body = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"sandbox refused {verb} {path}: {body}")
            return body

    async def user(self, name: str) -> int:
        created = await self.call(
            "POST", "/users", json={"first_name": name, "language_code": "zh-hans"}
        )
        return created["id"]

    async def group(self, title: str, members: list[int]) -> int:
        """A group with the bot as administrator (it reads the discussion); waits for its
        greeting so the residents speak after it."""
        creator, *others = members
        created = await self.call(
            "POST",
            "/chats",
            json={
                "type": "group",
                "title": title,
                "user_id": creator,
                "bot_status": "administrator",
            },
        )
        chat_id = created["id"]
        await self.bot_messages(chat_id, after=0, count=1)
        for user_id in others:
            await self.call(
                "POST", f"/chats/{chat_id}/members", json={"user_id": user_id, "status": "member"}
            )
        return chat_id

    async def send(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> int:
        body: dict[str, Any] = {"user_id": user_id, "text": text}
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        return (await self.call("POST", f"/chats/{chat_id}/messages", json=body))["message_id"]

    async def messages(self, chat_id: int, after: int = 0) -> list[Message]:
        return (await self.call("GET", f"/chats/{chat_id}/messages", params={"after": after}))[
            "messages"
        ]

    async def last_id(self, chat_id: int) -> int:
        said = await self.messages(chat_id)
        return said[-1]["message_id"] if said else 0

    async def bot_messages(
        self, chat_id: int, *, after: int, count: int, seconds: float = 10
    ) -> list[Message]:
        """The bot's next ``count`` messages after ``after`` (fewer if it says less in time)."""
        got = await self.call(
            "GET",
            f"/chats/{chat_id}/wait",
            params={"after": after, "count": count, "timeout": seconds},
        )
        return got["messages"]

    async def press(self, chat_id: int, message: Message, label: str, user_id: int) -> Any:
        """Press the button labelled ``label``; None when there is no such button."""
        data = next((b["callback_data"] for b in buttons(message) if b["text"] == label), None)
        if data is None:
            return None
        got = await self.call(
            "POST",
            "/callbacks",
            json={
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "user_id": user_id,
                "data": data,
            },
        )
        return got["answer"]

    async def advance_to(self, iso: str) -> None:
        await self.call("POST", "/clock", json={"to": iso})

    async def until(self, chat_id: int, found, *, after: int, within: float = 10) -> list[Message]:
        """Poll the chat until ``found(messages)`` is truthy (what the bot says comes a bit
        after the clock moves); returns the messages after ``after`` either way."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            said = await self.messages(chat_id, after)
            if found(said) or asyncio.get_running_loop().time() > deadline:
                return said
            await asyncio.sleep(0.1)


def buttons(message: Message) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]
