"""Who is who, kept in memory: the group bindings and each community's members, households,
role grants, delegations and scope paths.

Every update needs the sender's standing in the chat's community. Loading it from the
database costs several queries per update, which made a burst of vote taps ten times slower
than the bot without them (``xieshang bench votes``). A copy is reloaded when this process
writes any of the tables it was built from (storage.changes) and, for writes by other
processes such as the CLI, when it is older than ``max_age`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlmodel import select

from bot.flows import standing
from bot.flows.policy import Standing
from storage.engine import Database
from storage.models import ChatBinding, Delegation, Household, Member, RoleGrant

COMMUNITY_TABLES = ("community", "scope", "household", "member", "role_grant", "delegation")
BINDING_TABLES = ("chat_binding",)
T = TypeVar("T")


@dataclass(frozen=True)
class CommunityCopy:
    """One community's registry as read at one moment."""

    community_id: int
    paths: dict[int, tuple[int, ...]]
    members: dict[int, Member]  # by Telegram user id: residents and holders of a role here
    households: dict[int, Household]
    grants: dict[int, list[tuple[str, int | None]]]  # by member id
    delegations: dict[int, list[Delegation]]  # by household id

    def standing(self, member: Member, now: datetime) -> Standing:
        household = self.households.get(member.household_id) if member.household_id else None
        return standing.compute(
            member,
            self.community_id,
            self.paths,
            self.grants.get(member.id, ()),
            household,
            self.delegations.get(household.id, ()) if household else (),
            now,
        )


@dataclass
class _Slot(Generic[T]):
    """A cached value with the table version and time it was read at."""

    value: T | None = None
    version: int = -1
    read_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Directory:
    def __init__(self, db: Database, max_age: float = 5.0) -> None:
        self.db = db
        self.max_age = max_age
        self._bindings: _Slot[dict[int, ChatBinding]] = _Slot()
        self._communities: dict[int, _Slot[CommunityCopy]] = defaultdict(_Slot)

    async def binding(self, chat_id: int) -> ChatBinding | None:
        """The active binding of a group chat, if it has one."""
        bindings = await self._fresh(self._bindings, BINDING_TABLES, self._load_bindings)
        return bindings.get(chat_id)

    async def community(self, community_id: int) -> CommunityCopy:
        slot = self._communities[community_id]
        return await self._fresh(slot, COMMUNITY_TABLES, lambda: self._load(community_id))

    async def _fresh(
        self, slot: _Slot[T], tables: tuple[str, ...], load: Callable[[], Awaitable[T]]
    ) -> T:
        if self._valid(slot, tables) and slot.value is not None:
            return slot.value
        async with slot.lock:
            if not self._valid(slot, tables):
                version = self.db.changes.version(tables)
                slot.value = await load()
                slot.version, slot.read_at = version, time.monotonic()
        assert slot.value is not None
        return slot.value

    def _valid(self, slot: _Slot[T], tables: tuple[str, ...]) -> bool:
        return (
            slot.version == self.db.changes.version(tables)
            and time.monotonic() - slot.read_at < self.max_age
        )

    async def _load_bindings(self) -> dict[int, ChatBinding]:
        async with self.db.session() as session:
            rows = (await session.scalars(select(ChatBinding).where(ChatBinding.active))).all()
        return {row.chat_id: row for row in rows}

    async def _load(self, community_id: int) -> CommunityCopy:
        async with self.db.session() as session:
            households = (
                await session.scalars(
                    select(Household).where(Household.community_id == community_id)
                )
            ).all()
            grant_rows = (
                await session.execute(
                    select(RoleGrant.member_id, RoleGrant.role, RoleGrant.scope_id).where(
                        RoleGrant.community_id == community_id, RoleGrant.revoked_at.is_(None)
                    )
                )
            ).all()
            grants: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
            for member_id, role, scope_id in grant_rows:
                grants[member_id].append((role, scope_id))
            people = (
                await session.scalars(
                    select(Member).where(
                        Member.household_id.in_(
                            select(Household.id).where(Household.community_id == community_id)
                        )
                        | Member.id.in_(
                            select(RoleGrant.member_id).where(
                                RoleGrant.community_id == community_id,
                                RoleGrant.revoked_at.is_(None),
                            )
                        )
                    )
                )
            ).all()
            delegations: dict[int, list[Delegation]] = defaultdict(list)
            for delegation in (
                await session.scalars(
                    select(Delegation)
                    .join(Household, Household.id == Delegation.household_id)
                    .where(Household.community_id == community_id, Delegation.revoked_at.is_(None))
                )
            ).all():
                delegations[delegation.household_id].append(delegation)
            paths = await standing.scope_paths(session, community_id)
        return CommunityCopy(
            community_id,
            paths,
            {person.tg_user_id: person for person in people},
            {household.id: household for household in households},
            dict(grants),
            dict(delegations),
        )
