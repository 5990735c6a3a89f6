"""A community's cycle settings: read (the defaults when none are stored), and changed one field
at a time by ``/cycle set`` or ``xieshang cycle set`` — parsed, checked against the calendar
of the coming months, saved and audited in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import cycle_text as text
from bot.flows.cycle_rules import Calendar, DayRule, OutOfOrder, Phase, PhaseRule, check
from bot.flows.inputs import Invalid, normalize
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Community, CycleSettings

DEFAULT_DAY_TIME = time(19)  # when a 协商日 is given without a time and none was set before
PHASE_COLUMNS = {
    Phase.REMINDER_1: "reminder_1",
    Phase.REMINDER_2: "reminder_2",
    Phase.FREEZE: "freeze",
    Phase.VOTE_OPEN: "vote_open",
}


@dataclass(frozen=True)
class CycleConfig:
    """The stored settings, parsed; ``day`` None until a moderator sets the 协商日."""

    community: str
    timezone: str
    day: DayRule | None
    phases: dict[Phase, PhaseRule]
    vote_hours: int
    publicity_days: int
    support_threshold: int
    agenda_size: int
    vote_opener: str
    quiet: tuple[time, time] | None
    language: str  # the community's, which its groups are told in

    def calendar(self) -> Calendar | None:
        if self.day is None:
            return None
        return Calendar(self.day, self.phases, self.vote_hours, self.quiet, self.timezone)


def _config(community: Community, row: CycleSettings) -> CycleConfig:
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = (text.parse_time(row.quiet_start), text.parse_time(row.quiet_end))
    return CycleConfig(
        community=community.name,
        timezone=community.timezone,
        day=text.parse_day(row.day_rule) if row.day_rule else None,
        phases={phase: text.parse_phase(getattr(row, col)) for phase, col in PHASE_COLUMNS.items()},
        vote_hours=row.vote_hours,
        publicity_days=row.publicity_days,
        support_threshold=row.support_threshold,
        agenda_size=row.agenda_size,
        vote_opener=row.vote_opener,
        quiet=quiet,
        language=community.language,
    )


async def _row(session: AsyncSession, community_id: int) -> CycleSettings | None:
    return await session.scalar(
        select(CycleSettings).where(CycleSettings.community_id == community_id)
    )


async def load(session: AsyncSession, community_id: int) -> CycleConfig:
    community = await session.get(Community, community_id)
    assert community is not None
    row = await _row(session, community_id) or CycleSettings(community_id=community_id)
    return _config(community, row)


# -- fields --------------------------------------------------------------------------------------

Columns = dict[str, object]


def _day(value: str, current: CycleConfig) -> Columns:
    rule = text.parse_day(value)
    if rule.at is None:
        rule = replace(rule, at=current.day.at if current.day else DEFAULT_DAY_TIME)
    return {"day_rule": text.canonical(rule)}


def _phase(column: str) -> Callable[[str, CycleConfig], Columns]:
    return lambda value, current: {column: text.canonical(text.parse_phase(value))}


def _count(column: str, low: int, high: int, *units: str) -> Callable[[str, CycleConfig], Columns]:
    return lambda value, current: {column: text.parse_count(value, low, high, units)}


OPENERS = {"chair": "chair", "轮值主席": "chair", "主席": "chair", "moderator": "moderator"}
OPENERS |= {"主持人": "moderator", "moderators": "moderator"}


def _opener(value: str, current: CycleConfig) -> Columns:
    chosen = OPENERS.get(normalize(value).lower())
    if chosen is None:
        raise Invalid(t("Votes are opened by the chair or by a moderator: say chair or moderator."))
    return {"vote_opener": chosen}


def _quiet(value: str, current: CycleConfig) -> Columns:
    quiet = text.parse_quiet(value)
    if quiet is None:
        return {"quiet_start": None, "quiet_end": None}
    return {"quiet_start": text.clock(quiet[0]), "quiet_end": text.clock(quiet[1])}


FIELDS: dict[str, Callable[[str, CycleConfig], Columns]] = {
    "day": _day,
    "reminder1": _phase("reminder_1"),
    "reminder2": _phase("reminder_2"),
    "freeze": _phase("freeze"),
    "vote": _phase("vote_open"),
    "hours": _count("vote_hours", 1, 336, "hours", "hour", "个小时", "小时", "h"),
    "publicity": _count("publicity_days", 1, 60, "days", "day", "天", "d"),
    "threshold": _count("support_threshold", 1, 10000, "households", "household", "户"),
    "agenda": _count("agenda_size", 1, 20, "items", "item", "项", "个"),
    "opener": _opener,
    "quiet": _quiet,
}
ALIASES = {
    "d": "day",
    "协商日": "day",
    "日期": "day",
    "reminder_1": "reminder1",
    "提醒1": "reminder1",
    "第一次提醒": "reminder1",
    "reminder_2": "reminder2",
    "提醒2": "reminder2",
    "第二次提醒": "reminder2",
    "冻结": "freeze",
    "议程冻结": "freeze",
    "votes": "vote",
    "vote_open": "vote",
    "投票": "vote",
    "vote_hours": "hours",
    "投票时长": "hours",
    "公示": "publicity",
    "门槛": "threshold",
    "附议门槛": "threshold",
    "agenda_size": "agenda",
    "议程": "agenda",
    "议程数": "agenda",
    "开启投票": "opener",
    "免打扰": "quiet",
    "quiet_hours": "quiet",
}


def field_of(word: str) -> str:
    key = normalize(word).lower()
    key = ALIASES.get(key, key)
    if key not in FIELDS:
        raise Invalid(usage())
    return key


def usage() -> Text:
    return t(
        "Use /cycle set FIELD VALUE, e.g. /cycle set day 每月11日 19:30 or "
        "/cycle set freeze D-3 09:00. Fields: {fields}.",
        fields=", ".join(FIELDS),
    )


# -- changing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: CycleConfig
    after: CycleConfig
    changed: bool


def _checked(config: CycleConfig, now: datetime) -> None:
    calendar = config.calendar()
    if calendar is None:
        return
    try:
        check(calendar, now)
    except OutOfOrder as problem:
        raise Invalid(text.out_of_order(calendar, problem)) from None


async def change(
    db: Database,
    community_id: int,
    field: str,
    value: str,
    now: datetime,
    *,
    actor_id: int | None,
    via: str,
) -> Change:
    """Set one field (a key of ``FIELDS``) from what was typed; refused with ``Invalid``."""
    if not normalize(value):
        raise Invalid(usage())
    async with db.write() as s:
        community = await s.get(Community, community_id)
        assert community is not None
        row = await _row(s, community_id) or CycleSettings(community_id=community_id)
        before = _config(community, row)
        columns = FIELDS[field](value, before)
        previous = {column: getattr(row, column) for column in columns}
        for column, stored in columns.items():
            setattr(row, column, stored)
        after = _config(community, row)
        _checked(after, now)
        changed = previous != columns
        if changed:
            row.updated_at, row.updated_by_id = now, actor_id
            s.add(row)
            await audit.record(
                s,
                "cycle.settings",
                actor_id=actor_id,
                community_id=community_id,
                subject=f"community:{community_id}",
                data={"setting": field, "from": previous, "to": columns, "via": via},
            )
    return Change(field, before, after, changed)
