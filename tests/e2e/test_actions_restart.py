"""The bot is down across an item's reminder and its due date: a new bot on the same database
reminds and escalates once each, late; a third start repeats nothing.

As in test_cycle_restart, each bot has its own sandbox and the test recreates the same people
and groups there (ids are handed out in order), as the real Telegram chats would still be there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from bot.app import BotApp
from bot.flows import action_sweep
from storage.models import ActionItem, AuditEvent
from tests.conftest import start_bot
from tests.driver import Chat
from tests.e2e.actions_estate import decided_vote, estate, said, started
from tests.e2e.cycle_estate import fast_virtual, restarted

PEOPLE = ("王芳", "王小明", "李强", "张经理", "主席", "网格员", "陈主持", "监事", "外人")


@asynccontextmanager
async def bot_from(tmp_path, start: datetime) -> AsyncIterator[tuple[BotApp, Chat, Chat]]:
    """A new bot on the test's database, its clock at ``start``; the grid group and 张经理's
    private chat, recreated as the estate made them."""
    async with restarted(tmp_path, start) as (app, world):
        users = [await world.user(name) for name in PEOPLE]
        await world.group("7栋业主群", users, supergroup=True)
        grid_group = await world.group("第一网格群", users)
        yield app, grid_group, await users[3].private_chat()


async def counted(app: BotApp) -> tuple[int, int]:
    async with app.db.session() as s:
        found = await s.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.action.in_(("action.reminded", "action.escalated")))
            .group_by(AuditEvent.action)
        )
        by_action = dict(found.all())
    return by_action.get("action.reminded", 0), by_action.get("action.escalated", 0)


async def test_missed_reminder_and_escalation_run_once_late(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        place = await estate(running, running.world)
        await place.people["zhang"].private_chat()  # so that he is reachable
        await decided_vote(place)
        await started(running, place, due="+5d")
        grid_id = place.grid_group.id
        async with running.app.db.session() as s:
            due_at = (await s.get(ActionItem, 1)).due_at
    # Down from here until after the escalation's time.

    escalate = action_sweep.escalate_at(due_at, ZoneInfo("Asia/Shanghai"))
    async with bot_from(tmp_path, escalate + timedelta(hours=2)) as (app, grid_group, zhang_dm):
        assert grid_group.id == grid_id
        await grid_group.world.call("POST", "/clock", json={"advance": 1})  # time moves
        up = await said(grid_group, "督办#1已逾期")
        assert "7栋" in up["text"]
        await said(zhang_dm, "提醒")
        assert await counted(app) == (1, 1)

    async with bot_from(tmp_path, escalate + timedelta(days=1)) as (app, grid_group, _):
        await grid_group.world.call("POST", "/clock", json={"advance": 60})
        await grid_group.expect_silence(0.5)
        assert await counted(app) == (1, 1)
