"""Bot API methods about the bot itself and how it receives updates (polling or webhook)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request
from .methods import BotContext, Described, method
from .params import Params
from .world import World

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def bot_profile(world: World) -> dict[str, Any]:
    """getMe's User: the bot plus its capabilities (privacy mode off = reads all messages)."""
    return {
        **world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getMe")
async def get_me(ctx: BotContext, p: Params) -> dict[str, Any]:
    return bot_profile(ctx.world)


def _allowed_updates(p: Params) -> list[str] | None:
    allowed = p.get_json("allowed_updates", "allowed updates")
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed)
    ):
        raise bad_request("can't parse allowed updates JSON array")
    return allowed


@method("getUpdates")
async def get_updates(ctx: BotContext, p: Params) -> list[dict[str, Any]]:
    return await ctx.world.updates.get_updates(
        offset=p.get_int("offset") or 0,
        limit=p.get_int("limit") or 100,
        seconds=max(p.get_int("timeout") or 0, 0),
        allowed=_allowed_updates(p),
    )


async def _delete_webhook(ctx: BotContext, p: Params) -> Described:
    had_webhook = bool(ctx.webhook.url)
    await ctx.webhook.delete()
    if p.get_bool("drop_pending_updates"):
        ctx.world.updates.drop_pending()
    return Described(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@method("setWebhook")
async def set_webhook(ctx: BotContext, p: Params) -> Described:
    """Plain http:// URLs are accepted too (Telegram demands HTTPS) so local bots can listen."""
    url = p.get_str("url") or ""
    if not url:
        return await _delete_webhook(ctx, p)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    ctx.world.updates.set_allowed(_allowed_updates(p))
    if p.get_bool("drop_pending_updates"):
        ctx.world.updates.drop_pending()
    unchanged = ctx.webhook.url == url and ctx.webhook.secret_token == secret
    await ctx.webhook.set(ctx.http, url, secret, max_connections)
    return Described(True, "Webhook is already set" if unchanged else "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(ctx: BotContext, p: Params) -> Described:
    return await _delete_webhook(ctx, p)


@method("getWebhookInfo")
async def get_webhook_info(ctx: BotContext, p: Params) -> dict[str, Any]:
    return ctx.webhook.info()
