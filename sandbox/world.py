"""The simulated Telegram: users, chats, members, messages, polls, callbacks, files and the feeds.

User-side operations (the user API and in-process tests call them) raise UserApiError; the Bot API
side lives in the bot_*.py modules and builds on the same primitives (`add_message`, `deliver`,
`change_member`), so both sides see one consistent world.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass
from typing import Any

from . import clock as clocks
from .entities import detect_entities, utf16_len
from .errors import UserApiError
from .events import EventLog
from .files import FileStore
from .model import ADMIN_RIGHTS, TOPIC_COLORS, Chat, Member, Message, Poll, Topic, User
from .privacy import meant_for_bot
from .updates import UpdateQueue

FIRST_USER_ID = 1_000_000_001
FIRST_GROUP_ID = -4_000_000_001
FIRST_SUPERGROUP_ID = -1_002_000_000_001
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
MEMBER_STATUSES = ("member", "administrator", "left", "kicked")
CHAT_TYPES = ("private", "group", "supergroup", "channel")
# Telegram's stand-ins in `from` when a message is not signed by a person (sender_chat says who).
GROUP_ANONYMOUS_BOT = User(1087968824, "Group", is_bot=True, username="GroupAnonymousBot")
CHANNEL_BOT = User(136817688, "Channel", is_bot=True, username="Channel_Bot")
FORWARDABLE = ("text", "entities", "caption", "caption_entities", "photo", "document")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


@dataclass
class PendingCallback:
    future: asyncio.Future[dict[str, Any]]
    chat_id: int
    message_id: int
    user_id: int


class World:
    def __init__(self, bot: User) -> None:
        self.bot = bot
        self.clock: clocks.ClockProvider | None = None
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.events = EventLog()
        self.polls: dict[str, Poll] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.privacy_mode = True  # BotFather's /setprivacy; Telegram's default for a new bot
        self._next_user_id = FIRST_USER_ID
        self._group_count = 0

    # ----------------------------------------------------------------- primitives (both sides)

    def now(self) -> int:
        return clocks.unix_now(self.clock)

    def lookup_user(self, user_id: int) -> dict[str, Any] | None:
        user = self.users.get(user_id)
        return user.to_api() if user else None

    def find_chat(self, chat_id: int | str) -> Chat | None:
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            return next(
                (c for c in self.chats.values() if c.username and c.username.lower() == name), None
            )
        return self.chats.get(chat_id)

    def bot_receives(self, chat: Chat, kind: str, message: Message | None = None) -> bool:
        """The one place deciding whether Telegram would deliver a chat's update to the bot.

        The bot always hears about its own membership; chat_member needs it to be an
        administrator; everything else needs it in the chat. In groups, privacy mode (on unless
        `privacy_mode` is False) limits a bot that is not an administrator to the messages
        privacy.meant_for_bot lets through.
        """
        if kind == "my_chat_member":
            return True
        if kind == "chat_member":
            return chat.is_admin(self.bot.id)
        if not chat.is_present(self.bot.id):
            return False
        if (
            message is not None
            and chat.is_group
            and self.privacy_mode
            and not chat.is_admin(self.bot.id)
        ):
            return meant_for_bot(self.bot, message)
        return True

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        chat: Chat | None = None,
        message: Message | None = None,
    ) -> None:
        if chat is None or self.bot_receives(chat, kind, message):
            self.updates.push(kind, payload)

    def set_privacy(self, enabled: bool) -> dict[str, bool]:
        """BotFather's /setprivacy (applies at once; Telegram waits until the bot is re-added)."""
        if not isinstance(enabled, bool):
            raise UserApiError(400, "enabled must be a boolean")
        self.privacy_mode = enabled
        return {"privacy_mode": enabled, "can_read_all_group_messages": not enabled}

    def add_message(
        self,
        chat: Chat,
        sender: User,
        content: dict[str, Any],
        *,
        topic: Topic | None = None,
        reply_to: Message | None = None,
        service: bool = False,
        reply_keyboard: dict[str, Any] | None = None,
        sender_chat: Chat | None = None,
    ) -> Message:
        """Store a new message, announce it to the page, and deliver it unless the bot sent it.

        With `sender_chat` the message is posted as that chat (anonymous admin: the chat itself;
        else a channel): `from` is Telegram's stand-in, `sender` stays the person who did it.
        """
        message_id = chat.next_message_id
        chat.next_message_id += 1
        shown = sender
        if sender_chat is not None:
            shown = GROUP_ANONYMOUS_BOT if sender_chat.id == chat.id else CHANNEL_BOT
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": shown.to_api(),
            **({"sender_chat": sender_chat.to_api()} if sender_chat is not None else {}),
            "chat": chat.to_api(),
            "date": self.now(),
        }
        if topic is not None:
            data["message_thread_id"] = topic.thread_id
            data["is_topic_message"] = True
            if reply_to is None and topic.thread_id in chat.messages:
                reply_to = chat.messages[topic.thread_id]  # Telegram replies to the topic root
        if reply_to is not None:
            data["reply_to_message"] = reply_to.embedded()
        data.update(content)
        message = Message(data, sender.id, service=service, reply_keyboard=reply_keyboard)
        chat.messages[message_id] = message
        self.events.emit("message", chat_id=chat.id, message=message.transcript())
        if sender.id != self.bot.id:
            self.deliver("message", message.to_api(), chat, message)
        return message

    def delete_message(self, chat: Chat, message: Message) -> None:
        """Mark a message deleted (it stays in the transcript); Telegram sends the bot nothing."""
        message.deleted = True
        if message.pinned:
            message.pinned = False
            chat.pins.remove(message.message_id)
        self.events.emit(
            "delete", chat_id=chat.id, message_id=message.message_id, message=message.transcript()
        )

    def member_update(self, chat: Chat, actor: User, old: Member, new: Member) -> dict[str, Any]:
        return {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self.now(),
            "old_chat_member": old.to_api(chat.type),
            "new_chat_member": new.to_api(chat.type),
        }

    def change_member(
        self,
        chat: Chat,
        user: User,
        status: str,
        actor: User,
        rights: dict[str, bool] | None = None,
        service_content: dict[str, Any] | None = None,
    ) -> Member:
        """Set a membership and raise what Telegram raises: (my_)chat_member and service messages."""
        old = chat.members.get(user.id) or Member(user, "left")
        new = Member(
            user, status, {**ADMIN_RIGHTS, **(rights or {})} if status == "administrator" else {}
        )
        chat.members[user.id] = new
        kind = "my_chat_member" if user.id == self.bot.id else "chat_member"
        self.deliver(kind, self.member_update(chat, actor, old, new), chat)
        if chat.is_group and old.present != new.present:
            if service_content is None and new.present:
                service_content = {
                    "new_chat_participant": user.to_api(),
                    "new_chat_member": user.to_api(),
                    "new_chat_members": [user.to_api()],
                }
            elif service_content is None:
                service_content = {
                    "left_chat_participant": user.to_api(),
                    "left_chat_member": user.to_api(),
                }
            self.add_message(chat, actor, service_content, service=True)
        self.events.emit("member", chat_id=chat.id, user_id=user.id, status=status)
        return new

    # ------------------------------------------------------------------------ users and chats

    def user(self, user_id: Any) -> User:
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise UserApiError(404, f"user {user_id} not found")
        return user

    def chat(self, chat_id: Any) -> Chat:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise UserApiError(404, f"chat {chat_id} not found")
        return chat

    def create_user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        if not isinstance(first_name, str) or not first_name.strip():
            raise UserApiError(400, "first_name is required")
        self._check_username(username)
        if self._next_user_id == self.bot.id:
            self._next_user_id += 1
        user = User(self._next_user_id, first_name, False, last_name, username, language_code)
        self._next_user_id += 1
        self.users[user.id] = user
        self.events.emit("user", user=user.to_api())
        return user.to_api()

    def _check_username(self, username: str | None) -> None:
        """Usernames are shared by users and public chats, unique case-insensitively."""
        if username is None:
            return
        if not isinstance(username, str) or not USERNAME.fullmatch(username):
            raise UserApiError(
                400, "username must be 4-32 letters, digits or _, starting with a letter"
            )
        taken = {u.username.lower() for u in self.users.values() if u.username}
        taken |= {c.username.lower() for c in self.chats.values() if c.username}
        if username.lower() in taken:
            raise UserApiError(409, f"username {username} is taken")

    def list_users(self) -> list[dict[str, Any]]:
        return [u.to_api() for u in self.users.values() if u.id != self.bot.id]

    def create_chat(
        self,
        type: str,
        title: str | None = None,
        is_forum: bool = False,
        user_id: int | None = None,
        username: str | None = None,
        bot_status: str | None = None,
        bot_rights: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        """A private chat (id = the user's id; idempotent), a group with the bot in it (a member
        unless `bot_status` is "administrator"), or a channel (the bot only as an administrator).
        """
        creator = self.user(user_id) if user_id is not None else None
        if type == "private":
            if creator is None:
                raise UserApiError(400, "a private chat needs user_id")
            chat = self.chats.get(creator.id) or self._new_private_chat(creator)
            return chat.summary()
        if type not in CHAT_TYPES:
            raise UserApiError(400, f"type must be one of {', '.join(CHAT_TYPES)}")
        if is_forum and type != "supergroup":
            raise UserApiError(400, "only a supergroup can be a forum")
        allowed_bot = ("administrator", None) if type == "channel" else ("member", "administrator")
        if (bot_status or allowed_bot[0]) not in allowed_bot or (bot_status is None and bot_rights):
            raise UserApiError(
                400, f"bot_status in a {type} must be {' or '.join(map(str, allowed_bot))}"
            )
        self._check_rights(bot_rights)
        self._check_username(username)
        self._group_count += 1
        first = FIRST_GROUP_ID if type == "group" else FIRST_SUPERGROUP_ID
        chat = Chat(
            id=first - self._group_count + 1,
            type=type,
            title=title or f"Group {self._group_count}",
            username=username,
            is_forum=bool(is_forum),
        )
        self.chats[chat.id] = chat
        if creator is not None:
            chat.members[creator.id] = Member(creator, "creator")
        self.events.emit("chat", chat=chat.summary())
        if type != "channel" or bot_status is not None:
            self._add_bot(chat, creator or self.bot, bot_status or "member", bot_rights)
        return chat.summary()

    def _new_private_chat(self, user: User) -> Chat:
        chat = Chat(id=user.id, type="private", user=user)
        chat.members[user.id] = Member(user, "member")
        chat.members[self.bot.id] = Member(self.bot, "member")
        self.chats[chat.id] = chat
        self.events.emit("chat", chat=chat.summary())
        return chat

    def _add_bot(
        self, chat: Chat, actor: User, status: str, rights: dict[str, bool] | None
    ) -> None:
        created = {"group_chat_created": True} if chat.type == "group" else None
        self.change_member(chat, self.bot, status, actor, rights, service_content=created)

    def list_chats(self, user_id: int | None = None) -> list[dict[str, Any]]:
        return [
            chat.summary()
            for chat in self.chats.values()
            if user_id is None or chat.is_present(user_id)
        ]

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        rights: dict[str, bool] | None = None,
        by_user_id: int | None = None,
    ) -> dict[str, Any]:
        """Join, leave, promote, ban (or, in a private chat, block the bot with status kicked)."""
        chat, user = self.chat(chat_id), self.user(user_id)
        if status not in MEMBER_STATUSES:
            raise UserApiError(400, f"status must be one of {', '.join(MEMBER_STATUSES)}")
        self._check_rights(rights)
        if chat.type == "private":
            if user.id != self.bot.id or status not in ("member", "kicked"):
                raise UserApiError(
                    400,
                    "in a private chat only the bot can be set member/kicked (unblocked/blocked)",
                )
            actor = chat.user
        elif chat.migrated_to:
            raise UserApiError(409, f"chat was upgraded to supergroup {chat.migrated_to}")
        else:
            actor = (
                self.user(by_user_id)
                if by_user_id is not None
                else self._default_actor(chat, user, status)
            )
        assert actor is not None
        member = self.change_member(chat, user, status, actor, rights)
        self.events.emit("chat", chat=chat.summary())
        return {"user_id": user.id, **member.to_api(chat.type)}

    @staticmethod
    def _check_rights(rights: Any) -> None:
        if rights is not None and (
            not isinstance(rights, dict) or not all(isinstance(v, bool) for v in rights.values())
        ):
            raise UserApiError(400, "rights must map right names to booleans")
        if rights and (unknown := set(rights) - set(ADMIN_RIGHTS)):
            raise UserApiError(400, f"unknown rights: {', '.join(sorted(unknown))}")

    def _default_actor(self, chat: Chat, user: User, status: str) -> User:
        """Who Telegram would name as `from`: the user for joins and leaves, else the owner."""
        if status in ("member", "left"):
            return user
        owner = next((m.user for m in chat.members.values() if m.status == "creator"), None)
        return owner or user

    def migrate_chat(self, chat_id: int) -> dict[str, Any]:
        """Upgrade a basic group to a supergroup, as Telegram does when a group grows."""
        chat = self.chat(chat_id)
        if chat.type != "group" or chat.migrated_to:
            raise UserApiError(400, "only a basic group that was not upgraded yet can be migrated")
        owner = next((m.user for m in chat.members.values() if m.status == "creator"), self.bot)
        self._group_count += 1
        new = Chat(
            id=FIRST_SUPERGROUP_ID - self._group_count + 1, type="supergroup", title=chat.title
        )
        new.members = {
            uid: Member(m.user, m.status, dict(m.rights)) for uid, m in chat.members.items()
        }
        self.chats[new.id] = new
        self.add_message(chat, owner, {"migrate_to_chat_id": new.id}, service=True)
        chat.migrated_to = new.id
        self.add_message(new, owner, {"migrate_from_chat_id": chat.id}, service=True)
        self.events.emit("chat", chat=chat.summary())
        self.events.emit("chat", chat=new.summary())
        return new.summary()

    def open_topic(
        self,
        chat: Chat,
        creator: User,
        name: str,
        icon_color: int = TOPIC_COLORS[0],
        icon_custom_emoji_id: str | None = None,
    ) -> Topic:
        """A forum topic: its id is the id of its forum_topic_created service message."""
        topic = Topic(
            chat.next_message_id, name, icon_color, creator.id, False, icon_custom_emoji_id
        )
        chat.topics[topic.thread_id] = topic
        created = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        self.add_message(chat, creator, {"forum_topic_created": created}, topic=topic, service=True)
        self.events.emit("chat", chat=chat.summary())
        return topic

    def set_topic_closed(self, chat: Chat, actor: User, topic: Topic | None, closed: bool) -> None:
        """Close or reopen a topic (None: the General topic) with Telegram's service message."""
        if topic is None:
            chat.general_closed = closed
        else:
            topic.closed = closed
        service = "forum_topic_closed" if closed else "forum_topic_reopened"
        self.add_message(chat, actor, {service: {}}, topic=topic, service=True)
        self.events.emit("chat", chat=chat.summary())

    def close_topic(
        self, chat_id: int, thread_id: int | None, user_id: int, closed: bool
    ) -> dict[str, Any]:
        """A user closes or reopens a topic (thread_id None: General): its creator may, or
        anyone with can_manage_topics."""
        chat, user = self._speaking_chat(chat_id, user_id)
        if not chat.is_forum:
            raise UserApiError(400, f"chat {chat.id} is not a forum")
        topic = None
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            if topic is None:
                raise UserApiError(404, f"topic {thread_id} not found in chat {chat.id}")
        is_creator = topic is not None and topic.creator_id == user.id
        if not is_creator and not chat.can(user.id, "can_manage_topics"):
            raise UserApiError(403, f"user {user.id} may not manage this topic")
        if (topic.closed if topic else chat.general_closed) == closed:
            raise UserApiError(409, f"the topic is already {'closed' if closed else 'open'}")
        self.set_topic_closed(chat, user, topic, closed)
        if topic is None:
            return {"name": "General", "is_closed": closed}
        return {**topic.to_api(), "is_closed": closed}

    def create_topic(self, chat_id: int, user_id: int, name: str) -> dict[str, Any]:
        """A user opens a topic in a forum (the bot sees the service message)."""
        chat, user = self._speaking_chat(chat_id, user_id)
        if not chat.is_forum:
            raise UserApiError(400, f"chat {chat.id} is not a forum")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 128:
            raise UserApiError(400, "name must be 1-128 characters")
        return self.open_topic(chat, user, name.strip()).to_api()

    # ------------------------------------------------------------------------ user messages

    def _speaking_chat(self, chat_id: int, user_id: int) -> tuple[Chat, User]:
        chat, user = self.chat(chat_id), self.user(user_id)
        if chat.migrated_to:
            raise UserApiError(409, f"chat was upgraded to supergroup {chat.migrated_to}")
        if chat.type == "private" and user.id != chat.id:
            raise UserApiError(403, f"user {user.id} is not the owner of private chat {chat.id}")
        if chat.type == "channel":
            raise UserApiError(
                400, "the sandbox does not post inside channels; post in a group as the channel"
            )
        if not chat.is_present(user.id):
            raise UserApiError(403, f"user {user.id} is not a member of chat {chat.id}")
        return chat, user

    def _sender_chat(self, chat: Chat, user: User, sender_chat_id: int | None) -> Chat | None:
        """Who a message is posted as: None (the person), the group (anonymous admin), a channel.

        Telegram offers both only in supergroups; anonymity needs an administrator, posting as a
        channel needs the person to own or administer that channel.
        """
        if sender_chat_id is None:
            return None
        if chat.type != "supergroup":
            raise UserApiError(400, "only in a supergroup can one post as a chat")
        if sender_chat_id == chat.id:
            if not chat.is_admin(user.id):
                raise UserApiError(403, f"user {user.id} is not an administrator of {chat.id}")
            return chat
        channel = self.chat(sender_chat_id)
        if channel.type != "channel":
            raise UserApiError(400, "sender_chat_id must be this chat (anonymous) or a channel")
        if not channel.is_admin(user.id):
            raise UserApiError(403, f"user {user.id} does not administer channel {channel.id}")
        return channel

    def _placement(
        self, chat: Chat, user: User, reply_to_message_id: int | None, message_thread_id: int | None
    ) -> tuple[Topic | None, Message | None]:
        """Where a user's message goes; a reply to a topic message lands in that topic."""
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.message(reply_to_message_id)
            if reply_to is None:
                raise UserApiError(400, f"message {reply_to_message_id} not found")
            if message_thread_id is None and reply_to.data.get("is_topic_message"):
                message_thread_id = reply_to.data["message_thread_id"]
        may_manage = chat.can(user.id, "can_manage_topics")
        if message_thread_id is None:
            if chat.general_closed and not may_manage:
                raise UserApiError(403, "the General topic is closed")
            return None, reply_to
        topic = chat.topics.get(message_thread_id) if chat.is_forum else None
        if topic is None:
            raise UserApiError(400, f"message thread {message_thread_id} not found")
        if topic.closed and not may_manage:
            raise UserApiError(403, "the topic is closed")
        return topic, reply_to

    def send_user_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        sender_chat_id: int | None = None,
    ) -> dict[str, Any]:
        chat, user = self._speaking_chat(chat_id, user_id)
        if not isinstance(text, str) or not text.strip():
            raise UserApiError(400, "text is empty")
        text = text.strip()
        if utf16_len(text) > TEXT_LIMIT:
            raise UserApiError(400, f"text is longer than {TEXT_LIMIT} UTF-16 code units")
        sender_chat = self._sender_chat(chat, user, sender_chat_id)
        topic, reply_to = self._placement(chat, user, reply_to_message_id, message_thread_id)
        content: dict[str, Any] = {"text": text}
        if entities := detect_entities(text):
            content["entities"] = entities
        return self.add_message(
            chat, user, content, topic=topic, reply_to=reply_to, sender_chat=sender_chat
        ).to_api()

    def send_user_document(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        filename: str,
        content_type: str | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        chat, user = self._speaking_chat(chat_id, user_id)
        caption = (caption or "").strip()
        if utf16_len(caption) > CAPTION_LIMIT:
            raise UserApiError(400, f"caption is longer than {CAPTION_LIMIT} UTF-16 code units")
        topic, reply_to = self._placement(chat, user, reply_to_message_id, message_thread_id)
        stored = self.files.add("document", data, filename or "file", content_type)
        content: dict[str, Any] = {"document": stored.document_api()}
        if caption:
            content["caption"] = caption
            if entities := detect_entities(caption):
                content["caption_entities"] = entities
        return self.add_message(chat, user, content, topic=topic, reply_to=reply_to).to_api()

    def forward_user_message(
        self,
        chat_id: int,
        user_id: int,
        from_chat_id: int,
        message_id: int,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A user forwards a message from any chat they are in: a copy with `forward_origin`."""
        chat, user = self._speaking_chat(chat_id, user_id)
        source = self.chat(from_chat_id)
        if not source.is_present(user.id):
            raise UserApiError(403, f"user {user.id} is not a member of chat {source.id}")
        original = source.message(message_id)
        if original is None:
            raise UserApiError(404, f"message {message_id} not found in chat {source.id}")
        if original.service or not any(key in original.data for key in FORWARDABLE):
            raise UserApiError(400, "only text, photo and document messages can be forwarded")
        if original.data.get("has_protected_content"):
            raise UserApiError(400, "the message is protected from forwarding")
        data = original.data
        content = {key: data[key] for key in FORWARDABLE if key in data}
        if "forward_origin" in data:  # a forward of a forward names the first author
            content["forward_origin"] = data["forward_origin"]
        elif "sender_chat" in data:
            content["forward_origin"] = {
                "type": "chat",
                "sender_chat": data["sender_chat"],
                "date": data["date"],
            }
        else:
            content["forward_origin"] = {
                "type": "user",
                "sender_user": data["from"],
                "date": data["date"],
            }
        topic, _ = self._placement(chat, user, None, message_thread_id)
        return self.add_message(chat, user, content, topic=topic).to_api()

    def edit_user_message(
        self, chat_id: int, message_id: int, user_id: int, text: str
    ) -> dict[str, Any]:
        """A user edits their text message: the bot gets an edited_message update."""
        chat, user = self._speaking_chat(chat_id, user_id)
        message = chat.message(message_id)
        if message is None or message.sender_id != user.id or "text" not in message.data:
            raise UserApiError(400, f"user {user.id} has no text message {message_id} in this chat")
        if not isinstance(text, str) or not text.strip():
            raise UserApiError(400, "text is empty")
        message.data["text"] = text.strip()
        message.data.pop("entities", None)
        if entities := detect_entities(message.data["text"]):
            message.data["entities"] = entities
        message.data["edit_date"] = self.now()
        self.events.emit("edit", chat_id=chat.id, message=message.transcript())
        self.deliver("edited_message", message.to_api(), chat, message)
        return message.to_api()

    def delete_user_message(self, chat_id: int, message_id: int, user_id: int) -> dict[str, Any]:
        """A user deletes a message: their own, any in a private chat, or others' as an
        administrator with can_delete_messages. The bot gets no update, as on Telegram."""
        chat, user = self._speaking_chat(chat_id, user_id)
        message = chat.message(message_id)
        if message is None:
            raise UserApiError(404, f"message {message_id} not found in chat {chat.id}")
        if not (
            message.sender_id == user.id
            or chat.type == "private"
            or chat.can(user.id, "can_delete_messages")
        ):
            raise UserApiError(
                403,
                f"user {user.id} may not delete message {message_id} (needs can_delete_messages)",
            )
        self.delete_message(chat, message)
        return {"message_id": message_id, "deleted": True}

    # ------------------------------------------------------------------------ buttons and polls

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        user_id: int,
        data: str,
        sender_chat_id: int | None = None,
    ) -> asyncio.Future[dict[str, Any]]:
        """Send a callback_query; the returned future resolves when the bot answers it.

        An anonymous administrator (sender_chat_id = the group) presses as GroupAnonymousBot;
        someone posting as a channel still presses from their own account, as on Telegram.
        """
        chat, user = self.chat(chat_id), self.user(user_id)
        if not chat.is_present(user.id):
            raise UserApiError(403, f"user {user.id} is not a member of chat {chat.id}")
        presser = user
        if self._sender_chat(chat, user, sender_chat_id) is not None:
            if sender_chat_id != chat.id:
                raise UserApiError(
                    400, "Telegram sends button presses from the person's own account, "
                    "never as a channel: press without sender_chat_id",
                )  # fmt: skip
            presser = GROUP_ANONYMOUS_BOT
        message = chat.message(message_id)
        if message is None:
            raise UserApiError(404, f"message {message_id} not found in chat {chat.id}")
        rows = message.data.get("reply_markup", {}).get("inline_keyboard", [])
        if not any(button.get("callback_data") == data for row in rows for button in row):
            raise UserApiError(
                400, f"message {message_id} has no button with callback_data {data!r}"
            )
        query_id = str(random.getrandbits(62))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.callbacks[query_id] = PendingCallback(future, chat.id, message_id, user.id)
        self.deliver(
            "callback_query",
            {
                "id": query_id,
                "from": presser.to_api(),
                "message": message.to_api(),
                "chat_instance": str((chat.id * 6364136223846793005 + 1442695040888963407) % 2**63),
                "data": data,
            },
        )
        return future

    def answer_callback(self, query_id: str, answer: dict[str, Any]) -> bool:
        """Resolve a pending press; False if the query is unknown or already answered."""
        pending = self.callbacks.pop(query_id, None)
        if pending is None:
            return False
        if not pending.future.done():
            pending.future.set_result(answer)
        self.events.emit(
            "callback_answer",
            chat_id=pending.chat_id,
            message_id=pending.message_id,
            user_id=pending.user_id,
            answer=answer,
        )
        return True

    def refresh_poll(self, poll: Poll) -> None:
        """Close a poll whose close_date passed (checked lazily, on the world's clock)."""
        if not poll.is_closed and poll.close_date is not None and self.now() >= poll.close_date:
            self.close_poll(poll)

    def close_poll(self, poll: Poll) -> None:
        poll.is_closed = True
        self.poll_changed(poll)

    def poll_changed(self, poll: Poll) -> None:
        chat = self.chats[poll.chat_id]
        message = chat.messages[poll.message_id]
        message.data["poll"] = poll.to_api()
        self.deliver("poll", poll.to_api())
        self.events.emit("poll", chat_id=chat.id, message_id=poll.message_id, poll=poll.to_api())

    def answer_poll(self, poll_id: str, user_id: int, option_ids: list[int]) -> dict[str, Any]:
        poll = self.polls.get(poll_id)
        if poll is None:
            raise UserApiError(404, f"poll {poll_id} not found")
        user = self.user(user_id)
        if not self.chats[poll.chat_id].is_present(user.id):
            raise UserApiError(403, f"user {user.id} is not a member of chat {poll.chat_id}")
        self.refresh_poll(poll)
        if poll.is_closed:
            raise UserApiError(400, "the poll is closed")
        if not isinstance(option_ids, list) or not all(
            isinstance(i, int) and 0 <= i < len(poll.options) for i in option_ids
        ):
            raise UserApiError(
                400, f"option_ids must be a list of indexes below {len(poll.options)}"
            )
        chosen = sorted(set(option_ids))
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise UserApiError(400, "this poll allows one answer")
        previous = poll.votes.get(user.id)
        if previous is None and not chosen:
            raise UserApiError(400, "there is no vote to retract")
        if previous is not None and not poll.allows_revoting:
            raise UserApiError(400, "this poll does not allow changing the vote")
        if chosen:
            poll.votes[user.id] = chosen
        else:
            del poll.votes[user.id]
        if not poll.is_anonymous:
            self.deliver(
                "poll_answer",
                {
                    "poll_id": poll.id,
                    "user": user.to_api(),
                    "option_ids": chosen,
                    "option_persistent_ids": [poll.persistent_id(i) for i in chosen],
                },
            )
        self.poll_changed(poll)
        return poll.to_api()

    # ------------------------------------------------------------------------ reading

    def transcript(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        chat = self.chat(chat_id)
        return [m.transcript() for m in chat.messages.values() if m.message_id > after]

    async def wait_bot_messages(
        self,
        chat_id: int,
        after: int = 0,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """The bot's own (non-service) messages after `after`, as soon as `count` exist.

        At the timeout it returns what there is (a long poll, not a cancellation).
        """
        chat = self.chat(chat_id)

        def found() -> list[Message]:
            return [
                m
                for m in chat.messages.values()
                if m.message_id > after and m.sender_id == self.bot.id and not m.service
            ]

        await self.events.changed.wait_for(lambda: len(found()) >= count, timeout)
        return [m.transcript() for m in found()]
