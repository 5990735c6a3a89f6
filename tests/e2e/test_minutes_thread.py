"""Minutes of an agenda item through the monthly cycle: the month's chair (from the rotation)
gets the draft, its summary quotes what residents said in the item's thread, the published
minutes go to that thread; an upheld objection puts the item first on next month's agenda."""

from __future__ import annotations

from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import AgendaItem, MinutesRecord
from tests.conftest import start_bot
from tests.e2e.cycle_estate import (
    at,
    configure,
    fast_virtual,
    following,
    move_to,
    next_cycle,
    raise_with_support,
    rotation,
    skip_said,
)
from tests.e2e.decision_estate import skip, tick
from tests.e2e.proposals_estate import estate, eventually

THREAD = (
    ("li", "我家支持装门禁，晚上经常有外人进楼道。"),
    ("sun", "同意装门禁，但是费用必须公开，最好比价三家。"),
    ("zhou", "我担心老人不会用门禁卡，希望保留人工开门的办法。"),
    ("wu", "反对按户平摊，一楼住户用不到电梯口的门禁。"),
)


async def test_the_months_chair_gets_minutes_drawn_from_the_thread(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world)
        group, people = place.group, place.people
        await configure(
            running, place, day="每月11日 19:00", threshold="2", agenda="1", vote="D+1 19:00"
        )
        await rotation(running, place)
        card = await raise_with_support(place, "7栋安装门禁系统", "wang", ["li", "sun"])
        month = await next_cycle(running, place)
        zhao_dm = await people["zhao"].private_chat()
        moderator_dm = await people["moderator"].private_chat()
        await move_to(world, at(month, Phase.FREEZE))
        await move_to(world, at(month, Phase.DELIBERATION))
        said = await group.transcript()
        anchor = next(m for m in said if m.get("pinned"))
        for who, text in THREAD:
            await group.reply(anchor["message_id"], text, by=people[who])
        await skip_said(group)
        await group.send("/vote #1 | | 过半数", by=people["zhao"])
        [summary] = await group.wait_bot_messages(1)
        await group.press(summary, "发起表决", by=people["zhao"])
        [ballot] = await group.wait_bot_messages(1)
        for who in ("wang", "li", "zhao", "sun", "zhou"):
            await group.press(ballot, "同意", by=people[who])
        await group.send("/closevote 1", by=people["zhao"])
        await group.wait_bot_messages(2)
        await tick(world)

        [draft] = await zhao_dm.wait_bot_messages(1)  # the month's chair, not a moderator
        await moderator_dm.expect_silence(0.2)
        text = draft["text"]
        assert "轮值主席：赵敏" in text and "提议人：王芳" in text
        assert "讨论：4 人参与，共 4 条发言" in text
        assert "李强" in text and "费用必须公开" in text
        quoted = [text.index(said) for _, said in THREAD if said in text]
        assert len(quoted) >= 3 and quoted == sorted(quoted), "quoted in the thread's order"
        async with running.app.db.session() as s:
            record = await s.scalar(select(MinutesRecord))
        assert record.item_id is not None and record.chair_member_id is not None

        await skip(group)
        await zhao_dm.press(draft, "发布", by=people["zhao"])
        minutes, _document, notice = await group.wait_bot_messages(3)
        assert minutes["reply_to_message"]["message_id"] == anchor["message_id"]  # its thread
        assert minutes["text"].startswith("会议纪要：7栋安装门禁系统")

        # An upheld objection: first on next month's agenda again.
        await skip(await people["li"].private_chat())
        await group.press(notice, "提出异议", by=people["li"])
        li_dm = await people["li"].private_chat()
        await li_dm.send("一楼住户没有被征求意见。", by=people["li"])
        await li_dm.wait_bot_messages(2)
        await skip(moderator_dm)
        await moderator_dm.send("/objection 1 uphold 确实漏了一楼住户。", by=people["moderator"])
        await moderator_dm.wait_bot_messages(1)
        second = await following(running, place, month)
        await skip(group)
        await move_to(world, at(second, Phase.FREEZE))
        said = [m["text"] for m in await group.transcript() if "议程已确定" in m.get("text", "")]
        assert "议题1：第1号 7栋安装门禁系统" in said[-1]
        assert "重新列入议程：公示期间第1号异议成立——一楼住户没有被征求意见。" in said[-1]
        shown = await eventually(group, card["message_id"], lambda m: "异议成立" in m["text"])
        assert (  # the item carries its objection onto the new agenda
            "状态：已列入议程（重新列入议程：公示期间第1号异议成立——一楼住户没有被征求意见。）"
            in shown["text"]
        )


async def test_in_a_forum_the_minutes_go_to_the_items_topic_and_the_group(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world, forum=True)
        group, people = place.group, place.people
        rights = {"can_manage_topics": True, "can_pin_messages": True}
        await group.set_member(await world.bot_id(), "administrator", rights=rights)
        await group.wait_bot_messages(1)  # thanks for the rights
        await configure(
            running, place, day="每月11日 19:00", threshold="2", agenda="1", vote="D+1 19:00"
        )
        await raise_with_support(place, "楼道堆物清理", "sun", ["zhao", "li"])
        month = await next_cycle(running, place)
        moderator_dm = await people["moderator"].private_chat()  # no rotation: no chair
        await moderator_dm.send("/start")  # told of the rights before: reachable only now
        await moderator_dm.wait_bot_messages(1)
        await move_to(world, at(month, Phase.FREEZE))
        async with running.app.db.session() as s:
            [item] = (await s.scalars(select(AgendaItem))).all()
        await skip(group)
        await group.send("东西太多了，消防通道被堵。", by=people["li"], thread=item.thread_id)
        await group.send("/vote #1 | | 过半数", by=people["moderator"], thread=item.thread_id)
        [summary] = await group.wait_bot_messages(1)
        await group.press(summary, "发起表决", by=people["moderator"])
        [ballot] = await group.wait_bot_messages(1)
        for who in ("sun", "zhao", "li", "wang", "zhou"):
            await group.press(ballot, "同意", by=people[who])
        await group.send("/closevote 1", by=people["moderator"])
        await group.wait_bot_messages(2)
        await tick(world)
        [draft] = await moderator_dm.wait_bot_messages(1)  # the opener, here the moderator
        assert "李强：东西太多了，消防通道被堵。" in draft["text"]
        await skip(group)
        await group.send("/minutes 1", by=people["moderator"])
        said = await group.wait_bot_messages(5)
        in_topic = [m for m in said if m.get("message_thread_id") == item.thread_id]
        assert [m["text"].split("\n")[0] for m in in_topic if "text" in m][:1] == [
            "会议纪要：楼道堆物清理"
        ]
        outside = [m for m in said if m.get("message_thread_id") != item.thread_id]
        assert outside[0]["text"].startswith("会议纪要：楼道堆物清理")
        assert any(m.get("document") for m in outside)
        notice = next(m for m in outside if m.get("text", "").startswith("公示："))
        assert (await group.message(notice["message_id"]))["pinned"]
