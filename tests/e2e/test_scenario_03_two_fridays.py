"""Scenario 03, "三五五", on the virtual clock: the agenda on the first Friday at 09:00 and the
协商日 on the second Friday at 15:00 — in a month whose 1st is a Friday and in one whose 1st is
a Saturday; a mid-month change moves what is left once and runs nothing twice; "/cycle" says
what then happens."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import CycleRun
from tests.conftest import start_bot
from tests.e2e.cycle_estate import at, calendar_of, configure, fast_virtual, move_to, skip_said
from tests.e2e.proposals_estate import estate

SHANGHAI = ZoneInfo("Asia/Shanghai")


def first_month(after: datetime, weekday: int) -> tuple[int, int]:
    """The first month after ``after`` whose 1st falls on ``weekday`` (4 = Friday)."""
    year, month = after.year, after.month
    while True:
        month = month % 12 + 1
        year += month == 1
        if date(year, month, 1).weekday() == weekday:
            return year, month


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


async def test_scenario_03_freeze_on_the_first_friday_deliberation_on_the_second(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world)
        group, people = place.group, place.people
        await configure(
            running,
            place,
            day="每月第二个周五 15:00",
            freeze="每月第一个周五 09:00",
            threshold="1",
        )
        calendar = await calendar_of(running, place)
        from bot.flows.cycle_rules import cycle

        for weekday, freeze_day, d_day in ((4, 1, 8), (5, 7, 14)):
            year, month = first_month(running.app.clock.now(), weekday)
            found = cycle(calendar, year, month)
            assert local(at(found, Phase.FREEZE)) == f"{year}-{month:02d}-{freeze_day:02d} 09:00"
            assert local(at(found, Phase.DELIBERATION)) == f"{year}-{month:02d}-{d_day:02d} 15:00"

            # What /cycle announces is what then happens.
            await move_to(world, at(found, Phase.FREEZE) - timedelta(days=2))
            await skip_said(group)
            await group.send(f"/propose 第{month}月的事项", by=people["zhao"])
            await group.wait_bot_messages(1)
            await skip_said(group)
            await group.send("/cycle", by=people["li"])
            [answer] = await group.wait_bot_messages(1)
            shown = answer["text"]
            assert f"议程确定：{year}-{month:02d}-{freeze_day:02d}（周五）09:00" in shown
            assert f"{year}-{month:02d}-{d_day:02d}（周五）15:00" in shown
            await move_to(world, at(found, Phase.FREEZE))
            agenda = await said_with(group, "议程已确定")
            assert agenda["date"] == int(at(found, Phase.FREEZE).timestamp())
            assert (
                f"{year}-{month:02d}-{d_day:02d}（周五）15:00协商日的议程已确定" in agenda["text"]
            )
            await move_to(world, at(found, Phase.DELIBERATION))
            opening = await said_with(group, "协商日开始了")
            assert opening["date"] == int(at(found, Phase.DELIBERATION).timestamp())

        # 3. After this month's freeze, the 协商日 moves to the third Friday: the remaining phases
        # move once (announced), the freeze does not run again, the old date passes quietly.
        year, month = first_month(running.app.clock.now(), 4)
        found = cycle(calendar, year, month)
        await move_to(world, at(found, Phase.FREEZE) - timedelta(days=1))
        await skip_said(group)
        await group.send("/propose 改期前的事项", by=people["zhao"])
        await group.wait_bot_messages(1)
        await move_to(world, at(found, Phase.FREEZE))
        await skip_said(group)
        await group.send("/cycle set day 每月第三个周五 15:00", by=people["moderator"])
        [changed] = await group.wait_bot_messages(1)
        new_d = f"{year}-{month:02d}-15（周五）15:00"
        assert new_d in changed["text"]
        await move_to(world, at(found, Phase.DELIBERATION) + timedelta(hours=1))
        assert not [
            m
            for m in await group.transcript()
            if "协商日开始了" in m.get("text", "") and m["message_id"] > group.cursor
        ]
        moved = cycle(await calendar_of(running, place), year, month)
        await move_to(world, at(moved, Phase.DELIBERATION) + timedelta(hours=1))
        openings = [
            m
            for m in await group.transcript()
            if m["message_id"] > group.cursor and "协商日开始了" in m.get("text", "")
        ]
        assert [m["date"] for m in openings] == [int(at(moved, Phase.DELIBERATION).timestamp())]
        async with running.app.db.session() as s:
            runs = (
                await s.execute(
                    select(CycleRun.phase, CycleRun.due_at).where(
                        CycleRun.month == f"{year}-{month:02d}"
                    )
                )
            ).all()
        phases = [phase for phase, _ in runs]
        assert sorted(phases) == sorted(set(phases))  # nothing twice
        assert dict(runs)["deliberation"] == at(moved, Phase.DELIBERATION)


async def said_with(group, words: str) -> dict:
    """The bot's one new message containing ``words``; the cursor moves past all that was said."""
    found = [
        m
        for m in await group.transcript()
        if m["message_id"] > group.cursor and words in m.get("text", "")
    ]
    await skip_said(group)
    assert len(found) == 1, found
    return found[0]
