"""aiogram and python-telegram-bot read the sandbox's group life as they read Telegram's:
privacy mode in getMe, edits, forwards, anonymous and channel senders, migration and 403s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramMigrateToChat
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginChat,
    MessageOriginUser,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden

from sandbox.server import Sandbox

from .conftest import TOKEN, Client

BOT_ID = 123456


@pytest.fixture
async def bot(sb: Sandbox) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sb.url)))
    yield bot
    await bot.session.close()


async def test_aiogram_parses_group_life(bot: Bot, client: Client) -> None:
    assert (await bot.get_me()).can_read_all_group_messages is False
    owner = await client.new_user("业主")
    chat = await client.user(
        "POST",
        "/chats",
        json={
            "type": "supergroup",
            "title": "阳光小区",
            "user_id": owner["id"],
            "bot_status": "administrator",
        },
    )
    group = chat["id"]
    channel = await client.user(
        "POST", "/chats", json={"type": "channel", "title": "物业频道", "user_id": owner["id"]}
    )
    await client.drain()

    said = await client.say(group, owner["id"], "原话")
    await client.user(
        "POST",
        f"/chats/{group}/messages/{said}/edit",
        json={"user_id": owner["id"], "text": "改过"},
    )
    await client.say(group, owner["id"], "匿名", sender_chat_id=group)
    await client.say(group, owner["id"], "频道", sender_chat_id=channel["id"])
    dm = await client.private_chat("王芳")
    await client.user("POST", f"/chats/{group}/members", json={"user_id": dm, "status": "member"})
    for message_id in (said, said + 1):
        await client.user(
            "POST",
            f"/chats/{dm}/forwards",
            json={"user_id": dm, "from_chat_id": group, "message_id": message_id},
        )
    updates = await bot.get_updates()
    edited = updates[1].edited_message
    assert edited is not None and edited.text == "改过" and edited.edit_date is not None
    anonymous, as_channel = updates[2].message, updates[3].message
    assert anonymous.from_user.username == "GroupAnonymousBot"
    assert anonymous.sender_chat.id == group
    assert as_channel.sender_chat.type == "channel" and as_channel.from_user.id == 136817688
    by_user, by_chat = updates[5].message, updates[6].message
    assert isinstance(by_user.forward_origin, MessageOriginUser)
    assert by_user.forward_origin.sender_user.id == owner["id"]
    assert isinstance(by_chat.forward_origin, MessageOriginChat)
    assert by_chat.forward_origin.sender_chat.id == group
    await bot.get_updates(offset=updates[-1].update_id + 1)

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="赞成", callback_data="vote:yes")]]
    )
    vote = await bot.send_message(group, "投票", reply_markup=keyboard)
    press = asyncio.create_task(
        client.user(
            "POST",
            "/callbacks",
            json={
                "chat_id": group,
                "message_id": vote.message_id,
                "user_id": owner["id"],
                "data": "vote:yes",
                "sender_chat_id": group,
            },
        )
    )
    [update] = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=5)
    assert update.callback_query.from_user.id == 1087968824
    await bot.answer_callback_query(update.callback_query.id, text="请用本人账号")
    assert (await press)["answer"]["text"] == "请用本人账号"

    await client.user(
        "POST",
        f"/chats/{group}/members",
        json={"user_id": BOT_ID, "status": "administrator", "rights": {"can_pin_messages": False}},
    )
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(group, vote.message_id)

    basic = await client.user(
        "POST", "/chats", json={"type": "group", "title": "旧群", "user_id": owner["id"]}
    )
    new = await client.user("POST", f"/chats/{basic['id']}/migrate")
    with pytest.raises(TelegramMigrateToChat) as migrated:
        await bot.send_message(basic["id"], "x")
    assert migrated.value.migrate_to_chat_id == new["id"]
    await client.user(
        "POST", f"/chats/{new['id']}/members", json={"user_id": BOT_ID, "status": "kicked"}
    )
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.send_message(new["id"], "x")


async def test_ptb_reads_migration_and_403s(sb: Sandbox, client: Client) -> None:
    async with telegram.Bot(TOKEN, base_url=f"{sb.url}/bot") as bot:
        assert bot.can_read_all_group_messages is False
        await client.user("POST", "/bot/privacy", json={"enabled": False})
        assert (await bot.get_me()).can_read_all_group_messages is True

        owner = await client.new_user("业主")
        basic = await client.user(
            "POST", "/chats", json={"type": "group", "title": "旧群", "user_id": owner["id"]}
        )
        new = await client.user("POST", f"/chats/{basic['id']}/migrate")
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(basic["id"], "x")
        assert migrated.value.new_chat_id == new["id"]

        dm = await client.private_chat("李四")
        await client.user(
            "POST", f"/chats/{dm}/members", json={"user_id": BOT_ID, "status": "kicked"}
        )
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(dm, "x")
        forum = await client.user(
            "POST", "/chats", json={"type": "supergroup", "is_forum": True, "user_id": owner["id"]}
        )
        with pytest.raises(BadRequest, match="(?i)not enough rights to create a topic"):
            await bot.create_forum_topic(forum["id"], "议题")
