"""What a moderator types after /poll, read into a poll or refused with a reason."""

from __future__ import annotations

import pytest

from bot.flows import polls
from bot.flows.inputs import Invalid


def test_full_width_separators_and_flags_keep_the_text_as_typed():
    spec = polls.parse("  周末 大扫除，定在哪天？ ｜ 周六上午 ／ 周日上午 ｜ 匿名、多选 ")
    assert spec == polls.PollSpec("周末 大扫除，定在哪天？", ("周六上午", "周日上午"), True, True)
    assert polls.parse("Which day? | Sat / Sun | MULTIPLE named").multiple


@pytest.mark.parametrize(
    "args",
    [
        "",
        "问题",
        "问题 | 甲",
        "问题 | 甲 / 甲",
        "问题 | 甲 / ",
        "问题 | " + " / ".join(str(i) for i in range(11)),
        "问" * 301 + " | 甲 / 乙",
        "问题 | 甲 / " + "乙" * 101,
        "问题 | 甲 / 乙 | 匿名 记名",
        "问题 | 甲 / 乙 | 多选 | 其他",
    ],
)
def test_bad_polls_are_refused(args):
    with pytest.raises(Invalid):
        polls.parse(args)


def test_numbers():
    assert (
        polls.number(" #12 ") == 12 and polls.number("12 13") is None and polls.number(None) is None
    )
