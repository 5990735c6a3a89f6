"""Minutes after a vote: drafted once when a vote on a proposal closes and sent to whoever chairs
(here the vote's opener: no rotation), the summary edited in a private dialogue (too long,
HTML, cancel), published once into the group with the printable copy and the pinned 公示."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, ChatBinding, MinutesRecord, Publicity
from tests.conftest import start_bot
from tests.driver import buttons
from tests.e2e.cycle_estate import fast_virtual
from tests.e2e.decision_estate import decide, estate, skip, tick


async def test_the_chair_edits_and_publishes_the_minutes_once(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        d = await estate(running, running.world)
        chair_dm, group = d.dms["chair"], d.group
        await decide(d, "7栋安装门禁系统", 1, 1)
        await tick(running.world)
        [draft] = await chair_dm.wait_bot_messages(1)
        assert draft["text"].startswith("第1号表决的会议纪要草稿")
        assert "会议纪要：7栋安装门禁系统" in draft["text"] and "轮值主席：主席" in draft["text"]
        assert buttons(draft) == ["发布", "修改摘要"]
        await tick(running.world)  # a second sweep drafts nothing again
        await chair_dm.expect_silence(0.3)

        # Only the chair or a moderator publishes.
        await group.send("/minutes 1", by=d.people["wang"])
        [refused] = await group.wait_bot_messages(1)
        assert refused["text"].startswith("只有")
        await group.send("/minutes 9", by=d.people["chair"])
        [unknown] = await group.wait_bot_messages(1)
        assert unknown["text"] == "本社区没有第9号表决。"

        # Edit the summary: too long is refused and keeps the dialogue; HTML stays text.
        await chair_dm.press(draft, "修改摘要", by=d.people["chair"])
        [prompt] = await chair_dm.wait_bot_messages(1)
        assert prompt["text"].startswith("请发送你希望写入纪要的讨论摘要") and buttons(prompt) == [
            "取消"
        ]
        await chair_dm.send("长" * 3001, by=d.people["chair"])
        [too_long] = await chair_dm.wait_bot_messages(1)
        assert too_long["text"] == "摘要共3001字，超过3000字的上限。请精简后重新发送。"
        await chair_dm.send("大家同意装门禁，<b>费用</b>按户分摊。", by=d.people["chair"])
        [panel] = await chair_dm.wait_bot_messages(1)
        assert panel["text"].startswith("摘要已保存。\n\n第1号表决的会议纪要草稿")
        assert "大家同意装门禁，<b>费用</b>按户分摊。" in panel["text"]
        assert buttons(panel) == ["发布", "修改摘要"]

        # Cancel leaves it as it was.
        await chair_dm.press(panel, "修改摘要", by=d.people["chair"])
        [prompt] = await chair_dm.wait_bot_messages(1)
        assert "大家同意装门禁" in prompt["text"]
        await chair_dm.press(prompt, "取消", by=d.people["chair"])
        assert (await chair_dm.message(prompt["message_id"]))["text"] == "已取消，摘要保持不变。"

        # The chair starts editing again, then publishes without sending a summary.
        await chair_dm.press(panel, "修改摘要", by=d.people["chair"])
        await chair_dm.wait_bot_messages(1)
        await skip(group)
        answer = await chair_dm.press(panel, "发布", by=d.people["chair"])
        assert "已在群内发布" in answer["text"]
        minutes, document, notice = await group.wait_bot_messages(3)
        assert minutes["text"].startswith("会议纪要：7栋安装门禁系统")
        assert "大家同意装门禁，<b>费用</b>按户分摊。" in minutes["text"]
        assert "决定：“7栋安装门禁系统”获得通过。" in minutes["text"]
        assert document["document"]["file_name"].endswith(".html")
        assert notice["text"].startswith("公示：“7栋安装门禁系统”的决定（第1号表决）")
        assert "异议受理至" in notice["text"] and buttons(notice) == ["提出异议"]
        assert (await group.message(notice["message_id"]))["pinned"]

        assert (await chair_dm.message(panel["message_id"]))["text"].startswith(
            "第1号表决的会议纪要已在群内发布，公示至"
        )
        assert buttons(await chair_dm.message(panel["message_id"])) == []
        again = await chair_dm.press(draft, "发布", by=d.people["chair"])  # the first copy
        assert again["show_alert"] and again["text"] == "第1号表决的会议纪要已经发布过了。"
        await group.send("/minutes 1", by=d.people["chair"])
        [twice] = await group.wait_bot_messages(1)
        assert twice["text"] == "第1号表决的会议纪要已经发布过了。"
        again = await chair_dm.press(draft, "修改摘要", by=d.people["chair"])
        assert again["show_alert"]
        await chair_dm.send("太晚的摘要", by=d.people["chair"])
        [late] = await chair_dm.wait_bot_messages(1)
        assert late["text"] == "第1号表决的会议纪要已经发布过了。"
        await chair_dm.send("再发一次", by=d.people["chair"])  # no dialogue any more
        [other] = await chair_dm.wait_bot_messages(1)
        assert other["text"] != late["text"]

        async with running.app.db.session() as s:
            record = await s.scalar(select(MinutesRecord))
            row = await s.scalar(select(Publicity))
            actions = (await s.scalars(select(AuditEvent.action))).all()
        assert record.status == "published" and record.summary.startswith("大家同意")
        assert row.status == "open" and (row.ends_at - row.starts_at).days == 7
        for action in ("minutes.drafted", "minutes.summary_edited", "minutes.published"):
            assert action in actions
        assert "publicity.opened" in actions


async def test_minutes_say_when_the_discussion_was_not_captured(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        d = await estate(running, running.world)
        async with running.app.db.write() as s:
            binding = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == d.group.id))
            binding.reads_all = False
        await decide(d, "楼道装灯", 1, 1)
        await tick(running.world)
        [draft] = await d.dms["chair"].wait_bot_messages(1)
        assert "未能记录讨论内容：机器人无法读取群内消息。" in draft["text"]
