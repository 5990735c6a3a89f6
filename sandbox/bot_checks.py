"""Telegram's preconditions for bot calls: which chat, may the bot write there, is the markup valid.

Shared by the bot_*.py method modules so every method fails with the same wording Telegram uses.
"""

from __future__ import annotations

from typing import Any

from .entities import EntityParseError, format_text, normalize_url, utf16_len
from .errors import BotApiError, bad_request, forbidden
from .methods import BotContext
from .model import Chat, Message, Topic
from .params import Params

INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
CALLBACK_DATA_MAX_BYTES = 64


def find_chat(ctx: BotContext, p: Params, name: str = "chat_id") -> Chat:
    """A chat the bot can act in: an upgraded group answers 400 with migrate_to_chat_id, a
    group or channel the bot was removed from 403, as on Telegram."""
    chat = ctx.world.find_chat(p.chat_id(name))
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to:
        raise bad_request(
            "group chat was upgraded to a supergroup chat", migrate_to_chat_id=chat.migrated_to
        )
    if chat.type != "private":
        status = chat.status(ctx.world.bot.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
    return chat


def writable_chat(ctx: BotContext, p: Params) -> Chat:
    """A chat the bot may post in, or the 403 Telegram gives (blocked, kicked, never started)."""
    world = ctx.world
    chat_id = p.chat_id()
    if isinstance(chat_id, int) and world.find_chat(chat_id) is None and chat_id in world.users:
        if chat_id == world.bot.id or world.users[chat_id].is_bot:
            raise forbidden("bot can't send messages to bots")
        raise forbidden("bot can't initiate conversation with a user")
    chat = find_chat(ctx, p)
    if chat.type == "private" and chat.status(world.bot.id) == "kicked":
        raise forbidden("bot was blocked by the user")
    if chat.type == "channel":
        raise bad_request("the sandbox does not simulate channel posts")
    return chat


def parse_mode(p: Params, name: str = "parse_mode") -> str | None:
    """ "html" or None; Markdown modes are refused clearly rather than half-supported."""
    mode = (p.get_str(name) or "").lower()
    if mode in ("", "none"):
        return None
    if mode == "html":
        return "html"
    if mode in ("markdown", "markdownv2"):
        raise bad_request(
            "unsupported parse_mode: the sandbox implements HTML only, use parse_mode HTML"
        )
    raise bad_request("unsupported parse_mode")


def formatted_text(
    ctx: BotContext,
    p: Params,
    *,
    text: str = "text",
    entities: str = "entities",
    mode: str = "parse_mode",
    limit: int,
    too_long: str,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse, strip and measure a text or caption the way Telegram does."""
    raw_entities = p.get_json(entities, "entities") if p.has(entities) else None
    try:
        plain, found = format_text(
            p.get_str(text) or "", parse_mode(p, mode), raw_entities, ctx.world.lookup_user
        )
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    if utf16_len(plain) > limit:
        raise bad_request(too_long)
    return plain, found


def reply_markup(p: Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(inline keyboard, reply keyboard/remove/force_reply); only the first shows in Message."""
    markup = p.get_json("reply_markup", "reply keyboard markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_keyboard(markup["inline_keyboard"])}, None
    keyboard = markup.get("keyboard")
    if keyboard is not None:
        if not isinstance(keyboard, list) or not all(isinstance(r, list) for r in keyboard):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        return None, markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _check_button(button)
    return rows


def _check_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not any(action in button for action in INLINE_BUTTON_ACTIONS):
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (
        not isinstance(button["url"], str) or normalize_url(button["url"]) is None
    ):
        raise bad_request("BUTTON_URL_INVALID")


def reply_target(chat: Chat, p: Params) -> Message | None:
    """The message to reply to (reply_parameters or the legacy reply_to_message_id)."""
    parameters = p.get_json("reply_parameters", "reply parameters")
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise bad_request("can't parse reply parameters JSON object")
        other_chat = parameters.get("chat_id")
        if other_chat is not None and other_chat not in (
            chat.id,
            str(chat.id),
            f"@{chat.username}",
        ):
            raise bad_request("the sandbox does not support replies to messages in other chats")
        message_id = Params(parameters).get_int("message_id")
        allow_missing = Params(parameters).get_bool("allow_sending_without_reply")
    else:
        message_id = p.get_int("reply_to_message_id")
        allow_missing = p.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.message(message_id)
    if target is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return target


def topic_for(ctx: BotContext, chat: Chat, p: Params, reply_to: Message | None) -> Topic | None:
    """The forum topic a new message goes to: message_thread_id, else the replied message's."""
    thread_id = p.get_int("message_thread_id")
    if thread_id is None and reply_to is not None and reply_to.data.get("is_topic_message"):
        thread_id = reply_to.data["message_thread_id"]
    may_manage = chat.can(ctx.world.bot.id, "can_manage_topics")
    if thread_id is None:
        if chat.general_closed and not may_manage:
            raise bad_request("TOPIC_CLOSED")
        return None
    topic = chat.topics.get(thread_id) if chat.is_forum else None
    if topic is None:
        raise bad_request("message thread not found")
    if topic.closed and not may_manage:
        raise bad_request("TOPIC_CLOSED")
    return topic


def take_send_slot(ctx: BotContext, chat: Chat) -> None:
    retry_after = ctx.limiter.acquire(chat.id, chat.is_group)
    if retry_after is not None:
        raise BotApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )


def bot_message(ctx: BotContext, chat: Chat, p: Params, not_found: str) -> Message:
    """An existing message the bot sent (for edits); Telegram's errors otherwise."""
    message = chat.message(p.get_int("message_id", missing="message identifier is not specified"))
    if message is None:
        raise bad_request(not_found)
    if message.sender_id != ctx.world.bot.id:
        raise bad_request("message can't be edited")
    return message
