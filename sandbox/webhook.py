"""Webhook delivery: POST each update, in order, retrying with backoff until the bot says 2xx.

Like Telegram, a webhook reply may carry one Bot API call (`{"method": "sendMessage", ...}` as
JSON or multipart form); it is executed and its result discarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .params import Params, read_multipart
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_RETRY_S = 0.05
MAX_RETRY_S = 2.0
REQUEST_TIMEOUT_S = 30.0

Executor = Callable[[str, Params], Awaitable[Any]]


class Webhook:
    """The bot's webhook setting and the single task that delivers updates to it."""

    def __init__(self, queue: UpdateQueue, execute: Executor) -> None:
        self.queue = queue
        self.execute = execute
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def set(
        self,
        session: aiohttp.ClientSession,
        url: str,
        secret_token: str | None,
        max_connections: int,
    ) -> None:
        await self.stop()
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self.last_error_date = self.last_error_message = None
        self._session = session
        self.queue.set_webhook_active(True)
        self._task = asyncio.create_task(self._deliver_forever(), name="sandbox-webhook")

    async def delete(self) -> None:
        await self.stop()
        self.url, self.secret_token = "", None
        self.queue.set_webhook_active(False)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        """getWebhookInfo's WebhookInfo object."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.queue.pending_count,
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.queue.allowed_updates is not None:
                info["allowed_updates"] = self.queue.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _deliver_forever(self) -> None:
        delay = FIRST_RETRY_S
        while True:
            await self.queue.changed.wait_for(lambda: self.queue.first() is not None, 3600)
            update = self.queue.first()
            if update is None:
                continue
            if await self._post(update):
                self.queue.remove(update["update_id"])
                delay = FIRST_RETRY_S
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_S)

    async def _post(self, update: dict[str, Any]) -> bool:
        assert self._session is not None
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with self._session.post(
                self.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
            ) as response:
                if not 200 <= response.status < 300:
                    self._fail(
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                    return False
                reply = await _read_reply(response)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            self._fail(_describe(error))
            return False
        if reply is not None:
            method = reply.get_str("method")
            if method:
                with contextlib.suppress(Exception):
                    await self.execute(method, reply)
        return True

    def _fail(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message


async def _read_reply(response: aiohttp.ClientResponse) -> Params | None:
    """A Bot API call in the webhook's response body, if there is one."""
    if response.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = json.loads(await response.read() or b"null")
            if isinstance(body, dict):
                return Params(body)
    elif response.content_type == "multipart/form-data":
        values, uploads = await read_multipart(aiohttp.MultipartReader.from_response(response))
        return Params(values, uploads)
    return None


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "Connection timed out"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "Connection refused"
    return f"Connection error: {error}"
