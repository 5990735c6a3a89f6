"""The HTTP face of the Bot API: /bot<token>/<method> and /file/bot<token>/<file_path>."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from . import bot_chats, bot_messages, bot_updates  # noqa: F401  (they register the methods)
from .errors import BotApiError
from .jsonio import json_response
from .methods import METHODS, BotContext, Described
from .params import Params, read_request

log = logging.getLogger(__name__)
UNAUTHORIZED = BotApiError(401, "Unauthorized")
NOT_FOUND = BotApiError(404, "Not Found")


def _error(error: BotApiError) -> web.Response:
    return json_response(error.to_json(), status=error.error_code)


class BotApi:
    def __init__(self, token: str, ctx: BotContext) -> None:
        self.token = token
        self.ctx = ctx

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.route("*", "/bot{token}/{method}", self.handle),
            web.get("/file/bot{token}/{file_path:.+}", self.download),
        ]

    async def call(self, method: str, params: Params) -> Any:
        """Run one method (also used for calls returned in webhook responses)."""
        handler = METHODS.get(method.lower())
        if handler is None:
            raise NOT_FOUND
        return await handler(self.ctx, params)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(UNAUTHORIZED)
        method = request.match_info["method"]
        if method.lower() not in METHODS:
            return _error(NOT_FOUND)
        try:
            result = await self.call(method, await read_request(request))
        except BotApiError as error:
            return _error(error)
        except Exception:
            log.exception("sandbox bug while handling %s", method)
            return _error(BotApiError(500, "Internal Server Error: sandbox bug, see its log"))
        body: dict[str, Any] = {"ok": True}
        if isinstance(result, Described):
            body.update(result=result.result, description=result.description)
        else:
            body["result"] = result
        return json_response(body)

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(UNAUTHORIZED)
        stored = self.ctx.world.files.by_path(request.match_info["file_path"])
        if stored is None:
            return _error(NOT_FOUND)
        return web.Response(body=stored.data, content_type=stored.mime_type)
