"""The automatic report on the 1st, on the virtual clock: sent at 09:00 local to the groups
bound to an enabled community only (not its grid groups, not other communities), once; after
downtime once, late, saying so; never twice across restarts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import ChatBinding, CycleRun
from tests import factories
from tests.conftest import start_bot
from tests.e2e.cycle_estate import fast_virtual, move_to, raise_with_support, skip_said
from tests.e2e.proposals_estate import estate
from tests.e2e.report_estate import first_of_next_month, month_of, received
from tests.e2e.test_cycle_restart import bot_from

ENABLED = {"auto_report.communities": ["小桃园社区"]}


async def bind(running, community_id: int, scope_id: int, title: str, members):
    group = await running.world.group(title, members)
    async with running.app.db.write() as s:
        s.add(
            ChatBinding(chat_id=group.id, community_id=community_id, scope_id=scope_id, title=title)
        )
    return group


async def reports(app) -> list[tuple[str, str, bool]]:
    async with app.db.session() as s:
        rows = await s.execute(
            select(CycleRun.month, CycleRun.phase, CycleRun.late).order_by(CycleRun.id)
        )
        return [tuple(row) for row in rows.all()]


async def test_the_report_goes_out_on_the_first_once(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path, **ENABLED)):
        world, db = running.world, running.app.db
        place = await estate(running, world)
        people = list(place.people.values())
        grid = await bind(
            running, place.place.community_id, place.place.grids["第一网格"], "第一网格群", people
        )
        other = await factories.community(db, "大桃园社区", grids=())
        elsewhere = await bind(running, other.community_id, other.root_id, "大桃园社区群", people)
        await raise_with_support(place, "增设电动车充电桩", "zhao", ["qian"])
        reported = month_of(running.app.clock.now())
        first = first_of_next_month(running.app.clock.now())

        await move_to(world, first - timedelta(minutes=1))
        await place.group.expect_silence(0.2)
        await move_to(world, first)
        report = await received(place.group)
        assert report.text.startswith(f"小桃园社区 {reported} 协商指标\n"), report.text
        assert "停机" not in report.text
        assert "参与过的户数（提案、附议、表决或测评）：2/8（25.0%）" in report.text
        assert report.row("小桃园社区")["提出提案"] == "1"
        assert await reports(running.app) == [(reported, "report", False)]

        await move_to(world, first + timedelta(days=3))
        for chat in (place.group, grid, elsewhere):
            await chat.expect_silence(0.2)
        assert await reports(running.app) == [(reported, "report", False)]


async def test_after_downtime_the_report_comes_late_once(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path, **ENABLED)):
        place = await estate(running, running.world)
        await raise_with_support(place, "增设电动车充电桩", "zhao", ["qian", "sun"])
        reported = month_of(running.app.clock.now())
        first = first_of_next_month(running.app.clock.now())
    # Down over the 1st, up again two days later.

    async with bot_from(tmp_path, first + timedelta(days=2), **ENABLED) as (app, group):
        await skip_said(group)
        await group.world.call("POST", "/clock", json={"advance": 1})
        report = await received(group)
        assert f"小桃园社区 {reported} 协商指标\n\n（因系统停机延迟执行）" in report.text
        assert "：3/8（37.5%）" in report.text
        assert await reports(app) == [(reported, "report", True)]
    async with bot_from(tmp_path, first + timedelta(days=3), **ENABLED) as (app, group):
        await skip_said(group)
        await group.world.call("POST", "/clock", json={"advance": 3600})
        await group.expect_silence(0.3)
        assert await reports(app) == [(reported, "report", True)]


async def test_without_the_setting_nothing_is_sent(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        place = await estate(running, running.world)
        await move_to(
            running.world, first_of_next_month(running.app.clock.now()) + timedelta(hours=1)
        )
        await place.group.expect_silence(0.3)
        assert await reports(running.app) == []
