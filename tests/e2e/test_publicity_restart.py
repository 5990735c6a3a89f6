"""The bot is down when a 公示 window ends: a new bot on the same database makes the decision
final once, late, saying so; neither it nor a third start drafts the minutes again or repeats
the announcement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlmodel import select

from bot.app import BotApp
from storage.models import MinutesRecord, Publicity
from tests.conftest import start_bot
from tests.driver import Chat
from tests.e2e.cycle_estate import fast_virtual, restarted
from tests.e2e.decision_estate import decide, estate
from tests.e2e.test_scenario_06_publicity import published

PEOPLE = ("主席", "王芳", "李强", "王小明", "外人", "监事")  # building_seven's, in order


@asynccontextmanager
async def bot_from(tmp_path, start: datetime) -> AsyncIterator[tuple[BotApp, Chat, Chat]]:
    """A new bot on the test's database, its clock at ``start``; the group and the chair's chat
    recreated in its sandbox."""
    async with restarted(tmp_path, start) as (app, world):
        users = [await world.user(name) for name in PEOPLE]
        group = await world.group("7栋业主群", users)
        yield app, group, await users[0].private_chat()


async def test_a_window_that_ended_while_down_becomes_final_once(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        d = await estate(running, running.world)
        await decide(d, "7栋安装门禁系统", 1, 1)
        await published(d, running, 1)
        group_id = d.group.id
        async with running.app.db.session() as s:
            ends_at = (await s.scalar(select(Publicity))).ends_at

    async with bot_from(tmp_path, ends_at + timedelta(days=2)) as (app, group, chair_dm):
        assert group.id == group_id
        await group.world.call("POST", "/clock", json={"advance": 1})
        said = [m["text"] for m in await group.transcript() if "公示期满" in m.get("text", "")]
        assert len(said) == 1 and "补发通知" in said[0]
        await chair_dm.expect_silence(0.3)  # no second draft
        async with app.db.session() as s:
            row = await s.scalar(select(Publicity))
            drafts = (await s.scalars(select(MinutesRecord))).all()
        assert row.status == "final" and row.ended_at > row.ends_at and len(drafts) == 1
        later = row.ended_at

    async with bot_from(tmp_path, later + timedelta(hours=1)) as (app, group, _chair_dm):
        await group.world.call("POST", "/clock", json={"advance": 1})
        await group.expect_silence(0.5)
        async with app.db.session() as s:
            assert (await s.scalar(select(Publicity))).ended_at == later
