"""An action item through the bot: created by the grid worker after a passing vote, waiting
through the 公示, started when the decision is final (the responsible member told privately,
the group told), progress with a note, the group's list and the item's history, done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import start_bot
from tests.driver import buttons
from tests.e2e.actions_estate import ADD, ask, decided_vote, estate, final_publicity, said
from tests.e2e.cycle_estate import fast_virtual, move_to


@pytest.fixture
async def running(tmp_path):
    """On the virtual clock."""
    async for item in start_bot(fast_virtual(tmp_path)):
        yield item


async def test_an_action_item_from_decision_to_done(running, world):
    place = await estate(running, world)
    await decided_vote(place)
    group, people = place.building_group, place.people
    zhang_dm = await people["zhang"].private_chat()

    created = await ask(group, ADD.format(due="+14d"), people["worker"], "督办")
    assert "第1号表决" in created and "物业公司" in created and "张经理" in created, created
    listed = await ask(group, "/actions", people["wang"], "督办")
    assert "#1" in listed and "更换7栋单元门禁" in listed and "决定生效后开始" in listed, listed
    early = await ask(group, "/progress 1 10 已联系厂家", people["zhang"], "#1")
    assert "公示" in early and "尚未开始" in early, early

    now = running.app.clock.now()
    await final_publicity(running, place, 1, now)
    await move_to(world, now, timedelta(minutes=1))
    told = await said(zhang_dm, "督办#1")
    assert "/progress 1" in told["text"], told
    started = await said(group, "已开始")
    assert "物业公司" in started["text"], started

    saved = await ask(group, "/progress 1 ６０％ 设备已<b>到货</b>", people["zhang"], "进度")
    assert "60%" in saved, saved
    history = await ask(group, "/actions 1", people["outsider"], "#1")
    assert "60%" in history and "张经理" in history and "<b>到货</b>" in history, history
    listed = await ask(group, "/actions", people["wang"], "督办")
    assert "60%" in listed and "逾期" not in listed, listed
    in_grid = await ask(place.grid_group, "/actions", people["wang"], "督办")
    assert "#1" in in_grid, "the grid's list includes its buildings' items"

    refused = await ask(group, "/done 1", people["li"], "#1")
    assert "张经理" in refused and "主持人" in refused, refused
    done = await ask(group, "/done 1", people["zhang"], "#1")
    assert "已完成" in done, done
    request = await said(group, "满意")
    assert buttons(request) == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]
    again = await ask(group, "/done 1", people["moderator"], "#1")
    assert "已经完成" in again, again
    late = await ask(group, "/progress 1 100 补充", people["zhang"], "#1")
    assert "已经完成" in late, late
