"""The 协商日 calendar: on which day D falls each month, and when each phase of a cycle happens.

Pure (no storage, no clock): rules and an instant in, aware UTC datetimes out, so the
``/cycle`` answer and the scheduler compute the same dates from the same code.

* D is a day of the month (1–31; a day a month lacks falls on its last day; or the last day)
  or the nth weekday (first…fourth, or last), at a local time in the community's zone.
* Each other phase is an offset from D in calendar days (at its own time of day, or D's), or a
  rule of the same kinds as D's. A rule places a phase before D (reminders, freeze) on its
  latest occurrence before D, and a phase from D on (votes open) on its first at or after D:
  "三五五" is D = second Friday 15:00 with freeze = first Friday 09:00.
* Reminders that would land in the quiet hours wait for their end.

Local times are resolved in the zone (daylight saving included): a time in the hour skipped
when clocks go forward moves forward to the first valid local time (02:30 on Berlin's spring
day → 03:00 CEST); a time in the hour repeated when clocks go back means its first occurrence
(still on summer time).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

LAST = -1  # MonthDay.day / NthWeekday.n: the month's last (day / such weekday)
MAX_OFFSET_DAYS = 31
CHECKED_CYCLES = 60  # months ahead in which a calendar's phases must keep their order


@dataclass(frozen=True)
class MonthDay:
    """Day ``day`` of every month (or LAST); ``at`` None means "at the 协商日's time"."""

    day: int
    at: time | None = None


@dataclass(frozen=True)
class NthWeekday:
    """The ``n``-th (1–4, or LAST) ``weekday`` (0 = Monday) of every month."""

    n: int
    weekday: int
    at: time | None = None


@dataclass(frozen=True)
class Offset:
    """``days`` calendar days from D (negative: before), at ``at`` or at D's time."""

    days: int = 0
    at: time | None = None


DayRule = MonthDay | NthWeekday
PhaseRule = MonthDay | NthWeekday | Offset


class Phase(StrEnum):
    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    FREEZE = "freeze"
    DELIBERATION = "deliberation"
    VOTE_OPEN = "vote_open"
    VOTE_CLOSE = "vote_close"


BEFORE_D = (Phase.REMINDER_1, Phase.REMINDER_2, Phase.FREEZE)
REMINDERS = (Phase.REMINDER_1, Phase.REMINDER_2)


@dataclass(frozen=True)
class Calendar:
    """Everything that places a cycle's phases in time (defaults: design §4)."""

    day: DayRule  # D; its ``at`` is always set
    phases: Mapping[Phase, PhaseRule] = field(
        default_factory=lambda: {
            Phase.REMINDER_1: Offset(-7),
            Phase.REMINDER_2: Offset(-1),
            Phase.FREEZE: Offset(-3),
            Phase.VOTE_OPEN: Offset(0),
        }
    )
    vote_hours: int = 48
    quiet: tuple[time, time] | None = (time(22), time(8))  # [start, end) local, may wrap
    timezone: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Cycle:
    """One month's cycle: ``times`` in UTC, keyed by phase (D is ``Phase.DELIBERATION``)."""

    year: int
    month: int
    times: Mapping[Phase, datetime]

    @property
    def d(self) -> datetime:
        return self.times[Phase.DELIBERATION]


class OutOfOrder(Exception):
    """A calendar whose phase would not fall between the previous 协商日 and the next."""

    def __init__(self, phase: Phase, cycle: Cycle, previous_d: datetime | None) -> None:
        super().__init__(f"{phase} of {cycle.year}-{cycle.month:02d}")
        self.phase = phase
        self.cycle = cycle
        self.previous_d = previous_d


# -- days and local times -----------------------------------------------------------------------


def date_in(rule: DayRule, year: int, month: int) -> date:
    """The day ``rule`` picks in one month."""
    length = calendar.monthrange(year, month)[1]
    if isinstance(rule, MonthDay):
        return date(year, month, length if rule.day == LAST else min(rule.day, length))
    if rule.n == LAST:
        last = date(year, month, length)
        return last - timedelta(days=(last.weekday() - rule.weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.n - 1))


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant: skipped → first valid time after; repeated →
    first occurrence."""
    local = datetime.combine(day, at)
    probe = local
    while not _exists(probe, zone):  # in a gap: walk to its end, a minute at a time
        probe = probe.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return probe.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _month_of(year: int, month: int, months: int) -> tuple[int, int]:
    """The month ``months`` after (or before) ``year``-``month``."""
    y, m = divmod(year * 12 + month - 1 + months, 12)
    return y, m + 1


def _months(year: int, month: int) -> Iterator[tuple[int, int]]:
    """``year``-``month`` and every month after it."""
    offset = 0
    while True:
        yield _month_of(year, month, offset)
        offset += 1


def occurrence(rule: DayRule, at: time, year: int, month: int, zone: ZoneInfo) -> datetime:
    return to_utc(date_in(rule, year, month), at, zone)


def next_days(rule: DayRule, zone: ZoneInfo, after: datetime, count: int = 1) -> list[datetime]:
    """The next ``count`` occurrences of D strictly after ``after`` (UTC)."""
    assert rule.at is not None, "the 协商日 has a time"
    start = after.astimezone(zone)
    found: list[datetime] = []
    for year, month in _months(start.year, start.month):
        moment = occurrence(rule, rule.at, year, month, zone)
        if moment > after:
            found.append(moment)
            if len(found) == count:
                return found
    raise AssertionError("unreachable")


# -- cycles --------------------------------------------------------------------------------------


def _quiet_end(moment: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    if quiet is None:
        return moment
    start, end = quiet
    local = moment.astimezone(zone)
    at = local.time()
    wraps = start > end  # e.g. 22:00–08:00
    inside = (at >= start or at < end) if wraps else (start <= at < end)
    if not inside:
        return moment
    day = local.date() + timedelta(days=1) if wraps and at >= start else local.date()
    return to_utc(day, end, zone)


def _place(cal: Calendar, phase: Phase, d: datetime, year: int, month: int) -> datetime:
    rule = cal.phases[phase]
    zone = cal.zone
    assert cal.day.at is not None
    at = rule.at or cal.day.at
    if isinstance(rule, Offset):
        return to_utc(d.astimezone(zone).date() + timedelta(days=rule.days), at, zone)
    if phase in BEFORE_D:  # latest occurrence before D
        moment = occurrence(rule, at, year, month, zone)
        if moment >= d:
            moment = occurrence(rule, at, *_month_of(year, month, -1), zone)
        return moment
    moment = occurrence(rule, at, year, month, zone)  # first occurrence at or after D
    if moment < d:
        moment = occurrence(rule, at, *_month_of(year, month, 1), zone)
    return moment


def cycle(cal: Calendar, year: int, month: int) -> Cycle:
    """The cycle whose 协商日 falls in ``year``-``month``."""
    assert cal.day.at is not None
    d = occurrence(cal.day, cal.day.at, year, month, cal.zone)
    times = {phase: _place(cal, phase, d, year, month) for phase in cal.phases}
    for phase in REMINDERS:
        times[phase] = _quiet_end(times[phase], cal.quiet, cal.zone)
    times[Phase.DELIBERATION] = d
    times[Phase.VOTE_CLOSE] = times[Phase.VOTE_OPEN] + timedelta(hours=cal.vote_hours)
    return Cycle(year, month, {phase: times[phase] for phase in Phase})


def cycles(cal: Calendar, after: datetime) -> Iterator[Cycle]:
    """Every cycle with a phase still to come after ``after``, in order (endless)."""
    local = after.astimezone(cal.zone)
    for year, month in _months(*_month_of(local.year, local.month, -1)):
        found = cycle(cal, year, month)
        if max(found.times.values()) > after:
            yield found


def upcoming(cal: Calendar, after: datetime) -> dict[Phase, datetime]:
    """The next time of every phase after ``after``, whichever cycle it belongs to."""
    found: dict[Phase, datetime] = {}
    for each in cycles(cal, after):
        for phase, moment in each.times.items():
            if moment > after and phase not in found:
                found[phase] = moment
        if len(found) == len(Phase):
            return dict(sorted(found.items(), key=lambda item: item[1]))
    raise AssertionError("unreachable")


def check(cal: Calendar, after: datetime) -> None:
    """Raise :class:`OutOfOrder` unless, in each of the coming cycles, every phase before D falls
    after the previous 协商日 and before this one, and voting opens at D or later and closes
    by the next 协商日."""
    current = next(cycles(cal, after))
    previous = cycle(cal, *_month_of(current.year, current.month, -1))
    for _ in range(CHECKED_CYCLES):
        following = cycle(cal, *_month_of(current.year, current.month, 1))
        for phase in BEFORE_D:
            if not previous.d < current.times[phase] < current.d:
                raise OutOfOrder(phase, current, previous.d)
        if current.times[Phase.VOTE_OPEN] < current.d:
            raise OutOfOrder(Phase.VOTE_OPEN, current, None)
        if current.times[Phase.VOTE_CLOSE] > following.d:
            raise OutOfOrder(Phase.VOTE_CLOSE, current, None)
        previous, current = current, following
