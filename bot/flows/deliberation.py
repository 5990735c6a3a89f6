"""The 协商日 itself: the opening (the chair is prompted item by item) and opening the votes.

Votes open through the ordinary vote flow (votes.open_vote with the item's proposal), each in
its own transaction; opening one is refused while a vote on the proposal runs or after it was
decided, so running the phase again after a crash opens only what is missing. The phase's
``cycle_run`` row is written once every item has its vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from bot.flows import agenda, chair_turns, cycle_phases, cycle_settings, vote_spec, votes
from bot.flows.agenda import Entry
from bot.flows.cycle_phases import Due
from bot.flows.cycle_settings import CycleConfig
from bot.flows.inputs import Invalid
from bot.flows.vote_spec import Draft
from storage.engine import Database
from storage.models import Community, CycleChair, CycleRun, Vote


@dataclass(frozen=True)
class Day:
    run: CycleRun
    config: CycleConfig
    language: str
    chair: CycleChair | None
    entries: list[Entry]
    chats: list[int]


async def open_day(db: Database, due: Due, now: datetime) -> Day:
    """Record the 协商日's opening (AlreadyRan if it ran) and say what is on the agenda."""
    async with db.write() as s:
        run = await cycle_phases.claim(s, due, now)
        config = await cycle_settings.load(s, due.community_id)
        community = await s.get(Community, due.community_id)
        chair = await chair_turns.of_month(s, due.community_id, due.month)
        entries = await agenda.items(s, due.community_id, due.month)
        chats = [b.chat_id for b in await agenda.bound_chats(s, due.community_id)]
    return Day(run, config, community.language, chair, entries, chats)


@dataclass(frozen=True)
class Opened:
    entry: Entry
    vote: Vote
    new: bool  # opened now; else it was open already but its ballot never got posted


async def open_votes(db: Database, due: Due, now: datetime) -> list[Opened]:
    """Open a vote on every listed item of the month that has none yet (results hidden, open
    ballot, the project's default rule, the configured duration)."""
    async with db.session() as s:
        config = await cycle_settings.load(s, due.community_id)
        community = await s.get(Community, due.community_id)
        entries = await agenda.items(s, due.community_id, due.month)
    opened = []
    for entry in entries:
        item, proposal = entry.item, entry.proposal
        if item.chat_id is None or proposal.status != "on_agenda":
            continue
        async with db.session() as s:
            running = await s.scalar(
                select(Vote).where(Vote.proposal_id == proposal.id, Vote.closed_at.is_(None))
            )
        if running is not None:
            if running.message_id is None:
                opened.append(Opened(entry, running, new=False))
            continue
        draft = Draft(title=proposal.title, duration=f"{config.vote_hours}小时")
        try:
            vote = await votes.open_vote(
                db,
                due.community_id,
                proposal.scope_id,
                vote_spec.build(draft, community.language),
                opened_by_id=None,
                now=now,
                chat_id=item.chat_id,
                proposal_id=proposal.id,
            )
        except Invalid:
            continue
        opened.append(Opened(entry, vote, new=True))
    return opened


async def finish_votes(db: Database, due: Due, now: datetime) -> CycleRun:
    async with db.write() as s:
        return await cycle_phases.claim(s, due, now)
