"""Minutes (会议纪要) of the 7栋 door-access thread: what they say in Chinese and English, how
they split for Telegram, the printable HTML, and the chair's edits."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from bot import render
from bot.flows import minutes as m
from bot.flows import vote_rules as rules
from bot.flows.minutes_document import FONT_STACK, filename, html_document
from bot.flows.votes import Closed
from bot.text import segment
from bot.text.summary import Message
from storage.models import Vote

THREAD = json.loads((Path(__file__).parent / "data" / "thread_door_access.json").read_text("utf-8"))
MESSAGES = [
    Message(x["speaker"], x["text"], datetime.fromisoformat(x["at"])) for x in THREAD["messages"]
]
RULE = rules.share_of_eligible(Fraction(2, 3), rules.AT_LEAST)
COUNTS = (81, 12, 5)
RESULT = rules.evaluate(COUNTS, 108, RULE, rules.APPROVAL)
ACTIONS = (
    m.ActionItem("邀请三家厂家报价并在群内公示", "物业李经理", date(2025, 6, 30)),
    m.ActionItem("起草摄像头调看和数据删除规则", "7-2-1101"),
)


@pytest.fixture(scope="module")
def drafted() -> m.Minutes:
    segment.default.ensure_loaded()
    return m.draft(
        title=THREAD["title"],
        proposer=THREAD["proposer"],
        chair=THREAD["chair"],
        held_at=MESSAGES[0].at,
        timezone="Asia/Shanghai",
        thread=MESSAGES,
        vote=m.VoteTally(("同意", "反对", "弃权"), COUNTS, RULE, RESULT, offline=6),
        actions=ACTIONS,
    )


def chat(minutes: m.Minutes, language: str = "zh_CN") -> list[str]:
    return render.message(language, m.paragraphs(minutes)).chunks


def test_chinese_minutes_say_everything(drafted: m.Minutes) -> None:
    text = "\n\n".join(chat(drafted))
    for expected in (
        "<b>会议纪要：7栋安装门禁系统</b>",
        "提议人：7-2-201 周师傅",
        "轮值主席：王芳",
        "2025-06-11",  # the deliberation's local date
        "19:30",
        f"{len({x.speaker for x in MESSAGES})} 人参与，共 {len(MESSAGES)} 条发言",
        "<b>讨论要点</b>",
        "<b>支持的意见</b>",
        "<b>反对意见和顾虑</b>",
        "同意 81，反对 12，弃权 5",
        render.text("zh_CN", rules.describe(RULE)),
        "结果：" + render.text("zh_CN", RESULT.reason),  # the vote result's own sentence
        "决定：“7栋安装门禁系统”获得通过。",
        "<b>督办事项</b>",
        "• 邀请三家厂家报价并在群内公示（负责：物业李经理，2025-06-30 前完成）",
        "• 起草摄像头调看和数据删除规则（负责：7-2-1101）",
    ):
        assert expected in text, expected
    for point in drafted.summary.chosen:
        assert f"• {point.speaker}：{point.text}" in text


def test_english_minutes_render_too(drafted: m.Minutes) -> None:
    text = "\n\n".join(chat(drafted, "en"))
    assert "<b>Minutes: 7栋安装门禁系统</b>" in text
    assert "Chair: 王芳" in text and "Result: " in text and "<b>Action items</b>" in text


def test_decision_without_a_vote_failed_or_worded_by_the_chair(drafted: m.Minutes) -> None:
    assert "决定：暂无。" in chat(replace(drafted, vote=None))[0]
    assert "本议题未进行表决。" in chat(replace(drafted, vote=None))[0]
    failed = rules.evaluate((40, 50, 5), 108, RULE, rules.APPROVAL)
    lost = replace(drafted, vote=m.VoteTally(("同意", "反对", "弃权"), (40, 50, 5), RULE, failed))
    assert "决定：“7栋安装门禁系统”未获通过。" in chat(lost)[0]
    worded = replace(drafted, decision="先装刷卡加手机开门，费用按面积分摊")
    assert "决定：先装刷卡加手机开门，费用按面积分摊" in chat(worded)[0]


def test_the_tally_of_a_closed_vote() -> None:
    vote = Vote(
        community_id=1,
        scope_id=1,
        title="7栋安装门禁系统",
        kind=rules.APPROVAL,
        options=json.dumps(["同意", "反对", "弃权"], ensure_ascii=False),
        rule=RULE.kind,
        threshold_num=2,
        threshold_den=3,
        comparator=RULE.comparator,
        opened_at=datetime(2025, 6, 11, 13, tzinfo=UTC),
        closes_at=datetime(2025, 6, 13, 13, tzinfo=UTC),
    )
    tally = m.VoteTally.of(Closed(vote, COUNTS, 6, RESULT))
    assert tally == m.VoteTally(("同意", "反对", "弃权"), COUNTS, RULE, RESULT, 6)


def test_user_text_is_escaped(drafted: m.Minutes) -> None:
    hostile = replace(drafted, title="<script>x</script>", chair="<b>王</b>")
    text = "\n\n".join(chat(hostile))
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;b&gt;王" in text
    assert "<script>" not in html_document(hostile, "zh_CN")


def test_long_minutes_split_under_4096_at_paragraph_boundaries(drafted: m.Minutes) -> None:
    many = replace(
        drafted,
        actions=tuple(m.ActionItem(f"第{i}项：" + "检修单元门" * 20, "物业") for i in range(60)),
    )
    chunks = chat(many)
    assert len(chunks) > 1
    assert all(render.visible_length(c) <= render.MESSAGE_LIMIT for c in chunks)
    paragraphs = [render.text("zh_CN", p) for p in m.paragraphs(many)]
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)  # nothing lost, no paragraph cut


def test_the_chair_edits_the_summary(drafted: m.Minutes) -> None:
    lines = m.summary_text(drafted.summary).splitlines()
    assert len(lines) == len(drafted.summary.chosen)
    assert lines[0].startswith(drafted.summary.chosen[0].speaker + "：")
    edited = m.edit_summary(drafted, "  大家同意先装刷卡加手机开门。\n费用按面积分摊。  ")
    text = "\n\n".join(chat(edited))
    assert "<b>讨论摘要</b>" in text and "大家同意先装刷卡加手机开门。\n费用按面积分摊。" in text
    assert "<b>讨论要点</b>" not in text
    assert m.edit_summary(edited, "   ").edited_summary is None


def test_a_thread_with_nothing_to_quote() -> None:
    quiet = m.draft(
        title="楼道灯",
        proposer="7-1-101",
        chair="王芳",
        held_at=MESSAGES[0].at,
        timezone="Asia/Shanghai",
        thread=[Message("7-1-101", "+1", MESSAGES[0].at)],
    )
    text = "\n\n".join(chat(quiet))
    assert "讨论区没有可摘录的发言。" in text and "1 人参与，共 1 条发言" in text


def test_the_printable_document_is_chinese_html_with_a_cjk_font(drafted: m.Minutes) -> None:
    document = html_document(drafted, "zh_CN")
    assert document.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in document and '<html lang="zh-CN">' in document
    assert f"font-family: {FONT_STACK}" in document and "Noto Sans CJK SC" in FONT_STACK
    assert "<title>会议纪要：7栋安装门禁系统</title>" in document
    assert "<h1><b>会议纪要：7栋安装门禁系统</b></h1>" in document
    for point in drafted.summary.chosen:
        assert point.text in document
    assert "结果：" + render.text("zh_CN", RESULT.reason) in document
    body = re.sub(r"<[^>]+>", "", document.split("<body>")[1])
    assert len(re.findall(r"[\u4e00-\u9fff]", body)) > 300  # Chinese text, not boxes or escapes
    document.encode("utf-8")
    assert filename(drafted, "zh_CN") == "会议纪要-2025-06-11.html"
    assert filename(drafted, "en") == "minutes-2025-06-11.html"
