"""The demo community: 小桃园 from the shared roster and chair rotation, its residents as
sandbox users who are verified household representatives, a community group and two building
groups bound to their scopes, and a 协商日 ten days ahead.

Operator set-up goes through the same flows as ``xieshang import`` and ``xieshang cycle set``;
what only a resident's /join would do (verification) is written directly, audited as the demo's.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.demo.client import SandboxClient
from bot.flows import communities, cycle_settings, imports, roster_csv, scopes
from bot.flows.cycle_rules import Cycle, cycles
from storage import audit
from storage.engine import Database
from storage.models import ChatBinding, Household, Member, Scope

COMMUNITY = "小桃园社区"
TIMEZONE = "Asia/Shanghai"
BUILDING_GROUPS = ("1栋", "7栋")
CHAIRS_FIRST = 3  # the rotation's first chairs speak first in the script


@dataclass(frozen=True)
class Resident:
    name: str
    household: str  # code, e.g. 1-1-101
    user_id: int  # the sandbox user

    @property
    def building(self) -> str:
        return f"{self.household.split('-')[0]}栋"


@dataclass
class DemoCommunity:
    community_id: int
    group_id: int
    building_groups: dict[str, int]  # building name -> chat id
    residents: list[Resident] = field(default_factory=list)

    def by_name(self, name: str) -> Resident:
        return next(r for r in self.residents if r.name == name)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(roster_csv.decode(data), newline="")))[1:]


def chosen_households(roster: bytes, chairs: bytes) -> list[tuple[str, str]]:
    """(household code, representative) of every household with a representative, the
    rotation's first chairs first: enough voters that a vote can pass, as in a real estate."""
    named = [(row[4], row[5]) for row in _rows(roster) if len(row) >= 6 and row[5]]
    first = [(row[1], row[2]) for row in _rows(chairs)[:CHAIRS_FIRST]]
    return first + [pair for pair in named if pair[0] not in {code for code, _ in first}]


async def _import(db: Database, community_id: int, path: Path, data: bytes) -> None:
    sheet = roster_csv.read(data)
    source = imports.Source(path.name, roster_csv.sha256(data), "demo")
    await imports.run(db, community_id, sheet, source, actor_id=None, standing=None)


async def _verify(db: Database, community_id: int, resident: Resident, now: datetime) -> None:
    """What a resident's /join and the grid worker's approval would leave behind."""
    async with db.write() as s:
        household_id = await s.scalar(
            select(Household.id).where(
                Household.community_id == community_id, Household.code == resident.household
            )
        )
        member = Member(
            tg_user_id=resident.user_id,
            display_name=resident.name,
            household_id=household_id,
            verified_at=now,
            representative=True,
        )
        s.add(member)
        await s.flush()
        await audit.record(
            s,
            "demo.resident_verified",
            community_id=community_id,
            subject=f"member:{member.id}",
            data={"household": resident.household},
        )


async def _bind(db: Database, community_id: int, scope_id: int, chat_id: int, title: str) -> None:
    async with db.write() as s:
        s.add(
            ChatBinding(
                chat_id=chat_id,
                community_id=community_id,
                scope_id=scope_id,
                title=title,
                bot_is_admin=True,
            )
        )
        await audit.record(
            s,
            "demo.chat_bound",
            community_id=community_id,
            subject=f"chat:{chat_id}",
            data={"scope_id": scope_id, "title": title},
        )


async def _scope_id(db: Database, community_id: int, kind: str, name: str) -> int:
    async with db.session() as s:
        return await s.scalar(
            select(Scope.id).where(
                Scope.community_id == community_id, Scope.kind == kind, Scope.name == name
            )
        )


async def schedule(db: Database, community_id: int, now: datetime) -> Cycle:
    """A 协商日 ten days from now (so both reminders and the freeze are still ahead), a
    threshold a demo can reach, and votes the chair may open at D, the rest at D+1."""
    day = (now + timedelta(days=10)).astimezone(ZoneInfo(TIMEZONE))
    settings = {
        "day": f"每月{day.day}日 19:00",
        "threshold": "3",
        "agenda": "3",
        "vote": "D+1 19:00",
    }
    for name, value in settings.items():
        await cycle_settings.change(db, community_id, name, value, now, actor_id=None, via="demo")
    calendar = await _calendar(db, community_id, now)
    return next(c for c in cycles(calendar, now) if min(c.times.values()) > now)


async def _calendar(db: Database, community_id: int, now: datetime):
    async with db.session() as s:
        return (await cycle_settings.load(s, community_id)).calendar()


async def build(
    db: Database, client: SandboxClient, roster: Path, chairs: Path, now: datetime
) -> DemoCommunity:
    roster_data = await asyncio.to_thread(roster.read_bytes)
    chairs_data = await asyncio.to_thread(chairs.read_bytes)
    community = await communities.create(
        db, COMMUNITY, street="桃园街道", timezone=TIMEZONE, via="demo"
    )
    for grid in dict.fromkeys(row[0] for row in _rows(roster_data) if row):
        await scopes.add_grid(db, community.id, grid, actor_id=None, via="demo")
    await _import(db, community.id, roster, roster_data)
    await _import(db, community.id, chairs, chairs_data)
    residents = []
    for code, name in chosen_households(roster_data, chairs_data):
        resident = Resident(name, code, await client.user(name))
        await _verify(db, community.id, resident, now)
        residents.append(resident)
    group_id = await client.group("小桃园社区协商群", [r.user_id for r in residents])
    root = await _scope_id(db, community.id, "community", COMMUNITY)
    await _bind(db, community.id, root, group_id, "小桃园社区协商群")
    buildings = {}
    for building in BUILDING_GROUPS:
        living = [r.user_id for r in residents if r.building == building]
        title = f"小桃园{building}楼栋群"
        buildings[building] = await client.group(title, living)
        scope = await _scope_id(db, community.id, "building", building)
        await _bind(db, community.id, scope, buildings[building], title)
    return DemoCommunity(community.id, group_id, buildings, residents)
