"""The Sandbox: one bot's private Telegram, served over real HTTP on localhost.

Bot side: `{url}/bot<token>/<method>` and `{url}/file/bot<token>/<path>` (Telegram's layout, so
aiogram's TelegramAPIServer.from_base(url) and PTB's base_url=f"{url}/bot" just work).
User side: `{url}/sandbox/api/...` (see docs/sandbox.md); web chat page at `/`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from .botapi import BotApi
from .clock import ClockProvider
from .limits import RateLimiter, RateLimits
from .methods import BotContext
from .model import User
from .params import Params
from .userapi import UserApi
from .webhook import Webhook
from .world import World

__all__ = ["RateLimits", "Sandbox", "serve_forever"]

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 60 * 1024 * 1024  # Telegram's bot upload limit is 50 MB; leave room for the form
SHUTDOWN_TIMEOUT_S = 0.5  # long polls in flight are simply cut off


class Sandbox:
    def __init__(
        self,
        bot_token: str,
        bot_username: str = "xieshang_bot",
        bot_first_name: str = "协商日",
        host: str = "127.0.0.1",
        port: int = 8081,
        limits: RateLimits | None = RateLimits(),  # noqa: B008  (a frozen-by-convention default)
    ) -> None:
        bot_id, _, secret = bot_token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("bot_token must look like '<bot id>:<secret>', e.g. '123:abc'")
        self.bot_token = bot_token
        self.host = host
        self.port = port
        self.world = World(User(int(bot_id), bot_first_name, is_bot=True, username=bot_username))
        self.limiter = RateLimiter(limits)
        self.webhook = Webhook(self.world.updates, self._execute)
        self._botapi: BotApi | None = None
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.world.bot.to_api()

    @property
    def clock(self) -> ClockProvider | None:
        return self.world.clock

    @clock.setter
    def clock(self, provider: ClockProvider | None) -> None:
        self.world.clock = provider

    async def _execute(self, method: str, params: Params) -> Any:
        assert self._botapi is not None
        return await self._botapi.call(method, params)

    async def start(self) -> None:
        self._http = aiohttp.ClientSession()
        ctx = BotContext(self.world, self.limiter, self.webhook, self._http)
        self._botapi = BotApi(self.bot_token, ctx)
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.add_routes(self._botapi.routes())
        app.add_subapp("/sandbox/api", UserApi(self.world, self.limiter, self.webhook).app())
        app.add_routes([web.get("/", self._index)])
        app.router.add_static("/static/", STATIC_DIR)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("sandbox for @%s listening on %s", self.world.bot.username, self.url)

    async def stop(self) -> None:
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _index(self, request: web.Request) -> web.StreamResponse:
        index = STATIC_DIR / "index.html"
        if not index.is_file():
            raise web.HTTPNotFound(
                text="the web chat page (sandbox/static/index.html) is not installed"
            )
        return web.FileResponse(index)


async def serve_forever(sandbox: Sandbox) -> None:
    """Run until cancelled (Ctrl-C in the CLI), then shut down cleanly."""
    await sandbox.start()
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()
