"""What people type about the cycle, and how its rules read back.

Parses the forms residents and moderators type, in Chinese and English (full-width digits and
spaces are fine): "每月11日 19:30", "每月最后一天", "每月第二个周五 19:00", "second Friday 19:00",
"last Friday", offsets "D-3 09:00" and "D+7"; quiet hours "22:00-08:00". A refusal is an
:class:`Invalid` that says what was wrong, in the reader's language.

``canonical`` writes a rule as the stored text, which ``parse_phase`` reads back.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.flows.cycle_rules import (
    LAST,
    MAX_OFFSET_DAYS,
    Calendar,
    DayRule,
    MonthDay,
    NthWeekday,
    Offset,
    OutOfOrder,
    Phase,
    PhaseRule,
    cycle,
)
from bot.flows.inputs import Invalid, normalize
from bot.i18n import Text, t
from bot.text.normalize import cn_to_int

WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES: tuple[Text, ...] = (
    t("Monday"),
    t("Tuesday"),
    t("Wednesday"),
    t("Thursday"),
    t("Friday"),
    t("Saturday"),
    t("Sunday"),
)
WEEKDAY_SHORT: tuple[Text, ...] = (
    t("Mon"),
    t("Tue"),
    t("Wed"),
    t("Thu"),
    t("Fri"),
    t("Sat"),
    t("Sun"),
)
ORDINALS_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": LAST}
ORDINALS_EN |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
ORDINAL_NAMES: dict[int, Text] = {
    1: t("first"),
    2: t("second"),
    3: t("third"),
    4: t("fourth"),
    LAST: t("last"),
}
CN_NUMERAL = "〇零一二两三四五六七八九十"
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
DAY_PERIODS = {"凌晨": 0, "早上": 0, "上午": 0, "中午": 12, "下午": 12, "傍晚": 12, "晚上": 12}

EXAMPLES = "每月11日 19:30, 每月最后一天, 每月第二个周五 19:00, second Friday 19:00, last Friday"
PHASE_EXAMPLES = "D-3 09:00, D+7, D, " + EXAMPLES

_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "～": "-", "~": "-", "－": "-"})
_TIME = re.compile(
    r"\s*(?P<period>凌晨|早上|上午|中午|下午|傍晚|晚上)?\s*"
    r"(?<!\d)(?P<hour>\d{1,2})(?:(?::(?P<minute>\d{1,2}))|点(?:(?P<cn_minute>\d{1,2})分?|(?P<half>半))?)"
    r"\s*$"
)
_FILLER = re.compile(
    r"every month|each month|monthly|of (?:the|every|each) month|\bon\b|\bthe\b|\bat\b"
    r"|每个月|每月|的|^在|[,，]"
)
_DAY_EN = re.compile(r"^(?:day\s*)?(\d+)(?:st|nd|rd|th)?$")
_DAY_CN = re.compile(r"^([\d一二两三四五六七八九十]+)\s*[日号]$")
_LAST_DAY = re.compile(r"^(?:last(?: day)?|最后一天|月末|月底)$")
_NTH_EN = re.compile(r"^(\w+)\s+([a-z]+)$")
_NTH_CN = re.compile(
    r"^(?:第\s*([\d一二两三四五六七八九十]+)\s*个?|(最后一个|最后))\s*(?:周|星期|礼拜)([一二三四五六日天1-7])$"
)
_OFFSET = re.compile(r"^d\s*(?:([+-])\s*(\d+)\s*(?:天|days?|d)?)?$")


def _clean(value: str) -> str:
    return normalize(value).translate(_MINUS).lower()


def _number(word: str) -> int | None:
    """Arabic digits or a Chinese numeral (十一, 二十, 三十一)."""
    if word.isdigit():
        return int(word)
    if not word or any(ch not in CN_NUMERAL for ch in word):
        return None
    return cn_to_int(word)


def parse_time(value: str) -> time:
    """ "19:30", "7点半", "晚上7点", "19点30分" → a time of day."""
    text = _clean(value)
    found = _TIME.fullmatch(text)
    if found is None:
        raise Invalid(t("“{value}” is not a time of day: use HH:MM, e.g. 19:30.", value=value))
    return _time_of(found, value)


def _time_of(found: re.Match[str], typed: str) -> time:
    hour = int(found["hour"])
    minute = 30 if found["half"] else int(found["minute"] or found["cn_minute"] or 0)
    if found["period"] and hour < 12:
        hour += DAY_PERIODS[found["period"]]
    if hour > 23 or minute > 59:
        shown = typed.strip() or f"{hour}:{minute:02d}"
        raise Invalid(
            t(
                "“{value}” is not a time of day: use HH:MM from 00:00 to 23:59.",
                value=shown,
            )
        )
    return time(hour, minute)


def _split_time(text: str) -> tuple[str, time | None]:
    """A trailing time of day split off: ("每月11日", 19:30); none → (text, None)."""
    found = _TIME.search(text)
    if found is None:
        return text, None
    return text[: found.start()].strip(), _time_of(found, found.group().strip())


def _weekday_day(n: int, weekday: int, at: time | None) -> NthWeekday:
    if n == 5:
        raise Invalid(
            t(
                "Not every month has a fifth {weekday}: use first to fourth, or last.",
                weekday=WEEKDAY_NAMES[weekday],
            )
        )
    if n < 1 and n != LAST or n > 5:
        raise Invalid(t("Count the weekday as first to fourth, or last."))
    return NthWeekday(n, weekday, at)


def _day(rest: str, at: time | None) -> DayRule | None:
    rest = _FILLER.sub(" ", rest)
    rest = " ".join(rest.split())
    if _LAST_DAY.match(rest):
        return MonthDay(LAST, at)
    found = _DAY_EN.match(rest) or _DAY_CN.match(rest)
    if found:
        day = _number(found[1])
        if day is None or not 1 <= day <= 31:
            raise Invalid(
                t(
                    "There is no day {day} in a month: use a day from 1 to 31, or the last day.",
                    day=found[1],
                )
            )
        return MonthDay(day, at)
    found = _NTH_CN.match(rest)
    if found:
        n = LAST if found[2] else _number(found[1])
        weekday = CN_WEEKDAYS.get(found[3], int(found[3]) - 1 if found[3].isdigit() else 0)
        return _weekday_day(n if n is not None else 0, weekday, at)
    found = _NTH_EN.match(rest)
    if found and found[1] in ORDINALS_EN:
        weekday = next((i for i, name in enumerate(WEEKDAYS_EN) if name.startswith(found[2])), None)
        if weekday is not None and len(found[2]) >= 3:
            return _weekday_day(ORDINALS_EN[found[1]], weekday, at)
    return None


def parse_day(value: str) -> DayRule:
    """The 协商日 rule; its time may be omitted (``at`` None: the caller keeps the current)."""
    rule = _parse(value, offsets=False)
    assert not isinstance(rule, Offset)
    return rule


def parse_phase(value: str) -> PhaseRule:
    """A phase's time: an offset from D ("D-3 09:00", "D+7", "D") or a day rule."""
    return _parse(value, offsets=True)


def _parse(value: str, *, offsets: bool) -> PhaseRule:
    rest, at = _split_time(_clean(value))
    found = _OFFSET.match(rest) if offsets else None
    if found:
        days = int(found[2] or 0) * (-1 if found[1] == "-" else 1)
        if abs(days) > MAX_OFFSET_DAYS:
            raise Invalid(
                t(
                    "An offset from the 协商日 can be at most {days} days, e.g. D-3 or D+7.",
                    days=MAX_OFFSET_DAYS,
                )
            )
        return Offset(days, at)
    rule = _day(rest, at) if rest else None
    if rule is not None:
        return rule
    if offsets:
        raise Invalid(
            t(
                "I don't understand “{value}” as a time in the cycle. Examples: {examples}.",
                value=value,
                examples=PHASE_EXAMPLES,
            )
        )
    raise Invalid(
        t(
            "I don't understand “{value}” as a day of the month. Examples: {examples}.",
            value=value,
            examples=EXAMPLES,
        )
    )


def parse_quiet(value: str) -> tuple[time, time] | None:
    """ "22:00-08:00" (may wrap midnight), or "off" / "关闭" for none."""
    text = _clean(value)
    if text in ("off", "none", "no", "关闭", "无", "不设", "取消"):
        return None
    parts = re.split(r"\s*(?:-|至|到|to)\s*", text)
    if len(parts) != 2 or not all(parts):
        raise Invalid(t("Give the quiet hours as start-end, e.g. 22:00-08:00, or “off”."))
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start == end:
        raise Invalid(t("The quiet hours must start and end at different times."))
    return start, end


def parse_count(value: str, low: int, high: int, units: tuple[str, ...] = ()) -> int:
    """A whole number within [low, high], optionally followed by one of ``units``."""
    text = _clean(value)
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            text = text.removesuffix(unit).strip()
            break
    number = _number(text)
    if number is None or not low <= number <= high:
        raise Invalid(
            t("“{value}” is not a number from {low} to {high}.", value=value, low=low, high=high)
        )
    return number


# -- writing rules -------------------------------------------------------------------------------


def clock(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def canonical(rule: PhaseRule) -> str:
    """The stored form of a rule (English, read back by ``parse_phase``)."""
    at = f" {clock(rule.at)}" if rule.at is not None else ""
    if isinstance(rule, Offset):
        return ("D" if rule.days == 0 else f"D{rule.days:+d}") + at
    if isinstance(rule, MonthDay):
        return ("last day" if rule.day == LAST else f"day {rule.day}") + at
    ordinal = next(word for word, n in ORDINALS_EN.items() if n == rule.n)
    return f"{ordinal} {WEEKDAYS_EN[rule.weekday]}{at}"


def describe(rule: PhaseRule) -> Text:
    """A rule as residents read it: "每月第二个周五 15:00", "the 11th of every month 19:30"."""
    if isinstance(rule, Offset):
        said = {
            0: t("on the 协商日"),
            -1: t("the day before the 协商日"),
            1: t("the day after the 协商日"),
        }.get(rule.days) or (
            t("{n} days before the 协商日", n=-rule.days)
            if rule.days < 0
            else t("{n} days after the 协商日", n=rule.days)
        )
    elif isinstance(rule, MonthDay):
        said = (
            t("the last day of every month")
            if rule.day == LAST
            else t("day {day} of every month", day=rule.day)
        )
    else:
        said = t(
            "the {nth} {weekday} of every month",
            nth=ORDINAL_NAMES[rule.n],
            weekday=WEEKDAY_NAMES[rule.weekday],
        )
    if rule.at is None:
        return said
    return t("{day} at {time}", day=said, time=clock(rule.at))


# -- dates and phases ----------------------------------------------------------------------------

PHASE_NAMES: dict[Phase, Text] = {
    Phase.REMINDER_1: t("First reminder"),
    Phase.REMINDER_2: t("Last reminder"),
    Phase.FREEZE: t("Agenda freeze"),
    Phase.DELIBERATION: t("协商日: deliberation opens"),
    Phase.VOTE_OPEN: t("Votes open"),
    Phase.VOTE_CLOSE: t("Votes close"),
}


def when(moment: datetime, zone: ZoneInfo) -> Text:
    """An instant as a local date, weekday and time: "2026-06-11（周四）19:00"."""
    local = moment.astimezone(zone)
    return t(
        "{weekday} {date} {time}",
        weekday=WEEKDAY_SHORT[local.weekday()],
        date=local.strftime("%Y-%m-%d"),
        time=clock(local.time()),
    )


def out_of_order(cal: Calendar, problem: OutOfOrder) -> Text:
    """Why a change was refused: the first month whose phases it would put out of order."""
    zone, cycle_ = cal.zone, problem.cycle
    month = f"{cycle_.year}-{cycle_.month:02d}"
    moment = when(cycle_.times[problem.phase], zone)
    if problem.phase is Phase.VOTE_OPEN:
        return t(
            "Then voting in {month} would open on {when}, before that month's 协商日 ({d}).",
            month=month,
            when=moment,
            d=when(cycle_.d, zone),
        )
    if problem.phase is Phase.VOTE_CLOSE:
        following = cycle(cal, *_next_month(cycle_.year, cycle_.month))
        return t(
            "Then voting in {month} would close on {when}, after the next 协商日 ({next}).",
            month=month,
            when=moment,
            next=when(following.d, zone),
        )
    assert problem.previous_d is not None
    return t(
        "Then the {phase} of {month} would fall on {when}, not between the previous 协商日 "
        "({previous}) and that month's ({d}).",
        phase=PHASE_NAMES[problem.phase],
        month=month,
        when=moment,
        previous=when(problem.previous_d, zone),
        d=when(cycle_.d, zone),
    )


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
