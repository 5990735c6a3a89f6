"""/whoami and /household: who a person is to the bot, and who a household is.

Kept minimal on purpose: names and household codes, never phone digits; in a group only what
the group may see (no room, no dates).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import households, policy
from bot.flows.commands import ChatKind
from bot.flows.households import Located
from bot.flows.inputs import listing
from bot.flows.joining import join_hint
from bot.flows.policy import Action, Role, Standing
from bot.flows.representatives import current_delegation
from bot.flows.results import Reply, reply
from bot.flows.roles import role_label
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import Community, Member, RoleGrant, Scope


async def timezone_of(s: AsyncSession, community_id: int) -> str:
    community = await s.get(Community, community_id)
    return community.timezone if community else "Asia/Shanghai"


async def roles_of(s: AsyncSession, member: Member) -> list[Text]:
    """The member's active staff roles, each with its grid when it has one."""
    grants = (
        await s.scalars(
            select(RoleGrant)
            .where(RoleGrant.member_id == member.id, RoleGrant.revoked_at.is_(None))
            .order_by(RoleGrant.id)
        )
    ).all()
    labels = []
    for grant in grants:
        scope = await s.get(Scope, grant.scope_id) if grant.scope_id else None
        labels.append(role_label(Role(grant.role), scope.name if scope else None))
    return labels


async def _duties(s: AsyncSession, member: Member, located: Located, now: datetime) -> list[Text]:
    """Whether the member votes for the household, or someone votes in their place."""
    current = await current_delegation(s, located.household.id, now)
    zone = await timezone_of(s, located.household.community_id)
    until = households.shown(current.ends_at, zone) if current else ""
    if current is not None and current.to_member_id == member.id:
        holder = await s.get(Member, current.from_member_id)
        return [
            t(
                "You vote for your household until {until}, as the delegate of {name}.",
                until=until,
                name=holder.display_name if holder else "—",
            )
        ]
    if not member.representative:
        return []
    if current is not None:
        delegate = await s.get(Member, current.to_member_id)
        return [
            t(
                "You are your household's representative (户代表); until {until} {name} votes "
                "in your place.",
                until=until,
                name=delegate.display_name if delegate else "—",
            )
        ]
    return [t("You are your household's representative (户代表): you cast its vote.")]


async def whoami(
    db: Database, member: Member | None, name: str, where: ChatKind, now: datetime
) -> Reply:
    lines: list[Text] = [t("<b>{name}</b>", name=name)]
    async with db.session() as s:
        located = None
        if member is not None and member.household_id and member.verified_at:
            located = await households.by_id(s, member.household_id)
        if located is None:
            lines.append(t("Not verified: not a member of any household yet."))
            if where == "private":
                lines.append(join_hint())
        elif where == "group":
            lines.append(t("Verified resident of building {building}.", building=located.building))
        else:
            lines.append(
                t("Verified member of household {household}.", household=located.describe())
            )
        if located is not None and member is not None:
            lines += await _duties(s, member, located, now)
        roles = await roles_of(s, member) if member is not None else []
    if roles:
        lines.append(t("Roles: {roles}", roles=_joined(roles)))
    return reply(*lines)


def _joined(items: list[Text]) -> Text:
    joined = items[-1]
    for item in reversed(items[:-1]):
        joined = t("{first}, {rest}", first=item, rest=joined)
    return joined


async def household(
    db: Database, member: Member | None, held: Standing, code: str | None, now: datetime
) -> Reply:
    """The asker's household, or (for its grid worker or an admin) the one with ``code``."""
    async with db.session() as s:
        if code is None:
            located = None
            if member is not None and member.household_id and member.verified_at:
                located = await households.by_id(s, member.household_id)
            if located is None:
                return reply(join_hint())
        else:
            found = (
                await households.by_code(s, held.community_id, code) if held.community_id else None
            )
            if found is None:
                return reply(households.unknown(code))
            located = found
        staff = bool(policy.decide(held, Action.VERIFY_MEMBER, located.path))
        if not staff and (member is None or member.household_id != located.household.id):
            return reply(
                t(
                    "You can see only your own household; grid workers and admins see the "
                    "households of their grids."
                )
            )
        lines = await _household_lines(s, located, now)
    if staff:
        lines.append(
            t(
                "On the roster, the representative is {name}.",
                name=located.household.representative_name or "—",
            )
        )
    return reply(*lines)


async def _household_lines(s: AsyncSession, located: Located, now: datetime) -> list[Text]:
    lines = [t("<b>Household</b> {household}", household=located.describe())]
    members = await households.members_of(s, located.household.id)
    holder = next((m for m in members if m.representative), None)
    if holder is None:
        lines.append(
            t("Representative: none yet. A verified member can send /rep me to become it.")
        )
    else:
        lines.append(t("Representative: {name}", name=holder.display_name))
    current = await current_delegation(s, located.household.id, now)
    if current is not None:
        delegate = await s.get(Member, current.to_member_id)
        zone = await timezone_of(s, located.household.community_id)
        lines.append(
            t(
                "Delegation: {name} votes until {until}.",
                name=delegate.display_name if delegate else "—",
                until=households.shown(current.ends_at, zone),
            )
        )
    lines.append(t("Members: {names}", names=listing([m.display_name for m in members])))
    return lines
