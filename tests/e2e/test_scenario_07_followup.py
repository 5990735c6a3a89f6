"""Scenario 07, 督办 until done, then residents rate the outcome — through the sandbox on the
virtual clock:

1. a decision gets action items: the property company (with its responsible member) and the
   grid worker, each with a due date; its minutes list them; they start when its 公示 ends;
2. the assignee posts progress; the group sees it on request;
3. three days before due the assignee is reminded (once); when overdue the item goes up to the
   grid's group and the supervisors are told (once);
4. marked done, the households concerned rate it 1–5, once per household, changeable for
   seven days and refused after; the group sees the average and count.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.flows import action_sweep
from storage.models import ActionItem, AuditEvent
from tests.conftest import start_bot
from tests.driver import Chat, buttons
from tests.e2e.actions_estate import ask, decided_vote, estate, said
from tests.e2e.cycle_estate import fast_virtual, move_to
from tests.e2e.proposals_estate import eventually

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def running(tmp_path):
    """On the virtual clock."""
    async for item in start_bot(fast_virtual(tmp_path)):
        yield item


async def item(running, action_id: int) -> ActionItem:
    async with running.app.db.session() as s:
        return await s.get(ActionItem, action_id)


async def events(running, action: str) -> int:
    async with running.app.db.session() as s:
        return await s.scalar(select(func.count()).where(AuditEvent.action == action))


async def count(chat: Chat, needle: str) -> int:
    return sum(needle in m.get("text", "") for m in await chat.transcript())


async def test_scenario_07_followup_until_rated(running, world):
    place = await estate(running, world)
    people = place.people
    dms = {key: await people[key].private_chat() for key in ("zhang", "worker", "supervisor")}
    wang_dm = await people["wang"].private_chat()
    await decided_vote(place)
    group, grid_group = place.building_group, place.grid_group

    # 1. The decision's action items: who, what, by when. They wait for the 公示 to end.
    await ask(
        group,
        "/action add 1 更换7栋单元门禁 | 物业公司 (负责人 张经理) | +14d",
        people["chair"],
        "督办",
    )
    await ask(group, "/action add 1 张贴门禁使用说明 | 网格员 | +21d", people["moderator"], "督办")
    assert (await item(running, 1)).status == "waiting"
    # The chair publishes the minutes, which list the items; they start when the 公示 ends.
    await move_to(world, running.app.clock.now(), timedelta(seconds=1))  # the minutes sweep
    published = await ask(group, "/minutes 1", people["chair"], "会议纪要")
    assert "更换7栋单元门禁" in published and "张贴门禁使用说明" in published, published
    await said(group, "异议受理至")  # the 公示 notice (its pin: tests of scenario 06)
    await move_to(world, running.app.clock.now(), timedelta(days=6))
    assert (await item(running, 1)).status == "waiting", "not before the 公示 ends"
    await move_to(world, running.app.clock.now(), timedelta(days=1, minutes=1))
    await said(group, "公示期满，没有异议成立")
    assert "更换7栋单元门禁" in (await said(dms["zhang"], "督办#1由你负责"))["text"]
    assert "张贴门禁使用说明" in (await said(dms["worker"], "督办#2由你负责"))["text"]
    await said(group, "督办#1已开始")
    await said(group, "督办#2已开始")

    # 2. Progress, and the group's view of it.
    await ask(group, "/progress 1 40 门禁设备已订购", people["zhang"], "进度")
    first = await item(running, 1)
    due = first.due_at.astimezone(ZONE).date().isoformat()
    listed = await ask(group, "/actions", people["wang"], "督办事项")
    assert f"#1 更换7栋单元门禁 — 物业公司（负责人：张经理），已完成40%，截止 {due}" in listed
    assert "#2 张贴门禁使用说明 — 网格员，已完成0%" in listed
    await ask(group, "/done 2", people["worker"], "督办#2已完成")  # on time

    # 3. Three days before due: one reminder. Overdue: up one scope, supervisors told, once.
    remind = action_sweep.remind_at(first.due_at, ZONE)
    assert remind.astimezone(ZONE).hour == 9
    await move_to(world, remind, -timedelta(minutes=1))
    assert await count(dms["zhang"], "提醒") == 0
    await move_to(world, remind, timedelta(minutes=1))
    reminder = await said(dms["zhang"], "提醒")
    assert f"将于{due}到期，还有3天。目前已完成40%" in reminder["text"], reminder
    escalate = action_sweep.escalate_at(first.due_at, ZONE)
    await move_to(world, escalate, timedelta(hours=1))
    up = await said(grid_group, "督办#1已逾期")
    assert "7栋的督办#1已逾期" in up["text"] and "目前已完成40%" in up["text"], up
    assert "物业公司（负责人：张经理）" in up["text"]
    told = await said(dms["supervisor"], "请监事知悉")
    assert "督办#1已逾期" in told["text"]
    await said(dms["zhang"], "已上报上一级")
    await move_to(world, escalate, timedelta(days=2))
    assert await count(dms["zhang"], "提醒") == 1
    assert await count(grid_group, "督办#1已逾期") == 1
    assert await events(running, "action.reminded") == 1  # #2 was done before its reminder
    assert await events(running, "action.escalated") == 1
    history = await ask(group, "/actions 1", people["wang"], "#1")
    assert "已逾期" in history and "到期前已提醒" in history and "已上报上一级" in history

    # 4. Done, then rated: once per household, changeable for 7 days, closed after.
    await ask(group, "/done 1", people["zhang"], "督办#1已完成")
    asked = await said(wang_dm, "督办#1已办结")
    board = await said(group, "督办#1已办结")
    assert (await wang_dm.press(asked, "3 ★"))["text"] == "谢谢！你户评了3分。"
    assert (await group.press(board, "5 ★", by=people["li"]))["text"] == "谢谢！你户评了5分。"
    await eventually(group, board["message_id"], lambda m: "2户评分，平均4.0分" in m["text"])
    await move_to(world, running.app.clock.now(), timedelta(days=3))
    changed = await wang_dm.press(asked, "4 ★")
    assert changed["text"] == "你户的评价已改为4分。", changed
    await eventually(group, board["message_id"], lambda m: "2户评分，平均4.5分" in m["text"])
    await move_to(world, running.app.clock.now(), timedelta(days=4, minutes=1))
    closed = await wang_dm.press(asked, "1 ★")
    assert closed["show_alert"] and "评价已截止" in closed["text"], closed
    final = await group.message(board["message_id"])
    assert "评价已于" in final["text"] and "2户评分，平均4.5分" in final["text"], final
    assert not buttons(final), "the closed rating keeps its result, without buttons"
