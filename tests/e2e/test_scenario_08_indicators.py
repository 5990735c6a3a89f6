"""Scenario 08 (shared/scenarios/08-indicators.md) on the virtual clock: a month of 小桃园's
life through the chat — proposals raised and seconded, two 私事 (one answered), the agenda
freeze, the 协商日 and its votes tapped by the households — then the report on the 1st, sent
by itself, and asked for by a supervisor privately: the numbers, the chart and the CSV.

Action items and ratings (another area's flows) are arranged directly in storage, with their
reminder and escalation marked done so that their sweeps stay quiet."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import ActionItem, Household, Rating, Vote
from tests import factories
from tests.conftest import start_bot
from tests.driver import Chat, buttons
from tests.e2e.cycle_estate import (
    at,
    configure,
    fast_virtual,
    move_to,
    next_cycle,
    raise_with_support,
    rotation,
    skip_said,
)
from tests.e2e.proposals_estate import estate
from tests.e2e.report_estate import SHANGHAI, first_of_next_month, month_of, received

ENABLED = {"auto_report.communities": ["小桃园社区"]}


def day_of(month: str, day: int) -> datetime:
    """Noon of ``day`` in ``month`` ("YYYY-MM"), Shanghai."""
    year, number = map(int, month.split("-"))
    return datetime(year, number, day, 12, tzinfo=SHANGHAI)


async def ballot_of(group: Chat, title: str) -> dict:
    return next(
        m
        for m in reversed(await group.transcript())
        if title in m.get("text", "") and "同意" in buttons(m)
    )


async def test_scenario_08_a_month_in_numbers(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path, **ENABLED)):
        world, db = running.world, running.app.db
        place = await estate(running, world)
        group, people = place.group, place.people
        await factories.building(db, place.place, "第二网格", "9栋")
        for room in ("101", "102"):
            place.households[f"9-1-{room}"] = await factories.household(
                db, place.place, "9栋", f"9-1-{room}", room=room
            )
        people["zheng"] = await world.user("郑伟")
        await factories.member(
            db,
            people["zheng"].id,
            "郑伟",
            household_id=place.households["9-1-101"],
            representative=True,
        )
        await group.set_member(people["zheng"].id, "member")
        supervisor = await world.user("周监事", language_code="en")
        await factories.grant(
            db, place.place, await factories.member(db, supervisor.id, "周监事"), "supervisor"
        )
        await configure(running, place, day="每月11日 19:00", threshold="2", agenda="2")
        await rotation(running, place)

        # On the 1st, the month before goes out by itself: nothing happened in it yet.
        first = first_of_next_month(running.app.clock.now())
        month = month_of(first)  # the month of the story
        await move_to(world, first + timedelta(hours=1))
        before = await received(group)
        assert f"小桃园社区 {month_of(first, -1)} 协商指标" in before.text
        assert "：0/10（0.0%）" in before.text

        # 1. All month: proposals raised and seconded, two 私事, one answered.
        await raise_with_support(place, "增设电动车充电桩", "zhao", ["qian", "sun", "zheng"])
        await raise_with_support(place, "7栋安装门禁系统", "wang", ["li", "zhou"])
        await raise_with_support(place, "楼道堆物清理", "wu", [])
        await raise_with_support(place, "我家漏水楼下不让修", "sun", [])
        await raise_with_support(place, "我家燃气表读数不对", "li", [])
        await group.send("/answer 4 已联系物业，明天上门查看", by=people["moderator"])
        [answered] = await group.wait_bot_messages(1)
        assert "已联系物业，明天上门查看" in answered["text"]

        # 2. The freeze lists the two seconded proposals; the 协商日 opens their votes.
        cycle = await next_cycle(running, place)
        await move_to(world, at(cycle, Phase.DELIBERATION))
        for title, taps in (
            (
                "增设电动车充电桩",
                {
                    "zhao": "同意",
                    "qian": "同意",
                    "sun": "同意",
                    "zheng": "同意",
                    "wang": "同意",
                    "li": "同意",
                    "wu": "不同意",
                },
            ),
            ("7栋安装门禁系统", {"wang": "同意", "li": "同意", "zhou": "不同意"}),
        ):
            ballot = await ballot_of(group, title)
            for who, choice in taps.items():
                said = await group.press(ballot, choice, by=people[who])
                assert "已记录" in said["text"], said
        await move_to(world, at(cycle, Phase.DELIBERATION) + timedelta(hours=49))
        async with db.session() as s:
            closed = (await s.scalars(select(Vote).order_by(Vote.id))).all()
        assert [v.closed_at is not None for v in closed] == [True, True]

        # 3. Follow-up and ratings (arranged): one item done on time, one overdue at month end.
        async with db.write() as s:
            items = [
                ActionItem(
                    community_id=place.place.community_id,
                    vote_id=closed[0].id,
                    scope_id=place.place.root_id,
                    what=what,
                    due_at=day_of(month, due),
                    status=status,
                    done_at=day_of(month, done) if done else None,
                    created_at=day_of(month, 14),
                    started_at=day_of(month, 14),
                    reminded_at=day_of(month, 14),
                    escalated_at=day_of(month, 14),
                    percent=100 if done else 50,
                )
                for what, due, done, status in (
                    ("安装充电桩", 20, 18, "done"),
                    ("公布充电收费标准", 25, None, "open"),
                )
            ]
            s.add_all(items)
            await s.flush()
            for code, score in (("1-1-102", 4), ("9-1-101", 5)):
                s.add(
                    Rating(
                        action_id=items[0].id,
                        household_id=place.households[code],
                        score=score,
                        rated_at=day_of(month, 28),
                    )
                )

        # 4. The 1st: the month's report goes to the community group by itself.
        following = first_of_next_month(day_of(month, 28))
        await move_to(world, following - timedelta(hours=1))
        await skip_said(group)
        await move_to(world, following)
        report = await received(group)
        text = report.text
        assert text.startswith(f"小桃园社区 {month} 协商指标\n"), text
        assert "参与过的户数（提案、附议、表决或测评）：8/10（80.0%）" in text
        assert (
            "提案：提出5件，附议列入议程2件，表决议定2件（通过1件）。"
            "私事：已答复1件，尚未答复1件。" in text
        )
        assert "开展议题协商2项。举行表决2次，投票率50.0%。" in text
        assert "督办事项：按时完成1项，逾期完成0项，逾期未完成1项。" in text
        assert "已完成督办事项的群众测评：平均4.5分，共2份评分。" in text
        assert "第一网格：参与7/8户（87.5%）" in text and "第二网格：参与1/2户（50.0%）" in text
        first_vote, second_vote = closed
        assert f"第{first_vote.id}号表决“增设电动车充电桩”：7/10户投票（70.0%），通过" in text
        assert f"第{second_vote.id}号表决“7栋安装门禁系统”：3/10户投票（30.0%），未通过" in text
        assert len(report.png) > 20_000
        assert [r[1:3] for r in report.rows[1:]] == [
            ["社区", "小桃园社区"],
            ["网格", "第一网格"],
            ["楼栋", "1栋"],
            ["楼栋", "3栋"],
            ["楼栋", "5栋"],
            ["楼栋", "7栋"],
            ["网格", "第二网格"],
            ["楼栋", "9栋"],
        ]
        nine = report.row("9栋")
        assert (nine["户数"], nine["参与户数"], nine["投票户数"], nine["应投票户数"]) == (
            "2",
            "1",
            "1",
            "4",
        )
        assert (nine["测评份数"], nine["平均评分"]) == ("1", "5.0")
        assert report.row("3栋")["参与率"] == "50.0%"

        # 5. A supervisor asks privately, in English: the last complete month by default.
        dm = await supervisor.private_chat()
        await dm.send("/report")
        private = await received(dm)
        assert f"Indicators of 小桃园社区, {month}" in private.text
        assert "(raised, seconded, voted or rated): 8 of 10 (80.0%)" in private.text
        assert private.rows[1:] and private.row("小桃园社区")["turnout"] == "50.0%"
        async with db.session() as s:
            households = (await s.scalars(select(Household.id))).all()
        assert len(households) == 10
