"""/vote without ``|``: the guided dialogue asks for each missing part, with buttons, typed
answers, back and cancel, and ends at the same summary the one-line form confirms. Bad answers
are explained and keep the step; stale or foreign buttons get a clear alert; the dialogue
survives a restart of the bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from bot.app import BotApp
from storage.models import DialogState, Vote
from tests import factories
from tests.conftest import outside_sandbox
from tests.driver import World, buttons
from tests.e2e.test_vote_chat import building_seven
from tests.e2e.test_vote_staff import _place

STALE = "这不是你的提问，或者对话已经结束。"


async def test_a_vote_opened_step_by_step_with_every_kind_of_wrong_answer(running, world):
    group, chair, wang, *_ = await building_seven(running, world)

    await group.send("/vote", by=chair)
    [ask_title] = await group.wait_bot_messages(1)
    assert "表决什么事项" in ask_title["text"] and buttons(ask_title) == ["取消"]
    await group.send("7栋安装门禁系统", by=chair)
    [ask_options] = await group.wait_bot_messages(1)
    assert "有哪些选项" in ask_options["text"]
    assert buttons(ask_options) == ["同意 / 不同意 / 弃权", "‹ 返回", "取消"]

    # A button pressed: the prompt is replaced; back returns to the options.
    await group.press(ask_options, "同意 / 不同意 / 弃权", by=chair)
    rule = await group.message(ask_options["message_id"])
    assert "按什么规则通过" in rule["text"] and "投票户数过半数同意" in buttons(rule)
    assert (await group.press(rule, "投票户数过半数同意", by=wang))["text"] == STALE  # not his
    await group.press(rule, "‹ 返回", by=chair)
    assert "有哪些选项" in (await group.message(ask_options["message_id"]))["text"]

    async def typed(text: str, expected: str) -> dict:
        await group.send(text, by=chair)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (text, answer["text"])
        return answer

    await typed("方案A/方案A", "2到10个不同的选项")  # the step is kept
    ask_rule = await typed("方案A／方案B／方案C", "按什么规则通过")  # full-width ／ too
    await typed("大多数人", "无法识别规则“大多数人”")
    await group.press(ask_rule, "超过全体户数的一定比例（不含本数）", by=chair)
    share = await group.message(ask_rule["message_id"])
    assert "“超过”不含本数" in share["text"] and buttons(share)[:3] == ["50%", "60%", "75%"]
    await typed("0", "比例须大于0%且不超过100%")
    await typed("150", "比例须大于0%且不超过100%")
    await typed("一半", "请发送一个百分数")
    ask_quorum = await typed("５０％", "最低参与率")  # full-width digits and ％
    await group.press(ask_quorum, "不设最低参与率", by=chair)
    ballot_type = await group.message(ask_quorum["message_id"])
    assert buttons(ballot_type)[:3] == [
        "记名，结束时公布结果",
        "记名，实时显示结果",
        "无记名，结束时公布结果",
    ]
    refused = await typed("无记名 实时", "无记名投票不能实时显示结果")
    assert "结束时公布" in refused["text"]
    await group.press(ballot_type, "无记名，结束时公布结果", by=chair)
    await typed("明天", "时长请写成")
    await typed("99天", "表决时长须在1分钟到30天之间")
    summary = await typed("3天", "确认发起以下表决")
    text = summary["text"]
    assert "7栋安装门禁系统" in text and "选项：方案A / 方案B / 方案C" in text
    assert "须全体户数过半数同意" in text and "无记名投票" in text and "6户" in text
    assert buttons(summary) == ["‹ 返回", "发起表决", "取消"]
    await typed("好的", "请点击上方的按钮")

    # Back from the summary to the close time, then forward again with a button.
    await group.press(summary, "‹ 返回", by=chair)
    duration = await group.message(summary["message_id"])
    assert "表决持续多久" in duration["text"]
    await group.press(duration, "48小时（默认）", by=chair)
    summary = await group.message(summary["message_id"])
    assert "确认发起以下表决" in summary["text"]

    # A double tap on 发起表决: one vote opens, the other tap is told the summary was used.
    answers = await asyncio.gather(*(group.press(summary, "发起表决", by=chair) for _ in range(2)))
    assert sorted(bool(a.get("show_alert")) for a in answers) == [False, True]
    assert any("已经处理过了" in (a.get("text") or "") for a in answers)
    [ballot] = await group.wait_bot_messages(1)
    assert "第1号表决：7栋安装门禁系统" in ballot["text"]
    assert buttons(ballot) == ["方案A", "方案B", "方案C"]
    left = await group.message(ask_rule["message_id"])  # a prompt left from before
    late = await group.press(left, "50%", by=chair)
    assert late["show_alert"] and late["text"] == STALE
    async with running.app.db.session() as s:
        [vote] = (await s.scalars(select(Vote))).all()
    assert vote.secret and vote.results_hidden and vote.comparator == "more_than"
    assert (vote.closes_at - vote.opened_at).total_seconds() == 48 * 3600
    await group.expect_silence(0.5)


async def test_cancel_by_button_or_command_and_a_title_given_up_front(running, world):
    group, chair, *_ = await building_seven(running, world)
    await group.send("/vote 加装电梯", by=chair)
    [ask_options] = await group.wait_bot_messages(1)
    assert "加装电梯" in ask_options["text"]
    await group.send("甲/乙", by=chair)
    [ask_rule] = await group.wait_bot_messages(1)
    earlier = await group.press(ask_options, "同意 / 不同意 / 弃权", by=chair)  # answered
    assert earlier["show_alert"] and earlier["text"] == STALE
    await group.press(ask_rule, "取消", by=chair)
    assert (await group.message(ask_rule["message_id"]))["text"] == "未发起。"
    after = await group.press(ask_options, "同意 / 不同意 / 弃权", by=chair)  # after cancel
    assert after["show_alert"] and after["text"] == STALE

    await group.send("/vote <b>停车</b>", by=chair)
    [ask] = await group.wait_bot_messages(1)
    assert "&lt;b&gt;停车&lt;/b&gt;" not in ask["text"] and "<b>停车</b>" in ask["text"]
    await group.send("/cancel", by=chair)
    [done] = await group.wait_bot_messages(1)
    assert done["text"] == "已取消。"
    await group.send("同意/不同意", by=chair)  # no dialogue any more: nothing is asked
    await group.expect_silence(0.5)


async def test_the_dialogue_in_english(running, world):
    group, *_ = await building_seven(running, world)
    chair_en = await world.user("Chair", language_code="en")
    member_id = await factories.member(running.app.db, chair_en.id, "Chair")
    await factories.grant(running.app.db, await _place(running), member_id, "chair")
    await group.set_member(chair_en.id, "member")
    await group.send("/vote", by=chair_en)
    [ask] = await group.wait_bot_messages(1)
    assert ask["text"].startswith("New vote.") and buttons(ask) == ["Cancel"]
    await group.send("Lift", by=chair_en)
    [options] = await group.wait_bot_messages(1)
    assert buttons(options)[0] == "同意 / 不同意 / 弃权"  # the community's labels (zh_CN)
    await group.press(options, "同意 / 不同意 / 弃权", by=chair_en)
    rule = await group.message(options["message_id"])
    assert buttons(rule)[:4] == [
        "More than half of the ballots",
        "Two thirds of the ballots",
        "A share of all households, at least (以上)",
        "A share of all households, more than (超过)",
    ]
    await group.send("at least 60% quorum 50%", by=chair_en)  # a typed rule with its quorum
    [kind] = await group.wait_bot_messages(1)
    assert kind["text"].startswith("Named ballot")  # the quorum step is skipped
    await group.send("secret live", by=chair_en)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("A secret ballot cannot show results live")
    await group.press(kind, "Named, live results", by=chair_en)
    await group.send("36h", by=chair_en)
    [summary] = await group.wait_bot_messages(1)
    assert "Open this vote?" in summary["text"] and "at least 60 %" in summary["text"]
    assert "at least 50 % of households must vote" in summary["text"]


async def test_the_dialogue_survives_a_restart(tmp_path: Path) -> None:
    async with outside_sandbox(tmp_path) as (world, settings):
        first = BotApp(settings)
        await first.start()
        try:
            group, chair, *_ = await building_seven(_Running(first, world), world)
            await group.send("/vote 门禁", by=chair)
            [ask_options] = await group.wait_bot_messages(1)
            await group.press(ask_options, "同意 / 不同意 / 弃权", by=chair)
        finally:
            await first.stop()
        second = BotApp(settings)
        await second.start()
        try:
            async with second.db.session() as s:
                [row] = (await s.scalars(select(DialogState))).all()
            assert row.state == "VoteDraft:rule" and "门禁" in row.data
            rule = await group.message(ask_options["message_id"])
            await group.press(rule, "投票户数三分之二以上同意", by=chair)
            quorum = await group.message(ask_options["message_id"])
            await group.press(quorum, "不设最低参与率", by=chair)
            kind = await group.message(ask_options["message_id"])
            await group.press(kind, "记名，结束时公布结果", by=chair)
            duration = await group.message(ask_options["message_id"])
            await group.press(duration, "24小时", by=chair)
            summary = await group.message(ask_options["message_id"])
            assert "须投票户数达到三分之二以上同意" in summary["text"]
            await group.press(summary, "发起表决", by=chair)
            [ballot] = await group.wait_bot_messages(1)
            assert "第1号表决：门禁" in ballot["text"]
        finally:
            await second.stop()


class _Running:
    def __init__(self, app: BotApp, world: World) -> None:
        self.app, self.world = app, world
