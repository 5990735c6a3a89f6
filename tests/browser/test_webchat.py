"""End-to-end check of the sandbox web chat (sandbox/static/) in Debian's Chromium.

The sandbox runs in a background thread with its own event loop, so this plain (sync)
test can drive Playwright's sync API without touching pytest-asyncio's loop. The page
talks to the user API; the test plays the bot over the Bot API.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: keep Chromium from phoning home (and never `playwright install`).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "1:t"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"{CHROMIUM} not found: apt-get install chromium (and fonts-noto-cjk for Chinese glyphs)",
    ),
]


class SandboxThread:
    """Run sandbox.server.Sandbox on a private event loop in a daemon thread."""

    def __enter__(self) -> SandboxThread:
        from sandbox.server import Sandbox

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def start():
            sb = Sandbox(bot_token=TOKEN, port=0, limits=None)
            await sb.start()
            return sb

        self.sb = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        self.url = self.sb.url
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self.sb.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 10) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())

    def bot(self, method: str, **params) -> object:
        reply = self.call("POST", f"/bot{TOKEN}/{method}", params, timeout=15)
        assert reply["ok"], reply
        return reply["result"]


def wait_for(predicate, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_webchat_roundtrip(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with SandboxThread() as sb, sync_playwright() as pw:
        user = sb.call(
            "POST",
            "/sandbox/api/users",
            {"first_name": "小明", "username": "xiaoming", "language_code": "zh-hans"},
        )
        chat = sb.call("POST", "/sandbox/api/chats", {"type": "private", "user_id": user["id"]})
        assert chat["id"] == user["id"]
        sb.bot(
            "sendMessage",
            chat_id=chat["id"],
            parse_mode="HTML",
            text="<b>欢迎</b>来到协商日！请选择 <i>议题</i>",
            reply_markup={"inline_keyboard": [[{"text": "参加讨论", "callback_data": "join"}]]},
        )

        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            page.goto(f"{sb.url}/#user={user['id']}&chat={chat['id']}")

            # The bot's HTML arrives as text + entities and is rendered as DOM nodes.
            bot_msg = page.locator(".msg.theirs").filter(has_text="来到协商日")
            expect(bot_msg).to_be_visible()
            expect(bot_msg.locator("b")).to_have_text("欢迎")
            expect(bot_msg.locator("i")).to_have_text("议题")
            button = bot_msg.locator(".kb button", has_text="参加讨论")
            expect(button).to_be_visible()

            # Typing + Enter sends as the chosen user; the bot sees it and the page shows it.
            page.locator("#input").fill("大家好，我想报名")
            page.locator("#input").press("Enter")
            expect(page.locator(".msg.mine")).to_contain_text("大家好，我想报名")
            transcript = sb.call("GET", f"/sandbox/api/chats/{chat['id']}/messages?after=0")
            mine = [m for m in transcript["messages"] if m.get("text") == "大家好，我想报名"]
            assert mine and mine[0]["from"]["id"] == user["id"]

            # Pressing the inline button delivers a callback_query to the bot ...
            updates = sb.bot("getUpdates", timeout=0)
            offset = max((u["update_id"] for u in updates), default=-1) + 1
            button.click()

            def callback_update():
                got = sb.bot("getUpdates", offset=offset, timeout=1)
                return next((u["callback_query"] for u in got if "callback_query" in u), None)

            query = wait_for(callback_update, what="callback_query update")
            assert query["data"] == "join"
            assert query["from"]["id"] == user["id"]
            # ... and the bot's answer comes back to the page as a toast.
            sb.bot("answerCallbackQuery", callback_query_id=query["id"], text="已报名 ✓")
            expect(page.locator("#toast")).to_have_text("已报名 ✓")

            page.screenshot(path=str(tmp_path / "webchat-phone.png"))
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(tmp_path / "webchat-desktop.png"))
            # Opt-in: WEBCHAT_SCREENSHOTS=/some/dir keeps the screenshots for a human to look at.
            shots = os.environ.get("WEBCHAT_SCREENSHOTS")
            if shots:
                for name in ("webchat-phone.png", "webchat-desktop.png"):
                    Path(shots, name).write_bytes((tmp_path / name).read_bytes())
        finally:
            browser.close()
