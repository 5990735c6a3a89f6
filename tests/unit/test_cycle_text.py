"""What people type about the cycle, in Chinese and English, and how rules read back."""

from __future__ import annotations

from datetime import time

import pytest

from bot import render
from bot.flows.cycle_rules import LAST, MonthDay, NthWeekday, Offset
from bot.flows.cycle_text import (
    canonical,
    describe,
    parse_count,
    parse_day,
    parse_phase,
    parse_quiet,
    parse_time,
)
from bot.flows.inputs import Invalid

FRIDAY = 4


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("每月11日 19:30", MonthDay(11, time(19, 30))),
        ("每月１１日　１９：３０", MonthDay(11, time(19, 30))),  # full-width digits and spaces
        ("11号晚上7点半", MonthDay(11, time(19, 30))),
        ("每月十一日 19点", MonthDay(11, time(19))),
        ("每月最后一天", MonthDay(LAST)),
        ("月底 20:00", MonthDay(LAST, time(20))),
        ("每月第二个周五 19:00", NthWeekday(2, FRIDAY, time(19))),
        ("第一个星期五 09:00", NthWeekday(1, FRIDAY, time(9))),
        ("每月最后一个周五", NthWeekday(LAST, FRIDAY)),
        ("second Friday 19:00", NthWeekday(2, FRIDAY, time(19))),
        ("the last friday of every month at 18:05", NthWeekday(LAST, FRIDAY, time(18, 5))),
        ("last Friday", NthWeekday(LAST, FRIDAY)),
        ("1st mon", NthWeekday(1, 0)),
        ("the 11th", MonthDay(11)),
        ("day 31 7:00", MonthDay(31, time(7))),
        ("last day", MonthDay(LAST)),
    ],
)
def test_day_rules_in_both_languages(typed: str, rule) -> None:
    assert parse_day(typed) == rule
    assert parse_phase(canonical(rule)) == rule  # the stored form reads back


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("D-3 09:00", Offset(-3, time(9))),
        ("D+7", Offset(7)),
        ("D", Offset(0)),
        ("d − 1", Offset(-1)),
        ("Ｄ－３　０９：００", Offset(-3, time(9))),
        ("D-3天", Offset(-3)),
        ("first Friday 09:00", NthWeekday(1, FRIDAY, time(9))),
    ],
)
def test_phase_rules_are_offsets_or_day_rules(typed: str, rule) -> None:
    assert parse_phase(typed) == rule
    assert parse_phase(canonical(rule)) == rule


def test_canonical_forms() -> None:
    assert canonical(MonthDay(11, time(19, 30))) == "day 11 19:30"
    assert canonical(MonthDay(LAST)) == "last day"
    assert canonical(NthWeekday(2, FRIDAY, time(15))) == "second friday 15:00"
    assert canonical(Offset(-3, time(9))) == "D-3 09:00"
    assert canonical(Offset(7)) == "D+7"
    assert canonical(Offset(0)) == "D"


def refusal(parse, typed: str, language: str = "en") -> str:
    with pytest.raises(Invalid) as refused:
        parse(typed)
    return render.plain(language, refused.value.text)


def test_refusals_say_what_is_wrong_in_the_readers_language() -> None:
    assert refusal(parse_day, "32") == (
        "There is no day 32 in a month: use a day from 1 to 31, or the last day."
    )
    assert (
        refusal(parse_day, "每月32日", "zh_CN")
        == "一个月里没有32日，请用 1 到 31 日，或“最后一天”。"
    )
    assert refusal(parse_day, "第五个周五", "zh_CN") == (
        "不是每个月都有第五个周五，请用第一个到第四个，或“最后一个”。"
    )
    assert refusal(parse_day, "fifth friday") == (
        "Not every month has a fifth Friday: use first to fourth, or last."
    )
    assert refusal(parse_day, "每月11日 25:00") == (
        "“25:00” is not a time of day: use HH:MM from 00:00 to 23:59."
    )
    assert refusal(parse_day, "<b>soon</b>").startswith(
        "I don't understand “<b>soon</b>” as a day of the month. Examples: 每月11日 19:30"
    )
    assert refusal(parse_day, "D-3").startswith("I don't understand “D-3” as a day of the month")
    assert refusal(parse_phase, "D-40") == (
        "An offset from the 协商日 can be at most 31 days, e.g. D-3 or D+7."
    )
    assert refusal(parse_phase, "tomorrow").startswith("I don't understand “tomorrow” as a time")
    assert refusal(parse_time, "7pm") == "“7pm” is not a time of day: use HH:MM, e.g. 19:30."
    assert refusal(parse_quiet, "22:00") == (
        "Give the quiet hours as start-end, e.g. 22:00-08:00, or “off”."
    )
    assert refusal(parse_quiet, "8:00-8:00") == (
        "The quiet hours must start and end at different times."
    )
    assert refusal(lambda v: parse_count(v, 1, 20), "0") == "“0” is not a number from 1 to 20."


def test_quiet_hours_and_counts() -> None:
    assert parse_quiet("22:00-08:00") == (time(22), time(8))
    assert parse_quiet("２２：００至８：００") == (time(22), time(8))
    assert parse_quiet("关闭") is None and parse_quiet("off") is None
    assert parse_count("5户", 1, 100, ("户",)) == 5
    assert parse_count("十", 1, 100) == 10
    assert parse_count("48 hours", 1, 336, ("hours",)) == 48


def test_rules_read_naturally() -> None:
    def both(rule) -> tuple[str, str]:
        return render.plain("zh_CN", describe(rule)), render.plain("en", describe(rule))

    assert both(MonthDay(11, time(19, 30))) == ("每月11日 19:30", "day 11 of every month at 19:30")
    assert both(MonthDay(LAST)) == ("每月最后一天", "the last day of every month")
    assert both(NthWeekday(2, FRIDAY, time(15))) == (
        "每月第二个周五 15:00",
        "the second Friday of every month at 15:00",
    )
    assert both(Offset(-3, time(9))) == ("协商日前3天 09:00", "3 days before the 协商日 at 09:00")
    assert both(Offset(-1)) == ("协商日前一天", "the day before the 协商日")
    assert both(Offset(0)) == ("协商日当天", "on the 协商日")
