"""Arrange state directly in storage for tests whose subject is something else.

Tests of set-up, import and verification themselves go through the bot or the CLI; these
factories only build the world other tests start from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from storage.engine import Database
from storage.models import Community, Household, Member, RoleGrant, Scope
from storage.timestamps import utcnow


@dataclass
class Place:
    community_id: int
    root_id: int  # the community's root scope
    grids: dict[str, int] = field(default_factory=dict)  # name -> scope id
    buildings: dict[str, int] = field(default_factory=dict)  # name -> scope id


async def community(
    db: Database, name: str = "小桃园社区", grids: tuple[str, ...] = ("第一网格", "第二网格")
) -> Place:
    async with db.write() as s:
        c = Community(name=name)
        s.add(c)
        await s.flush()
        root = Scope(community_id=c.id, kind="community", name=name)
        s.add(root)
        await s.flush()
        place = Place(c.id, root.id)
        for grid in grids:
            scope = Scope(community_id=c.id, parent_id=root.id, kind="grid", name=grid)
            s.add(scope)
            await s.flush()
            place.grids[grid] = scope.id
    return place


async def building(db: Database, place: Place, grid: str, name: str) -> int:
    async with db.write() as s:
        scope = Scope(
            community_id=place.community_id, parent_id=place.grids[grid], kind="building", name=name
        )
        s.add(scope)
        await s.flush()
        place.buildings[name] = scope.id
        return scope.id


async def household(
    db: Database,
    place: Place,
    building_name: str,
    code: str,
    *,
    unit: str = "1",
    room: str = "101",
    representative_name: str | None = None,
    phone_tail: str | None = None,
) -> int:
    async with db.write() as s:
        h = Household(
            community_id=place.community_id,
            building_scope_id=place.buildings[building_name],
            code=code,
            unit=unit,
            room=room,
            representative_name=representative_name,
            phone_tail=phone_tail,
        )
        s.add(h)
        await s.flush()
        return h.id


async def member(
    db: Database,
    tg_user_id: int,
    name: str,
    *,
    household_id: int | None = None,
    representative: bool = False,
    verified: bool = True,
) -> int:
    async with db.write() as s:
        m = await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        if m is None:
            m = Member(tg_user_id=tg_user_id, display_name=name)
        m.household_id = household_id
        m.verified_at = utcnow() if household_id is not None and verified else None
        m.representative = representative
        s.add(m)
        await s.flush()
        return m.id


async def grant(
    db: Database, place: Place, member_id: int, role: str, scope_id: int | None = None
) -> None:
    async with db.write() as s:
        s.add(
            RoleGrant(
                community_id=place.community_id, member_id=member_id, role=role, scope_id=scope_id
            )
        )
