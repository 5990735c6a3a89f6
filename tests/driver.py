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

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file sent in a chat (a photo's or a document's ``file_id``)."""
        async with self.http.get(f"/sandbox/api/files/{file_id}") as response:
            if response.status >= 400:
                raise SandboxError(f"GET /files/{file_id} → {response.status}")
            return await response.read()

    async def bot_id(self) -> int:
        return (await self.call("GET", "/bot"))["user"]["id"]

    async def group(
        self,
        title: str,
        members: list[User],
        *,
        supergroup: bool = False,
        forum: bool = False,
        bot_admin: bool = True,
    ) -> Chat:
        """A group the bot joins: as an administrator by default (as deployments do, so it
        reads everything despite privacy mode); ``bot_admin=False`` adds it as a plain member."""
        creator, *others = members
        created = await self.call(
            "POST",
            "/chats",
            json={
                "type": "supergroup" if supergroup or forum else "group",
                "title": title,
                "is_forum": forum,
                "user_id": creator.id,
                "bot_status": "administrator" if bot_admin else "member",
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

    async def channel(self, title: str, owner: User) -> int:
        """A channel ``owner`` runs (the bot is not in it); returns its id, for send_as_channel."""
        created = await self.call(
            "POST", "/chats", json={"type": "channel", "title": title, "user_id": owner.id}
        )
        return created["id"]

    async def set_privacy(self, enabled: bool) -> None:
        """BotFather's /setprivacy for the sandbox bot (on by default, as on Telegram)."""
        await self.call("POST", "/bot/privacy", json={"enabled": enabled})


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

    async def answer_poll(
        self, message: Message, option_ids: list[int], *, by: User | None = None
    ) -> dict[str, Any]:
        """Choose options of the native poll in ``message`` (``[]`` retracts); returns the poll."""
        got = await self.world.call(
            "POST",
            f"/polls/{message['poll']['id']}/answers",
            json={"user_id": (by or self.owner).id, "option_ids": option_ids},
        )
        return got["poll"]

    async def edit(self, message_id: int, text: str, *, by: User | None = None) -> Message:
        """``by`` edits their text message; the bot gets ``edited_message``."""
        body = {"user_id": (by or self.owner).id, "text": text}
        path = f"/chats/{self.id}/messages/{message_id}/edit"
        return (await self.world.call("POST", path, json=body))["message"]

    async def delete(self, message_id: int, *, by: User | None = None) -> None:
        """``by`` deletes a message (the bot is told nothing; the transcript marks it)."""
        path = f"/chats/{self.id}/messages/{message_id}/delete"
        await self.world.call("POST", path, json={"user_id": (by or self.owner).id})

    async def send_as(
        self, sender_chat_id: int, text: str, *, by: User | None = None, thread: int | None = None
    ) -> int:
        """Post as a chat: this group (an anonymous admin) or a channel ``by`` runs."""
        return await self._post("messages", by, thread, text=text, sender_chat_id=sender_chat_id)

    async def _post(self, route: str, by: User | None, thread: int | None, **fields: Any) -> int:
        """POST a new message to /chats/{id}/<route> as ``by``; returns its message id."""
        body: dict[str, Any] = {"user_id": (by or self.owner).id, **fields}
        if thread is not None:
            body["message_thread_id"] = thread
        sent = await self.world.call("POST", f"/chats/{self.id}/{route}", json=body)
        return sent["message_id"]

    async def send_as_anonymous_admin(self, text: str, *, by: User | None = None) -> int:
        """An administrator posts anonymously: ``from`` is GroupAnonymousBot (1087968824)."""
        return await self.send_as(self.id, text, by=by)

    async def send_as_channel(self, channel_id: int, text: str, *, by: User | None = None) -> int:
        """``by`` posts as their channel (see World.channel): ``sender_chat`` is the channel."""
        return await self.send_as(channel_id, text, by=by)

    async def press_as_anonymous_admin(
        self, message: Message, label: str, *, by: User | None = None
    ) -> dict[str, Any] | None:
        """An anonymous administrator presses a button: the callback is from GroupAnonymousBot."""
        got = await self.world.call(
            "POST",
            "/callbacks",
            json={
                "chat_id": self.id,
                "message_id": message["message_id"],
                "user_id": (by or self.owner).id,
                "data": button_data(message, label),
                "sender_chat_id": self.id,
            },
        )
        return got["answer"]

    async def forward(
        self, source: Chat, message_id: int, *, by: User | None = None, thread: int | None = None
    ) -> int:
        """``by`` forwards message ``message_id`` of ``source`` here (``forward_origin``)."""
        return await self._post(
            "forwards", by, thread, from_chat_id=source.id, message_id=message_id
        )

    async def open_topic(self, name: str, *, by: User | None = None) -> int:
        """``by`` opens a forum topic; returns its message_thread_id."""
        body = {"user_id": (by or self.owner).id, "name": name}
        return (await self.world.call("POST", f"/chats/{self.id}/topics", json=body))[
            "message_thread_id"
        ]

    async def close_topic(self, thread: int | None, *, by: User | None = None) -> None:
        """Close a topic (``None``: the General topic)."""
        await self._topic_action(thread, "close", by)

    async def reopen_topic(self, thread: int | None, *, by: User | None = None) -> None:
        await self._topic_action(thread, "reopen", by)

    async def _topic_action(self, thread: int | None, action: str, by: User | None) -> None:
        which = "general" if thread is None else thread
        path = f"/chats/{self.id}/topics/{which}/{action}"
        await self.world.call("POST", path, json={"user_id": (by or self.owner).id})

    async def set_rights(self, user_id: int, **rights: bool) -> None:
        """Make ``user_id`` (the bot too) an administrator with these rights changed, e.g.
        ``set_rights(bot_id, can_manage_topics=False, can_pin_messages=False)``."""
        await self.set_member(user_id, "administrator", rights=rights)

    async def migrate(self) -> Chat:
        """Upgrade this basic group to a supergroup; returns the new chat (same owner)."""
        created = await self.world.call("POST", f"/chats/{self.id}/migrate")
        return Chat(self.world, created["id"], self.owner)


def buttons(message: Message) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: Message, label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return button["callback_data"]
    raise AssertionError(f"no button {label!r} on message: {buttons(message)}")
