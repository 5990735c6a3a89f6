"""A real aiogram 3 Bot against the sandbox: every response must parse into aiogram's types."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramRetryAfter
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    ChatFullInfo,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from sandbox.server import Sandbox

from .conftest import TOKEN, Client
from .images import png

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="赞成 👍", callback_data="vote:yes")]]
)


@pytest.fixture
async def bot(sb: Sandbox) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sb.url))
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


async def test_aiogram_parses_every_response(bot: Bot, client: Client) -> None:
    me = await bot.get_me()
    assert me.username == "xieshang_bot" and me.can_join_groups
    chat = await client.private_chat("王芳", username="wangfang")
    await client.say(chat, chat, "/start 你好")

    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.text == "/start 你好"
    assert update.message.entities[0].type == "bot_command"
    await bot.get_updates(offset=update.update_id + 1)

    sent = await bot.send_message(chat, "<b>欢迎</b> 😀 <i>协商日</i>", reply_markup=KEYBOARD)
    assert isinstance(sent, Message) and sent.text == "欢迎 😀 协商日"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 2),
        ("italic", 6, 3),
    ]
    assert sent.reply_markup.model_dump(exclude_none=True) == KEYBOARD.model_dump(exclude_none=True)

    edited = await bot.edit_message_text(
        "已更新", chat_id=chat, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(edited, Message) and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "已更新", chat_id=chat, message_id=sent.message_id, reply_markup=KEYBOARD
        )

    photo = await bot.send_photo(
        chat, BufferedInputFile(png(), "plan.png"), caption="<u>平面图</u>"
    )
    assert photo.photo[-1].width == 4 and photo.caption == "平面图"
    file = await bot.get_file(photo.photo[-1].file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == png()
    document = await bot.send_document(chat, BufferedInputFile(b"hello", "说明.txt"))
    assert document.document.file_name == "说明.txt"

    commands = [
        BotCommand(command="start", description="开始"),
        BotCommand(command="lang", description="语言"),
    ]
    assert await bot.set_my_commands(
        commands, scope=BotCommandScopeAllPrivateChats(), language_code="zh"
    )
    stored = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert [(c.command, c.description) for c in stored] == [
        (c.command, c.description) for c in commands
    ]

    press = asyncio.create_task(client.press(chat, sent.message_id, "vote:yes"))
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=5)
    assert isinstance(update.callback_query, CallbackQuery)
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(update.callback_query.id, text="已记录", show_alert=True)
    assert (await press)["answer"] == {"text": "已记录", "show_alert": True}

    info = await bot.get_chat(chat)
    assert isinstance(info, ChatFullInfo) and info.username == "wangfang"
    member = await bot.get_chat_member(chat, chat)
    assert member.status == "member"
    assert await bot.send_chat_action(chat, "typing")
    poll = await bot.send_poll(chat, "周六开会？", options=["好", "不好"], is_anonymous=False)
    stopped = await bot.stop_poll(chat, poll.message_id)
    assert stopped.is_closed and [o.text for o in stopped.options] == ["好", "不好"]
    assert await bot.delete_message(chat, photo.message_id)


async def test_aiogram_groups_topics_and_errors(bot: Bot, client: Client) -> None:
    owner = await client.new_user("业主")
    forum = await client.user(
        "POST",
        "/chats",
        json={"type": "supergroup", "title": "阳光小区", "is_forum": True, "user_id": owner["id"]},
    )
    await client.user(
        "POST", f"/chats/{forum['id']}/members", json={"user_id": 123456, "status": "administrator"}
    )
    updates = await bot.get_updates()
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[-1].my_chat_member.new_chat_member.status == "administrator"
    topic = await bot.create_forum_topic(forum["id"], "电梯维修")
    sent = await bot.send_message(
        forum["id"], "议题开放", message_thread_id=topic.message_thread_id
    )
    assert sent.is_topic_message and sent.message_thread_id == topic.message_thread_id
    assert await bot.pin_chat_message(forum["id"], sent.message_id)
    assert await bot.close_forum_topic(forum["id"], topic.message_thread_id)
    admins = await bot.get_chat_administrators(forum["id"])
    assert {a.status for a in admins} == {"creator", "administrator"}
    assert await bot.get_chat_member_count(forum["id"]) == 2
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-1, "x")

    await client.user("POST", "/limits", json={"enabled": True, "per_chat_burst": 1})
    await bot.send_message(forum["id"], "1")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(forum["id"], "2")
    assert error.value.retry_after >= 1


async def test_aiogram_conflict_and_webhook_info(bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_aiogram_dispatcher_polls_and_answers(sb: Sandbox, bot: Bot, client: Client) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(f"你好，<b>{message.from_user.first_name}</b>", reply_markup=KEYBOARD)

    @dp.callback_query(F.data == "vote:yes")
    async def vote(query: CallbackQuery) -> None:
        await query.answer("谢谢")
        await query.message.edit_text("已投票")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        chat = await client.private_chat("赵六")
        await client.say(chat, chat, "/start")
        [welcome] = (
            await client.user("GET", f"/chats/{chat}/wait", params={"after": 1, "timeout": 5})
        )["messages"]
        assert welcome["text"] == "你好，赵六"
        got = await client.user(
            "POST",
            "/callbacks",
            json={
                "chat_id": chat,
                "message_id": welcome["message_id"],
                "user_id": chat,
                "data": "vote:yes",
                "timeout": 5,
            },
        )
        assert got["answer"]["text"] == "谢谢"
        for _ in range(50):
            [entry] = (await client.user("GET", f"/chats/{chat}/messages", params={"after": 1}))[
                "messages"
            ]
            if entry["edited"]:
                break
            await asyncio.sleep(0.05)
        assert entry["text"] == "已投票" and "reply_markup" not in entry
    finally:
        await dp.stop_polling()
        await polling
