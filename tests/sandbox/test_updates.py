"""getUpdates semantics, allowed_updates, conflicts, and webhook delivery."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from .conftest import Client

CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"


async def test_offset_confirms_and_negative_offset_keeps_the_tail(client: Client) -> None:
    chat = await client.private_chat()
    for text in ("一", "二", "三", "四"):
        await client.say(chat, chat, text)
    updates = await client.bot("getUpdates")
    ids = [u["update_id"] for u in updates]
    assert ids == sorted(ids) and len(set(ids)) == 4 and ids[1] == ids[0] + 1
    assert [u["message"]["text"] for u in updates] == ["一", "二", "三", "四"]
    assert len(await client.bot("getUpdates", limit=2)) == 2
    assert [u["message"]["text"] for u in await client.bot("getUpdates", offset=ids[1])] == [
        "二",
        "三",
        "四",
    ]
    assert [u["message"]["text"] for u in await client.bot("getUpdates")] == ["二", "三", "四"], (
        "confirmed ones are gone"
    )
    assert [u["message"]["text"] for u in await client.bot("getUpdates", offset=-1)] == ["四"]
    assert [u["message"]["text"] for u in await client.bot("getUpdates")] == ["四"]


async def test_long_poll_waits_for_an_update_or_the_timeout(client: Client) -> None:
    chat = await client.private_chat()
    started = time.monotonic()
    assert await client.bot("getUpdates", timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 2

    async def speak_later() -> None:
        await asyncio.sleep(0.2)
        await client.say(chat, chat, "来了")

    started = time.monotonic()
    speaker = asyncio.create_task(speak_later())
    [update] = await client.bot("getUpdates", timeout=5)
    await speaker
    assert update["message"]["text"] == "来了" and time.monotonic() - started < 2


async def test_a_newer_poll_terminates_the_older_with_409(client: Client) -> None:
    older = asyncio.create_task(client.bot_raw("getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    newer = asyncio.create_task(client.bot_raw("getUpdates", timeout=1))
    status, body = await older
    assert (status, body["description"]) == (409, CONFLICT_POLL)
    assert body == {"ok": False, "error_code": 409, "description": CONFLICT_POLL}
    assert (await newer)[0] == 200


async def test_allowed_updates_is_remembered_and_chat_member_is_opt_in(client: Client) -> None:
    owner = await client.new_user("业主")
    neighbour = await client.new_user("邻居")
    chat = await client.user(
        "POST", "/chats", json={"type": "supergroup", "title": "楼", "user_id": owner["id"]}
    )
    await client.user(
        "POST", f"/chats/{chat['id']}/members", json={"user_id": 123456, "status": "administrator"}
    )
    await client.user(
        "POST",
        f"/chats/{chat['id']}/members",
        json={"user_id": neighbour["id"], "status": "member"},
    )
    kinds = [next(k for k in u if k != "update_id") for u in await client.drain()]
    assert "chat_member" not in kinds, "not delivered by default"
    assert kinds.count("my_chat_member") == 2 and "message" in kinds

    await client.bot("getUpdates", allowed_updates=["chat_member"])
    await client.say(chat["id"], owner["id"], "ignored: messages are no longer allowed")
    await client.user(
        "POST", f"/chats/{chat['id']}/members", json={"user_id": neighbour["id"], "status": "left"}
    )
    [update] = await client.bot("getUpdates")  # no allowed_updates: the previous setting holds
    member = update["chat_member"]
    assert (
        member["old_chat_member"]["status"] == "member"
        and member["new_chat_member"]["status"] == "left"
    )
    assert member["from"]["id"] == neighbour["id"]


async def test_getupdates_conflicts_with_a_webhook(client: Client) -> None:
    await client.bot("setWebhook", url="http://127.0.0.1:9/hook")
    assert await client.bot_error("getUpdates") == (409, CONFLICT_WEBHOOK)
    status, body = await client.bot_raw("deleteWebhook")
    assert body == {"ok": True, "result": True, "description": "Webhook was deleted"}
    assert await client.bot("getUpdates") == []


async def serve_hook(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def test_webhook_delivers_in_order_with_secret_and_retries(client: Client) -> None:
    received: list[dict[str, Any]] = []
    failures = {"left": 2}

    async def hook(request: web.Request) -> web.Response:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_value"
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        received.append(await request.json())
        return web.json_response({})

    runner, url = await serve_hook(hook)
    try:
        chat = await client.private_chat()
        await client.say(chat, chat, "早到的")
        status, body = await client.bot_raw("setWebhook", url=url, secret_token="s3cret_value")
        assert body["description"] == "Webhook was set"
        await client.say(chat, chat, "晚到的")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
        assert [u["message"]["text"] for u in received] == ["早到的", "晚到的"]
        info = await client.bot("getWebhookInfo")
        assert info["url"] == url and info["pending_update_count"] == 0
        assert (
            info["last_error_message"]
            == "Wrong response from the webhook: 500 Internal Server Error"
        )
    finally:
        await runner.cleanup()


async def test_webhook_reply_can_carry_a_method_call(client: Client) -> None:
    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response(
            {
                "method": "sendMessage",
                "chat_id": chat_id,
                "text": "<b>收到</b>",
                "parse_mode": "HTML",
            }
        )

    runner, url = await serve_hook(hook)
    try:
        chat = await client.private_chat()
        await client.bot("setWebhook", url=url, drop_pending_updates=True)
        await client.say(chat, chat, "你好")
        [reply] = (
            await client.user("GET", f"/chats/{chat}/wait", params={"after": 1, "timeout": 5})
        )["messages"]
        assert reply["text"] == "收到" and reply["entities"][0]["type"] == "bold"
    finally:
        await runner.cleanup()
