"""The Bot API method registry and what every method handler gets to work with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .limits import RateLimiter
from .params import Params
from .webhook import Webhook
from .world import World


@dataclass
class BotContext:
    world: World
    limiter: RateLimiter
    webhook: Webhook
    http: aiohttp.ClientSession


@dataclass
class Described:
    """A result that Telegram returns with a top-level "description" (setWebhook, deleteWebhook)."""

    result: Any
    description: str


Handler = Callable[[BotContext, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (looked up case-insensitively, like Telegram)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register
