"""What people type about action items: ``/action add N what | assignee | due``, ``/progress ID
percent note`` — full-width digits, bars and brackets are fine. A refusal is an
:class:`~bot.flows.inputs.Invalid` that says what was wrong.

Due dates are days, not instants: an item is due by the end of its day in the community's time
zone (``due_at`` is that day's 23:59:59 local).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.flows.inputs import Invalid, normalize
from bot.i18n import t

ADD_WORDS = {"add", "new", "添加", "新增", "新建"}
WHAT_LIMIT = 300
NOTE_LIMIT = 500
PARTY_LIMIT = 100
END_OF_DAY = time(23, 59, 59)
ADD_EXAMPLE = "/action add 3 更换7栋门禁 | 物业公司 (负责人 7-1-101) | 2026-12-20"

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CHINESE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?$")
_RELATIVE = re.compile(r"^\+?\s*(\d{1,3})\s*(d|day|days|天|w|week|weeks|周|星期)后?$", re.I)
_PARTY = re.compile(
    r"^(.+?)\s*\(\s*(?:负责人|联系人|responsible|contact)?[:：]?\s*(.+?)\s*\)$", re.I
)
_PERCENT = re.compile(r"^(\d{1,4})\s*%?$")


@dataclass(frozen=True)
class NewItem:
    """A parsed ``/action add``: ``who`` names a member; ``party`` an outside party (then ``who``
    names its responsible member)."""

    vote_number: int
    what: str
    who: str
    party: str | None
    due: date


def _clean(value: str) -> str:
    return normalize(value.replace("｜", "|"))


def parse_add(args: str | None, today: date) -> NewItem:
    text = _clean(args or "")
    verb, _, rest = text.partition(" ")
    if verb.lower() not in ADD_WORDS:
        raise Invalid(t("Use {example}", example=ADD_EXAMPLE))
    number, _, rest = rest.strip().partition(" ")
    number = number.lstrip("#")
    if not number.isdigit():
        raise Invalid(
            t("Give the decided vote's number first, e.g. {example}", example=ADD_EXAMPLE)
        )
    parts = [part.strip() for part in rest.split("|")]
    if len(parts) != 3 or not all(parts):
        raise Invalid(
            t(
                "Write three parts separated by |: what is to be done, who is responsible, "
                "and the due date. For example: {example}",
                example=ADD_EXAMPLE,
            )
        )
    what, assignee, due = parts
    if len(what) > WHAT_LIMIT:
        raise Invalid(t("Say what is to be done in at most {limit} characters.", limit=WHAT_LIMIT))
    who, party = assignee, None
    found = _PARTY.match(assignee)
    if found:
        party, who = found.group(1).strip(), found.group(2).strip()
        if len(party) > PARTY_LIMIT:
            raise Invalid(
                t("Name the outside party in at most {limit} characters.", limit=PARTY_LIMIT)
            )
    return NewItem(int(number), what, who.lstrip("@"), party, parse_due(due, today))


def parse_due(value: str, today: date) -> date:
    """``2026-12-20``, ``12月20日`` (the next such day), ``+14d``/``14天``/``2周``; not past."""
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    due: date | None = None
    try:
        if found := _ISO.match(text):
            due = date(int(found[1]), int(found[2]), int(found[3]))
        elif found := _CHINESE.match(text):
            due = date(int(found[1] or today.year), int(found[2]), int(found[3]))
            if found[1] is None and due < today:
                due = due.replace(year=today.year + 1)
        elif found := _RELATIVE.match(text):
            days = int(found[1]) * (7 if found[2].lower()[0] in "w周星" else 1)
            due = today + timedelta(days=days)
    except ValueError:
        raise Invalid(t("There is no such date as “{value}”.", value=value)) from None
    if due is None:
        raise Invalid(
            t(
                "I could not read the due date “{value}”. Write it like 2026-12-20, 12月20日 "
                "or +14d.",
                value=value,
            )
        )
    if due < today:
        raise Invalid(t("The due date {date} has already passed.", date=due.isoformat()))
    return due


def due_instant(due: date, zone: ZoneInfo) -> datetime:
    """The end of the due day, local: what ``due_at`` stores."""
    return datetime.combine(due, END_OF_DAY, tzinfo=zone)


def due_day(due_at: datetime, zone: ZoneInfo) -> str:
    return due_at.astimezone(zone).date().isoformat()


@dataclass(frozen=True)
class Update:
    action_id: int
    percent: int
    note: str | None


PROGRESS_EXAMPLE = "/progress 2 60 已完成设备采购"


def parse_progress(args: str | None) -> Update:
    text = _clean(args or "")
    number, _, rest = text.partition(" ")
    number = number.lstrip("#")
    percent, _, note = rest.strip().partition(" ")
    if not number.isdigit() or not percent:
        raise Invalid(
            t(
                "Give the item's number, the percent done and a note, e.g. {example}",
                example=PROGRESS_EXAMPLE,
            )
        )
    found = _PERCENT.match(percent)
    if found is None or int(found[1]) > 100:
        raise Invalid(
            t("The percent done is a whole number from 0 to 100, not “{value}”.", value=percent)
        )
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise Invalid(t("A note can have at most {limit} characters.", limit=NOTE_LIMIT))
    return Update(int(number), int(found[1]), note or None)


def parse_id(args: str | None, example: str) -> int:
    number = _clean(args or "").lstrip("#")
    if not number.isdigit():
        raise Invalid(t("Give the action item's number, e.g. {example}", example=example))
    return int(number)
