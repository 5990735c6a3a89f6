"""Scenario 01, steps 4–7, on the virtual clock: reminders with the support still needed, the
agenda freeze with the rotating chair, the 协商日 with a thread per item and the chair opening a
vote, then the next months: the next chair, and a month without agenda that keeps the rotation.
(Steps 1–3 are tests/e2e/test_proposals_scenario.py.)"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import AgendaItem, CycleRun, ItemMessage, Proposal, RoleGrant, Vote
from tests.conftest import start_bot
from tests.driver import buttons
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
    until,
)
from tests.e2e.proposals_estate import estate

MINUTE = timedelta(minutes=1)
SUPPORT = [  # title, proposer, seconding households' people: 6, 5, 5, 5, 2, 1 households
    ("增设电动车充电桩", "zhao", ["qian", "sun", "zhou", "wu"]),
    ("楼道堆物清理", "sun", ["zhao", "qian", "zhou", "wu"]),
    ("7栋安装门禁系统", "wang", ["li", "zhao", "sun", "zhou", "wu"]),
    ("调整垃圾分类投放时间", "zhou", ["wu", "li", "qian", "wang"]),
    ("广场舞音量太大扰民", "qian", ["li"]),
    ("停车位重新划线", "wu", []),
]


async def test_scenario_01_reminders_freeze_day_and_rotation(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world)
        group, people = place.group, place.people
        await configure(
            running, place, day="每月11日 19:00", threshold="5", agenda="3", vote="D+1 19:00"
        )
        await rotation(running, place)
        for title, by, seconds in SUPPORT:
            await raise_with_support(place, title, by, seconds)
        month = await next_cycle(running, place)

        # 4. D−7 and D−1: the leading proposals and what each still needs.
        await move_to(world, at(month, Phase.REMINDER_1))
        [reminder] = await group.wait_bot_messages(1)
        assert (
            reminder["text"].startswith("提醒：小桃园社区的协商日是2026-")
            or "协商日是" in reminder["text"]
        )
        assert "第3号 7栋安装门禁系统：6户附议，已达到列入议程的门槛" in reminder["text"]
        assert "第5号 广场舞音量太大扰民：2户附议，还差3户" in reminder["text"]
        assert "停机" not in reminder["text"]
        await move_to(world, at(month, Phase.FREEZE) - MINUTE)
        await group.expect_silence(0.2)
        wang_dm = await people["wang"].private_chat()
        await wang_dm.send("/start")  # so the bot may write to the proposer of No. 3
        await wang_dm.wait_bot_messages(1)

        # 5. D−3: the top three at or above five households, by support, ties earlier first;
        # the first in the rotation chairs; each item gets a pinned anchor (no topics here).
        await move_to(world, at(month, Phase.FREEZE))
        announcement, *anchors = await group.wait_bot_messages(4)
        assert "本月轮值主席：赵敏" in announcement["text"]
        assert (
            "议题1：第3号 7栋安装门禁系统（6户附议）\n\n议题2：第1号 增设电动车充电桩（5户附议）"
            "\n\n议题3：第2号 楼道堆物清理（5户附议）" in announcement["text"]
        )
        assert "另有3个提案保留到下个月" in announcement["text"]
        assert [a["text"].split("\n")[0] for a in anchors] == [
            "议题1：第3号 7栋安装门禁系统（6户附议）",
            "议题2：第1号 增设电动车充电桩（5户附议）",
            "议题3：第2号 楼道堆物清理（5户附议）",
        ]
        assert all(a["pinned"] for a in [await group.message(a["message_id"]) for a in anchors])
        assert await statuses(running) == {
            1: "on_agenda",
            2: "on_agenda",
            3: "on_agenda",
            4: "supported",
            5: "open",
            6: "open",
        }
        assert await chair_holders(running) == [people["zhao"].id]
        [told] = await wang_dm.wait_bot_messages(1)  # each proposer hears it privately
        assert told["text"] == "第3号提案“7栋安装门禁系统”已列入议程。"

        await move_to(world, at(month, Phase.REMINDER_2))
        [reminder] = await group.wait_bot_messages(1)
        assert "第4号 调整垃圾分类投放时间：5户附议" in reminder["text"]
        assert "第3号" not in reminder["text"]  # on the agenda now

        # 6. The 协商日: the chair is prompted in each item's thread; what residents say there
        # is kept with the item; the chair opens a vote, a resident may not.
        await move_to(world, at(month, Phase.DELIBERATION))
        opening, *prompts = texts(await group.wait_bot_messages(4))
        assert (
            "小桃园社区的协商日开始了" in opening["text"]
            and "本月轮值主席：赵敏" in opening["text"]
        )
        assert [p["reply_to_message"]["message_id"] for p in prompts] == [
            a["message_id"] for a in anchors
        ]
        assert "请赵敏开始本议题的讨论" in prompts[0]["text"] and "/vote #3" in prompts[0]["text"]
        said = await group.reply(anchors[0]["message_id"], "我家支持装门禁", by=people["li"])
        await until(partial(kept, running), {1: ["我家支持装门禁"]})
        await group.reply(said, "<b>同意</b>，但费用要公开", by=people["sun"])
        await group.send("今天天气不错", by=people["wu"])  # not in a thread
        await group.send("/vote #1 | | 过半数", by=people["qian"])
        [refused] = await group.wait_bot_messages(1)
        assert "只有" in refused["text"]
        await group.send("/vote #3 | | 过半数", by=people["zhao"])
        [summary] = await group.wait_bot_messages(1)
        await group.press(summary, "发起表决", by=people["zhao"])
        [ballot] = await group.wait_bot_messages(1)
        assert "7栋安装门禁系统" in ballot["text"]
        assert ballot["reply_to_message"]["message_id"] == anchors[0]["message_id"]  # its thread
        await until(partial(kept, running), {1: ["我家支持装门禁", "<b>同意</b>，但费用要公开"]})

        # Votes open by the rule (D+1 here) on the items the chair did not open.
        await move_to(world, at(month, Phase.VOTE_OPEN))
        said = texts(await group.wait_bot_messages(4))
        assert sum("第1号表决" in m["text"] or "表决（第" in m["text"] for m in said) == 2
        async with running.app.db.session() as s:
            opened = (await s.execute(select(Vote.proposal_id))).scalars().all()
        assert sorted(opened) == [1, 2, 3]
        ballots = [m for m in said if m.get("reply_markup")]  # the items' ballots: threads
        assert ballots and all(
            m["reply_to_message"]["message_id"] in {a["message_id"] for a in anchors}
            for m in ballots
        ), [(m["text"][:30], m.get("reply_to_message", {}).get("message_id")) for m in ballots]

        # 7. Next month: the next chair, passing over a household nobody in the bot lives in.
        second = await following(running, place, month)
        await move_to(world, at(second, Phase.FREEZE))
        announcement = await first_text(group, "议程已确定")
        assert "本月轮值主席：周涛" in announcement and "议题1：第4号" in announcement
        assert await chair_holders(running) == [people["zhou"].id]

        # A month with nothing over the threshold: "no agenda", and the rotation waits.
        third = await following(running, place, month, 2)
        await move_to(world, at(third, Phase.FREEZE))
        announcement = await first_text(group, "没有议程")
        assert "没有提案达到5户附议" in announcement and "轮值主席" not in announcement
        card5 = next(
            m for m in await group.transcript() if m.get("text", "").startswith("第5号提案")
        )
        for who in ("zhao", "sun", "zhou"):
            await group.press(
                card5, next(b for b in buttons(card5) if b.startswith("附议")), by=people[who]
            )
        fourth = await following(running, place, month, 3)
        await move_to(world, at(fourth, Phase.FREEZE))
        announcement = await first_text(group, "议程已确定")
        assert "本月轮值主席：王芳" in announcement and "议题1：第5号" in announcement
        async with running.app.db.session() as s:
            runs = (await s.execute(select(CycleRun.month, CycleRun.phase, CycleRun.late))).all()
        assert not any(late for *_, late in runs)
        assert len({(m, p) for m, p, _ in runs}) == len(runs)


def texts(messages: list[dict]) -> list[dict]:
    """The bot's text messages (not the service messages of its pins)."""
    return [m for m in messages if "text" in m]


async def first_text(group, words: str) -> str:
    """The first new bot text containing ``words``; the cursor moves past everything said."""
    found = [
        m["text"]
        for m in await group.transcript()
        if m["message_id"] > group.cursor and words in m.get("text", "")
    ]
    await skip_said(group)
    assert found, f"nothing said with {words!r}"
    return found[0]


async def statuses(running) -> dict[int, str]:
    async with running.app.db.session() as s:
        return dict((await s.execute(select(Proposal.number, Proposal.status))).all())


async def chair_holders(running) -> list[int]:
    from storage.models import Member

    async with running.app.db.session() as s:
        rows = await s.execute(
            select(Member.tg_user_id)
            .join(RoleGrant, RoleGrant.member_id == Member.id)
            .where(RoleGrant.role == "chair", RoleGrant.revoked_at.is_(None))
        )
        return list(rows.scalars().all())


async def kept(running) -> dict[int, list[str]]:
    async with running.app.db.session() as s:
        rows = await s.execute(
            select(AgendaItem.position, ItemMessage.text)
            .join(AgendaItem, AgendaItem.id == ItemMessage.item_id)
            .order_by(ItemMessage.id)
        )
    found: dict[int, list[str]] = {}
    for position, text in rows.all():
        found.setdefault(position, []).append(text)
    return found
