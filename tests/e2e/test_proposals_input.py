"""Bad input for every way of raising, in both languages; HTML and full-width text; and
proposals outside a bound group."""

from __future__ import annotations

import pytest

from tests.driver import buttons
from tests.e2e.proposals_estate import estate

LONG_TITLE = "请" * 61
LONG_DETAILS = "门禁" * 1001


@pytest.mark.parametrize("way", ["/propose", "#提案"])
async def test_bad_titles_are_explained_in_chinese(running, world, way):
    place = await estate(running, world)
    group, zhao = place.group, place.people["zhao"]
    for text, expected in [
        (f"{way}", "请在命令后写提案标题"),
        (f"{way}   \n  ", "请在命令后写提案标题"),
        (f"{way} 门禁", "标题太短：请用至少4个字说明提案内容。"),
        (f"{way} ！！！！！", "标题太短"),
        (f"{way} {LONG_TITLE}", "标题太长（61个字，最多60个字）"),
        (f"{way} 7栋安装门禁系统\n{LONG_DETAILS}", "详情太长（2002个字，最多2000个字）"),
    ]:
        await group.send(text, by=zhao)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (text, answer["text"])
    await group.send("/proposals", by=zhao)
    [listing] = await group.wait_bot_messages(1)
    assert "这里还没有征集中的提案" in listing["text"]  # nothing was created


async def test_bad_titles_are_explained_in_english(running, world):
    place = await estate(running, world, language="en")
    group, zhao = place.group, place.people["zhao"]
    for text, expected in [
        ("/propose", "Write the proposal's title after the command"),
        ("#提案 门禁", "The title is too short"),
        (f"/propose {LONG_TITLE}", "The title is too long (61 characters; at most 60)"),
        ("/second", "Give the proposal's number, e.g. /second 3."),
        ("/second 42", "There is no proposal No. 42 here."),
        ("/proposal abc", "Give the proposal's number"),
    ]:
        await group.send(text, by=zhao)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (text, answer["text"])


async def test_html_full_width_and_emoji_are_taken_as_typed(running, world):
    place = await estate(running, world)
    group, zhao = place.group, place.people["zhao"]
    await group.send("/propose <b>楼道灯</b>坏了 & 要修\n<script>alert(1)</script>", by=zhao)
    [card] = await group.wait_bot_messages(1)
    assert card["text"].startswith("第1号提案：<b>楼道灯</b>坏了 & 要修")
    assert "<script>alert(1)</script>" in card["text"]
    assert not [e for e in card.get("entities", []) if e["type"] == "bold" and e["offset"] > 6]

    await group.send("＃提案　５栋　增加　晾衣架", by=zhao)  # full-width tag, digits and spaces
    [card] = await group.wait_bot_messages(1)
    assert card["text"].startswith("第2号提案：5栋 增加 晾衣架")

    await group.send("#提案 🚗🚗🚗", by=zhao)  # three characters, however many code points
    [answer] = await group.wait_bot_messages(1)
    assert "标题太短" in answer["text"]
    await group.send("#提案 👨‍👩‍👧‍👦活动室开放时间", by=zhao)
    [card] = await group.wait_bot_messages(1)
    assert card["text"].startswith("第3号提案：👨‍👩‍👧‍👦活动室开放时间")


async def test_outside_a_bound_group(running, world):
    place = await estate(running, world)
    dm = await place.people["newcomer"].private_chat()  # in private, /propose guides (see
    await dm.send("/propose 7栋安装门禁系统")  # test_proposals_dialogue): not knowing where
    [answer] = await dm.wait_bot_messages(1)  # the newcomer lives, it sends them to /join
    assert "我还不知道你住在哪里" in answer["text"] and "/join" in answer["text"]
    other = await world.group("闲聊群", [place.people["zhao"]])
    await other.send("#提案 7栋安装门禁系统")
    [answer] = await other.wait_bot_messages(1)
    assert "请在已绑定社区、网格或楼栋的群里提出提案" in answer["text"]
    assert not buttons(answer)


async def test_a_forum_proposal_stays_in_its_topic(running, world):
    place = await estate(running, world, forum=True)
    group, zhao = place.group, place.people["zhao"]
    topic = await world.call(
        "POST", f"/chats/{group.id}/topics", json={"user_id": zhao.id, "name": "物业"}
    )
    thread = topic["message_thread_id"]
    await group.send("/propose 7栋安装门禁系统", by=zhao, thread=thread)
    [card] = await group.wait_bot_messages(1)
    assert card.get("message_thread_id") == thread
    await group.send("#提案 给七栋装个门禁吧", by=place.people["li"], thread=thread)
    [offer] = await group.wait_bot_messages(1)
    assert offer.get("message_thread_id") == thread and "第1号" in offer["text"]
    await group.press(offer, "仍然新建", by=place.people["li"])
    [second] = await group.wait_bot_messages(1)
    assert second["text"].startswith("第2号提案：给七栋装个门禁吧")
    assert second.get("message_thread_id") == thread
