"""The month's agenda: the freeze that fills it, postponing an item, skipping a month.

At the freeze, items postponed from an earlier month come first; then the proposals at or above
the support threshold, most supported first (ties: the earlier one), up to the agenda size.
Each becomes an agenda item and its proposal goes ``on_agenda``; the month's chair is picked
from the rotation when there is an agenda. All of it, with the phase's ``cycle_run`` row and the
audit events, is one write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import chair_turns, cycle_phases, cycle_settings, proposals
from bot.flows import proposal_category as category
from bot.flows.cycle_phases import Due
from bot.flows.cycle_settings import CycleConfig
from storage import audit
from storage.engine import Database
from storage.models import AgendaItem, ChatBinding, CycleChair, CycleRun, Proposal, Scope


@dataclass(frozen=True)
class Entry:
    item: AgendaItem
    proposal: Proposal
    support: int


@dataclass(frozen=True)
class Frozen:
    run: CycleRun
    config: CycleConfig
    entries: list[Entry]
    chair: CycleChair | None
    below: list[tuple[Proposal, int]]  # still open for next month, most supported first
    chats: list[ChatBinding]  # the community's groups, the home group (the items') first


async def ranked(session: AsyncSession, community_id: int) -> list[tuple[Proposal, int]]:
    """Active proposals that may reach the agenda, most supported first (ties: earlier)."""
    found = [
        p
        for p in (
            await session.scalars(
                select(Proposal).where(
                    Proposal.community_id == community_id, Proposal.status.in_(proposals.ACTIVE)
                )
            )
        ).all()
        if not category.private(p)
    ]
    support = await proposals.counts(session, [p.id for p in found])
    found.sort(key=lambda p: (-support[p.id], p.created_at, p.number))
    return [(p, support[p.id]) for p in found]


async def bound_chats(session: AsyncSession, community_id: int) -> list[ChatBinding]:
    """The community's active groups, the ones bound to the whole community first."""
    rows = (
        await session.execute(
            select(ChatBinding, Scope.kind)
            .join(Scope, Scope.id == ChatBinding.scope_id)
            .where(ChatBinding.community_id == community_id, ChatBinding.active)
            .order_by(ChatBinding.id)
        )
    ).all()
    return [binding for binding, kind in sorted(rows, key=lambda r: r[1] != "community")]


async def _carried(session: AsyncSession, community_id: int) -> list[int]:
    """Proposals postponed from an earlier month and not decided since, oldest first."""
    rows = await session.execute(
        select(AgendaItem.proposal_id)
        .join(Proposal, Proposal.id == AgendaItem.proposal_id)
        .where(
            AgendaItem.community_id == community_id,
            AgendaItem.status == "postponed",
            Proposal.status.in_(proposals.ACTIVE),
        )
        .order_by(AgendaItem.month, AgendaItem.position)
    )
    return list(dict.fromkeys(rows.scalars().all()))


async def freeze(
    db: Database, due: Due, now: datetime, *, outcome: str = "done", actor_id: int | None = None
) -> Frozen:
    """Run the agenda freeze of ``due.month`` (AlreadyRan if it ran)."""
    async with db.write() as s, audit.batched(s):
        run = await cycle_phases.claim(s, due, now, outcome=outcome, actor_id=actor_id)
        config = await cycle_settings.load(s, due.community_id)
        candidates = await ranked(s, due.community_id)
        carried = await _carried(s, due.community_id)
        by_id = {p.id: (p, n) for p, n in candidates}
        chosen = [by_id[pid] for pid in carried if pid in by_id]
        chosen += [
            (p, n) for p, n in candidates if n >= config.support_threshold and p.id not in carried
        ]
        chosen = chosen[: config.agenda_size]
        chats = await bound_chats(s, due.community_id)
        home = chats[0].chat_id if chats else None
        entries = []
        for position, (proposal, support) in enumerate(chosen, start=1):
            previous = proposal.status
            proposal.status, proposal.updated_at = "on_agenda", now
            item = AgendaItem(
                community_id=due.community_id,
                month=due.month,
                position=position,
                proposal_id=proposal.id,
                chat_id=home,
            )
            s.add_all([proposal, item])
            await audit.record(
                s,
                "proposal.on_agenda",
                actor_id=actor_id,
                community_id=due.community_id,
                subject=f"proposal:{proposal.id}",
                data={"from": previous, "by": "freeze", "month": due.month},
            )
            entries.append(Entry(item, proposal, support))
        chair = await chair_turns.pick(s, due.community_id, due.month, now) if entries else None
        await s.flush()
        on_agenda = {p.id for p, _ in chosen}
        below = [(p, n) for p, n in candidates if p.id not in on_agenda]
    return Frozen(run, config, entries, chair, below, chats)


async def items(session: AsyncSession, community_id: int, month: str) -> list[Entry]:
    """The month's listed items, in order, with their proposals' support now."""
    rows = (
        await session.execute(
            select(AgendaItem, Proposal)
            .join(Proposal, Proposal.id == AgendaItem.proposal_id)
            .where(
                AgendaItem.community_id == community_id,
                AgendaItem.month == month,
                AgendaItem.status == "listed",
            )
            .order_by(AgendaItem.position)
        )
    ).all()
    support = await proposals.counts(session, [p.id for _, p in rows])
    return [Entry(item, proposal, support[proposal.id]) for item, proposal in rows]
