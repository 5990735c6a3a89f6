"""The household representative (户代表) and their delegate.

One representative per household, enforced by the database (ix_member_one_representative):
the grid worker sets one, a verified member claims an empty seat, or the representative hands
over. A representative may let another member of the household vote for a while;
bot/flows/standing.py gives the vote to the delegate while the delegation is in force.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import households, policy, standing
from bot.flows.households import Located
from bot.flows.inputs import Invalid, normalize
from bot.flows.joining import join_hint
from bot.flows.policy import Action
from bot.flows.results import Notify, Outcome, Reply, reply
from bot.i18n import t
from storage import audit
from storage.engine import Database
from storage.models import Community, Delegation, Member

MAX_DAYS = 90


async def current_delegation(
    s: AsyncSession, household_id: int, now: datetime
) -> Delegation | None:
    return (
        await s.scalars(
            select(Delegation).where(
                Delegation.household_id == household_id,
                Delegation.revoked_at.is_(None),
                Delegation.starts_at <= now,
                Delegation.ends_at > now,
            )
        )
    ).first()


async def _end_delegation(s: AsyncSession, household_id: int, now: datetime) -> Delegation | None:
    current = await current_delegation(s, household_id, now)
    if current is not None:
        current.revoked_at = now
        s.add(current)
    return current


async def _household_of(s: AsyncSession, member: Member, expected: int | None = None) -> Located:
    """The member's household; refused when they have none (or not the ``expected`` one)."""
    if member.household_id is None or member.verified_at is None:
        raise Invalid(
            t("{name} is not a verified member of any household.", name=member.display_name)
        )
    located = await households.by_id(s, member.household_id)
    assert located is not None
    if expected is not None and expected != member.household_id:
        raise Invalid(
            t(
                "{name} is not a member of that household but of {household}.",
                name=member.display_name,
                household=located.describe(),
            )
        )
    return located


async def _may_manage(s: AsyncSession, actor: Member, located: Located, now: datetime) -> bool:
    """Staff who may set representatives there, or the household's own representative."""
    held = await standing.load(s, actor, located.household.community_id, now)
    if policy.decide(held, Action.SET_REPRESENTATIVE, located.path):
        return True
    return actor.household_id == located.household.id and actor.representative


async def _seat(
    s: AsyncSession, member: Member, actor: Member, how: str, now: datetime, *, replacing: bool
) -> tuple[Located, Member | None]:
    """Make ``member`` the representative (audited); returns the household and who was replaced.

    Without ``replacing`` (a claim) nobody is unseated: the unique index refuses a second one.
    """
    located = await _household_of(s, member)
    previous = await households.representative(s, located.household.id) if replacing else None
    if previous is not None:
        previous.representative = False
        s.add(previous)
        await s.flush()
    if replacing:
        await _end_delegation(s, located.household.id, now)
    member.representative = True
    s.add(member)
    await s.flush()
    await audit.record(
        s,
        "household.representative",
        actor_id=actor.id,
        community_id=located.household.community_id,
        subject=f"household:{located.household.id}",
        data={"from": previous.id if previous else None, "to": member.id, "how": how},
    )
    return located, previous


async def claim(db: Database, member: Member | None, now: datetime) -> list[Outcome]:
    """``/rep me``: the first verified member to claim an empty seat gets it."""
    if member is None or member.verified_at is None or member.household_id is None:
        return [reply(join_hint())]
    if member.representative:
        return [reply(t("You already are your household's representative."))]
    try:
        async with db.write() as s:
            fresh = await s.get(Member, member.id)
            assert fresh is not None
            # No check first: the unique index decides between two claims at the same moment.
            located, _ = await _seat(s, fresh, fresh, "claimed", now, replacing=False)
    except IntegrityError:
        async with db.session() as s:
            holder = await households.representative(s, member.household_id)
        name = holder.display_name if holder else "—"
        return [
            reply(
                t(
                    "Your household already has a representative: {name}. They can hand over to "
                    "you by replying to your message with /rep, or ask your grid worker.",
                    name=name,
                )
            )
        ]
    return [
        reply(
            t(
                "You are now the representative of household {household}: you cast its vote.",
                household=located.describe(),
            )
        )
    ]


async def appoint(
    db: Database, actor: Member, target_id: int, now: datetime, household_id: int | None = None
) -> list[Outcome]:
    """Staff sets a representative, or the representative hands over to a household member."""
    try:
        async with db.write() as s:
            target = await s.get(Member, target_id)
            assert target is not None
            located = await _household_of(s, target, household_id)
            fresh_actor = await s.get(Member, actor.id)
            assert fresh_actor is not None
            if not await _may_manage(s, fresh_actor, located, now):
                raise Invalid(
                    t(
                        "Only the household's representative or a grid worker or admin for it "
                        "may choose its representative."
                    )
                )
            if target.representative:
                raise Invalid(
                    t(
                        "{name} already is the representative of household {household}.",
                        name=target.display_name,
                        household=located.describe(),
                    )
                )
            how = (
                "handed_over"
                if fresh_actor.representative and fresh_actor.household_id == located.household.id
                else "set"
            )
            _, previous = await _seat(s, target, actor, how, now, replacing=True)
    except Invalid as refused:
        return [reply(refused.text)]
    done = t(
        "{name} is now the representative of household {household}.",
        name=target.display_name,
        household=located.describe(),
    )
    outcomes: list[Outcome] = [reply(done)]
    if target.id != actor.id:
        outcomes.append(
            Notify(
                target.tg_user_id,
                (
                    t(
                        "You are now the representative of household {household}: you cast its vote.",
                        household=located.describe(),
                    ),
                ),
            )
        )
    if previous is not None and previous.id != actor.id:
        outcomes.append(Notify(previous.tg_user_id, (done,)))
    return outcomes


def parse_days(word: str) -> int:
    value = normalize(word)
    if not value.isdigit() or not 1 <= int(value) <= MAX_DAYS:
        raise Invalid(
            t("“{word}” is not a number of days from 1 to {max}.", word=word, max=MAX_DAYS)
        )
    return int(value)


async def delegate(
    db: Database,
    actor: Member | None,
    target_id: int,
    days: int,
    now: datetime,
    household_id: int | None = None,
) -> list[Outcome]:
    """The representative (or staff) lets another household member vote for ``days`` days."""
    if actor is None:
        return [reply(join_hint())]
    try:
        async with db.write() as s:
            target = await s.get(Member, target_id)
            assert target is not None
            located = await _household_of(s, target, household_id)
            holder = await households.representative(s, located.household.id)
            fresh_actor = await s.get(Member, actor.id)
            assert fresh_actor is not None
            if not await _may_manage(s, fresh_actor, located, now):
                raise Invalid(
                    t(
                        "Only the household's representative, or a grid worker or admin for it, "
                        "may hand its vote to another member."
                    )
                )
            if holder is None:
                raise Invalid(
                    t(
                        "Household {household} has no representative to delegate from.",
                        household=located.describe(),
                    )
                )
            if holder.id == target.id:
                raise Invalid(
                    t(
                        "{name} is the representative already; there is nothing to delegate.",
                        name=target.display_name,
                    )
                )
            await _end_delegation(s, located.household.id, now)
            delegation = Delegation(
                household_id=located.household.id,
                from_member_id=holder.id,
                to_member_id=target.id,
                starts_at=now,
                ends_at=now + timedelta(days=days),
            )
            s.add(delegation)
            await s.flush()
            await audit.record(
                s,
                "delegation.created",
                actor_id=actor.id,
                community_id=located.household.community_id,
                subject=f"household:{located.household.id}",
                data={
                    "delegation_id": delegation.id,
                    "from": holder.id,
                    "to": target.id,
                    "days": days,
                },
            )
            community = await s.get(Community, located.household.community_id)
            assert community is not None
    except Invalid as refused:
        return [reply(refused.text)]
    until = households.shown(delegation.ends_at, community.timezone)
    done = t(
        "{name} votes for household {household} until {until}, instead of {holder}.",
        name=target.display_name,
        household=located.describe(),
        until=until,
        holder=holder.display_name,
    )
    return [reply(done), Notify(target.tg_user_id, (done,))]


async def end_delegation(
    db: Database, actor: Member | None, located: Located | None, now: datetime
) -> list[Outcome]:
    """``/delegate off``: the representative votes again."""
    if actor is None:
        return [reply(join_hint())]
    try:
        async with db.write() as s:
            if located is None:
                located = await _household_of(s, actor)
            if not await _may_manage(s, actor, located, now):
                raise Invalid(
                    t(
                        "Only the household's representative, or a grid worker or admin for it, "
                        "may end its delegation."
                    )
                )
            ended = await _end_delegation(s, located.household.id, now)
            if ended is None:
                raise Invalid(
                    t(
                        "No delegation is in force for household {household}.",
                        household=located.describe(),
                    )
                )
            await audit.record(
                s,
                "delegation.ended",
                actor_id=actor.id,
                community_id=located.household.community_id,
                subject=f"household:{located.household.id}",
                data={"delegation_id": ended.id},
            )
            delegate_member = await s.get(Member, ended.to_member_id)
            holder = await s.get(Member, ended.from_member_id)
            assert delegate_member is not None and holder is not None
    except Invalid as refused:
        return [reply(refused.text)]
    done = t(
        "The delegation has ended: {holder} votes for household {household} again.",
        holder=holder.display_name,
        household=located.describe(),
    )
    return [reply(done), Notify(delegate_member.tg_user_id, (done,))]


def rep_usage() -> Reply:
    return reply(
        t(
            "/rep me — become your household's representative if it has none.\n"
            "Reply to a household member's message with /rep — hand over to them (representative) "
            "or set them (grid worker).\n"
            "/rep 7-1-101 TELEGRAM_ID — set a household's representative (grid worker)."
        )
    )


def delegate_usage() -> Reply:
    return reply(
        t(
            "Reply to a household member's message with /delegate 7 to let them vote for 7 days "
            "(1–90), or send /delegate 7-1-101 TELEGRAM_ID 7. /delegate off ends it."
        )
    )
