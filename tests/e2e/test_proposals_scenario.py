"""Scenario 01, steps 1–3, through the sandbox: six proposals from several buildings, the
duplicate offered and seconded instead, households seconding until the threshold, a second
member of a counted household adding nothing, an unverified member told to /join; then the
list sorted by support and one proposal's support per building."""

from __future__ import annotations

from tests.driver import buttons
from tests.e2e.proposals_estate import estate, eventually

RAISED = [
    ("zhao", "/propose 增设电动车充电桩\n车棚里只有两个充电桩，晚上总要排队。", "增设电动车充电桩"),
    ("sun", "#提案 楼道堆物清理", "楼道堆物清理"),
    ("wang", "/propose 7栋安装门禁系统", "7栋安装门禁系统"),
    ("zhou", "#提案：调整垃圾分类投放时间", "调整垃圾分类投放时间"),
    ("qian", "/propose 广场舞音量太大扰民", "广场舞音量太大扰民"),
    ("wu", "#提案 停车位重新划线", "停车位重新划线"),
]


async def test_scenario_01_raising_duplicates_and_seconding(running, world):
    place = await estate(running, world)
    group, people = place.group, place.people
    wang_dm = await people["wang"].private_chat()

    # 1. Six proposals from residents of four buildings, by command and by #提案.
    cards = {}
    for number, (who, text, title) in enumerate(RAISED, start=1):
        await group.send(text, by=people[who])
        [card] = await group.wait_bot_messages(1)
        assert card["text"].startswith(f"第{number}号提案：{title}"), card["text"]
        assert "还差4户可列入议程" in card["text"]
        assert buttons(card) == ["附议（1户）", "详情"]
        cards[number] = card
    assert "车棚里只有两个充电桩" in cards[1]["text"]

    # 2. The same matter in other words: the existing one is offered, and seconded instead.
    await group.send("/propose 给七栋装个门禁吧", by=people["li"])
    [offer] = await group.wait_bot_messages(1)
    assert "已有相似的提案" in offer["text"]
    assert "第3号：7栋安装门禁系统（1户附议）" in offer["text"]
    assert buttons(offer) == ["改为附议第3号", "仍然新建"]
    assert (await group.press(offer, "仍然新建", by=people["zhao"]))["show_alert"]  # not theirs
    await group.press(offer, "改为附议第3号", by=people["li"])
    edited = await group.message(offer["message_id"])
    assert edited["text"] == "附议成功：第3号提案现有2户附议。" and not buttons(edited)
    await eventually(group, cards[3]["message_id"], lambda m: "附议（2户）" in buttons(m))
    await group.expect_silence(0.3)  # no proposal No. 7

    # 3. Households second; the threshold (5 households) is reached and the proposer told.
    for who, expected in (("zhao", 3), ("sun", 4)):
        answer = await group.press(cards[3], "附议（1户）", by=people[who])
        assert answer["text"] == f"附议成功：第3号提案现有{expected}户附议。"
    son = await group.press(cards[3], "附议（1户）", by=people["son"])
    assert son["show_alert"]
    assert son["text"] == (
        "7-1-101户已经附议了第3号提案（由王芳附议）：附议按户计算，你再附议不会增加户数。"
    )
    newcomer = await group.press(cards[3], "附议（1户）", by=people["newcomer"])
    assert newcomer["show_alert"] and "/join" in newcomer["text"]
    await group.send("/second 3", by=people["zhou"])
    [fifth] = await group.wait_bot_messages(1)
    assert fifth["text"] == "附议成功：第3号提案现有5户附议。"
    [told] = await wang_dm.wait_bot_messages(1)
    assert "你的第3号提案“7栋安装门禁系统”已有5户附议" in told["text"]
    card3 = await eventually(group, cards[3]["message_id"], lambda m: "附议（5户）" in buttons(m))
    assert "已有5户附议，达到列入议程的门槛" in card3["text"]

    # Pressing again asks before withdrawing; only the one asked can answer.
    await group.press(cards[3], "附议（1户）", by=people["wang"])
    [ask] = await group.wait_bot_messages(1)
    assert ask["text"] == "王芳，你户已经附议了第3号提案。要撤回附议吗？"
    assert (await group.press(ask, "撤回附议", by=people["li"]))["show_alert"]
    await group.press(ask, "保留附议", by=people["wang"])
    assert (await group.message(ask["message_id"]))["text"] == "你户继续附议第3号提案。"

    # A few more seconds elsewhere, so the list has an order.
    await group.send("/second 1", by=people["qian"])
    await group.wait_bot_messages(1)

    await group.send("/proposals", by=people["newcomer"])
    [listing] = await group.wait_bot_messages(1)
    lines = [line for line in listing["text"].splitlines() if line]
    assert lines[0] == "征集中的提案，按附议户数排序（共6项）"
    assert lines[1] == "第3号：7栋安装门禁系统 — 5/5户"
    assert lines[2] == "第1号：增设电动车充电桩 — 2/5户"
    assert lines[3].startswith("第2号：楼道堆物清理")

    await group.send("/proposal 3", by=people["wu"])
    [detail] = await group.wait_bot_messages(1)
    assert "第3号提案：7栋安装门禁系统" in detail["text"]
    assert "状态：已达附议门槛" in detail["text"]
    assert "• 7栋：2户" in detail["text"] and "• 1栋：1户" in detail["text"]
    assert "• 3栋：1户" in detail["text"] and "• 5栋：1户" in detail["text"]
