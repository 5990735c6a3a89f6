"""When the automatic report is owed: the 1st at the configured local time, reporting the month
before (December in January), in each community's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.flows.report_schedule import owed_after


def test_the_first_of_the_month_reports_the_month_before() -> None:
    at = datetime(2026, 12, 15, tzinfo=UTC)
    owed = owed_after(1, "Asia/Shanghai", time(9), at)
    assert (owed.due_at, owed.month) == (datetime(2027, 1, 1, 1, tzinfo=UTC), "2026-12")
    assert owed.period.start == datetime(2026, 11, 30, 16, tzinfo=UTC)
    same = owed_after(1, "Asia/Shanghai", time(9), owed.due_at)  # at the instant: still owed
    assert same == owed
    london = owed_after(2, "Europe/London", time(8, 30), datetime(2027, 6, 1, 7, tzinfo=UTC))
    assert (london.due_at, london.month) == (datetime(2027, 6, 1, 7, 30, tzinfo=UTC), "2027-05")
