"""Who an action item names: a member with a role in the community (by household code or display
name), or an outside party (物业公司) with a responsible member, who then updates it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import households
from bot.flows.inputs import Invalid
from bot.i18n import t
from storage.models import Household, Member, RoleGrant


async def _holds_role(session: AsyncSession, community_id: int, member_id: int) -> bool:
    found = await session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.community_id == community_id,
            RoleGrant.member_id == member_id,
            RoleGrant.revoked_at.is_(None),
        )
    )
    return found is not None


async def _by_name(session: AsyncSession, community_id: int, name: str) -> list[Member]:
    """Members of the community (by household or by a role) called exactly ``name``."""
    in_households = (
        select(Member)
        .join(Household, Household.id == Member.household_id)
        .where(
            Household.community_id == community_id,
            Member.display_name == name,
            Member.forgotten_at.is_(None),
        )
    )
    with_roles = (
        select(Member)
        .join(RoleGrant, RoleGrant.member_id == Member.id)
        .where(
            RoleGrant.community_id == community_id,
            RoleGrant.revoked_at.is_(None),
            Member.display_name == name,
            Member.forgotten_at.is_(None),
        )
    )
    found = {m.id: m for m in (await session.scalars(in_households)).all()}
    found.update({m.id: m for m in (await session.scalars(with_roles)).all()})
    return list(found.values())


async def find(session: AsyncSession, community_id: int, who: str, *, needs_role: bool) -> Member:
    """The member ``who`` names; ``needs_role`` for an assignee without an outside party."""
    located = await households.by_code(session, community_id, who)
    if located is not None:
        candidates = await households.members_of(session, located.household.id)
        if not candidates:
            raise Invalid(
                t("Household {code} has no member the bot knows.", code=located.household.code)
            )
    else:
        candidates = await _by_name(session, community_id, who)
    if not candidates:
        raise Invalid(
            t(
                "I know nobody called “{who}” in this community. Give a household code like "
                "7-1-101 or the person's display name.",
                who=who,
            )
        )
    if located is None and len(candidates) > 1:
        raise Invalid(
            t("Several members are called “{who}”: give their household code instead.", who=who)
        )
    if not needs_role:
        return candidates[0]
    for member in candidates:
        if await _holds_role(session, community_id, member.id):
            return member
    raise Invalid(
        t(
            "{name} holds no role in the community. Name a grid worker or other staff, or an "
            "outside party with a responsible member, e.g. 物业公司 (负责人 {who}).",
            name=candidates[0].display_name,
            who=who,
        )
    )
