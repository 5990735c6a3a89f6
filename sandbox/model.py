"""The sandbox's records and how each renders as a Bot API object (User, Chat, ChatMember, Poll...).

Shapes follow the Bot API that aiogram 3.31 (API 10.3) parses; required fields are always present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRESENT = ("creator", "administrator", "member", "restricted")
ADMIN_RIGHTS: dict[str, bool] = {  # what an administrator gets unless `rights` says otherwise
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


def _compact(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


@dataclass
class User:
    id: int
    first_name: str
    is_bot: bool = False
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        return _compact(
            id=self.id,
            is_bot=self.is_bot,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )


@dataclass
class Member:
    user: User
    status: str  # creator | administrator | member | restricted | left | kicked
    rights: dict[str, bool] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return self.status in PRESENT

    def can(self, right: str) -> bool:
        if self.status == "creator":
            return True
        return self.status == "administrator" and self.rights.get(right, False)

    def to_api(self, chat_type: str) -> dict[str, Any]:
        """ChatMemberOwner / Administrator / Member / Left / Banned."""
        base: dict[str, Any] = {"status": self.status, "user": self.user.to_api()}
        if self.status == "creator":
            base["is_anonymous"] = False
        elif self.status == "administrator":
            base.update(can_be_edited=False, is_anonymous=False)
            for right, value in self.rights.items():
                if right != "can_manage_topics" or chat_type == "supergroup":
                    base[right] = value
        elif self.status == "kicked":
            base["until_date"] = 0
        return base


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int
    creator_id: int
    closed: bool = False
    icon_custom_emoji_id: str | None = None

    def to_api(self) -> dict[str, Any]:
        return _compact(
            message_thread_id=self.thread_id,
            name=self.name,
            icon_color=self.icon_color,
            icon_custom_emoji_id=self.icon_custom_emoji_id,
        )


@dataclass
class Message:
    """A stored message: its Bot API object plus what only the sandbox knows about it."""

    data: dict[str, Any]
    sender_id: int
    service: bool = False
    deleted: bool = False
    pinned: bool = False
    reply_keyboard: dict[str, Any] | None = (
        None  # reply keyboard / remove / force_reply sent with it
    )

    @property
    def message_id(self) -> int:
        return self.data["message_id"]

    @property
    def chat_id(self) -> int:
        return self.data["chat"]["id"]

    def to_api(self) -> dict[str, Any]:
        return dict(self.data)

    def embedded(self) -> dict[str, Any]:
        """The form used inside another message (reply_to_message, pinned_message): one level."""
        return {
            k: v for k, v in self.data.items() if k not in ("reply_to_message", "pinned_message")
        }

    def transcript(self) -> dict[str, Any]:
        entry = {
            **self.data,
            "edited": "edit_date" in self.data,
            "deleted": self.deleted,
            "pinned": self.pinned,
        }
        if self.reply_keyboard is not None:
            entry["reply_keyboard"] = self.reply_keyboard
        return entry


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user: User | None = None  # the other side of a private chat
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    pins: list[int] = field(default_factory=list)  # pinned message ids, most recent last
    migrated_to: int | None = None
    general_closed: bool = False  # a forum's General topic (messages without message_thread_id)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def status(self, user_id: int) -> str:
        member = self.members.get(user_id)
        return member.status if member else "left"

    def is_present(self, user_id: int) -> bool:
        member = self.members.get(user_id)
        return member is not None and member.present

    def can(self, user_id: int, right: str) -> bool:
        member = self.members.get(user_id)
        return member is not None and member.can(right)

    def is_admin(self, user_id: int) -> bool:
        """Creator or administrator (whatever the rights)."""
        return self.status(user_id) in ("creator", "administrator")

    def message(self, message_id: int | None) -> Message | None:
        """A message that still exists (not deleted)."""
        found = self.messages.get(message_id) if message_id is not None else None
        return found if found is not None and not found.deleted else None

    def to_api(self) -> dict[str, Any]:
        if self.type == "private":
            assert self.user is not None
            return _compact(
                id=self.id,
                first_name=self.user.first_name,
                last_name=self.user.last_name,
                username=self.user.username,
                type="private",
            )
        return _compact(
            id=self.id,
            title=self.title,
            username=self.username,
            type=self.type,
            is_forum=True if self.is_forum else None,
        )

    def summary(self) -> dict[str, Any]:
        """The user API's view: the Chat object plus members and topics."""
        return {
            **self.to_api(),
            "members": [{"user_id": uid, "status": m.status} for uid, m in self.members.items()],
            "topics": [{**t.to_api(), "is_closed": t.closed} for t in self.topics.values()],
            **({"migrated_to_chat_id": self.migrated_to} if self.migrated_to else {}),
            **({"general_topic_closed": self.general_closed} if self.is_forum else {}),
        }


@dataclass
class Poll:
    id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    is_anonymous: bool = True
    type: str = "regular"
    allows_multiple_answers: bool = False
    allows_revoting: bool = True
    correct_option_ids: list[int] | None = None
    explanation: str | None = None
    close_date: int | None = None
    is_closed: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)

    def persistent_id(self, index: int) -> str:
        return f"{self.id}-{index}"

    def to_api(self) -> dict[str, Any]:
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for index in chosen:
                counts[index] += 1
        return _compact(
            id=self.id,
            question=self.question,
            options=[
                {"persistent_id": self.persistent_id(i), "text": text, "voter_count": counts[i]}
                for i, text in enumerate(self.options)
            ],
            total_voter_count=len(self.votes),
            is_closed=self.is_closed,
            is_anonymous=self.is_anonymous,
            type=self.type,
            allows_multiple_answers=self.allows_multiple_answers,
            allows_revoting=self.allows_revoting,
            members_only=False,
            correct_option_ids=self.correct_option_ids,
            correct_option_id=self.correct_option_ids[0] if self.correct_option_ids else None,
            explanation=self.explanation,
            close_date=self.close_date,
        )
