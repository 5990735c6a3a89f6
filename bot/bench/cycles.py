"""A year of monthly cycles for N communities through the real bot on the virtual clock.

The bot runs with its embedded sandbox (the virtual clock exists only there) with the sandbox's
rate limits off and the outbound pacing relaxed as in the tests (``UNPACED``), the overall
30 messages/s included: this benchmark is about the cycle's own work, not Telegram's flood
limits (``bench broadcast`` measures those).
Each community has two buildings of three households with a representative each (sandbox users
in the community's bound supergroup, where the bot is an administrator and pins the anchors), a
chair rotation, a 协商日 (alternating "每月11日 19:00" and "每月第二个周五 19:30"), a support
threshold of 3, an agenda of 2 and, already seconded by 3 households, two proposals per month.
The world is written in bulk (setup is not the subject), then the clock moves from the first
local midnight of a month, one month at a time, so every phase runs: both reminders, the freeze
(agenda, chair, pinned anchors), the 协商日 (opening and prompts), votes opening and, 48 hours
later, closing with their results.

At the end the tables are counted: every community must have M months of ``cycle_run`` rows
for each phase; ``duplicated`` counts phases, agenda items and votes stored more than once (the
unique keys make it impossible: it is counted, not assumed). ``seconds`` is the simulated
year's wall time; ``setup_s`` the bulk set-up before it.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from bot.clock import VirtualClock
from bot.config import load_settings
from bot.flows import cycle_settings
from bot.flows.cycle_phases import RUN_PHASES
from storage.engine import Database
from storage.models import (
    AgendaItem,
    ChairRotation,
    ChatBinding,
    Community,
    CycleRun,
    Household,
    Member,
    Proposal,
    ProposalSupport,
    Scope,
    Vote,
)

ZONE = ZoneInfo("Asia/Shanghai")  # the communities' default timezone
DAYS = ("每月11日 19:00", "每月第二个周五 19:30")
BUILDINGS = 2
PER_BUILDING = 3
THRESHOLD = 3  # households
AGENDA = 2  # items a month
UNPACED = {  # tests/conftest.py's UNPACED, and the overall 30/s lifted as well: a simulated
    # year's ~20,000 messages would otherwise take 12 minutes of wall time at 30/s.
    "sandbox.rate_limits": False,
    "outbound.per_chat_burst": 100,
    "outbound.per_chat_per_second": 100.0,
    "outbound.per_group_per_minute": 6000,
    "outbound.global_per_second": 100000,
}
PACING = (
    "sandbox rate limits off; outbound pacing relaxed as tests/conftest.py UNPACED "
    "(per chat 100/s, burst 100; 6000/min per group) and the overall 30/s lifted"
)


def _world(world: Any, communities: int) -> list[tuple[int, list[int]]]:
    """Per community its bound supergroup and its representatives (sandbox users). Synchronous,
    ending with the pending updates dropped: the bot never sees these (old) joins."""
    made = []
    for number in range(1, communities + 1):
        people = [
            world.create_user(first_name=f"户代表{number}-{i + 1}")["id"]
            for i in range(BUILDINGS * PER_BUILDING)
        ]
        chat = world.create_chat(
            "supergroup",
            title=f"第{number}社区业主群",
            user_id=people[0],
            bot_status="administrator",
        )
        group = world.chat(chat["id"])
        for user_id in people[1:]:
            resident = world.user(user_id)
            world.change_member(group, resident, "member", resident)
        made.append((chat["id"], people))
    world.updates.drop_pending()
    return made


async def populate(db: Database, made: list[tuple[int, list[int]]], months: int, now) -> list[int]:
    """The communities in storage, in one write transaction; returns their ids."""
    ids = []
    async with db.write() as session:
        for number, (chat_id, people) in enumerate(made, start=1):
            community = Community(name=f"第{number}社区")
            session.add(community)
            await session.flush()
            root = Scope(community_id=community.id, kind="community", name=community.name)
            session.add(root)
            await session.flush()
            grid = Scope(community_id=community.id, parent_id=root.id, kind="grid", name="第一网格")
            session.add(grid)
            await session.flush()
            households = []
            for b in range(BUILDINGS):
                building = Scope(
                    community_id=community.id, parent_id=grid.id, kind="building", name=f"{b + 1}栋"
                )
                session.add(building)
                await session.flush()
                for room in range(PER_BUILDING):
                    code = f"{b + 1}-1-{room + 101}"
                    row = Household(
                        community_id=community.id,
                        building_scope_id=building.id,
                        code=code,
                        unit="1",
                        room=str(room + 101),
                        representative_name=f"户代表{number}-{len(households) + 1}",
                    )
                    session.add(row)
                    households.append(row)
            await session.flush()
            members = []
            for user_id, household in zip(people, households, strict=True):
                member = Member(
                    tg_user_id=user_id,
                    display_name=household.representative_name,
                    household_id=household.id,
                    verified_at=now,
                    representative=True,
                )
                session.add(member)
                members.append(member)
            session.add(
                ChatBinding(
                    chat_id=chat_id,
                    community_id=community.id,
                    scope_id=root.id,
                    title=f"第{number}社区业主群",
                    bot_is_admin=True,
                )
            )
            for position, household in enumerate(households[:3], start=1):
                session.add(
                    ChairRotation(
                        community_id=community.id,
                        position=position,
                        household_id=household.id,
                        name=household.representative_name,
                    )
                )
            await session.flush()
            await _proposals(session, community.id, root.id, members, months, now)
            ids.append(community.id)
    return ids


async def _proposals(session, community_id: int, scope_id: int, members, months: int, now) -> None:
    """AGENDA proposals per month, each seconded by THRESHOLD households, oldest first."""
    rows = [
        {
            "community_id": community_id,
            "number": number,
            "scope_id": scope_id,
            "title": f"第{number}号议题（基准测试）",
            "proposer_id": members[number % len(members)].id,
            "status": "supported",
            "kind": "small",
            "area": "management",
            "created_at": now + timedelta(seconds=number),
            "updated_at": now + timedelta(seconds=number),
        }
        for number in range(1, AGENDA * months + 1)
    ]
    await session.execute(insert(Proposal), rows)
    found = (
        await session.execute(
            select(Proposal.id, Proposal.number).where(Proposal.community_id == community_id)
        )
    ).all()
    await session.execute(
        insert(ProposalSupport),
        [
            {
                "proposal_id": proposal_id,
                "household_id": members[(number + i) % len(members)].household_id,
                "member_id": members[(number + i) % len(members)].id,
                "created_at": now,
            }
            for proposal_id, number in found
            for i in range(THRESHOLD)
        ],
    )


def month_starts(now: datetime, months: int) -> list[datetime]:
    """Local midnights of the first of the next ``months + 1`` months."""
    local = now.astimezone(ZONE)
    year, month = local.year, local.month
    starts = []
    for _ in range(months + 1):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        starts.append(datetime(year, month, 1, tzinfo=ZONE))
    return starts


async def configure(db: Database, community_ids: list[int], now: datetime) -> None:
    """The 协商日 and the agenda numbers, through the same flow as ``/cycle set``."""
    for index, community_id in enumerate(community_ids):
        for field, value in (
            ("day", DAYS[index % len(DAYS)]),
            ("threshold", str(THRESHOLD)),
            ("agenda", str(AGENDA)),
        ):
            await cycle_settings.change(
                db, community_id, field, value, now, actor_id=None, via="bench"
            )


async def counted(db: Database) -> dict[str, int]:
    """Rows of what the cycles did, and how many of them are duplicates."""
    async with db.session() as session:

        async def count(query) -> int:
            return await session.scalar(select(func.count()).select_from(query.subquery())) or 0

        def twice(*columns):
            return select(*columns).group_by(*columns).having(func.count() > 1)

        phases = func.count(func.distinct(CycleRun.phase))
        return {
            "phases_run": await count(select(CycleRun.id)),
            "complete_months": await count(
                select(CycleRun.community_id, CycleRun.month)
                .where(CycleRun.outcome == "done")
                .group_by(CycleRun.community_id, CycleRun.month)
                .having(phases == len(RUN_PHASES))
            ),
            "late": await count(select(CycleRun.id).where(CycleRun.late)),
            "agenda_items": await count(select(AgendaItem.id)),
            "votes": await count(select(Vote.id)),
            "votes_closed": await count(select(Vote.id).where(Vote.closed_at.is_not(None))),
            "duplicated": await count(twice(CycleRun.community_id, CycleRun.month, CycleRun.phase))
            + await count(twice(AgendaItem.community_id, AgendaItem.month, AgendaItem.proposal_id))
            + await count(twice(Vote.proposal_id)),
        }


async def run(communities: int = 100, months: int = 12, config: Path | None = None) -> dict:
    from bot.app import BotApp  # the whole bot: imported only when this benchmark runs

    with tempfile.TemporaryDirectory(prefix="xieshang-bench-cycles-") as tmp:
        settings = load_settings(
            config,
            db=f"sqlite+aiosqlite:///{Path(tmp) / 'cycles.db'}",
            log_level="WARNING",
            clock="virtual",
            **{"sandbox.port": 0, **UNPACED},
        )
        app = BotApp(settings)
        started = time.perf_counter()
        await app.start()
        try:
            clock = app.clock
            assert app.sandbox is not None and isinstance(clock, VirtualClock)
            made = _world(app.sandbox.world, communities)
            starts = month_starts(clock.now(), months)
            await clock.advance_to(starts[0])
            community_ids = await populate(app.db, made, months, clock.now())
            await configure(app.db, community_ids, clock.now())
            setup_s = time.perf_counter() - started
            simulated = time.perf_counter()
            month_s = []
            for start in starts[1:]:
                began = time.perf_counter()
                await clock.advance_to(start)
                month_s.append(round(time.perf_counter() - began, 1))
            seconds = time.perf_counter() - simulated
            found = await counted(app.db)
            messages = sum(
                1
                for chat_id, _ in made
                for message in app.sandbox.world.chat(chat_id).messages.values()
                if message.sender_id == app.sandbox.world.bot.id
            )
        finally:
            await app.stop()
    return {
        "bench": "cycles",
        "communities": communities,
        "months": months,
        "seconds": round(seconds, 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "phases_run": found["phases_run"],
        "expected_phases": communities * months * len(RUN_PHASES),
        "complete_months": found["complete_months"],
        "late": found["late"],
        "agenda_items": found["agenda_items"],
        "votes": found["votes"],
        "votes_closed": found["votes_closed"],
        "expected_votes": communities * months * AGENDA,
        "bot_messages": messages,
        "duplicated": found["duplicated"],
        "setup_s": round(setup_s, 1),
        "month_s": month_s,  # each simulated month's wall time: does it grow with the data?
        "pacing": PACING,
    }
