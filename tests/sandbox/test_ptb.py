"""python-telegram-bot's Bot against the sandbox: its JSON and multipart requests both work."""

from __future__ import annotations

import asyncio

import telegram
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sandbox.server import Sandbox

from .conftest import TOKEN, Client
from .images import png


async def test_ptb_basics(sb: Sandbox, client: Client) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("反对", callback_data="vote:no")]])
    async with telegram.Bot(
        TOKEN, base_url=f"{sb.url}/bot", base_file_url=f"{sb.url}/file/bot"
    ) as bot:
        assert bot.username == "xieshang_bot"
        chat = await client.private_chat("孙七")
        await client.say(chat, chat, "/start")
        [update] = await bot.get_updates(timeout=1)
        assert update.message.text == "/start" and update.message.entities[0].type == "bot_command"

        sent = await bot.send_message(
            chat, "<b>议程</b>：第一项 #提案", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        assert sent.text == "议程：第一项 #提案"
        assert [(e.type, e.offset, e.length) for e in sent.entities] == [
            ("bold", 0, 2),
            ("hashtag", 7, 3),
        ]
        assert sent.reply_markup == keyboard
        edited = await bot.edit_message_text("议程已更新", chat_id=chat, message_id=sent.message_id)
        assert edited.text == "议程已更新" and edited.edit_date is not None
        try:
            await bot.edit_message_text("议程已更新", chat_id=chat, message_id=sent.message_id)
            raise AssertionError("an identical edit must fail")
        except BadRequest as error:
            assert "not modified" in error.message

        photo = await bot.send_photo(chat, png(), caption="平面图")
        file = await photo.photo[-1].get_file()
        assert bytes(await file.download_as_bytearray()) == png()

        assert await bot.set_my_commands([BotCommand("start", "开始")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]

        await bot.edit_message_reply_markup(chat, sent.message_id, reply_markup=keyboard)
        press = asyncio.create_task(client.press(chat, sent.message_id, "vote:no"))
        [update] = await bot.get_updates(offset=update.update_id + 1, timeout=5)
        assert update.callback_query.data == "vote:no"
        assert await bot.answer_callback_query(update.callback_query.id, text="收到")
        assert (await press)["answer"]["text"] == "收到"
        info = await bot.get_chat(chat)
        assert info.first_name == "孙七"
