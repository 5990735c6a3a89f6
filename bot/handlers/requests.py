"""Middlewares on the bot's own requests (aiogram's session middlewares), installed at start-up
by the routers that own them: the bot object only exists once polling starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

Again = Callable[[int], Awaitable[Any]]


def install(bot: Bot, middleware: BaseRequestMiddleware) -> None:
    """Once per bot, however often the dispatcher starts."""
    if middleware not in bot.session.middleware:
        bot.session.middleware(middleware)


class ChatRefusals(BaseRequestMiddleware):
    """Reacts when Telegram answers a call naming a chat with one kind of error (``refusal``)."""

    refusal: type[TelegramAPIError] = TelegramAPIError

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except self.refusal as refused:
            chat_id = getattr(method, "chat_id", None)
            if not isinstance(chat_id, int):
                raise

            async def again(at: int) -> Response[TelegramType]:
                return await make_request(bot, method.model_copy(update={"chat_id": at}))

            return await self.refused(bot, chat_id, refused, again)

    async def refused(self, bot: Bot, chat_id: int, refused: TelegramAPIError, again: Again) -> Any:
        """Repeat the call at another chat id (``await again(chat_id)``), or raise ``refused``."""
        raise refused
