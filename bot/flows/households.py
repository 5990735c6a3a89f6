"""Households as people name them: finding one by code or by room, and describing it.

Residents type rooms every way there is (``101``, ``1-101``, ``1单元101``, ``7-1-101``,
full-width digits); staff type household codes. Both land here, so every flow reads them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.inputs import normalize
from bot.flows.standing import scope_paths
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import Community, Household, Member, RoleGrant, Scope

# Dashes people type between unit and room, after NFKC has folded the full-width ones.
_DASHES = re.compile(r"\s*[‐‑‒–—―_/]\s*|\s*-\s*")
_UNIT_ROOM = re.compile(r"^(?P<unit>[0-9A-Za-z]+)(?:单元|-)(?P<room>[0-9A-Za-z]+)$")
_ROOM = re.compile(r"^[0-9A-Za-z]+$")


@dataclass(frozen=True)
class Located:
    """A household with what every message about it needs: its building and scope path."""

    household: Household
    building: str
    path: tuple[int, ...]  # the building's path from the community root, for the policy

    @property
    def grid_id(self) -> int:
        return self.path[-2]

    def describe(self) -> Text:
        return describe(self.household, self.building)


def clean_code(value: str) -> str:
    """``７－１－１０１`` or ``7 - 1 - 101`` → ``7-1-101``."""
    return _DASHES.sub("-", normalize(value)).strip("-")


def _bare(value: str, suffixes: tuple[str, ...]) -> str:
    value = normalize(value).replace(" ", "")
    for suffix in suffixes:
        value = value.removesuffix(suffix)
    return value.lower()


def _unit(value: str) -> str:
    return _bare(value, ("单元",))


def _room(value: str) -> str:
    return _bare(value, ("号房", "室", "号"))


def describe(household: Household, building: str) -> Text:
    """``7-1-101（7栋 1单元 101室）``: the code people quote and where it is."""
    return t(
        "{code} ({building}, unit {unit}, room {room})",
        code=household.code,
        building=building,
        unit=_unit(household.unit),
        room=_room(household.room),
    )


def describe_unit(household: Household) -> str:
    """``1-101``: unit and room, to tell apart rooms of the same number."""
    return f"{_unit(household.unit)}-{_room(household.room)}"


def shown(moment: datetime, timezone: str) -> str:
    """A stored UTC time as the community reads it: ``2025-05-08 14:00``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


async def locate(session: AsyncSession, household: Household) -> Located:
    building = await session.get(Scope, household.building_scope_id)
    assert building is not None
    paths = await scope_paths(session, household.community_id)
    return Located(household, building.name, paths[building.id])


async def by_code(session: AsyncSession, community_id: int, code: str) -> Located | None:
    household = await session.scalar(
        select(Household).where(
            Household.community_id == community_id, Household.code == clean_code(code)
        )
    )
    return await locate(session, household) if household is not None else None


async def find(db: Database, community_id: int | None, code: str) -> Located | None:
    if community_id is None:
        return None
    async with db.session() as s:
        return await by_code(s, community_id, code)


async def find_by_id(db: Database, household_id: int) -> Located | None:
    async with db.session() as s:
        return await by_id(s, household_id)


def unbound_group() -> Text:
    return t(
        "This group is not bound to a community yet, so I can't tell which household you mean."
    )


def not_a_person() -> Text:
    return t("Reply to a person's message, not a bot's.")


def unknown(code: str) -> Text:
    return t("There is no household “{code}” in your community.", code=code)


async def member(db: Database, tg_user_id: int) -> Member | None:
    """The member with this Telegram id, if the bot knows them."""
    async with db.session() as s:
        return await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))


async def by_id(session: AsyncSession, household_id: int) -> Located | None:
    household = await session.get(Household, household_id)
    return await locate(session, household) if household is not None else None


async def in_building(session: AsyncSession, building_id: int, typed: str) -> list[Household]:
    """The households of a building matching what a resident typed for their room.

    ``101`` may match one room in several units: the caller asks for the unit then.
    """
    text = clean_code(typed)
    households = (
        await session.scalars(
            select(Household).where(
                Household.building_scope_id == building_id, Household.moved_out_at.is_(None)
            )
        )
    ).all()
    by_code = [h for h in households if h.code.lower() == text.lower()]
    if by_code:
        return by_code
    text = text.replace("单元-", "单元")
    if match := _UNIT_ROOM.match(_room(text)):
        unit, room = _unit(match["unit"]), _room(match["room"])
        return [h for h in households if _unit(h.unit) == unit and _room(h.room) == room]
    if _ROOM.match(room := _room(text)):
        return [h for h in households if _room(h.room) == room]
    return []


async def buildings(session: AsyncSession, community_id: int) -> list[Scope]:
    rows = (
        await session.scalars(
            select(Scope).where(Scope.community_id == community_id, Scope.kind == "building")
        )
    ).all()
    return sorted(rows, key=lambda s: natural(s.name))


def natural(name: str) -> tuple[object, ...]:
    """``2栋`` before ``10栋``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


async def communities(session: AsyncSession) -> list[Community]:
    return list((await session.scalars(select(Community).order_by(Community.name))).all())


async def members_of(session: AsyncSession, household_id: int) -> list[Member]:
    """The verified members of a household, representative first."""
    rows = (
        await session.scalars(
            select(Member)
            .where(Member.household_id == household_id, Member.verified_at.is_not(None))
            .order_by(Member.representative.desc(), Member.id)
        )
    ).all()
    return list(rows)


async def representative(session: AsyncSession, household_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.household_id == household_id, Member.representative)
    )


async def staff(
    session: AsyncSession, community_id: int, role: str, scope_id: int | None = None
) -> list[Member]:
    """Members holding ``role`` (on ``scope_id``, or community-wide when None) right now."""
    rows = (
        await session.scalars(
            select(Member)
            .join(RoleGrant, RoleGrant.member_id == Member.id)
            .where(
                RoleGrant.community_id == community_id,
                RoleGrant.role == role,
                RoleGrant.scope_id == scope_id if scope_id is not None else True,
                RoleGrant.revoked_at.is_(None),
                Member.forgotten_at.is_(None),
            )
            .order_by(Member.id)
        )
    ).all()
    return list({m.id: m for m in rows}.values())
