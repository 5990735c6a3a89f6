"""Load a person's :class:`~bot.flows.policy.Standing` from storage, and where a chat belongs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.policy import Grant, Role, Standing
from storage.models import ChatBinding, Delegation, Household, Member, RoleGrant, Scope


async def scope_paths(session: AsyncSession, community_id: int) -> dict[int, tuple[int, ...]]:
    """Each scope's path of ids from the community's root scope down to itself.

    A street above the community is left out: every target and grant is measured from the
    community root, so paths compare by prefix.
    """
    rows = (
        await session.execute(
            select(Scope.id, Scope.parent_id, Scope.kind).where(Scope.community_id == community_id)
        )
    ).all()
    parent = {row.id: row.parent_id for row in rows}
    kind = {row.id: row.kind for row in rows}
    paths: dict[int, tuple[int, ...]] = {}
    for scope_id in parent:
        path: list[int] = []
        node: int | None = scope_id
        while node is not None and node in kind and kind[node] != "street":
            path.append(node)
            node = parent[node]
        paths[scope_id] = tuple(reversed(path))
    return paths


async def load(
    session: AsyncSession, member: Member | None, community_id: int | None, now: datetime
) -> Standing:
    if member is None or community_id is None or member.forgotten_at is not None:
        return Standing(community_id, member.id if member else None)
    grants = (
        await session.execute(
            select(RoleGrant.role, RoleGrant.scope_id).where(
                RoleGrant.community_id == community_id,
                RoleGrant.member_id == member.id,
                RoleGrant.revoked_at.is_(None),
            )
        )
    ).all()
    household = await session.get(Household, member.household_id) if member.household_id else None
    delegations = (
        (
            await session.scalars(
                select(Delegation).where(
                    Delegation.household_id == household.id, Delegation.revoked_at.is_(None)
                )
            )
        ).all()
        if household is not None
        else ()
    )
    return compute(
        member,
        community_id,
        await scope_paths(session, community_id),
        [(role, scope_id) for role, scope_id in grants],
        household,
        delegations,
        now,
    )


def compute(
    member: Member,
    community_id: int,
    paths: dict[int, tuple[int, ...]],
    grants: Iterable[tuple[str, int | None]],
    household: Household | None,
    delegations: Iterable[Delegation],
    now: datetime,
) -> Standing:
    """A standing from rows already read: ``grants`` are the member's unrevoked (role, scope)
    pairs in the community, ``delegations`` their household's unrevoked ones."""
    if member.forgotten_at is not None:
        return Standing(community_id, member.id)
    held = [
        Grant(Role(role), paths.get(scope_id, ()) if scope_id else ()) for role, scope_id in grants
    ]
    if (
        household is not None
        and member.verified_at is not None
        and household.community_id == community_id
        and household.moved_out_at is None
    ):
        path = paths[household.building_scope_id]
        held.append(Grant(Role.RESIDENT, path))
        if _votes_for_household(member, delegations, now):
            held.append(Grant(Role.REPRESENTATIVE, path))
    return Standing(community_id, member.id, tuple(held))


def _votes_for_household(member: Member, delegations: Iterable[Delegation], now: datetime) -> bool:
    """The representative votes, unless they delegated; a current delegate votes instead."""
    for delegation in delegations:
        if delegation.revoked_at is None and delegation.starts_at <= now < delegation.ends_at:
            return delegation.to_member_id == member.id
    return member.representative


async def community_of_chat(session: AsyncSession, chat_id: int) -> ChatBinding | None:
    return await session.scalar(
        select(ChatBinding).where(ChatBinding.chat_id == chat_id, ChatBinding.active)
    )


async def home_community(session: AsyncSession, member: Member) -> int | None:
    """In a private chat: the community of the member's household, else of their first role."""
    if member.household_id is not None:
        household = await session.get(Household, member.household_id)
        if household is not None:
            return household.community_id
    return await session.scalar(
        select(RoleGrant.community_id)
        .where(RoleGrant.member_id == member.id, RoleGrant.revoked_at.is_(None))
        .order_by(RoleGrant.id)
        .limit(1)
    )
