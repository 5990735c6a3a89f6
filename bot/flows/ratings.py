"""群众测评: once an action item is done, the households its decision concerned (the vote's
electorate) rate the outcome 1–5 — one rating per household by the table's unique key,
changeable until ``rating_until``. Representatives are asked privately; the group gets the same
buttons, where any verified member of such a household may answer for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import actions
from bot.flows.actions import Item
from bot.flows.inputs import Invalid
from bot.flows.results import Button
from bot.i18n import t
from storage import audit
from storage.engine import Database
from storage.models import ActionItem, Member, Rating, RatingMessage, VoteElector

PREFIX = "ar:"  # callback data "ar:<action id>:<score>"
SCORES = range(1, 6)
NEW, CHANGED, SAME = "new", "changed", "same"


def buttons(action_id: int) -> tuple[tuple[Button, ...], ...]:
    return (tuple(Button(t("{score} ★", score=s), f"{PREFIX}{action_id}:{s}") for s in SCORES),)


def parse(data: str) -> tuple[int, int] | None:
    action_id, _, score = data.removeprefix(PREFIX).partition(":")
    if not (action_id.isdigit() and score.isdigit() and int(score) in SCORES):
        return None
    return int(action_id), int(score)


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None


async def summary(session: AsyncSession, action_id: int) -> Summary:
    count, average = (
        await session.execute(
            select(func.count(Rating.id), func.avg(Rating.score)).where(
                Rating.action_id == action_id
            )
        )
    ).one()
    return Summary(count or 0, float(average) if average is not None else None)


@dataclass(frozen=True)
class Rated:
    status: str
    score: int
    item: Item
    summary: Summary


async def affected(session: AsyncSession, item: Item, household_id: int) -> bool:
    found = await session.scalar(
        select(VoteElector.household_id).where(
            VoteElector.vote_id == item.action.vote_id, VoteElector.household_id == household_id
        )
    )
    return found is not None


def open_for_rating(item: Item | None, now: datetime) -> Item:
    if item is None:
        raise Invalid(t("This action item no longer exists."))
    if item.action.status != "done" or item.action.rating_until is None:
        raise Invalid(t("Action item {id} is not done yet: rating opens then.", id=item.id))
    if now > item.action.rating_until:
        raise Invalid(t("Rating of action item {id} is closed.", id=item.id))
    return item


async def rate(
    db: Database, action_id: int, household_id: int, member_id: int, score: int, now: datetime
) -> Rated:
    """The household's rating, new or changed; Invalid says why it cannot rate."""
    async with db.write() as session:
        item = open_for_rating(await actions.load(session, action_id), now)
        if not await affected(session, item, household_id):
            raise Invalid(
                t(
                    "Only the households that decision {vote} concerned rate its outcome; "
                    "yours is not one of them.",
                    vote=item.action.vote_id,
                )
            )
        rating = await session.scalar(
            select(Rating).where(Rating.action_id == action_id, Rating.household_id == household_id)
        )
        if rating is not None and rating.score == score:
            return Rated(SAME, score, item, await summary(session, action_id))
        previous = rating.score if rating else None
        if rating is None:
            rating = Rating(
                action_id=action_id, household_id=household_id, score=score, rated_at=now
            )
        else:
            rating.score, rating.changed_count = score, rating.changed_count + 1
        rating.member_id, rating.rated_at = member_id, now
        session.add(rating)
        await session.flush()
        await audit.record(
            session,
            "rating.changed" if previous else "rating.cast",
            actor_id=member_id,
            community_id=item.action.community_id,
            subject=f"action:{action_id}",
            data={"household": household_id, "score": score, "previous": previous},
        )
        return Rated(CHANGED if previous else NEW, score, item, await summary(session, action_id))


async def raters(session: AsyncSession, item: Item) -> list[Member]:
    """The representatives of the affected households whom a private message can reach."""
    rows = await session.scalars(
        select(Member)
        .join(VoteElector, VoteElector.household_id == Member.household_id)
        .where(
            VoteElector.vote_id == item.action.vote_id,
            Member.representative,
            Member.verified_at.is_not(None),
            Member.forgotten_at.is_(None),
            Member.unreachable_at.is_(None),
        )
        .order_by(Member.id)
    )
    return list(rows.all())


async def posted(db: Database, action: Item, chat_id: int, message_id: int) -> None:
    """Note a group's rating message, so that ratings given privately update it too."""
    async with db.write() as session:
        await session.merge(
            RatingMessage(action_id=action.id, chat_id=chat_id, message_id=message_id)
        )
        await audit.record(
            session,
            "action.rating_posted",
            community_id=action.action.community_id,
            subject=f"action:{action.id}",
            data={"chat_id": chat_id, "message_id": message_id},
        )


async def group_messages(session: AsyncSession, action_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of the groups' rating messages of an item."""
    rows = await session.execute(
        select(RatingMessage.chat_id, RatingMessage.message_id).where(
            RatingMessage.action_id == action_id
        )
    )
    return [(chat_id, message_id) for chat_id, message_id in rows.all()]


async def close(db: Database, action_id: int, now: datetime) -> tuple[Item, Summary] | None:
    """Record the final rating once (None when it was already); the groups' messages then
    show it without buttons."""
    async with db.write() as session:
        claimed = await session.execute(
            update(ActionItem)
            .where(ActionItem.id == action_id, ActionItem.rating_closed_at.is_(None))
            .values(rating_closed_at=now)
        )
        item = await actions.load(session, action_id)
        if item is None or claimed.rowcount != 1:
            return None
        final = await summary(session, action_id)
        await audit.record(
            session,
            "rating.closed",
            community_id=item.action.community_id,
            subject=f"action:{action_id}",
            data={"count": final.count, "average": final.average},
        )
    return item, final


async def still_open(session: AsyncSession) -> list[ActionItem]:
    """Done items whose rating has not been closed yet (however long ago it should have)."""
    rows = await session.scalars(
        select(ActionItem).where(
            ActionItem.status == "done",
            ActionItem.rating_until.is_not(None),
            ActionItem.rating_closed_at.is_(None),
        )
    )
    return list(rows.all())
