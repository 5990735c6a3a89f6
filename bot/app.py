"""The aiogram runtime: storage, the sandbox when no token is set, the bot, polling or webhook.

``BotApp`` can be started and stopped inside any event loop, which is how the end-to-end tests
run the real bot against a real sandbox over HTTP.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot import menus
from bot.clock import Clock, RealClock, VirtualClock
from bot.config import Settings
from bot.handlers import build_dispatcher
from bot.i18n import translations
from bot.outbound import OutboundLimiter
from bot.scheduler import Scheduler
from bot.text import segment
from sandbox.server import RateLimits, Sandbox
from storage.engine import Database

log = logging.getLogger("xieshang")

# Any token of Telegram's shape works against the sandbox; this one is recognisable in logs.
SANDBOX_TOKEN = "1000000001:SANDBOX-xieshang"


class BotApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock: Clock = VirtualClock() if settings.clock == "virtual" else RealClock()
        self.db = Database(settings.db, now=self.clock.now)
        self.sandbox: Sandbox | None = None
        self.bot: Bot | None = None
        self.scheduler = Scheduler(self.db, self.clock)
        self.dispatcher = build_dispatcher(
            self.db, self.clock, self.scheduler, settings.default_language, settings.auto_report
        )
        self.outbound = OutboundLimiter(settings.outbound)
        self._polling: asyncio.Task[None] | None = None
        self._webhook_runner: web.AppRunner | None = None

    @property
    def web_chat_url(self) -> str | None:
        return f"{self.sandbox.url}/" if self.sandbox else None

    async def start(self) -> None:
        segment.start_loading()  # jieba in the background: answering does not wait for it
        for language in ("zh_CN", "en"):
            translations(language)  # fail at start, not on the first reply, if catalogs are missing
        await self.db.upgrade()
        api, token = await self._telegram()
        self.bot = Bot(
            token,
            session=AiohttpSession(api=api),
            default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
        )
        self.bot.session.middleware(self.outbound)
        me = await self.bot.get_me()
        log.info("running as @%s", me.username)
        await menus.publish(self.bot)
        if self.settings.telegram.mode == "webhook" and not self.settings.sandboxed:
            await self._start_webhook()
        else:
            await self.bot.delete_webhook()
            self._polling = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                    polling_timeout=10,
                )
            )

    async def _telegram(self) -> tuple[TelegramAPIServer, str]:
        """Where the Bot API is: the embedded sandbox, a self-hosted server, or Telegram."""
        telegram = self.settings.telegram
        if self.settings.sandboxed:
            sandbox_settings = self.settings.sandbox
            self.sandbox = Sandbox(
                bot_token=SANDBOX_TOKEN,
                host=sandbox_settings.host,
                port=sandbox_settings.port,
                limits=RateLimits() if sandbox_settings.rate_limits else None,
            )
            if isinstance(self.clock, VirtualClock):
                self.sandbox.clock = self.clock
            await self.sandbox.start()
            return TelegramAPIServer.from_base(self.sandbox.url), SANDBOX_TOKEN
        assert telegram.token is not None
        api = TelegramAPIServer.from_base(telegram.api_base) if telegram.api_base else PRODUCTION
        return api, telegram.token.get_secret_value()

    async def _start_webhook(self) -> None:
        telegram = self.settings.telegram
        secret = telegram.webhook_secret.get_secret_value() if telegram.webhook_secret else None
        app = web.Application()
        SimpleRequestHandler(self.dispatcher, self.bot, secret_token=secret).register(
            app, path=telegram.webhook_path
        )
        setup_application(app, self.dispatcher, bot=self.bot)
        self._webhook_runner = web.AppRunner(app)
        await self._webhook_runner.setup()
        await web.TCPSite(
            self._webhook_runner, telegram.webhook_listen, telegram.webhook_port
        ).start()
        await self.bot.set_webhook(
            telegram.webhook_url,
            secret_token=secret,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def wait(self) -> None:
        """Run until cancelled (``xieshang run``)."""
        if self._polling is not None:
            await self._polling
        else:
            await asyncio.Event().wait()

    async def stop(self) -> None:
        if self._polling is not None:
            with suppress(RuntimeError):  # polling had already stopped
                await self.dispatcher.stop_polling()
            with suppress(asyncio.CancelledError):
                await self._polling
        if self._webhook_runner is not None:
            await self._webhook_runner.cleanup()
        if self.bot is not None:
            await self.bot.session.close()
        if self.sandbox is not None:
            await self.sandbox.stop()
        await self.db.dispose()
