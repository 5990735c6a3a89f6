"""Unbinding a member from their household: removed by staff, moved out, or left the group.

Only the member's current binding changes; their past ballots and requests stay as they were,
since those name the member and the household by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import or_, select

from bot.flows import households
from bot.flows.households import Located
from bot.flows.results import Button, EditOrigin, Notify, Outcome, Reply, reply
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import ChatBinding, Delegation, Member, Scope

PREFIX = "moveout:"

WHY: dict[str, Text] = {
    "removed": t("your grid worker removed you from it"),
    "moved_out": t("you said you moved out"),
    "left_group": t("you left the group"),
}


@dataclass(frozen=True)
class Unbound:
    member: Member
    located: Located


async def release(s: AsyncSession, member: Member, now: datetime) -> None:
    """Drop the member's household duties: representative flag, delegations given or held."""
    member.representative = False
    s.add(member)
    await s.flush()
    current = await s.scalars(
        select(Delegation).where(
            or_(Delegation.from_member_id == member.id, Delegation.to_member_id == member.id),
            Delegation.revoked_at.is_(None),
            Delegation.ends_at > now,
        )
    )
    for delegation in current.all():
        delegation.revoked_at = now
        s.add(delegation)


async def unbind(
    db: Database, member_id: int, why: str, actor_id: int | None, now: datetime
) -> Unbound | None:
    """Unbind (audited); None when the member was not bound to a household."""
    async with db.write() as s:
        member = await s.get(Member, member_id)
        if member is None or member.household_id is None:
            return None
        located = await households.by_id(s, member.household_id)
        assert located is not None
        await release(s, member, now)
        member.household_id, member.verified_at = None, None
        s.add(member)
        await audit.record(
            s,
            "member.unbound",
            actor_id=actor_id,
            community_id=located.household.community_id,
            subject=f"member:{member.id}",
            data={"household_id": located.household.id, "why": why},
        )
    return Unbound(member, located)


def _told(unbound: Unbound, why: str) -> Notify:
    return Notify(
        unbound.member.tg_user_id,
        (
            t(
                "You are no longer a member of household {household}: {why}.",
                household=unbound.located.describe(),
                why=WHY[why],
            ),
            t(
                "Your past votes and records stay as they were. To join a household again, send /join."
            ),
        ),
    )


async def remove(db: Database, member_id: int, actor: Member, now: datetime) -> list[Outcome]:
    """Staff removes a member (already checked by policy)."""
    unbound = await unbind(db, member_id, "removed", actor.id, now)
    if unbound is None:
        return [reply(not_bound())]
    done = t(
        "{name} is no longer a member of household {household}.",
        name=unbound.member.display_name,
        household=unbound.located.describe(),
    )
    return [reply(done), _told(unbound, "removed")]


def not_bound() -> Text:
    return t("That person is not a verified member of any household.")


def confirm_move_out(member: Member | None) -> Reply:
    if member is None or member.household_id is None:
        return reply(
            t("You are not a member of any household, so there is nothing to move out of.")
        )
    return reply(
        t(
            "Did you move out? I will unbind you from your household; your past votes stay as "
            "they were."
        ),
        buttons=(
            (
                Button(t("Yes, I moved out"), f"{PREFIX}yes"),
                Button(t("No, keep it"), f"{PREFIX}no"),
            ),
        ),
    )


async def move_out(db: Database, member: Member | None, now: datetime) -> list[Outcome]:
    unbound = await unbind(db, member.id, "moved_out", member.id, now) if member else None
    if unbound is None:
        return [EditOrigin((t("You are not a member of any household, so nothing changed."),))]
    done = t(
        "Done: you are no longer a member of household {household}. Your past votes stay as "
        "they were. Send /join when you live in a new household.",
        household=unbound.located.describe(),
    )
    return [EditOrigin((done,))]


def keep() -> list[Outcome]:
    return [EditOrigin((t("Nothing changed."),))]


async def left_group(db: Database, chat_id: int, tg_user_id: int, now: datetime) -> list[Outcome]:
    """Someone left (or was removed from) a group: unbind them if it is their building's or grid's.

    A community-wide group is not where a household lives, so leaving it changes nothing.
    """
    async with db.session() as s:
        binding = await s.scalar(
            select(ChatBinding).where(ChatBinding.chat_id == chat_id, ChatBinding.active)
        )
        member = await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        if binding is None or member is None or member.household_id is None:
            return []
        scope = await s.get(Scope, binding.scope_id)
        located = await households.by_id(s, member.household_id)
        assert located is not None
        if scope is None or scope.kind == "community" or scope.id not in located.path:
            return []
    unbound = await unbind(db, member.id, "left_group", None, now)
    return [_told(unbound, "left_group")] if unbound else []


def unbind_usage() -> Reply:
    return reply(
        t(
            "To unbind a member from their household, reply to their message with /remove, or "
            "send /remove TELEGRAM_ID."
        )
    )
