"""Scenario 06, 公示 with objections, through the sandbox on the virtual clock: the minutes are
published and the 公示 pinned with its end; residents object (staff see who, everyone reads the
texts); the moderator rejects one and upholds another — the decision is suspended and the item
goes back onto next month's agenda; another decision's window closes with none upheld and it
becomes final, unpinned; a supervisor verifies a closed vote's tally."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AgendaItem, AuditEvent, Objection, Proposal, Publicity
from tests.conftest import start_bot
from tests.driver import buttons
from tests.e2e.cycle_estate import fast_virtual
from tests.e2e.decision_estate import ONE_WEEK, decide, estate, skip, tick


async def published(d, running, vote_id: int) -> dict:
    """The chair publishes vote ``vote_id``'s draft; returns the pinned notice."""
    await tick(running.world)
    chair_dm = d.dms["chair"]
    [draft] = await chair_dm.wait_bot_messages(1)
    await skip(d.group)
    await chair_dm.press(draft, "发布", by=d.people["chair"])
    _minutes, _document, notice = await d.group.wait_bot_messages(3)
    return notice


async def test_scenario_06_publicity_with_objections(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world, db = running.world, running.app.db
        d = await estate(running, world)
        group, p, dms = d.group, d.people, d.dms

        # 1. A decision's minutes are published and pinned with a 7-day window.
        await decide(d, "7栋安装门禁系统", 1, 1)
        notice = await published(d, running, 1)
        assert "异议受理至" in notice["text"] and buttons(notice) == ["提出异议"]
        assert (await group.message(notice["message_id"]))["pinned"]

        # 2. Residents object with a reason; the moderator and the supervisor see who.
        for dm in dms.values():
            await skip(dm)
        toast = await group.press(notice, "提出异议", by=p["wang"])
        assert toast["text"] == "已私信你，请在私聊中写明异议理由。"
        [asked] = await dms["wang"].wait_bot_messages(1)
        assert asked["text"].startswith("请用一条消息写下你对第1号表决决定的异议")
        await dms["wang"].send("门禁费用<b>太高</b>，没有比价。", by=p["wang"])
        [recorded] = await dms["wang"].wait_bot_messages(1)
        assert recorded["text"].startswith("你的第1号异议已记录。")
        for staff in ("moderator", "supervisor"):
            [told] = await dms[staff].wait_bot_messages(1)
            assert told["text"].startswith(
                "王芳对“7栋安装门禁系统”的决定（第1号表决）提出第1号异议"
            )
            assert "门禁费用<b>太高</b>，没有比价。" in told["text"]
        await group.press(notice, "提出异议", by=p["li"])
        await dms["li"].wait_bot_messages(1)
        await dms["li"].send("表决通知只提前了一天，很多户不知道。", by=p["li"])
        await dms["li"].wait_bot_messages(1)

        # An outsider (no household) may not object; nobody sees names but staff.
        refused = await group.press(notice, "提出异议", by=p["outsider"])
        assert refused["show_alert"] and "/join" in refused["text"]
        await group.send("/objections 1", by=p["son"])
        [listed] = await group.wait_bot_messages(1)
        assert "第1号（待处理）：门禁费用<b>太高</b>，没有比价。" in listed["text"]
        assert "第2号（待处理）：表决通知只提前了一天" in listed["text"]
        assert "王芳" not in listed["text"] and "李强" not in listed["text"]
        [told] = await dms["supervisor"].wait_bot_messages(1)  # of 李强's objection
        assert told["text"].startswith("李强对")
        await skip(dms["moderator"])
        await dms["supervisor"].send("/objections 1", by=p["supervisor"])
        [named] = await dms["supervisor"].wait_bot_messages(1)
        assert "——王芳" in named["text"] and "——李强" in named["text"]

        # 3. The moderator rejects one (with a reason; the objector is told), upholds the other.
        await group.send("/objection 1 reject 已比价三家", by=p["wang"])
        [not_staff] = await group.wait_bot_messages(1)
        assert not_staff["text"].startswith("只有主持人")
        mod = dms["moderator"]
        await mod.send("/objection 1 reject 已比价三家，费用合理。", by=p["moderator"])
        [done] = await mod.wait_bot_messages(1)
        assert done["text"] == "第1号异议处理结果：已拒绝，已告知提出人。"
        [wang_told] = await dms["wang"].wait_bot_messages(1)
        assert wang_told["text"] == (
            "你对“7栋安装门禁系统”决定提出的第1号异议处理结果：已拒绝。理由：已比价三家，费用合理。"
        )
        await mod.send("/objection 1 uphold 改主意了", by=p["moderator"])
        [twice] = await mod.wait_bot_messages(1)
        assert twice["text"] == "第1号异议已经处理过了：已拒绝。"
        await skip(group)
        await skip(dms["wang"])
        await mod.send("/objection ２ uphold 通知期不足，程序有瑕疵。", by=p["moderator"])
        await mod.wait_bot_messages(1)
        [li_told] = await dms["li"].wait_bot_messages(1)
        assert "处理结果：异议成立" in li_told["text"]
        [suspended] = await group.wait_bot_messages(1)
        assert suspended["text"].startswith("“7栋安装门禁系统”的决定（第1号表决）暂缓执行")
        assert (
            "重新列入下月议程" in suspended["text"] and "表决通知只提前了一天" in suspended["text"]
        )
        assert not (await group.message(notice["message_id"]))["pinned"]
        [returned] = await dms["wang"].wait_bot_messages(1)  # the proposer
        assert returned["text"] == (
            "你的第1号提案“7栋安装门禁系统”将重新列入下月议程：对其决定的第2号异议成立"
            "（通知期不足，程序有瑕疵。）。"
        )
        async with db.session() as s:
            row = await s.scalar(select(Publicity).where(Publicity.vote_id == 1))
            proposal = await s.scalar(select(Proposal).where(Proposal.number == 1))
            item = await s.scalar(select(AgendaItem).where(AgendaItem.proposal_id == proposal.id))
        assert row.status == "suspended"
        assert proposal.status in ("open", "supported") and "第2号异议成立" in proposal.reason
        assert item.status == "postponed"
        late = await group.press(notice, "提出异议", by=p["son"])
        assert late["show_alert"] and late["text"] == "第1号表决的公示已结束，不再受理异议。"

        # 4. Another decision: its window closes with no objection upheld → final, unpinned.
        await decide(d, "楼道加装扶手", 2, 2)
        notice = await published(d, running, 2)
        await skip(dms["wang"])
        await skip(mod)
        await group.press(notice, "提出异议", by=p["wang"])
        await dms["wang"].wait_bot_messages(1)
        await dms["wang"].send("扶手颜色不好看。", by=p["wang"])
        await dms["wang"].wait_bot_messages(1)
        [told] = await mod.wait_bot_messages(1)
        assert "提出第3号异议：扶手颜色不好看。" in told["text"]
        await mod.send("/objection 3 reject 颜色可以再议，不影响决定。", by=p["moderator"])
        [rejected] = await mod.wait_bot_messages(1)
        assert rejected["text"] == "第3号异议处理结果：已拒绝，已告知提出人。"
        await skip(group)
        await tick(world, ONE_WEEK.total_seconds())
        [final] = await group.wait_bot_messages(1)
        assert final["text"].startswith("“楼道加装扶手”的决定（第2号表决）公示期满，没有异议成立")
        assert "补发" not in final["text"]
        assert not (await group.message(notice["message_id"]))["pinned"]
        async with db.session() as s:
            row = await s.scalar(select(Publicity).where(Publicity.vote_id == 2))
            statuses = (await s.scalars(select(Objection.status).order_by(Objection.id))).all()
            actions = (await s.scalars(select(AuditEvent.action))).all()
        assert row.status == "final" and row.ended_at is not None
        assert statuses == ["rejected", "upheld", "rejected"]
        for action in ("objection.raised", "objection.rejected", "objection.upheld"):
            assert action in actions
        assert {"publicity.suspended", "publicity.final"} <= set(actions)
        late = await group.press(notice, "提出异议", by=p["li"])
        assert late["text"] == "第2号表决的公示已结束，不再受理异议。"

        # 5. A supervisor verifies the tally of a closed vote at any time.
        await group.send("/verify 1", by=p["supervisor"])
        [verified] = await group.wait_bot_messages(1)
        assert "第1号表决" in verified["text"] and "NOT" not in verified["text"]
        assert "未通过核验" not in verified["text"]
