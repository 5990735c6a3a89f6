"""Updates per second: the real bot through the sandbox over HTTP, vs aiogram without HTTP.

Both sides use the same Dispatcher shape and a no-op callback handler, so the ratio is the cost
of the Bot API round trips (getUpdates, answerCallbackQuery) on this machine. Later benchmarks
(votes, broadcasts) compare their rates to ``http_updates_per_s``.
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from sandbox.server import Sandbox

TOKEN = "1000000002:BENCH"


def noop_router(answer: bool) -> Router:
    router = Router()

    async def pressed(query: CallbackQuery) -> None:
        if answer:
            await query.answer()

    router.callback_query.register(pressed)
    return router


async def _through_http(updates: int) -> tuple[float, int]:
    """Press a button ``updates`` times; the bot answers each press over HTTP."""
    async with Sandbox(bot_token=TOKEN, port=0, limits=None) as sandbox:
        world = sandbox.world
        user = world.create_user(first_name="测试")
        chat = world.create_chat("private", user_id=user["id"])
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="同意", callback_data="v:1")]]
        )
        sent = await bot.send_message(chat["id"], "表决", reply_markup=keyboard)
        dispatcher = Dispatcher()
        dispatcher.include_router(noop_router(answer=True))
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
        )
        try:
            # Warm up so polling is running and connections are open before timing.
            await world.press_button(chat["id"], sent.message_id, user["id"], "v:1")
            started = time.perf_counter()
            presses = [
                world.press_button(chat["id"], sent.message_id, user["id"], "v:1")
                for _ in range(updates)
            ]
            answers = await asyncio.wait_for(asyncio.gather(*presses), timeout=300)
            elapsed = time.perf_counter() - started
        finally:
            await dispatcher.stop_polling()
            await polling
            await bot.session.close()
        return updates / elapsed, len(answers)


async def _feed_update(updates: int) -> float:
    """Parse the same callback update from JSON and dispatch it, with no HTTP at all."""
    bot = Bot(TOKEN)
    dispatcher = Dispatcher()
    dispatcher.include_router(noop_router(answer=False))
    raw = {
        "update_id": 1,
        "callback_query": {
            "id": "1",
            "from": {"id": 2000000001, "is_bot": False, "first_name": "测试"},
            "chat_instance": "1",
            "data": "v:1",
            "message": {
                "message_id": 1, "date": 0, "text": "表决",
                "chat": {"id": 2000000001, "type": "private", "first_name": "测试"},
            },
        },
    }  # fmt: skip
    started = time.perf_counter()
    for index in range(updates):
        raw["update_id"] = index + 1
        await dispatcher.feed_update(bot, Update.model_validate(raw, context={"bot": bot}))
    elapsed = time.perf_counter() - started
    await bot.session.close()
    return updates / elapsed


async def run(updates: int = 3000) -> dict[str, Any]:
    baseline = await _feed_update(updates)
    through_http, answered = await _through_http(updates)
    return {
        "bench": "dispatch",
        "updates": updates,
        "http_updates_per_s": round(through_http, 1),
        "feed_updates_per_s": round(baseline, 1),
        "ratio": round(through_http / baseline, 4),
        "answered": answered,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
