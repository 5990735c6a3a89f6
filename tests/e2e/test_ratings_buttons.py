"""群众测评 through the bot: once an item is done, representatives are asked privately and the
group gets buttons; one rating per household (a double press changes nothing, a household
member's press changes it), the group's message shows the average and count; people who may
not rate are told why; after seven days the rating is closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.conftest import start_bot
from tests.driver import buttons
from tests.e2e.actions_estate import ask, decided_vote, estate, said, started
from tests.e2e.cycle_estate import fast_virtual, move_to
from tests.e2e.proposals_estate import eventually


@pytest.fixture
async def running(tmp_path):
    """On the virtual clock."""
    async for item in start_bot(fast_virtual(tmp_path)):
        yield item


async def done_item(running, world):
    """The estate with item #1 of the decided vote 1 done by 张经理; 王芳's private chat."""
    place = await estate(running, world)
    wang_dm = await place.people["wang"].private_chat()
    await decided_vote(place)
    group, people = place.building_group, place.people
    await started(running, place)
    await ask(group, "/done 1", people["zhang"], "已完成")
    return place, wang_dm


async def test_households_rate_once_and_the_group_sees_the_average(running, world):
    place, wang_dm = await done_item(running, world)
    group, people = place.building_group, place.people
    asked = await said(wang_dm, "满意吗")
    assert "每户一票" in asked["text"] and buttons(asked)[0] == "1 ★", asked
    board = await said(group, "满意吗")
    assert "暂无评价" in board["text"]

    first = await wang_dm.press(asked, "4 ★")
    assert first["text"] == "谢谢！你户评了4分。", first
    again = await wang_dm.press(asked, "4 ★")  # a double press
    assert again["text"] == "你户的4分评价已经记录过了。", again
    mine = await wang_dm.message(asked["message_id"])
    assert "1户评分，平均4.0分" in mine["text"] and "你户的4分" in mine["text"], mine
    assert buttons(mine), "changeable: the buttons stay"
    await eventually(group, board["message_id"], lambda m: "1户评分，平均4.0分" in m["text"])

    by_li = await group.press(board, "5 ★", by=people["li"])
    assert by_li["text"] == "谢谢！你户评了5分。"
    by_son = await group.press(board, "2 ★", by=people["son"])  # same household as 王芳
    assert by_son["text"] == "你户的评价已改为2分。", by_son
    await eventually(group, board["message_id"], lambda m: "2户评分，平均3.5分" in m["text"])

    for who, expected in (("outsider", "/join"), ("worker", "居民")):
        refused = await group.press(board, "1 ★", by=people[who])
        assert refused["show_alert"] and expected in refused["text"], (who, refused)
    anonymous = await group.press_as_anonymous_admin(board, "1 ★")
    assert anonymous["show_alert"] and "我无法知道你是谁" in anonymous["text"], anonymous

    await move_to(world, running.app.clock.now(), timedelta(days=7, minutes=1))
    closed = await wang_dm.press(asked, "5 ★")
    assert closed["show_alert"] and "督办#1的评价已截止" in closed["text"], closed
    history = await ask(group, "/actions 1", people["wang"], "#1")
    assert "2户评分，平均3.5分" in history, history


async def test_a_household_outside_the_decision_cannot_rate(running, world):
    place, _ = await done_item(running, world)
    await factories.building(running.app.db, place.place, "第一网格", "8栋")
    other = await factories.household(running.app.db, place.place, "8栋", "8-1-101")
    zhao = await world.user("赵敏")
    await factories.member(running.app.db, zhao.id, "赵敏", household_id=other, representative=True)
    await place.grid_group.set_member(zhao.id, "member")
    await place.building_group.set_member(zhao.id, "member")
    board = await said(place.building_group, "满意吗")
    refused = await place.building_group.press(board, "5 ★", by=zhao)
    assert refused["show_alert"] and "范围" in refused["text"], refused
