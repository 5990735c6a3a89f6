"""A small driver over the sandbox's user API, so tests read like what people do.

alice = await world.user("王芳")
dm = await alice.private_chat()
await dm.send("/start")
[welcome] = await dm.wait_bot_messages(1)
answer = await dm.press(welcome, "English")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

Message = dict[str, Any]


class SandboxError(AssertionError):
    """The user API refused a request; the test that caused it is wrong or found a bug."""


@dataclass
class World:
    http: aiohttp.ClientSession

    async def call(self, verb: str, path: str, **kwargs: Any) -> Any:
        async with self.http.request(verb, f"/sandbox/api{path}", **kwargs) as response:
            body = await response.json()
            if response.status >= 400:
                raise SandboxError(f"{verb} {path} → {response.status}: {body}")
            return body

    async def user(
        self, first_name: str, *, language_code: str | None = "zh-hans", username: str | None = None
    ) -> User:
        body: dict[str, Any] = {"first_name": first_name}
        if language_code:
            body["language_code"] = language_code
        if username:
            body["username"] = username
        created = await self.call("POST", "/users", json=body)
        return User(self, created["id"], first_name)

    async def bot_id(self) -> int:
        return (await self.call("GET", "/bot"))["user"]["id"]

    async def group(
        self, title: str, members: list[User], *, supergroup: bool = False, forum: bool = False
    ) -> Chat:
        creator, *others = members
        created = await self.call(
            "POST",
            "/chats",
            json={
                "type": "supergroup" if supergroup or forum else "group",
                "title": title,
                "is_forum": forum,
                "user_id": creator.id,
            },
        )
        chat = Chat(self, created["id"], creator)
        # The bot greets a group it is added to (my_chat_member); tests start after the greeting.
        await chat.wait_bot_messages(1)
        for member in others:
            await self.call(
                "POST", f"/chats/{chat.id}/members", json={"user_id": member.id, "status": "member"}
            )
        return chat


@dataclass
class User:
    world: World
    id: int
    first_name: str

    async def private_chat(self) -> Chat:
        created = await self.world.call(
            "POST", "/chats", json={"type": "private", "user_id": self.id}
        )
        return Chat(self.world, created["id"], self)


@dataclass
class Chat:
    world: World
    id: int
    owner: User
    cursor: int = field(default=0)  # last bot message id already handed to the test

    async def send(self, text: str, *, by: User | None = None, thread: int | None = None) -> int:
        body: dict[str, Any] = {"user_id": (by or self.owner).id, "text": text}
        if thread is not None:
            body["message_thread_id"] = thread
        sent = await self.world.call("POST", f"/chats/{self.id}/messages", json=body)
        return sent["message_id"]

    async def reply(self, message_id: int, text: str, *, by: User | None = None) -> int:
        """Send ``text`` as a reply to message ``message_id``."""
        body = {"user_id": (by or self.owner).id, "text": text, "reply_to_message_id": message_id}
        return (await self.world.call("POST", f"/chats/{self.id}/messages", json=body))[
            "message_id"
        ]

    async def set_member(
        self, user_id: int, status: str, *, rights: dict[str, bool] | None = None
    ) -> None:
        """Add, promote, demote or remove someone (the bot too: pass ``world.bot_id()``)."""
        body: dict[str, Any] = {"user_id": user_id, "status": status}
        if rights is not None:
            body["rights"] = rights
        await self.world.call("POST", f"/chats/{self.id}/members", json=body)

    async def upload(
        self, data: bytes, filename: str, *, by: User | None = None, content_type: str | None = None
    ) -> int:
        """Send a document (e.g. a CSV file) as ``by``; returns its message id."""
        form = aiohttp.FormData(quote_fields=False)  # UTF-8 file names, as Telegram apps send
        form.add_field("user_id", str((by or self.owner).id))
        form.add_field("file", data, filename=filename, content_type=content_type)
        sent = await self.world.call("POST", f"/chats/{self.id}/documents", data=form)
        return sent["message_id"]

    async def wait_bot_messages(self, count: int, within: float = 10) -> list[Message]:
        """The bot's next ``count`` messages here; fails (instead of sleeping) if they don't come."""
        got = await self.world.call(
            "GET",
            f"/chats/{self.id}/wait",
            params={"after": self.cursor, "count": count, "timeout": within},
        )
        messages = got["messages"][:count]
        if len(messages) < count:
            raise AssertionError(
                f"expected {count} bot messages in chat {self.id}, got {len(messages)}: {messages}"
            )
        self.cursor = messages[-1]["message_id"]
        return messages

    async def expect_silence(self, within: float = 1.0) -> None:
        got = await self.world.call(
            "GET",
            f"/chats/{self.id}/wait",
            params={"after": self.cursor, "count": 1, "timeout": within},
        )
        assert not got["messages"], f"the bot said something unexpected: {got['messages']}"

    async def transcript(self) -> list[Message]:
        return (await self.world.call("GET", f"/chats/{self.id}/messages", params={"after": 0}))[
            "messages"
        ]

    async def message(self, message_id: int) -> Message:
        [found] = [m for m in await self.transcript() if m["message_id"] == message_id]
        return found

    async def press(
        self, message: Message, label: str, *, by: User | None = None
    ) -> dict[str, Any] | None:
        """Press the inline button labelled ``label`` and return the bot's answer to the press."""
        data = button_data(message, label)
        got = await self.world.call(
            "POST",
            "/callbacks",
            json={
                "chat_id": self.id,
                "message_id": message["message_id"],
                "user_id": (by or self.owner).id,
                "data": data,
            },
        )
        return got["answer"]


def buttons(message: Message) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: Message, label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return button["callback_data"]
    raise AssertionError(f"no button {label!r} on message: {buttons(message)}")
