"""The runtime under stress: errors, long text, Telegram's flood limits, menus, clock, webhook."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot import render
from bot.app import BotApp
from bot.handlers.delivery import send
from bot.i18n import t
from sandbox.server import Sandbox
from tests.conftest import Running, settings_for, start_bot
from tests.driver import World


async def test_error_boundary_apologises_with_a_reference_and_logs_it(
    running: Running, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    world = running.world
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    # The audit log disappears under the bot: the next write fails deep inside a flow.
    async with running.app.db.write() as s:
        await s.execute(text("DROP TABLE audit_event"))
    with caplog.at_level(logging.ERROR, logger="xieshang.errors"):
        await dm.send("/lang en")
        [apology] = await dm.wait_bot_messages(1)
    match = re.fullmatch(
        r"抱歉，我们这边出了点问题，已记录（编号 ([0-9a-f]{8})），请稍后再试。", apology["text"]
    )
    assert match, apology["text"]
    assert "Traceback" not in apology["text"] and "audit_event" not in apology["text"]
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None, (
        "the log keeps the traceback under the reference"
    )
    # The failed change was rolled back: the language was not half-stored.
    async with running.app.db.session() as s:
        assert await s.scalar(text("SELECT count(*) FROM member")) == 0
    # The bot keeps serving.
    await dm.send("/help")
    [after] = await dm.wait_bot_messages(1)
    assert "/lang" in after["text"]


async def test_long_text_is_split_at_paragraphs_under_the_limit(
    running: Running, world: World
) -> None:
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    paragraphs = tuple(
        t("Hello, {name}! I am the <b>协商日</b> assistant.", name="居民" * 700) for _ in range(4)
    )
    rendered = render.message("zh_CN", paragraphs)
    assert len(rendered.chunks) > 1
    await send(running.app.bot, dm.id, rendered)
    received = await dm.wait_bot_messages(len(rendered.chunks))
    for message in received:
        assert len(message["text"].encode("utf-16-le")) // 2 <= 4096
    full = "\n\n".join(m["text"] for m in received)
    assert full.count("你好，") == 4 and full.count("居民") == 2800


async def test_flood_limits_are_waited_out_and_nothing_is_lost(tmp_path: Path) -> None:
    """The sandbox refuses bursts with 429; the bot waits retry_after and retries every message."""
    settings = settings_for(
        tmp_path,
        **{
            "outbound.per_chat_burst": 50,
            "outbound.per_chat_per_second": 100.0,
        },  # deliberately too eager
    )
    async for run in start_bot(settings):
        assert run.app.sandbox is not None
        await run.world.call(
            "POST", "/limits", json={"enabled": True, "per_chat_burst": 2, "per_chat_per_second": 2}
        )
        alice = await run.world.user("王芳")
        dm = await alice.private_chat()
        rendered = [
            render.message("zh_CN", (t("Language set to {language}.", language=str(i)),))
            for i in range(6)
        ]
        await asyncio.gather(*(send(run.app.bot, dm.id, r) for r in rendered))
        received = await dm.wait_bot_messages(6, within=20)
        assert sorted(m["text"] for m in received) == sorted(f"语言已设置为{i}。" for i in range(6))
        assert run.app.outbound.retried_429 > 0, (
            "the sandbox did refuse some, and they were retried"
        )


async def test_outbound_pacing_keeps_within_limits_without_429(tmp_path: Path) -> None:
    async for run in start_bot(settings_for(tmp_path)):
        alice = await run.world.user("王芳")
        dm = await alice.private_chat()
        for _ in range(6):
            await dm.send("/help")
        received = await dm.wait_bot_messages(6, within=20)
        assert all("/lang" in m["text"] for m in received)
        assert run.app.outbound.retried_429 == 0


async def test_command_menus_are_published_per_scope_and_language(world: World) -> None:
    bot = await world.call("GET", "/bot")
    assert bot["user"]["username"] == "xieshang_bot"
    menus = {
        (c["scope"]["type"], c.get("language_code") or ""): c["commands"] for c in bot["commands"]
    }
    private = [c["command"] for c in menus[("all_private_chats", "")]]
    assert private[:3] == ["start", "help", "lang"] and "join" in private
    assert "verify" not in private, "staff commands stay out of everyone's menu"
    descriptions = {c["command"]: c["description"] for c in menus[("all_group_chats", "en")]}
    assert descriptions["lang"] == "Choose your language: 中文 or English"
    assert {c["command"]: c["description"] for c in menus[("all_private_chats", "zh")]}[
        "help"
    ] == "你在这里可以使用的命令"


async def test_virtual_clock_moves_only_when_told(tmp_path: Path) -> None:
    async for run in start_bot(settings_for(tmp_path, clock="virtual")):
        before = datetime.fromisoformat((await run.world.call("GET", "/clock"))["now"])
        await asyncio.sleep(0.2)
        still = datetime.fromisoformat((await run.world.call("GET", "/clock"))["now"])
        assert still == before
        moved = await run.world.call("POST", "/clock", json={"advance": 3 * 86400})
        assert datetime.fromisoformat(moved["now"]) == before + timedelta(days=3)
        target = before + timedelta(days=10)
        moved = await run.world.call("POST", "/clock", json={"to": target.isoformat()})
        assert datetime.fromisoformat(moved["now"]) == target
        assert run.app.clock.now() == target


async def test_real_clock_refuses_to_be_moved(world: World) -> None:
    now = await world.call("GET", "/clock")
    assert now["virtual"] is False
    async with world.http.post("/sandbox/api/clock", json={"advance": 60}) as response:
        assert response.status == 409


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_with_secret_token(tmp_path: Path) -> None:
    """With a token, webhook mode registers its URL and secret; updates arrive by POST."""
    sandbox = Sandbox(bot_token="4242:WEBHOOK", port=0, limits=None)
    await sandbox.start()
    port = free_port()
    settings = settings_for(
        tmp_path,
        **{
            "telegram.token": "4242:WEBHOOK",
            "telegram.api_base": sandbox.url,
            "telegram.mode": "webhook",
            "telegram.webhook_url": f"http://127.0.0.1:{port}/hook",
            "telegram.webhook_secret": "s3cret-value",
            "telegram.webhook_port": port,
            "telegram.webhook_path": "/hook",
        },
    )
    app = BotApp(settings)
    await app.start()
    try:
        async with aiohttp.ClientSession(base_url=sandbox.url) as http:
            world = World(http)
            info = await (await http.get("/bot4242:WEBHOOK/getWebhookInfo")).json()
            assert info["result"]["url"] == f"http://127.0.0.1:{port}/hook"
            bob = await world.user("Bob", language_code="en")
            dm = await bob.private_chat()
            await dm.send("/start")
            [welcome] = await dm.wait_bot_messages(1)
            assert welcome["text"].startswith("Hello, Bob!")
            # Without the secret, the bot's endpoint refuses a forged update.
            forged = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1, "type": "private"},
                    "text": "/start",
                },
            }
            async with http.post(f"http://127.0.0.1:{port}/hook", json=forged) as response:
                assert response.status == 401
    finally:
        await app.stop()
        await sandbox.stop()
