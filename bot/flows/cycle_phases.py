"""Which phases of each community's monthly cycle are due, and the claim that makes each run once.

Nothing is scheduled per phase: the times come from the cycle settings (bot.flows.cycle_rules)
and what has happened is the ``cycle_run`` table. A phase is due when its time has come, it
is not older than the community's start (its first run, else its last settings change: setting
the 协商日 never fires the month's past phases) nor than ``CATCH_UP``, and it has no row yet.
Each phase's flow :func:`claim`s it inside its own write transaction, with its effects, so after
a crash it either happened completely or runs again; never twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import cycle_settings
from bot.flows.cycle_rules import Calendar, Cycle, Phase, cycles
from bot.flows.cycle_settings import CycleConfig
from bot.i18n import Text, t
from storage import audit
from storage.models import CycleRun, CycleSettings

RUN_PHASES = (Phase.REMINDER_1, Phase.REMINDER_2, Phase.FREEZE, Phase.DELIBERATION)
RUN_PHASES += (Phase.VOTE_OPEN,)  # votes close on their own (the "votes" sweep)
LATE_AFTER = timedelta(minutes=2)  # a phase run later than this says so
CATCH_UP = timedelta(days=35)  # after a longer downtime, older phases are not run any more


def month_of(found: Cycle) -> str:
    return f"{found.year:04d}-{found.month:02d}"


@dataclass(frozen=True)
class Due:
    community_id: int
    month: str  # of the cycle's 协商日, "YYYY-MM"
    phase: Phase
    at: datetime  # when it was (or is) due, UTC
    rescheduled: bool = False  # a settings change moved it before the change: it runs now


@dataclass
class Plan:
    """One community's calendar and the phases already run (or skipped); ``config`` is the
    settings it was read from, which every phase but the freeze uses as it is."""

    community_id: int
    calendar: Calendar
    since: datetime
    changed_at: datetime  # the settings' last change
    done: set[tuple[str, str]] = field(default_factory=set)  # (month, phase)
    config: CycleConfig | None = None
    _next: tuple[datetime, datetime | None] | None = None  # (asked after, answer), memoised

    def _phases(self, after: datetime) -> list[Due]:
        """Phases not yet run after ``after``, in the next three cycles, soonest first."""
        found: list[Due] = []
        for count, each in enumerate(cycles(self.calendar, after)):
            if count == 3:
                break
            month = month_of(each)
            for phase in RUN_PHASES:
                at = each.times[phase]
                if at > after and at >= self.since and (month, phase.value) not in self.done:
                    found.append(Due(self.community_id, month, phase, at, at < self.changed_at))
        return sorted(found, key=lambda d: (d.at, RUN_PHASES.index(d.phase)))

    def due(self, now: datetime) -> list[Due]:
        return [d for d in self._phases(now - CATCH_UP) if d.at <= now]

    def next_after(self, after: datetime) -> datetime | None:
        if self._next is not None:
            asked, answer = self._next
            if asked <= after and (answer is None or after < answer):
                return answer
        found = self._phases(after)
        answer = found[0].at if found else None
        self._next = (after, answer)
        return answer

    def ran(self, month: str, phase: str) -> None:
        self.done.add((month, phase))
        self._next = None


async def plans(session: AsyncSession, now: datetime) -> dict[int, Plan]:
    """Every community with a 协商日, with what ran in the catch-up window."""
    rows = (
        await session.execute(
            select(CycleSettings.community_id, CycleSettings.updated_at).where(
                CycleSettings.day_rule.is_not(None)
            )
        )
    ).all()
    first_runs = dict(
        (
            await session.execute(
                select(CycleRun.community_id, func.min(CycleRun.due_at))
                .where(CycleRun.phase.in_([phase.value for phase in RUN_PHASES]))  # not reports
                .group_by(CycleRun.community_id)
            )
        ).all()
    )
    found: dict[int, Plan] = {}
    for community_id, updated_at in rows:
        config = await cycle_settings.load(session, community_id)
        calendar = config.calendar()
        assert calendar is not None
        since = first_runs.get(community_id) or updated_at
        found[community_id] = Plan(community_id, calendar, since, updated_at, config=config)
    recent = await session.execute(
        select(CycleRun.community_id, CycleRun.month, CycleRun.phase).where(
            CycleRun.due_at >= now - 2 * CATCH_UP
        )
    )
    for community_id, month, phase in recent.all():
        if community_id in found:
            found[community_id].done.add((month, phase))
    return found


class AlreadyRan(Exception):
    """The phase has a ``cycle_run`` row: it ran, was skipped, or was run by hand."""


async def claim(
    session: AsyncSession,
    due: Due,
    now: datetime,
    *,
    outcome: str = "done",
    actor_id: int | None = None,
) -> CycleRun:
    """Record ``due`` as run now, inside the phase's own write transaction (audited)."""
    exists = await session.scalar(
        select(CycleRun.id).where(
            CycleRun.community_id == due.community_id,
            CycleRun.month == due.month,
            CycleRun.phase == due.phase.value,
        )
    )
    if exists is not None:
        raise AlreadyRan
    run = CycleRun(
        community_id=due.community_id,
        month=due.month,
        phase=due.phase.value,
        due_at=due.at,
        done_at=now,
        late=outcome == "done" and not due.rescheduled and now - due.at > LATE_AFTER,
        outcome=outcome,
    )
    session.add(run)
    await audit.record(
        session,
        f"cycle.{due.phase.value}",
        actor_id=actor_id,
        community_id=due.community_id,
        subject=f"community:{due.community_id}",
        data={
            "month": due.month,
            "due_at": due.at.isoformat(),
            "late": run.late,
            "outcome": outcome,
        },
    )
    return run


def late_note(run: CycleRun) -> tuple[Text, ...]:
    """What a late phase adds to its announcement."""
    if not run.late:
        return ()
    return (t("(Delayed because the system was down.)"),)
