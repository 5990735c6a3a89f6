"""Objections beyond the scenario: wrong arguments and unknown ids, an over-long reason and
cancelling, a supervisor's procedural objection after the window, a window that ended while the
bot was down (announced once, late), and objections in /mydata and /forgetme."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import ActionItem, Household, Objection, Publicity
from tests import factories
from tests.conftest import start_bot
from tests.e2e.cycle_estate import fast_virtual
from tests.e2e.decision_estate import decide, estate, skip, tick
from tests.e2e.test_scenario_06_publicity import published


async def test_bad_input_and_procedural_objections(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        d = await estate(running, running.world)
        group, p, dms = d.group, d.people, d.dms
        mod, sup = dms["moderator"], dms["supervisor"]

        async def said(chat, text: str, by: str, people=p) -> str:
            await skip(chat)
            await chat.send(text, by=people[by])
            [answer] = await chat.wait_bot_messages(1)
            return answer["text"]

        assert await said(group, "/objections", "wang") == "请写明表决编号，例如 /objections 3。"
        await decide(d, "7栋安装门禁系统", 1, 1)
        assert await said(group, "/objections 1", "wang") == (
            "第1号表决的会议纪要尚未发布，还没有可提出异议的公示。"
        )
        notice = await published(d, running, 1)
        assert (
            await said(group, "/objections abc", "wang") == "请写明表决编号，例如 /objections 3。"
        )
        assert await said(group, "/objections ９", "wang") == "本社区没有第9号表决。"
        assert "暂无异议。" in await said(group, "/objections", "wang")  # the latest 公示

        # An over-long reason is refused and the dialogue stays; cancel ends it.
        await skip(dms["wang"])
        await group.press(notice, "提出异议", by=p["wang"])
        [asked] = await dms["wang"].wait_bot_messages(1)
        assert await said(dms["wang"], "长" * 1001, "wang") == (
            "理由共1001字，超过1000字的上限。请精简后重新发送。"
        )
        await dms["wang"].press(asked, "取消", by=p["wang"])
        assert (await dms["wang"].message(asked["message_id"]))["text"] == "已取消，未提出异议。"
        await dms["wang"].send("现在说的话不是异议", by=p["wang"])
        async with running.app.db.session() as s:
            assert (await s.scalars(select(Objection))).all() == []

        # A resident who never opened a private chat with the bot is told how to.
        newcomer = await running.world.user("新邻居")
        async with running.app.db.session() as s:
            home = await s.scalar(select(Household.id).where(Household.code == "7-1-103"))
        await factories.member(running.app.db, newcomer.id, "新邻居", household_id=home)
        await group.set_member(newcomer.id, "member")
        cannot = await group.press(notice, "提出异议", by=newcomer)
        assert cannot["show_alert"] and cannot["text"].startswith("我还无法私信你")

        # Deciding: wrong arguments, unknown ids, no reason.
        await skip(mod)
        assert await said(mod, "/objection", "moderator") == (
            "请写明异议编号和处理结果，例如：/objection 3 reject 表决程序合规，或 /objection 3 "
            "uphold 通知从未张贴。"
        )
        assert await said(mod, "/objection 1 maybe 不知道", "moderator") == (
            "请写明“reject”（驳回）或“uphold”（成立），例如：/objection 3 reject 理由。"
        )
        assert await said(mod, "/objection 1 reject", "moderator") == "请用文字写明理由。"
        assert await said(mod, "/objection 42 reject 没有这条", "moderator") == (
            "本社区没有第42号异议。"
        )

        # Procedural objections: supervisors only, and even after the window.
        assert (await said(group, "/objection procedural 1 通知未张贴", "wang")).startswith(
            "只有监事"
        )
        async with running.app.db.write() as s:  # the window ended while the bot was down
            row = await s.scalar(select(Publicity))
            row.ends_at = running.app.clock.now() - timedelta(hours=2)
        await skip(group)
        await tick(running.world)
        [final] = await group.wait_bot_messages(1)
        assert "公示期满，没有异议成立" in final["text"] and "补发通知" in final["text"]
        assert not (await group.message(notice["message_id"]))["pinned"]
        await tick(running.world, 3600)
        await group.expect_silence(0.3)  # announced once
        late = await group.press(notice, "提出异议", by=p["li"])
        assert late["text"] == "第1号表决的公示已结束，不再受理异议。"
        await skip(mod)
        assert await said(sup, "/objection procedural 1 唱票时无人监督。", "supervisor") == (
            "对第1号表决的第1号程序异议已记录，由主持人处理。"
        )
        [told] = await mod.wait_bot_messages(1)
        assert told["text"].startswith(
            "监事对“7栋安装门禁系统”的决定（第1号表决）提出第1号程序异议"
        )
        listed = await said(group, "/objections 1", "li")
        assert "第1号（待处理）：唱票时无人监督。〔程序异议〕" in listed
        assert "公示已结束，决定正式生效。" in listed

        # Upheld after the decision became final: its started action items wait again.
        added = await said(group, "/action add 1 公开唱票记录 | 主席 | +14d", "chair")
        assert added.startswith("已设立督办#1"), added
        await skip(group)
        await tick(running.world)
        [opened] = await group.wait_bot_messages(1)
        assert "督办#1已开始" in opened["text"], opened
        await said(mod, "/objection 1 uphold 唱票确实无人监督。", "moderator")
        async with running.app.db.session() as s:
            assert (await s.scalar(select(ActionItem.status))) == "waiting"
            assert (await s.scalar(select(Publicity.status))) == "suspended"


async def test_objections_in_mydata_and_forgetme(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        d = await estate(running, running.world)
        group, p, dms = d.group, d.people, d.dms
        await decide(d, "7栋安装门禁系统", 1, 1)
        notice = await published(d, running, 1)
        li = dms["li"]
        await skip(li)
        await group.press(notice, "提出异议", by=p["li"])
        await li.wait_bot_messages(1)
        await li.send("费用没公开。", by=p["li"])
        await li.wait_bot_messages(1)
        await li.send("/mydata", by=p["li"])
        [mine] = await li.wait_bot_messages(1)
        assert "对第1号表决提出的第1号异议（待处理）：费用没公开。" in mine["text"]
        await li.send("/forgetme", by=p["li"])
        [confirm] = await li.wait_bot_messages(1)
        await li.press(
            confirm, confirm["reply_markup"]["inline_keyboard"][0][0]["text"], by=p["li"]
        )
        await skip(dms["supervisor"])
        await dms["supervisor"].send("/objections 1", by=p["supervisor"])
        [listed] = await dms["supervisor"].wait_bot_messages(1)
        assert "第1号（待处理）：费用没公开。———" in listed["text"]
        assert "李强" not in listed["text"]
        async with running.app.db.session() as s:
            objection = await s.scalar(select(Objection))
        assert objection.member_id is None and objection.household_id is None
