"""Run the demo: the bot with its embedded sandbox on the virtual clock, the demo community,
and the month's script paced so that the whole month takes ``MONTH_SECONDS / speed``.

The clock moves an hour at a time with a short real pause in between, so a visitor sees the
month unfold in the web chat; at a high speed (tests) the pauses vanish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.app import BotApp
from bot.config import Settings
from bot.demo.client import SandboxClient
from bot.demo.community import build, schedule
from bot.demo.script import HOUR, Month

MONTH_SECONDS = 180.0  # a month in about three minutes at --speed 1


class Pacer:
    """Moves the virtual clock an hour at a time, keeping to a real-time schedule: the pauses
    shrink when the residents' steps take real time, so the month keeps its length."""

    def __init__(self, client: SandboxClient, start: datetime, seconds_per_hour: float) -> None:
        self.client, self.start, self.now = client, start, start
        self.seconds_per_hour = seconds_per_hour
        self.began = asyncio.get_running_loop().time()

    async def to(self, target: datetime) -> None:
        loop = asyncio.get_running_loop()
        while self.now < target:
            self.now = min(self.now + HOUR, target)
            await self.client.advance_to(self.now.isoformat())
            due = self.began + (self.now - self.start) / HOUR * self.seconds_per_hour
            await asyncio.sleep(max(0.0, due - loop.time()))


async def play(
    app: BotApp,
    client: SandboxClient,
    *,
    roster: Path,
    chairs: Path,
    speed: float,
    say: Callable[[str], None],
) -> Month:
    """Set the community up and play the month to its end."""
    start = app.clock.now()
    place = await build(app.db, client, roster, chairs, start)
    month = Month(client, place, await schedule(app.db, place.community_id, start), start, say)
    steps = month.steps()
    pacer = Pacer(client, start, MONTH_SECONDS / speed / ((steps[-1][0] - start) / HOUR))
    names = "、".join(r.name for r in place.residents[:4])
    say(f"Open the web chat as one of the residents ({names}…) and watch 小桃园社区协商群.")
    for moment, _, step in steps:
        await pacer.to(moment)
        await step()
    return month


async def run(
    settings: Settings,
    *,
    roster: Path,
    chairs: Path,
    speed: float,
    exit_when_done: bool,
    say: Callable[[str], None] = print,
) -> int:
    app = BotApp(settings)
    await app.start()
    try:
        assert app.sandbox is not None
        say(f"Sandbox web chat: {app.web_chat_url}")
        async with aiohttp.ClientSession(base_url=app.sandbox.url) as http:
            await play(app, SandboxClient(http), roster=roster, chairs=chairs, speed=speed, say=say)
        if not exit_when_done:
            say("The month is done; the web chat stays open until Ctrl-C.")
            await app.wait()
    finally:
        await app.stop()
    return 0
