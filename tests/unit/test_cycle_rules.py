"""The 协商日 calendar: month lengths, weekdays, "三五五", daylight saving, quiet hours, order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.flows.cycle_rules import (
    LAST,
    Calendar,
    MonthDay,
    NthWeekday,
    Offset,
    OutOfOrder,
    Phase,
    check,
    cycle,
    cycles,
    date_in,
    next_days,
    to_utc,
    upcoming,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
FRIDAY, SUNDAY = 4, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(moment: datetime, zone: ZoneInfo = SHANGHAI) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %a %H:%M %Z")


def phases(**rules) -> dict[Phase, object]:
    default = {
        Phase.REMINDER_1: Offset(-7),
        Phase.REMINDER_2: Offset(-1),
        Phase.FREEZE: Offset(-3),
        Phase.VOTE_OPEN: Offset(0),
    }
    return default | {Phase(name): rule for name, rule in rules.items()}


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 1, 31),  # 31 days
        (2026, 2, 28),  # 28
        (2028, 2, 29),  # leap year
        (2026, 4, 30),  # 30
    ],
)
def test_the_31st_falls_on_the_last_day_of_shorter_months(year, month, expected) -> None:
    assert date_in(MonthDay(31), year, month) == date(year, month, expected)
    assert date_in(MonthDay(LAST), year, month) == date(year, month, expected)
    assert date_in(MonthDay(30), 2026, 2) == date(2026, 2, 28)
    assert date_in(MonthDay(29), 2028, 2) == date(2028, 2, 29)
    assert date_in(MonthDay(11), year, month) == date(year, month, 11)


def test_nth_and_last_weekday() -> None:
    # May 2026 starts on a Friday and has five Fridays (1, 8, 15, 22, 29).
    assert [date_in(NthWeekday(n, FRIDAY), 2026, 5).day for n in (1, 2, 3, 4, LAST)] == [
        1,
        8,
        15,
        22,
        29,
    ]
    # February 2026: 1st is a Sunday; last Friday is the 27th, last Sunday the 22nd.
    assert date_in(NthWeekday(1, FRIDAY), 2026, 2) == date(2026, 2, 6)
    assert date_in(NthWeekday(LAST, FRIDAY), 2026, 2) == date(2026, 2, 27)
    assert date_in(NthWeekday(LAST, SUNDAY), 2026, 2) == date(2026, 2, 22)
    # The last day being the weekday itself.
    assert date_in(NthWeekday(LAST, FRIDAY), 2026, 7) == date(2026, 7, 31)


def test_next_days_in_shanghai_are_utc_and_strictly_after() -> None:
    rule = MonthDay(11, time(19))
    days = next_days(rule, SHANGHAI, utc(2026, 6, 11, 11, 0), count=3)  # exactly D: not "next"
    assert days == [utc(2026, 7, 11, 11), utc(2026, 8, 11, 11), utc(2026, 9, 11, 11)]
    assert all(d.tzinfo is UTC for d in days)
    # Late at night on the 10th in UTC is already the 11th in Shanghai: D is still ahead.
    assert next_days(rule, SHANGHAI, utc(2026, 6, 10, 20))[0] == utc(2026, 6, 11, 11)
    # The 31st through a year: every month has one, on its last day when shorter.
    firsts = next_days(MonthDay(31, time(9)), SHANGHAI, utc(2026, 1, 1), count=12)
    assert [d.astimezone(SHANGHAI).day for d in firsts] == [
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]  # fmt: skip


def test_scenario_01_phases_of_the_11th_at_19() -> None:
    cal = Calendar(MonthDay(11, time(19)))
    found = cycle(cal, 2026, 6)
    assert {p.value: local(m) for p, m in found.times.items()} == {
        "reminder_1": "2026-06-04 Thu 19:00 CST",
        "reminder_2": "2026-06-10 Wed 19:00 CST",
        "freeze": "2026-06-08 Mon 19:00 CST",
        "deliberation": "2026-06-11 Thu 19:00 CST",
        "vote_open": "2026-06-11 Thu 19:00 CST",
        "vote_close": "2026-06-13 Sat 19:00 CST",
    }
    check(cal, utc(2026, 1, 1))


def three_five_five() -> Calendar:
    return Calendar(NthWeekday(2, FRIDAY, time(15)), phases(freeze=NthWeekday(1, FRIDAY, time(9))))


def test_three_five_five_first_friday_freeze_second_friday_deliberation() -> None:
    cal = three_five_five()
    may = cycle(cal, 2026, 5)  # the 1st is a Friday
    assert local(may.times[Phase.FREEZE]) == "2026-05-01 Fri 09:00 CST"
    assert local(may.d) == "2026-05-08 Fri 15:00 CST"
    august = cycle(cal, 2026, 8)  # the 1st is a Saturday
    assert local(august.times[Phase.FREEZE]) == "2026-08-07 Fri 09:00 CST"
    assert local(august.d) == "2026-08-14 Fri 15:00 CST"
    check(cal, utc(2026, 1, 1))


def test_a_rule_before_d_takes_its_latest_occurrence_before_d() -> None:
    # Freeze on the last Friday, D on the 11th: the previous month's last Friday.
    cal = Calendar(MonthDay(11, time(19)), phases(freeze=NthWeekday(LAST, FRIDAY)))
    assert local(cycle(cal, 2026, 6).times[Phase.FREEZE]) == "2026-05-29 Fri 19:00 CST"
    check(cal, utc(2026, 1, 1))


def test_offsets_have_their_own_time_of_day() -> None:
    cal = Calendar(MonthDay(11, time(19)), phases(freeze=Offset(-3, time(9)), vote_open=Offset(1)))
    june = cycle(cal, 2026, 6)
    assert local(june.times[Phase.FREEZE]) == "2026-06-08 Mon 09:00 CST"
    assert local(june.times[Phase.VOTE_OPEN]) == "2026-06-12 Fri 19:00 CST"
    assert local(june.times[Phase.VOTE_CLOSE]) == "2026-06-14 Sun 19:00 CST"


def test_daylight_saving_skipped_hour_moves_forward_repeated_hour_is_first() -> None:
    # Berlin: 2026-03-29 02:00 → 03:00; 2026-10-25 03:00 → 02:00.
    assert to_utc(date(2026, 3, 29), time(2, 30), BERLIN) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    assert to_utc(date(2026, 3, 29), time(3, 0), BERLIN) == utc(2026, 3, 29, 1, 0)
    assert to_utc(date(2026, 10, 25), time(2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)  # CEST
    assert to_utc(date(2026, 10, 25), time(3, 30), BERLIN) == utc(2026, 10, 25, 2, 30)  # CET
    # A community meeting on the last Sunday at 02:30 in Berlin.
    cal = Calendar(NthWeekday(LAST, SUNDAY, time(2, 30)), quiet=None, timezone="Europe/Berlin")
    assert local(cycle(cal, 2026, 3).d, BERLIN) == "2026-03-29 Sun 03:00 CEST"
    assert local(cycle(cal, 2026, 10).d, BERLIN) == "2026-10-25 Sun 02:30 CEST"
    # A week before, the same wall-clock time is on the other offset: days count locally.
    assert local(cycle(cal, 2026, 3).times[Phase.REMINDER_1], BERLIN) == "2026-03-22 Sun 02:30 CET"
    # The vote's 48 hours are real hours: D 02:30 CEST in October closes 01:30 CET.
    assert local(cycle(cal, 2026, 10).times[Phase.VOTE_CLOSE], BERLIN) == (
        "2026-10-27 Tue 01:30 CET"
    )


def test_new_york_freeze_in_the_skipped_hour() -> None:
    # New York springs forward on 2026-03-08 at 02:00; D on the 11th at 19:00, freeze D-3 02:15.
    cal = Calendar(
        MonthDay(11, time(19)), phases(freeze=Offset(-3, time(2, 15))), timezone="America/New_York"
    )
    march = cycle(cal, 2026, 3)
    assert local(march.times[Phase.FREEZE], NEW_YORK) == "2026-03-08 Sun 03:00 EDT"
    assert march.times[Phase.FREEZE] == utc(2026, 3, 8, 7, 0)
    assert local(march.d, NEW_YORK) == "2026-03-11 Wed 19:00 EDT"
    assert local(cycle(cal, 2026, 2).d, NEW_YORK) == "2026-02-11 Wed 19:00 EST"
    check(cal, utc(2026, 1, 1))


def test_reminders_wait_for_the_end_of_the_quiet_hours() -> None:
    cal = Calendar(
        MonthDay(11, time(19)),
        phases(reminder_1=Offset(-7, time(23)), reminder_2=Offset(-1, time(6, 30))),
    )
    june = cycle(cal, 2026, 6)
    assert local(june.times[Phase.REMINDER_1]) == "2026-06-05 Fri 08:00 CST"  # 23:00 → next 08:00
    assert local(june.times[Phase.REMINDER_2]) == "2026-06-10 Wed 08:00 CST"  # 06:30 → 08:00
    daytime = Calendar(
        MonthDay(11, time(19)), phases(reminder_2=Offset(-1, time(13))), quiet=(time(12), time(14))
    )
    assert local(cycle(daytime, 2026, 6).times[Phase.REMINDER_2]) == "2026-06-10 Wed 14:00 CST"
    silent = Calendar(MonthDay(11, time(19)), phases(reminder_2=Offset(-1, time(23))), quiet=None)
    assert local(cycle(silent, 2026, 6).times[Phase.REMINDER_2]) == "2026-06-10 Wed 23:00 CST"


def test_upcoming_gives_the_next_time_of_every_phase_soonest_first() -> None:
    cal = Calendar(MonthDay(11, time(19)))
    after = utc(2026, 6, 9)  # after June's freeze, before its D
    found = upcoming(cal, after)
    assert list(found) == [
        Phase.REMINDER_2,
        Phase.DELIBERATION,
        Phase.VOTE_OPEN,
        Phase.VOTE_CLOSE,
        Phase.REMINDER_1,
        Phase.FREEZE,
    ]
    assert local(found[Phase.FREEZE]) == "2026-07-08 Wed 19:00 CST"
    assert all(moment > after for moment in found.values())
    # Cycles start with the one still running: June's vote closes after June's D.
    running = next(cycles(cal, utc(2026, 6, 12)))
    assert (running.year, running.month) == (2026, 6)


@pytest.mark.parametrize(
    ("cal", "phase"),
    [
        (Calendar(MonthDay(11, time(19)), phases(freeze=Offset(1))), Phase.FREEZE),
        (Calendar(MonthDay(11, time(19)), phases(reminder_1=Offset(-31))), Phase.REMINDER_1),
        (Calendar(MonthDay(11, time(19)), phases(vote_open=Offset(-1))), Phase.VOTE_OPEN),
        (Calendar(MonthDay(11, time(19)), vote_hours=24 * 31), Phase.VOTE_CLOSE),
        # 23:00 the day before a 07:00 D waits for the quiet hours to end at 08:00: after D.
        (
            Calendar(MonthDay(11, time(7)), phases(reminder_2=Offset(-1, time(23)))),
            Phase.REMINDER_2,
        ),
        # Freeze on the first Friday with D on the 1st: a month starting on Friday breaks it.
        (
            Calendar(MonthDay(1, time(19)), phases(freeze=NthWeekday(1, FRIDAY, time(9)))),
            Phase.FREEZE,
        ),
    ],
)
def test_check_refuses_phases_out_of_order(cal: Calendar, phase: Phase) -> None:
    with pytest.raises(OutOfOrder) as refused:
        check(cal, utc(2026, 1, 1))
    assert refused.value.phase is phase
