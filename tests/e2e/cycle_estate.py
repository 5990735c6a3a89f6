"""Helpers for the cycle tests: the 小桃园 estate with a 协商日, a chair rotation, proposals with
chosen support, and moving the virtual clock to a phase of a cycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import aiohttp

from bot.app import BotApp
from bot.flows import cycle_settings
from bot.flows.cycle_rules import Cycle, Phase, cycle, cycles
from storage.models import ChairRotation
from tests.conftest import settings_for
from tests.driver import World
from tests.e2e.proposals_estate import Estate

ROTATION = (  # position, household, name: 3-1-102 has no member the bot knows
    (1, "1-1-101", "赵敏"),
    (2, "3-1-102", "空置户"),
    (3, "5-1-101", "周涛"),
    (4, "7-1-101", "王芳"),
)


async def configure(running, estate: Estate, **fields: str) -> None:
    """Set cycle fields as a moderator would (``day="每月11日 19:00"``, ``threshold="5"``…)."""
    for name, value in fields.items():
        await cycle_settings.change(
            running.app.db,
            estate.place.community_id,
            name,
            value,
            running.app.clock.now(),
            actor_id=None,
            via="test",
        )


async def rotation(running, estate: Estate, entries=ROTATION) -> None:
    async with running.app.db.write() as s:
        for position, code, name in entries:
            s.add(
                ChairRotation(
                    community_id=estate.place.community_id,
                    position=position,
                    household_id=estate.households[code],
                    name=name,
                )
            )


async def raise_with_support(estate: Estate, title: str, by: str, seconds: list[str]) -> dict:
    """Proposal ``title`` raised by ``by`` and seconded by each of ``seconds`` (people keys)."""
    group = estate.group
    await skip_said(group)
    await group.send(f"/propose {title}", by=estate.people[by])
    [card] = await group.wait_bot_messages(1)
    assert title in card["text"], card["text"]
    for who in seconds:
        label = next(
            b["text"]
            for row in card["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"].startswith("附议")
        )
        answer = await group.press(card, label, by=estate.people[who])
        assert "附议成功" in answer["text"], answer
    await skip_said(group)  # e.g. "reached the threshold" notices
    return card


async def skip_said(chat) -> None:
    """Move the chat's cursor past everything said so far."""
    chat.cursor = (await chat.transcript())[-1]["message_id"]


async def calendar_of(running, estate: Estate):
    async with running.app.db.session() as s:
        config = await cycle_settings.load(s, estate.place.community_id)
    return config.calendar()


async def next_cycle(running, estate: Estate) -> Cycle:
    """The first cycle whose earliest phase is still ahead."""
    calendar = await calendar_of(running, estate)
    now = running.app.clock.now()
    return next(c for c in cycles(calendar, now) if min(c.times.values()) > now)


async def following(running, estate: Estate, current: Cycle, months: int = 1) -> Cycle:
    calendar = await calendar_of(running, estate)
    index = current.year * 12 + current.month - 1 + months
    return cycle(calendar, index // 12, index % 12 + 1)


async def move_to(world: World, moment: datetime, after: timedelta = timedelta(0)) -> None:
    await world.call("POST", "/clock", json={"to": (moment + after).isoformat()})


def fast_virtual(tmp_path, **overrides):
    """Settings for a test on the virtual clock (settings_for already drops Telegram's pacing,
    which would make a month of announcements in one group take minutes)."""
    return settings_for(tmp_path, clock="virtual", **overrides)


@asynccontextmanager
async def restarted(tmp_path, start: datetime, **overrides) -> AsyncIterator[tuple[BotApp, World]]:
    """A new bot on the test's database, its virtual clock at ``start``, and a driver for its
    new, empty sandbox: the test recreates the chats it needs (ids are handed out in order)."""
    app = BotApp(fast_virtual(tmp_path, **overrides))
    await app.clock.advance_to(start)  # nothing is registered on the clock yet
    await app.start()
    try:
        async with aiohttp.ClientSession(base_url=app.sandbox.url) as http:
            yield app, World(http)
    finally:
        await app.stop()


async def until(read, expected, within: float = 5.0):
    """Wait until ``await read()`` equals ``expected`` (what the bot stores comes a bit later)."""
    deadline = asyncio.get_running_loop().time() + within
    while (found := await read()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{found!r} != {expected!r}"
        await asyncio.sleep(0.05)


def at(found: Cycle, phase: Phase) -> datetime:
    return found.times[phase]
