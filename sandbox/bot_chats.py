"""Bot API methods about chats: info, members, leaving, forum topics, and the command menu."""

from __future__ import annotations

import json
import re
from typing import Any

from .bot_checks import find_chat
from .errors import bad_request
from .methods import BotContext, method
from .model import TOPIC_COLORS, Chat, Topic
from .params import Params

DEFAULT_PERMISSIONS = {
    "can_send_messages": True, "can_send_audios": True, "can_send_documents": True,
    "can_send_photos": True, "can_send_videos": True, "can_send_video_notes": True,
    "can_send_voice_notes": True, "can_send_polls": True, "can_send_other_messages": True,
    "can_add_web_page_previews": True, "can_change_info": False, "can_invite_users": True,
    "can_pin_messages": False, "can_manage_topics": False,
}  # fmt: skip
NO_GIFTS = {
    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
    "premium_subscription": False, "gifts_from_channels": False,
}  # fmt: skip
SCOPE_TYPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip
COMMAND = re.compile(r"[a-z0-9_]{1,32}")


@method("getChat")
async def get_chat(ctx: BotContext, p: Params) -> dict[str, Any]:
    """ChatFullInfo."""
    chat = find_chat(ctx, p)
    info: dict[str, Any] = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": NO_GIFTS,
    }
    username = chat.user.username if chat.user else chat.username
    if username:
        info["active_usernames"] = [username]
    if chat.is_group:
        info["permissions"] = DEFAULT_PERMISSIONS
    if chat.pins:
        info["pinned_message"] = chat.messages[chat.pins[-1]].embedded()
    return info


@method("getChatMember")
async def get_chat_member(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat = find_chat(ctx, p)
    user = ctx.world.users.get(p.get_int("user_id", missing="user_id is empty"))
    if user is None:
        raise bad_request("user not found")
    member = chat.members.get(user.id)
    if member is None:
        return {"status": "left", "user": user.to_api()}
    return member.to_api(chat.type)


@method("getChatAdministrators")
async def get_chat_administrators(ctx: BotContext, p: Params) -> list[dict[str, Any]]:
    chat = find_chat(ctx, p)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    return [
        m.to_api(chat.type)
        for m in chat.members.values()
        if m.status in ("creator", "administrator")
    ]


@method("getChatMemberCount")
async def get_chat_member_count(ctx: BotContext, p: Params) -> int:
    chat = find_chat(ctx, p)
    return sum(1 for m in chat.members.values() if m.present)


@method("leaveChat")
async def leave_chat(ctx: BotContext, p: Params) -> bool:
    chat = find_chat(ctx, p)
    bot = ctx.world.bot
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    ctx.world.change_member(chat, bot, "left", bot)
    ctx.world.events.emit("chat", chat=chat.summary())
    return True


def _forum(ctx: BotContext, p: Params) -> Chat:
    chat = find_chat(ctx, p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


@method("createForumTopic")
async def create_forum_topic(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat = _forum(ctx, p)
    bot = ctx.world.bot
    if not chat.can(bot.id, "can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = (p.get_str("name") or "").strip()
    if not name:
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_INVALID")
    color = p.get_int("icon_color") or TOPIC_COLORS[0]
    if color not in TOPIC_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    emoji = p.get_str("icon_custom_emoji_id")
    return ctx.world.open_topic(chat, bot, name, color, emoji).to_api()


def _managed_topic(ctx: BotContext, p: Params, general: bool) -> tuple[Chat, Topic | None]:
    """The topic to close or reopen (None: the General topic), if the bot may manage it."""
    chat = _forum(ctx, p)
    topic = None
    if not general:
        topic = chat.topics.get(p.get_int("message_thread_id", missing="message thread not found"))
        if topic is None:
            raise bad_request("message thread not found")
    bot_id = ctx.world.bot.id
    created_it = topic is not None and topic.creator_id == bot_id
    if not created_it and not chat.can(bot_id, "can_manage_topics"):
        raise bad_request("not enough rights to close or open the topic")
    return chat, topic


async def _set_topic_closed(ctx: BotContext, p: Params, closed: bool, general: bool) -> bool:
    chat, topic = _managed_topic(ctx, p, general)
    if (topic.closed if topic else chat.general_closed) == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    ctx.world.set_topic_closed(chat, ctx.world.bot, topic, closed)
    return True


@method("closeForumTopic")
async def close_forum_topic(ctx: BotContext, p: Params) -> bool:
    return await _set_topic_closed(ctx, p, closed=True, general=False)


@method("reopenForumTopic")
async def reopen_forum_topic(ctx: BotContext, p: Params) -> bool:
    return await _set_topic_closed(ctx, p, closed=False, general=False)


@method("closeGeneralForumTopic")
async def close_general_forum_topic(ctx: BotContext, p: Params) -> bool:
    return await _set_topic_closed(ctx, p, closed=True, general=True)


@method("reopenGeneralForumTopic")
async def reopen_general_forum_topic(ctx: BotContext, p: Params) -> bool:
    return await _set_topic_closed(ctx, p, closed=False, general=True)


def _command_key(ctx: BotContext, p: Params) -> tuple[str, str]:
    """(canonical scope JSON, language_code): where a command list is stored."""
    scope = p.get_json("scope", "bot command scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    canonical: dict[str, Any] = {"type": scope["type"]}
    if scope["type"] in ("chat", "chat_administrators", "chat_member"):
        canonical["chat_id"] = find_chat(ctx, Params(scope)).id
    if scope["type"] == "chat_member":
        user_id = Params(scope).get_int("user_id", missing="user_id is empty")
        if user_id not in ctx.world.users:
            raise bad_request("user not found")
        canonical["user_id"] = user_id
    language = p.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("LANG_CODE_INVALID")
    return json.dumps(canonical, sort_keys=True, separators=(",", ":")), language


def _commands(p: Params) -> list[dict[str, str]]:
    raw = p.get_json("commands", "bot commands")
    if not isinstance(raw, list):
        raise bad_request("can't parse BotCommand JSON array")
    if len(raw) > 100:
        raise bad_request("too many commands specified")
    commands = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description.strip()})
    return commands


@method("setMyCommands")
async def set_my_commands(ctx: BotContext, p: Params) -> bool:
    commands = _commands(p)
    key = _command_key(ctx, p)
    if commands:
        ctx.world.commands[key] = commands
    else:
        ctx.world.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(ctx: BotContext, p: Params) -> list[dict[str, str]]:
    return ctx.world.commands.get(_command_key(ctx, p), [])


@method("deleteMyCommands")
async def delete_my_commands(ctx: BotContext, p: Params) -> bool:
    ctx.world.commands.pop(_command_key(ctx, p), None)
    return True
