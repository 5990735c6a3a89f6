"""Raising a proposal: the limits on the title and details, as residents type them."""

from __future__ import annotations

import pytest

from bot.flows.inputs import Invalid
from bot.flows.proposal_messages import number_of
from bot.flows.proposal_text import Draft, parse_draft, strip_tag, visible_length


def test_title_first_line_details_after():
    assert parse_draft("  7栋安装门禁系统  \n\n 每户200元 \n\n\n\n分两期") == Draft(
        "7栋安装门禁系统", "每户200元\n\n分两期"
    )
    assert parse_draft("７栋　门禁　系统") == Draft("7栋 门禁 系统")  # full-width → ASCII
    assert parse_draft("楼道灯坏了，请尽快修！") == Draft("楼道灯坏了，请尽快修！")  # 。！ stay


@pytest.mark.parametrize(
    "text", ["", "   ", "门禁", "！！！！！", "🚗🚗🚗", "请" * 61, "门禁系统\n" + "字" * 2001]
)
def test_limits(text):
    with pytest.raises(Invalid):
        parse_draft(text)


def test_lengths_count_what_a_reader_sees():
    assert visible_length("👨‍👩‍👧‍👦") == 1 and visible_length("👍🏽") == 1
    assert parse_draft("请" * 60).title == "请" * 60


def test_the_tag_and_numbers():
    assert strip_tag("#提案：给七栋装个门禁吧") == "给七栋装个门禁吧"
    assert strip_tag("＃提案 楼道") == "楼道"
    assert strip_tag("关于#提案") is None
    assert [number_of(s) for s in ("3", "#3", "No. 3", "第3号", "３", "", None)] == [
        3, 3, 3, 3, 3, None, None
    ]  # fmt: skip
