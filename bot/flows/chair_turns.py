"""Whose turn it is to chair: the 轮值主席 rotation (bot.flows.chairs imports it) walked month by
month.

The month's chair is the entry after the last month's pick, wrapping around; households that
moved out or have no member the bot knows are passed over (they keep their place for the next
round). The chair gets the chair role for the month: granted at the pick, revoked at the next.
A month without an agenda picks nobody, so the same person stays next. A moderator may name
another chair (/chair); the rotation then continues from its own last pick.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.inputs import Invalid
from bot.flows.policy import Role
from bot.i18n import t
from storage import audit
from storage.engine import Database
from storage.models import ChairRotation, CycleChair, Household, Member, RoleGrant


async def _member_of(session: AsyncSession, household_id: int) -> Member | None:
    """The household's representative, else its first verified member, else None."""
    members = (
        await session.scalars(
            select(Member)
            .where(Member.household_id == household_id, Member.forgotten_at.is_(None))
            .order_by(Member.representative.desc(), Member.verified_at.is_(None), Member.id)
        )
    ).all()
    return members[0] if members else None


async def _rotation(session: AsyncSession, community_id: int) -> list[ChairRotation]:
    return list(
        (
            await session.scalars(
                select(ChairRotation)
                .where(ChairRotation.community_id == community_id)
                .order_by(ChairRotation.position)
            )
        ).all()
    )


async def _latest(
    session: AsyncSession, community_id: int, *, from_rotation: bool = False
) -> CycleChair | None:
    """The latest month's chair (``from_rotation``: the latest picked by the rotation)."""
    query = select(CycleChair).where(CycleChair.community_id == community_id)
    if from_rotation:
        query = query.where(CycleChair.position.is_not(None))
    return await session.scalar(query.order_by(CycleChair.month.desc()).limit(1))


async def pick(
    session: AsyncSession, community_id: int, month: str, now: datetime
) -> CycleChair | None:
    """Choose, store and empower ``month``'s chair (inside the freeze's transaction); a
    moderator's choice made before the freeze stands."""
    previous = await _latest(session, community_id)
    if previous is not None and previous.month >= month:  # chosen already (by a moderator)?
        chosen = (
            previous if previous.month == month else await of_month(session, community_id, month)
        )
        if chosen is not None:
            return chosen
    rotation = await _rotation(session, community_id)
    last = previous
    if previous is not None and previous.position is None:  # a moderator's choice
        last = await _latest(session, community_id, from_rotation=True)
    after = last.position if last is not None else None
    if after is not None:
        rotation = [r for r in rotation if r.position > after] + [
            r for r in rotation if r.position <= after
        ]
    for entry in rotation:
        household = await session.get(Household, entry.household_id)
        if household is None or household.moved_out_at is not None:
            continue
        member = await _member_of(session, household.id)
        if member is None:
            continue
        chair = CycleChair(
            community_id=community_id,
            month=month,
            position=entry.position,
            household_id=household.id,
            member_id=member.id,
            name=entry.name,
        )
        await hand_over(session, chair, previous, now, actor_id=None)
        return chair
    return None


async def hand_over(
    session: AsyncSession,
    chair: CycleChair,
    previous: CycleChair | None,
    now: datetime,
    *,
    actor_id: int | None,
) -> None:
    """Store ``chair``: the previous chair's month role ends, the new one's begins."""
    if previous is not None and previous.grant_id is not None:
        grant = await session.get(RoleGrant, previous.grant_id)
        if grant is not None and grant.revoked_at is None:
            grant.revoked_at = now
            session.add(grant)
            await audit.record(
                session,
                "role.revoked",
                actor_id=actor_id,
                community_id=chair.community_id,
                subject=f"member:{grant.member_id}",
                data={"role": Role.CHAIR.value, "scope_id": None, "via": "cycle"},
            )
        previous.grant_id = None
        session.add(previous)
    if chair.member_id is not None:
        held = await session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.community_id == chair.community_id,
                RoleGrant.member_id == chair.member_id,
                RoleGrant.role == Role.CHAIR.value,
                RoleGrant.scope_id.is_(None),
                RoleGrant.revoked_at.is_(None),
            )
        )
        if held is None:  # someone chairing for good keeps their own grant
            grant = RoleGrant(
                community_id=chair.community_id,
                member_id=chair.member_id,
                role=Role.CHAIR.value,
                granted_at=now,
            )
            session.add(grant)
            await session.flush()
            chair.grant_id = grant.id
            await audit.record(
                session,
                "role.granted",
                actor_id=actor_id,
                community_id=chair.community_id,
                subject=f"member:{chair.member_id}",
                data={"role": Role.CHAIR.value, "scope_id": None, "via": "cycle"},
            )
    session.add(chair)
    await audit.record(
        session,
        "cycle.chair",
        actor_id=actor_id,
        community_id=chair.community_id,
        subject=f"community:{chair.community_id}",
        data={"month": chair.month, "position": chair.position, "member": chair.member_id},
    )


async def of_month(session: AsyncSession, community_id: int, month: str) -> CycleChair | None:
    return await session.scalar(
        select(CycleChair).where(CycleChair.community_id == community_id, CycleChair.month == month)
    )


async def override(
    db: Database, community_id: int, code: str, month: str, now: datetime, *, actor_id: int | None
) -> CycleChair:
    """A moderator names ``month``'s chair by household code; the rotation's turn waits."""
    async with db.write() as session:
        household = await session.scalar(
            select(Household).where(
                Household.community_id == community_id,
                Household.code == code,
                Household.moved_out_at.is_(None),
            )
        )
        if household is None:
            raise Invalid(t("There is no household {code} in this community.", code=code))
        member = await _member_of(session, household.id)
        if member is None:
            raise Invalid(
                t("Nobody of household {code} uses the bot yet: they cannot chair.", code=code)
            )
        current = await of_month(session, community_id, month)
        previous = current or await _latest(session, community_id)
        chair = current or CycleChair(community_id=community_id, month=month, name="")
        chair.position, chair.household_id, chair.member_id = None, household.id, member.id
        chair.name, chair.overridden_by_id = member.display_name, actor_id
        await hand_over(session, chair, previous, now, actor_id=actor_id)
    return chair
