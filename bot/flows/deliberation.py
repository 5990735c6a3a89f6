"""The 协商日 itself: the opening (the chair is prompted item by item) and opening the votes.

Votes open through the ordinary vote flow (votes.open_in with the item's proposal), all the
month's in one transaction; opening one is refused while a vote on the proposal runs or after
it was decided, so running the phase again after a crash opens only what is missing (and posts
the ballots that never were). The phase's ``cycle_run`` row is written once every item's ballot
is posted, with where it was posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from bot.flows import agenda, chair_turns, cycle_phases, vote_spec, votes
from bot.flows.agenda import Entry
from bot.flows.cycle_phases import Due
from bot.flows.cycle_settings import CycleConfig
from bot.flows.inputs import Invalid
from bot.flows.vote_spec import Draft
from storage import audit
from storage.engine import Database
from storage.models import ChatBinding, CycleChair, CycleRun, Vote


@dataclass(frozen=True)
class Day:
    run: CycleRun
    config: CycleConfig
    chair: CycleChair | None
    entries: list[Entry]
    chats: list[ChatBinding]


async def open_day(db: Database, due: Due, now: datetime, config: CycleConfig) -> Day:
    """Record the 协商日's opening (AlreadyRan if it ran) and say what is on the agenda;
    ``config``: the community's cycle settings."""
    async with db.write() as s:
        run = await cycle_phases.claim(s, due, now)
        chair = await chair_turns.of_month(s, due.community_id, due.month)
        entries = await agenda.items(s, due.community_id, due.month)
        chats = await agenda.bound_chats(s, due.community_id)
    return Day(run, config, chair, entries, chats)


@dataclass(frozen=True)
class Opened:
    entry: Entry
    vote: Vote
    new: bool  # opened now; else it was open already but its ballot never got posted
    electorate: int | None = None  # households that may vote, when opened now (none voted yet)


async def open_votes(db: Database, due: Due, now: datetime, config: CycleConfig) -> list[Opened]:
    """Open a vote on every listed item of the month that has none yet (results hidden, open
    ballot, the project's default rule, the configured duration), all in one transaction."""
    opened = []
    electorates: dict[int, list[int]] = {}
    async with db.write() as s, audit.batched(s):
        entries = await agenda.items(s, due.community_id, due.month)  # the proposals stay in
        running = {  # the session: opening a vote re-checks them without reading them again
            vote.proposal_id: vote
            for vote in (
                await s.scalars(
                    select(Vote).where(
                        Vote.proposal_id.in_([entry.proposal.id for entry in entries]),
                        Vote.closed_at.is_(None),
                    )
                )
            ).all()
        }
        for entry in entries:
            item, proposal = entry.item, entry.proposal
            if item.chat_id is None or proposal.status != "on_agenda":
                continue
            if proposal.id in running:
                if running[proposal.id].message_id is None:
                    opened.append(Opened(entry, running[proposal.id], new=False))
                continue
            draft = Draft(title=proposal.title, duration=f"{config.vote_hours}小时")
            try:
                vote = await votes.open_in(
                    s,
                    due.community_id,
                    proposal.scope_id,
                    vote_spec.build(draft, config.language),
                    opened_by_id=None,
                    now=now,
                    chat_id=item.chat_id,
                    proposal_id=proposal.id,
                    electorates=electorates,
                )
            except Invalid:  # refused before it wrote anything: the other items still open
                continue
            opened.append(Opened(entry, vote, True, len(electorates[proposal.scope_id])))
    return opened


async def finish_votes(
    db: Database,
    due: Due,
    now: datetime,
    posted: list[tuple[int, int, int]],
    *,
    finished: bool = True,
) -> None:
    """Where each ballot was posted (vote id, chat id, message id) and, once every item's is
    (``finished``), the phase's ``cycle_run`` row: one transaction."""
    async with db.write() as s, audit.batched(s):
        for vote_id, chat_id, message_id in posted:
            await votes.place(s, vote_id, chat_id, message_id)
        if finished:
            await cycle_phases.claim(s, due, now)
