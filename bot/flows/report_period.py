"""Which months an indicator report covers: "2026-11" or "2026-09..2026-11" (full-width digits
and 2026年11月 too), bounded in the community's timezone; by default the last complete month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows.inputs import Invalid, normalize
from bot.i18n import Text, t

MAX_MONTHS = 24
_MONTH = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?"
_PATTERN = re.compile(rf"{_MONTH}(?:\s*(?:\.\.+|…+|~|至|到|—|–)\s*{_MONTH})?")

Month = tuple[int, int]  # (year, month)


def label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


def _month(index: int) -> Month:
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month
    timezone: str

    @property
    def months(self) -> list[str]:
        return [label(_month(i)) for i in range(_index(self.first), _index(self.last) + 1)]

    def _local(self, month: Month) -> datetime:
        return datetime(month[0], month[1], 1, tzinfo=ZoneInfo(self.timezone))

    @property
    def start(self) -> datetime:
        return self._local(self.first)

    @property
    def end(self) -> datetime:
        """The first instant after the period: the next month's first midnight, local."""
        return self._local(_month(_index(self.last) + 1))

    @property
    def code(self) -> str:
        """ "2026-11", or "2026-09..2026-11" as typed after /report."""
        if self.first == self.last:
            return label(self.first)
        return f"{label(self.first)}..{label(self.last)}"

    @property
    def name(self) -> Text | str:
        if self.first == self.last:
            return label(self.first)
        return t("{first} to {last}", first=label(self.first), last=label(self.last))


def last_complete(now: datetime, timezone: str) -> Period:
    local = now.astimezone(ZoneInfo(timezone))
    previous = _month(_index((local.year, local.month)) - 1)
    return Period(previous, previous, timezone)


def usage() -> Text:
    return t(
        "Give the month as YYYY-MM, e.g. /report 2026-11, or a range of months: "
        "/report 2026-09..2026-11."
    )


def parse(typed: str, now: datetime, timezone: str) -> Period:
    """The period typed after /report (empty: the last complete month); Invalid says what is
    wrong: the form, a range backwards, a month not begun, a range too long."""
    text = normalize(typed)
    if not text:
        return last_complete(now, timezone)
    found = _PATTERN.fullmatch(text)
    if found is None:
        raise Invalid(usage())
    numbers = [int(n) for n in found.groups() if n is not None]
    months = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]
    if any(not 1 <= month <= 12 or year < 2000 for year, month in months):
        raise Invalid(usage())
    first, last = months[0], months[-1]
    if _index(last) < _index(first):
        raise Invalid(
            t(
                "The range {first}..{last} runs backwards: put the earlier month first.",
                first=label(first),
                last=label(last),
            )
        )
    local = now.astimezone(ZoneInfo(timezone))
    if _index(last) > _index((local.year, local.month)):
        raise Invalid(
            t(
                "{month} has not begun yet: a report covers past months and this one so far.",
                month=label(last),
            )
        )
    if _index(last) - _index(first) + 1 > MAX_MONTHS:
        raise Invalid(t("A report covers at most {count} months.", count=MAX_MONTHS))
    return Period(first, last, timezone)
