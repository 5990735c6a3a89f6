"""Households that have not voted yet, per building, and reminding their voters privately.

The electorate is the one fixed when the vote opened (``vote_elector``); a household has voted
once it has a ballot row, whatever its choice (secret votes included: a ballot row says only
THAT it voted). Staff see the buildings their role reaches: a grid worker their grid, the chair
and moderators all of them.

A reminder goes only to the member who votes for a household (its current delegate, else its
representative); households with nobody the bot can message are listed for the grid worker to
call. Each reminder is an audit event naming the households reached, which is also how a second
press knows not to remind them again within ``REMIND_EVERY``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import households, policy
from bot.flows import vote_messages as say
from bot.flows.policy import Action, Standing
from bot.flows.results import Button, Notify
from bot.flows.standing import scope_paths
from bot.flows.votes import options_of
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import (
    AuditEvent,
    Ballot,
    ChatBinding,
    Community,
    Delegation,
    Household,
    Member,
    Scope,
    Vote,
    VoteElector,
)

REMIND_EVERY = timedelta(hours=12)
REMIND_PREFIX = "vp:"
REMINDED = "vote.remind"


def remind_data(vote_id: int) -> str:
    return f"{REMIND_PREFIX}{vote_id}"


def parse_remind(data: str) -> int | None:
    number = data.removeprefix(REMIND_PREFIX)
    return int(number) if number.isdigit() else None


@dataclass(frozen=True)
class Absent:
    """A household of the electorate without a ballot, and who could be reminded."""

    household_id: int
    code: str
    representative_name: str | None
    building: str
    voter_tg_id: int | None  # the delegate's or representative's Telegram id, if any
    unreachable: bool = False  # that voter blocked the bot or never started it (flows.reach)


@dataclass(frozen=True)
class Pending:
    """What the asker may see of a vote's non-voters."""

    vote: Vote
    path: tuple[int, ...]  # the vote's scope, for the policy's refusal
    electorate: int  # the whole vote's, for the headline
    visible: bool  # whether the asker's roles reach any building of the vote
    absent: list[Absent]
    last_reminded: datetime | None
    timezone: str


async def pending(db: Database, vote: Vote, standing: Standing, now: datetime) -> Pending:
    async with db.session() as session:
        paths = await scope_paths(session, vote.community_id)
        rows = (
            await session.execute(
                select(Household, Scope.name)
                .join(VoteElector, VoteElector.household_id == Household.id)
                .join(Scope, Scope.id == Household.building_scope_id)
                .where(VoteElector.vote_id == vote.id)
                .where(
                    ~select(Ballot.id)
                    .where(Ballot.vote_id == vote.id, Ballot.household_id == Household.id)
                    .exists()
                )
            )
        ).all()
        electorate = len(
            (
                await session.scalars(
                    select(VoteElector.household_id).where(VoteElector.vote_id == vote.id)
                )
            ).all()
        )
        target = paths.get(vote.scope_id, ())
        inside = {s for s, path in paths.items() if path[: len(target)] == target}
        reachable = {s for s in inside if policy.decide(standing, Action.VIEW_PENDING, paths[s])}
        mine = [(h, name) for h, name in rows if h.building_scope_id in reachable]
        voters = await _voters(session, [h.id for h, _ in mine], now)
        blocked = set(
            (
                await session.scalars(
                    select(Member.tg_user_id).where(
                        Member.tg_user_id.in_(voters.values()), Member.unreachable_at.is_not(None)
                    )
                )
            ).all()
        )
        community = await session.get(Community, vote.community_id)
        last, _ = await _reminders(session, vote.id, now)
    absent = [
        Absent(
            h.id, h.code, h.representative_name, name, voters.get(h.id), voters.get(h.id) in blocked
        )
        for h, name in mine
    ]
    absent.sort(key=lambda a: (households.natural(a.building), households.natural(a.code)))
    return Pending(
        vote,
        target,
        electorate,
        bool(reachable),
        absent,
        last,
        community.timezone,
    )


async def _voters(session: AsyncSession, household_ids: list[int], now: datetime) -> dict:
    """household id → Telegram id of who votes for it now: the delegate, else the
    representative (verified, not forgotten)."""
    if not household_ids:
        return {}
    reps = await session.execute(
        select(Member.household_id, Member.tg_user_id).where(
            Member.household_id.in_(household_ids),
            Member.representative,
            Member.verified_at.is_not(None),
            Member.forgotten_at.is_(None),
        )
    )
    voters = dict(reps.all())
    delegates = await session.execute(
        select(Delegation.household_id, Member.tg_user_id)
        .join(Member, Member.id == Delegation.to_member_id)
        .where(
            Delegation.household_id.in_(household_ids),
            Delegation.revoked_at.is_(None),
            Delegation.starts_at <= now,
            Delegation.ends_at > now,
            Member.forgotten_at.is_(None),
        )
    )
    voters.update(delegates.all())
    return voters


async def _reminders(
    session: AsyncSession, vote_id: int, now: datetime
) -> tuple[datetime | None, set[int]]:
    """The last reminder within ``REMIND_EVERY`` (even one that reached nobody), and the
    households reminded in that period. Times come from the event's data: the bot's clock,
    which tests and rehearsals may run ahead of the wall clock."""
    events = await session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.subject == f"vote:{vote_id}", AuditEvent.action == REMINDED
        )
    )
    last: datetime | None = None
    reached: set[int] = set()
    for data in events.all():
        event = json.loads(data)
        at = datetime.fromisoformat(event["at"])
        if at > now - REMIND_EVERY:
            last = at if last is None else max(last, at)
            reached.update(event["reminded"])
    return last, reached


def listing(p: Pending) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """The reply to /pending: per building, the rooms not voted; a button to remind them."""
    vote = p.vote
    head = t("<b>Vote {id}: {title}</b>", id=vote.id, title=vote.title)
    if not p.absent:
        return (head, t("Every household you look after has voted.")), ()
    paragraphs = [
        head,
        t(
            "Not voted yet: {n} households (the electorate is {electorate} households, "
            "fixed when the vote opened).",
            n=len(p.absent),
            electorate=p.electorate,
        ),
    ]
    for building, codes in _by_building(p.absent):
        paragraphs.append(
            t(
                "<b>{building}</b> ({n}): {rooms}",
                building=building,
                n=len(codes),
                rooms="、".join(codes),
            )
        )
    unreached = [a.code for a in p.absent if a.voter_tg_id is None or a.unreachable]
    if unreached:
        paragraphs.append(
            t(
                "I cannot message {n} of them privately; please call them: {rooms}",
                n=len(unreached),
                rooms="、".join(unreached),
            )
        )
    if p.last_reminded is not None:
        paragraphs.append(
            t("Last reminded at {time}.", time=households.shown(p.last_reminded, p.timezone))
        )
    return tuple(paragraphs), ((Button(t("Remind them"), remind_data(vote.id)),),)


def _by_building(absent: list[Absent]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for a in absent:
        grouped.setdefault(a.building, []).append(a.code)
    return list(grouped.items())


@dataclass(frozen=True)
class Round:
    """One press of [Remind them]: who gets a notice, who was reminded lately, who has nobody."""

    notices: dict[int, Notify]  # household id → its notice
    recently: list[Absent]
    nobody: list[Absent]


async def prepare(db: Database, p: Pending, now: datetime) -> Round:
    vote = p.vote
    async with db.session() as session:
        _, recent = await _reminders(session, vote.id, now)
        group = (
            await session.scalar(
                select(ChatBinding.title).where(ChatBinding.chat_id == vote.chat_id)
            )
            if vote.chat_id is not None
            else None
        )
    notices: dict[int, Notify] = {}
    recently, nobody = [], []
    labels = options_of(vote)
    buttons = tuple(
        (Button(t("{label}", label=label), say.cast_data(vote.id, i)),)
        for i, label in enumerate(labels)
    )
    for a in p.absent:
        if a.household_id in recent:
            recently.append(a)
        elif a.voter_tg_id is None or a.unreachable:  # never tried again until they write
            nobody.append(a)
        else:
            paragraphs = [
                t(
                    "Reminder: your household {code} has not voted yet in vote {id}: {title}.",
                    code=a.code,
                    id=vote.id,
                    title=vote.title,
                ),
                t("It closes at {time}.", time=households.shown(vote.closes_at, p.timezone)),
            ]
            if group:
                paragraphs.append(
                    t("Vote here or under the ballot in the group “{group}”.", group=group)
                )
            notices[a.household_id] = Notify(a.voter_tg_id, tuple(paragraphs), buttons)
    return Round(notices, recently, nobody)


async def record(
    db: Database,
    vote: Vote,
    reminded: list[int],
    unreachable: list[int],
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    async with db.write() as session:
        await audit.record(
            session,
            REMINDED,
            actor_id=actor_id,
            community_id=vote.community_id,
            subject=f"vote:{vote.id}",
            data={
                "at": now.isoformat(),
                "reminded": sorted(reminded),
                "unreachable": sorted(unreachable),
            },
        )


def report(
    p: Pending,
    r: Round,
    reminded: int,
    undelivered: list[Absent],
    now: datetime,
    *,
    names: bool,
) -> tuple[Text, ...]:
    """What the asker learns: how many were reminded, who was lately, whom to call (with the
    roster's names only in a private chat, not before the whole group)."""
    paragraphs = [t("Reminded {n} households privately.", n=reminded)]
    if r.recently:
        paragraphs.append(
            t(
                "{n} households were already reminded at {time}; each household is reminded at "
                "most once every {hours} hours.",
                n=len(r.recently),
                time=households.shown(p.last_reminded or now, p.timezone),
                hours=int(REMIND_EVERY.total_seconds() // 3600),
            )
        )
    unreachable = [*r.nobody, *undelivered]
    if unreachable:
        paragraphs.append(t("<b>Could not reach these households; please call them:</b>"))
        for a in sorted(
            unreachable, key=lambda a: (households.natural(a.building), households.natural(a.code))
        ):
            paragraphs.append(_unreachable(a, names))
    return tuple(paragraphs)


def _unreachable(a: Absent, names: bool) -> Text:
    where = (
        t(
            "{building} {code} ({name})",
            building=a.building,
            code=a.code,
            name=a.representative_name,
        )
        if names and a.representative_name
        else t("{building} {code}", building=a.building, code=a.code)
    )
    if a.voter_tg_id is None:
        return t("{household}: no representative has joined the bot", household=where)
    if a.unreachable:
        return t("{household}: blocked me or never started a chat with me", household=where)
    return t("{household}: has not started a chat with me", household=where)
