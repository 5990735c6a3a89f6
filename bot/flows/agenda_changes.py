"""A moderator's changes to the cycle: postpone an item to next month, skip a month, run the
agenda freeze now. Each is checked, stored and audited in one write transaction; the month is
always the coming 协商日's (the first whose D is still ahead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from bot.flows import agenda, cycle_phases, cycle_settings, proposals
from bot.flows.cycle_phases import RUN_PHASES, AlreadyRan, Due, month_of
from bot.flows.cycle_rules import Cycle, Phase, cycles
from bot.flows.cycle_text import when
from bot.flows.inputs import Invalid, normalize
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import AgendaItem, CycleRun, Proposal, Vote


async def coming(db: Database, community_id: int, now: datetime) -> tuple[Cycle, Text]:
    """The cycle of the next 协商日 and its date in words; Invalid without a 协商日."""
    async with db.session() as s:
        config = await cycle_settings.load(s, community_id)
    calendar = config.calendar()
    if calendar is None:
        raise Invalid(
            t("No 协商日 is set yet. A moderator sets it with /cycle set day 每月11日 19:00.")
        )
    found = next(c for c in cycles(calendar, now) if c.d > now)
    return found, when(found.d, calendar.zone)


def position_of(args: str | None) -> int:
    words = normalize(args or "").split()
    if len(words) != 1 or not words[0].lstrip("#").isdigit() or len(words[0]) > 4:
        raise Invalid(t("Say which agenda item: /postpone 2 moves item 2 to next month."))
    return int(words[0].lstrip("#"))


@dataclass(frozen=True)
class Postponed:
    position: int
    proposal: Proposal
    month: str


async def postpone(
    db: Database, community_id: int, position: int, now: datetime, *, actor_id: int | None
) -> Postponed:
    """Item ``position`` of the latest agenda goes to next month's, first in line."""
    async with db.write() as s:
        month = await s.scalar(
            select(AgendaItem.month)
            .where(AgendaItem.community_id == community_id)
            .order_by(AgendaItem.month.desc())
            .limit(1)
        )
        item = await s.scalar(
            select(AgendaItem).where(
                AgendaItem.community_id == community_id,
                AgendaItem.month == month,
                AgendaItem.position == position,
            )
        )
        if item is None:
            raise Invalid(t("The current agenda has no item {position}.", position=position))
        proposal = await s.get(Proposal, item.proposal_id)
        if item.status == "postponed":
            raise Invalid(t("Item {position} is already postponed.", position=position))
        if proposal.status != "on_agenda":
            raise Invalid(t("Item {position} is already decided.", position=position))
        running = await s.scalar(
            select(Vote.id).where(Vote.proposal_id == proposal.id, Vote.closed_at.is_(None))
        )
        if running is not None:
            raise Invalid(
                t(
                    "Vote {id} on item {position} is open: close it with /closevote {id} first.",
                    id=running,
                    position=position,
                )
            )
        config = await cycle_settings.load(s, community_id)
        support = await proposals.support_count(s, proposal.id)
        item.status = "postponed"
        proposal.status = "supported" if support >= config.support_threshold else "open"
        proposal.updated_at = now
        s.add_all([item, proposal])
        await audit.record(
            s,
            "agenda.postponed",
            actor_id=actor_id,
            community_id=community_id,
            subject=f"proposal:{proposal.id}",
            data={"month": month, "position": position, "to": proposal.status},
        )
    return Postponed(position, proposal, month)


async def skip_month(
    db: Database, community_id: int, now: datetime, *, actor_id: int | None
) -> tuple[Cycle, list[Postponed]]:
    """Skip the coming 协商日: none of its phases still to come runs; items already on its
    agenda are postponed to the next month."""
    found, said = await coming(db, community_id, now)
    month = month_of(found)
    async with db.write() as s:
        ran = set(
            (
                await s.scalars(
                    select(CycleRun.phase).where(
                        CycleRun.community_id == community_id, CycleRun.month == month
                    )
                )
            ).all()
        )
        left = [phase for phase in RUN_PHASES if phase.value not in ran]
        if not left or Phase.DELIBERATION.value in ran:
            raise Invalid(t("The 协商日 {when} is already skipped.", when=said))
        for phase in left:
            due = Due(community_id, month, phase, found.times[phase])
            await cycle_phases.claim(s, due, now, outcome="skipped", actor_id=actor_id)
        listed = (
            await s.scalars(
                select(AgendaItem.position).where(
                    AgendaItem.community_id == community_id,
                    AgendaItem.month == month,
                    AgendaItem.status == "listed",
                )
            )
        ).all()
    moved = [
        await postpone(db, community_id, position, now, actor_id=actor_id)
        for position in sorted(listed)
    ]
    return found, moved


async def freeze_now(
    db: Database, community_id: int, now: datetime, *, actor_id: int | None
) -> agenda.Frozen:
    """The coming 协商日's agenda freeze, now instead of at its time (once)."""
    found, said = await coming(db, community_id, now)
    due = Due(community_id, month_of(found), Phase.FREEZE, found.times[Phase.FREEZE])
    try:
        return await agenda.freeze(db, due, now, outcome="manual", actor_id=actor_id)
    except AlreadyRan:
        raise Invalid(
            t("The agenda of the 协商日 {when} is already fixed (or the month skipped).", when=said)
        ) from None
