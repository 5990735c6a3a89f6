"""Every wrong /action, /progress, /actions and /done is answered with what was wrong, and
loses nothing: wrong arguments, unknown numbers, dates, percents, full-width input, HTML,
people who may not, a vote that did not pass."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import ActionItem
from tests.conftest import start_bot
from tests.e2e.actions_estate import ADD, ask, decided_vote, estate, started
from tests.e2e.cycle_estate import fast_virtual


@pytest.fixture
async def running(tmp_path):
    """On the virtual clock."""
    async for item in start_bot(fast_virtual(tmp_path)):
        yield item


async def items(running) -> list[ActionItem]:
    async with running.app.db.session() as s:
        return list((await s.scalars(select(ActionItem).order_by(ActionItem.id))).all())


async def test_wrong_action_commands_say_what_is_wrong(running, world):
    place = await estate(running, world)
    await decided_vote(place)
    group, people = place.building_group, place.people
    worker = people["worker"]
    for command, expected in [
        ("/action", "用法"),
        ("/action add x 修路 | 网格员 | +3d", "表决编号"),
        ("/action add 1 只有事项", "用 | 分隔三部分"),
        ("/action add 1 修路 | | +3d", "用 | 分隔三部分"),
        ("/action add 9 修路 | 网格员 | +3d", "没有第9号表决"),
        ("/action add 1 修路 | 王芳 | +3d", "王芳在社区里没有职务"),
        ("/action add 1 修路 | 不存在的人 | +3d", "没有叫“不存在的人”的人"),
        ("/action add 1 修路 | 7-1-103 | +3d", "7-1-103户还没有"),
        ("/action add 1 修路 | 网格员 | 2020-01-01", "已经过去"),
        ("/action add 1 修路 | 网格员 | 2026-02-30", "没有“2026-02-30”这个日期"),
        ("/action add 1 修路 | 网格员 | 下个月", "无法识别截止日期"),
        ("/action add 1 " + "长" * 301 + " | 网格员 | +3d", "最多写300个字"),
    ]:
        answer = await ask(group, command, worker)
        assert expected in answer, (command, answer)
    refused = await ask(group, ADD.format(due="+7d"), people["wang"])
    assert "网格员" in refused and "主持人" in refused, refused
    assert await items(running) == []

    full_width = "/action add １ <b>修</b>楼道灯 ｜ 物业公司（负责人：７－１－１０４） ｜ ＋７ｄ"
    created = await ask(group, full_width, people["moderator"])
    assert "<b>修</b>楼道灯" in created and "物业公司（负责人：张经理）" in created, created
    by_name = await ask(group, "/action add #1 清理楼道 | @网格员 | 12月31日", worker)
    assert "网格员" in by_name and "12-31" in by_name, by_name
    [first, second] = await items(running)
    assert first.what == "<b>修</b>楼道灯" and first.status == "waiting"
    assert first.outside_party == "物业公司" and second.outside_party is None


async def test_a_failed_vote_gets_no_action_items(running, world):
    place = await estate(running, world)
    await decided_vote(place, passing=False)
    answer = await ask(place.building_group, ADD.format(due="+7d"), place.people["chair"])
    assert "第1号表决未通过" in answer, answer


async def test_wrong_progress_and_done_say_what_is_wrong(running, world):
    place = await estate(running, world)
    await decided_vote(place)
    group, people = place.building_group, place.people
    await started(running, place)
    zhang = people["zhang"]
    for command, expected in [
        ("/progress", "请写明督办事项编号、完成百分比"),
        ("/progress 1", "请写明督办事项编号、完成百分比"),
        ("/progress 99 10", "没有第99号督办事项"),
        ("/progress 1 150 太多了", "0到100的整数"),
        ("/progress 1 -5", "0到100的整数"),
        ("/progress 1 一半", "0到100的整数"),
        ("/progress 1 10 " + "长" * 501, "最多500个字"),
        ("/actions abc", "请写明督办事项编号"),
        ("/actions 99", "没有第99号督办事项"),
        ("/done", "请写明督办事项编号"),
        ("/done 99", "没有第99号督办事项"),
    ]:
        answer = await ask(group, command, zhang)
        assert expected in answer, (command, answer)
    for who in ("wang", "outsider"):
        answer = await ask(group, "/progress 1 50 我来更新", people[who])
        assert "督办#1由张经理负责" in answer and "网格员或主持人" in answer, (who, answer)
    [item] = await items(running)
    assert item.percent == 0 and item.note is None

    by_worker = await ask(group, "/progress ＃１ ３０％ 网格员<i>代为</i>更新", people["worker"])
    assert "30%" in by_worker, by_worker
    history = await ask(group, "/actions 1", people["wang"])
    assert "网格员更新进度至30%：网格员<i>代为</i>更新" in history, history
