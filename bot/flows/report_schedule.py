"""When each community's automatic report is owed, and the claim that sends it once.

On the 1st of every month (the community's timezone, at the configured time) the previous
month's report is owed to the communities the operator enabled (config ``auto_report``). What
was sent is a ``cycle_run`` row (phase "report", month = the month reported), written before
sending: after downtime the report goes out once, late (up to ``CATCH_UP``), never twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.cycle_phases import LATE_AFTER, AlreadyRan
from bot.flows.report_period import Period, label
from storage import audit
from storage.engine import Database
from storage.models import ChatBinding, Community, CycleRun, Scope

PHASE = "report"
CATCH_UP = timedelta(days=7)  # a report later than this after its 1st is not sent any more


@dataclass(frozen=True)
class Owed:
    community_id: int
    timezone: str
    due_at: datetime  # the 1st, at the configured local time, in UTC
    month: str  # the month reported, "YYYY-MM"

    @property
    def period(self) -> Period:
        year, month = int(self.month[:4]), int(self.month[5:])
        return Period((year, month), (year, month), self.timezone)


def owed_after(community_id: int, timezone: str, at: time, after: datetime) -> Owed:
    """The first report of a community due at or after ``after``."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    year, month = local.year, local.month
    while True:
        due = datetime.combine(date(year, month, 1), at, tzinfo=zone)
        if due >= after:
            reported = (year, month - 1) if month > 1 else (year - 1, 12)
            return Owed(community_id, timezone, due.astimezone(UTC), label(reported))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


async def owed(
    session: AsyncSession, enabled: Callable[[str], bool], at: time, now: datetime
) -> dict[int, Owed]:
    """Each enabled community's next report not sent yet: the one of the latest 1st if it is
    still to send (within ``CATCH_UP``, and not before the community existed), else the next."""
    communities = (await session.scalars(select(Community))).all()
    sent = set(
        (
            await session.execute(
                select(CycleRun.community_id, CycleRun.month).where(CycleRun.phase == PHASE)
            )
        ).all()
    )
    found: dict[int, Owed] = {}
    for community in communities:
        if not enabled(community.name):
            continue
        since = max(community.created_at, now - CATCH_UP)
        report = owed_after(community.id, community.timezone, at, since)
        while (community.id, report.month) in sent:
            report = owed_after(
                community.id, community.timezone, at, report.due_at + timedelta(days=1)
            )
        found[community.id] = report
    return found


async def claim(db: Database, report: Owed, now: datetime) -> CycleRun:
    """Record the report as sent now (audited); AlreadyRan if it was."""
    async with db.write() as session:
        exists = await session.scalar(
            select(CycleRun.id).where(
                CycleRun.community_id == report.community_id,
                CycleRun.month == report.month,
                CycleRun.phase == PHASE,
            )
        )
        if exists is not None:
            raise AlreadyRan
        run = CycleRun(
            community_id=report.community_id,
            month=report.month,
            phase=PHASE,
            due_at=report.due_at,
            done_at=now,
            late=now - report.due_at > LATE_AFTER,
        )
        session.add(run)
        await audit.record(
            session,
            "report.auto",
            community_id=report.community_id,
            subject=f"community:{report.community_id}",
            data={"month": report.month, "due_at": report.due_at.isoformat(), "late": run.late},
        )
    return run


async def community_groups(session: AsyncSession, community_id: int) -> list[int]:
    """The chat ids of the active groups bound to the whole community."""
    return list(
        (
            await session.scalars(
                select(ChatBinding.chat_id)
                .join(Scope, Scope.id == ChatBinding.scope_id)
                .where(
                    ChatBinding.community_id == community_id,
                    ChatBinding.active,
                    Scope.kind == "community",
                )
                .order_by(ChatBinding.id)
            )
        ).all()
    )
