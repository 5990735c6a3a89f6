"""Bot API methods that create or change messages: send, edit, delete, pin, polls, callbacks."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .bot_checks import (
    bot_message,
    find_chat,
    formatted_text,
    reply_markup,
    reply_target,
    take_send_slot,
    topic_for,
    writable_chat,
)
from .errors import bad_request
from .files import DOWNLOAD_MAX_BYTES, StoredFile
from .methods import BotContext, method
from .model import Chat, Message, Poll
from .params import Params, Upload
from .world import CAPTION_LIMIT, TEXT_LIMIT

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def _post(ctx: BotContext, p: Params, chat: Chat, content: dict[str, Any]) -> Message:
    """The common tail of every sending method: markup, reply, topic, flood limit, store."""
    inline, keyboard = reply_markup(p)
    reply_to = reply_target(chat, p)
    topic = topic_for(ctx, chat, p, reply_to)
    if inline is not None:
        content["reply_markup"] = inline
    if p.get_bool("protect_content"):
        content["has_protected_content"] = True
    take_send_slot(ctx, chat)
    return ctx.world.add_message(
        chat, ctx.world.bot, content, topic=topic, reply_to=reply_to, reply_keyboard=keyboard
    )


@method("sendMessage")
async def send_message(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat = writable_chat(ctx, p)
    text, entities = formatted_text(ctx, p, limit=TEXT_LIMIT, too_long="message is too long")
    if not text:
        raise bad_request("message text is empty")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    preview = p.get_json("link_preview_options", "link preview options")
    if p.get_bool("disable_web_page_preview"):
        preview = {"is_disabled": True}
    if isinstance(preview, dict) and preview:
        content["link_preview_options"] = preview
    return _post(ctx, p, chat, content).to_api()


async def _fetch(ctx: BotContext, url: str) -> Upload:
    """Telegram downloads files given by HTTP URL; so does the sandbox."""
    try:
        async with ctx.http.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status != 200:
                raise bad_request("failed to get HTTP URL content")
            data = await response.read()
            content_type = response.content_type
    except (aiohttp.ClientError, TimeoutError):
        raise bad_request("failed to get HTTP URL content") from None
    return Upload(data, urlsplit(url).path.rsplit("/", 1)[-1] or "file", content_type)


async def _input_file(ctx: BotContext, p: Params, kind: str) -> StoredFile:
    source = p.file(kind)
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, str):
        known = ctx.world.files.get(source)
        if known is not None:
            if known.kind != kind:
                raise bad_request("type of file mismatch")
            return known
        if not source.startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        source = await _fetch(ctx, source)
    if not source.data:
        raise bad_request("file must be non-empty")
    try:
        return ctx.world.files.add(kind, source.data, source.filename, source.content_type)
    except ValueError as error:
        raise bad_request(str(error)) from None


async def _send_media(ctx: BotContext, p: Params, kind: str) -> dict[str, Any]:
    chat = writable_chat(ctx, p)
    caption, entities = formatted_text(
        ctx, p, text="caption", entities="caption_entities",
        limit=CAPTION_LIMIT, too_long="message caption is too long",
    )  # fmt: skip
    stored = await _input_file(ctx, p, kind)
    content: dict[str, Any] = {
        kind: stored.photo_api() if kind == "photo" else stored.document_api()
    }
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    if p.get_bool("show_caption_above_media"):
        content["show_caption_above_media"] = True
    if kind == "photo" and p.get_bool("has_spoiler"):
        content["has_media_spoiler"] = True
    return _post(ctx, p, chat, content).to_api()


@method("sendPhoto")
async def send_photo(ctx: BotContext, p: Params) -> dict[str, Any]:
    return await _send_media(ctx, p, "photo")


@method("sendDocument")
async def send_document(ctx: BotContext, p: Params) -> dict[str, Any]:
    return await _send_media(ctx, p, "document")


@method("getFile")
async def get_file(ctx: BotContext, p: Params) -> dict[str, Any]:
    stored = ctx.world.files.get(p.get_str("file_id", missing="file_id is empty") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > DOWNLOAD_MAX_BYTES:
        raise bad_request("file is too big")
    return stored.file_api()


def _poll_options(p: Params) -> list[str]:
    raw = p.get_json("options", "poll options")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 12:
        raise bad_request("POLL_ANSWERS_INVALID")
    options = []
    for option in raw:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 100:
            raise bad_request("POLL_OPTION_INVALID")
        options.append(text.strip())
    return options


@method("sendPoll")
async def send_poll(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat = writable_chat(ctx, p)
    question = (p.get_str("question") or "").strip()
    if not question:
        raise bad_request("poll question must be non-empty")
    if len(question) > 300:
        raise bad_request("POLL_QUESTION_INVALID")
    options = _poll_options(p)
    kind = p.get_str("type") or "regular"
    if kind not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    correct = p.get_json("correct_option_ids", "correct option ids")
    if correct is None and p.has("correct_option_id"):
        correct = [p.get_int("correct_option_id")]
    if kind == "quiz" and (
        not isinstance(correct, list)
        or not correct
        or not all(isinstance(i, int) and 0 <= i < len(options) for i in correct)
    ):
        raise bad_request("wrong correct option ids specified")
    explanation, _ = formatted_text(
        ctx, p, text="explanation", entities="explanation_entities",
        mode="explanation_parse_mode", limit=200, too_long="explanation is too long",
    )  # fmt: skip
    open_period = p.get_int("open_period")
    close_date = p.get_int("close_date")
    if open_period is not None:
        close_date = ctx.world.now() + open_period
    poll = Poll(
        id=str(random.getrandbits(62)),
        chat_id=chat.id,
        message_id=chat.next_message_id,
        question=question,
        options=options,
        is_anonymous=p.get_bool("is_anonymous", True),
        type=kind,
        allows_multiple_answers=p.get_bool("allows_multiple_answers"),
        allows_revoting=p.get_bool("allows_revoting", kind != "quiz"),
        correct_option_ids=sorted(correct) if kind == "quiz" else None,
        explanation=explanation or None,
        close_date=close_date,
        is_closed=p.get_bool("is_closed"),
    )
    message = _post(ctx, p, chat, {"poll": poll.to_api()})
    poll.message_id = message.message_id
    ctx.world.polls[poll.id] = poll
    return message.to_api()


@method("stopPoll")
async def stop_poll(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat = find_chat(ctx, p)
    message = chat.message(p.get_int("message_id", missing="message identifier is not specified"))
    if message is None or "poll" not in message.data:
        raise bad_request("message with poll to stop not found")
    if message.sender_id != ctx.world.bot.id:
        raise bad_request("poll can't be stopped")
    poll = ctx.world.polls[message.data["poll"]["id"]]
    if poll.is_closed:
        raise bad_request("poll has already been closed")
    inline, _ = reply_markup(p)
    if inline is not None:
        message.data["reply_markup"] = inline
    ctx.world.close_poll(poll)
    return poll.to_api()


def _edit(ctx: BotContext, chat: Chat, message: Message, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply changes (None removes a field); refuse a no-op exactly like Telegram."""
    if all(message.data.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    data = dict(message.data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data["edit_date"] = ctx.world.now()
    message.data = data
    ctx.world.events.emit("edit", chat_id=chat.id, message=message.transcript())
    return message.to_api()


def _edited_message(ctx: BotContext, p: Params) -> tuple[Chat, Message]:
    if p.has("inline_message_id"):
        raise bad_request("the sandbox does not support inline messages")
    chat = find_chat(ctx, p)
    return chat, bot_message(ctx, chat, p, "message to edit not found")


@method("editMessageText")
async def edit_message_text(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat, message = _edited_message(ctx, p)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(ctx, p, limit=TEXT_LIMIT, too_long="MESSAGE_TOO_LONG")
    if not text:
        raise bad_request("message text is empty")
    inline, _ = reply_markup(p)
    return _edit(
        ctx, chat, message, {"text": text, "entities": entities or None, "reply_markup": inline}
    )


@method("editMessageCaption")
async def edit_message_caption(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat, message = _edited_message(ctx, p)
    if "photo" not in message.data and "document" not in message.data:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_text(
        ctx, p, text="caption", entities="caption_entities",
        limit=CAPTION_LIMIT, too_long="message caption is too long",
    )  # fmt: skip
    inline, _ = reply_markup(p)
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _edit(ctx, chat, message, {**changes, "reply_markup": inline})


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: BotContext, p: Params) -> dict[str, Any]:
    chat, message = _edited_message(ctx, p)
    inline, _ = reply_markup(p)
    return _edit(ctx, chat, message, {"reply_markup": inline})


@method("deleteMessage")
async def delete_message(ctx: BotContext, p: Params) -> bool:
    chat = find_chat(ctx, p)
    message = chat.message(p.get_int("message_id", missing="message identifier is not specified"))
    if message is None:
        raise bad_request("message to delete not found")
    bot_id = ctx.world.bot.id
    if (
        message.sender_id != bot_id
        and chat.is_group
        and not chat.can(bot_id, "can_delete_messages")
    ):
        raise bad_request("message can't be deleted")
    ctx.world.delete_message(chat, message)
    return True


def _require_pin_rights(ctx: BotContext, chat: Chat) -> None:
    if chat.is_group and not chat.can(ctx.world.bot.id, "can_pin_messages"):
        raise bad_request("not enough rights to manage pinned messages in the chat")


@method("pinChatMessage")
async def pin_chat_message(ctx: BotContext, p: Params) -> bool:
    chat = find_chat(ctx, p)
    _require_pin_rights(ctx, chat)
    message = chat.message(p.get_int("message_id", missing="message identifier is not specified"))
    if message is None:
        raise bad_request("message to pin not found")
    message.pinned = True
    if message.message_id in chat.pins:
        chat.pins.remove(message.message_id)
    chat.pins.append(message.message_id)
    topic = chat.topics.get(message.data.get("message_thread_id", 0))
    ctx.world.add_message(
        chat, ctx.world.bot, {"pinned_message": message.embedded()}, topic=topic, service=True
    )
    ctx.world.events.emit("pin", chat_id=chat.id, message_id=message.message_id)
    return True


def _unpin(ctx: BotContext, chat: Chat, message_ids: list[int]) -> bool:
    for message_id in message_ids:
        chat.messages[message_id].pinned = False
        chat.pins.remove(message_id)
        ctx.world.events.emit("unpin", chat_id=chat.id, message_id=message_id)
    return True


@method("unpinChatMessage")
async def unpin_chat_message(ctx: BotContext, p: Params) -> bool:
    chat = find_chat(ctx, p)
    _require_pin_rights(ctx, chat)
    message_id = p.get_int("message_id")
    if message_id is None:
        return _unpin(ctx, chat, chat.pins[-1:])
    if chat.message(message_id) is None:
        raise bad_request("message to unpin not found")
    return _unpin(ctx, chat, [message_id] if message_id in chat.pins else [])


@method("unpinAllChatMessages")
async def unpin_all_chat_messages(ctx: BotContext, p: Params) -> bool:
    chat = find_chat(ctx, p)
    _require_pin_rights(ctx, chat)
    return _unpin(ctx, chat, list(chat.pins))


@method("answerCallbackQuery")
async def answer_callback_query(ctx: BotContext, p: Params) -> bool:
    query_id = p.get_str("callback_query_id", missing=QUERY_INVALID)
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {"text": text, "show_alert": p.get_bool("show_alert")}
    if p.has("url"):
        answer["url"] = p.get_str("url")
    if not ctx.world.answer_callback(query_id or "", answer):
        raise bad_request(QUERY_INVALID)
    return True


@method("sendChatAction")
async def send_chat_action(ctx: BotContext, p: Params) -> bool:
    chat = writable_chat(ctx, p)
    action = p.get_str("action", missing="action is empty")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    topic = topic_for(ctx, chat, p, None)
    ctx.world.events.emit(
        "action", chat_id=chat.id, action=action, message_thread_id=topic and topic.thread_id
    )
    return True
