"""The bot is down across the agenda freeze and the 协商日: a new bot on the same database runs
each missed phase once, in order, saying it is late; a third start repeats nothing.

Each bot has its own sandbox (the embedded one); the test recreates the same people and group
in the new sandbox (ids are handed out in order), as the real Telegram group would still be
there. The new bot's virtual clock starts where the downtime ended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlmodel import select

from bot.app import BotApp
from bot.flows.cycle_rules import Phase
from storage.models import AgendaItem, CycleRun, Vote
from tests.conftest import start_bot
from tests.driver import Chat
from tests.e2e.cycle_estate import (
    at,
    configure,
    fast_virtual,
    move_to,
    next_cycle,
    raise_with_support,
    restarted,
    rotation,
    skip_said,
)
from tests.e2e.proposals_estate import estate

PEOPLE = ("王芳", "王小明", "李强", "赵敏", "钱进", "孙丽", "周涛", "吴刚", "新住户", "陈主持")


@asynccontextmanager
async def bot_from(
    tmp_path, start: datetime, **overrides: object
) -> AsyncIterator[tuple[BotApp, Chat]]:
    """A new bot on the test's database, its clock at ``start``, with the estate's group."""
    async with restarted(tmp_path, start, **overrides) as (app, world):
        users = [await world.user(name) for name in PEOPLE]
        yield app, await world.group("小桃园社区群", users)


async def runs(app: BotApp) -> list[tuple[str, bool]]:
    async with app.db.session() as s:
        rows = await s.execute(select(CycleRun.phase, CycleRun.late).order_by(CycleRun.id))
        return [tuple(row) for row in rows.all()]


async def test_missed_freeze_and_day_run_once_late(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        place = await estate(running, running.world)
        await configure(running, place, day="每月11日 19:00", threshold="2", vote="D+1")
        await rotation(running, place)
        await raise_with_support(place, "7栋安装门禁系统", "wang", ["li", "zhao"])
        month = await next_cycle(running, place)
        await move_to(running.world, at(month, Phase.REMINDER_1))
        [reminder] = await place.group.wait_bot_messages(1)
        assert "停机" not in reminder["text"]
        group_id = place.group.id
    # The bot is down from here until two hours after D.

    down_until = at(month, Phase.DELIBERATION) + timedelta(hours=2)
    async with bot_from(tmp_path, down_until) as (app, group):
        assert group.id == group_id
        await skip_said(group)
        await group.world.call("POST", "/clock", json={"advance": 1})  # time moves: catch up
        said = [m["text"] for m in await group.wait_bot_messages(5) if "text" in m]
        late = "（因系统停机延迟执行）"
        agenda = next(s for s in said if "议程已确定" in s)
        assert late in agenda and "本月轮值主席：赵敏" in agenda
        assert late in next(s for s in said if "提醒" in s)  # D−1
        assert late in next(s for s in said if "协商日开始了" in s)
        assert await runs(app) == [
            ("reminder_1", False),
            ("freeze", True),
            ("reminder_2", True),
            ("deliberation", True),
        ]
        async with app.db.session() as s:
            items = (await s.scalars(select(AgendaItem))).all()
        assert [i.anchor_message_id is not None for i in items] == [True]
        # The votes open on time (D+1): this part of the month was not missed.
        await group.world.call(
            "POST", "/clock", json={"to": at(month, Phase.VOTE_OPEN).isoformat()}
        )
        assert (await runs(app))[-1] == ("vote_open", False)

    async with bot_from(tmp_path, at(month, Phase.VOTE_OPEN) + timedelta(hours=1)) as (app, group):
        await skip_said(group)
        await group.world.call("POST", "/clock", json={"advance": 60})
        await group.expect_silence(0.5)
        assert len(await runs(app)) == 5
        async with app.db.session() as s:
            assert len((await s.scalars(select(Vote))).all()) == 1
