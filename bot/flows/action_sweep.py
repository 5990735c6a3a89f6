"""What the "actions" sweep does, derived from stored state so it runs once whatever restarts:

* start: a ``waiting`` item whose decision's 公示 is ``final`` opens (``started_at``); its
  assignee is told privately, its group in the group;
* remind: at 09:00 local three days before the due date, the assignee is reminded once
  (``reminded_at``);
* escalate: at 09:00 local the day after the due date, an item not done is announced in the
  groups one scope up and its supervisors are told, once (``escalated_at``);
* close: at ``rating_until`` a done item's rating closes; the groups' rating messages keep the
  result without buttons (once: bot.flows.ratings.close).

Each step claims its timestamp in the same transaction as its audit event; what it returns is
what to say (bot.handlers.action_runtime says it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import action_messages as say
from bot.flows import actions, households, ratings
from bot.flows.actions import Item
from bot.flows.proposal_escalation import groups, parent
from bot.flows.results import Notify
from storage import audit
from storage.engine import Database
from storage.models import ActionItem, Community, Member, Publicity, Scope

START, REMIND, ESCALATE, CLOSE = "start", "remind", "escalate", "close"
REMIND_DAYS = 3
AT = time(9, 0)  # local: reminders and escalations are said in the morning


def remind_at(due_at: datetime, zone: ZoneInfo) -> datetime:
    day = due_at.astimezone(zone).date() - timedelta(days=REMIND_DAYS)
    return datetime.combine(day, AT, tzinfo=zone)


def escalate_at(due_at: datetime, zone: ZoneInfo) -> datetime:
    day = due_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, AT, tzinfo=zone)


@dataclass(frozen=True)
class Step:
    kind: str
    action_id: int
    at: datetime  # may be past: then it is due at once


async def pending(db: Database) -> list[Step]:
    """Every step not yet taken, with the instant it comes due."""
    steps: list[Step] = []
    async with db.session() as session:
        zones = dict((await session.execute(select(Community.id, Community.timezone))).all())
        rows = await session.execute(
            select(ActionItem, Publicity.ended_at, Publicity.starts_at)
            .join(Publicity, Publicity.vote_id == ActionItem.vote_id)
            .where(ActionItem.status == "waiting", Publicity.status == "final")
        )
        for action, ended, started in rows.all():
            steps.append(Step(START, action.id, ended or started))
        opened = await session.scalars(select(ActionItem).where(ActionItem.status == "open"))
        for action in opened.all():
            zone = ZoneInfo(zones[action.community_id])
            if action.reminded_at is None:
                steps.append(Step(REMIND, action.id, remind_at(action.due_at, zone)))
            if action.escalated_at is None:
                steps.append(Step(ESCALATE, action.id, escalate_at(action.due_at, zone)))
        for action in await ratings.still_open(session):
            steps.append(Step(CLOSE, action.id, action.rating_until))
    return steps


async def _claim(session: AsyncSession, action_id: int, state: str, **values: object) -> bool:
    """Set ``values`` once: only while the item is in ``state`` and each value still unset."""
    query = update(ActionItem).where(ActionItem.id == action_id, ActionItem.status == state)
    for column in values:
        if column != "status":
            query = query.where(getattr(ActionItem, column).is_(None))
    return (await session.execute(query.values(**values))).rowcount == 1


async def item_groups(session: AsyncSession, item: Item) -> list[int]:
    """The groups bound to the item's scope, else the group its vote was held in."""
    chats = [binding.chat_id for binding in await groups(session, item.action.scope_id)]
    if not chats and item.vote.chat_id is not None:
        chats = [item.vote.chat_id]
    return chats


def _private(member: Member | None, said: tuple) -> list[Notify]:
    if member is None or member.forgotten_at is not None or member.unreachable_at is not None:
        return []
    return [Notify(member.tg_user_id, said)]


async def start(db: Database, action_id: int, now: datetime) -> list[Notify]:
    async with db.write() as session:
        action = await session.get(ActionItem, action_id)
        final = await session.scalar(
            select(Publicity.id).where(
                Publicity.vote_id == action.vote_id, Publicity.status == "final"
            )
        )
        if final is None or not await _claim(
            session, action_id, "waiting", status="open", started_at=now
        ):
            return []
        await audit.record(
            session,
            "action.opened",
            community_id=action.community_id,
            subject=f"action:{action_id}",
            data={"vote": action.vote_id},
        )
        item = await actions.load(session, action_id)
        chats = await item_groups(session, item)
    said = say.opened_group(item)
    return _private(item.assignee, say.opened_private(item)) + [Notify(c, said) for c in chats]


async def remind(db: Database, action_id: int, now: datetime) -> list[Notify]:
    async with db.write() as session:
        if not await _claim(session, action_id, "open", reminded_at=now):
            return []
        item = await actions.load(session, action_id)
        await audit.record(
            session,
            "action.reminded",
            community_id=item.action.community_id,
            subject=f"action:{action_id}",
            data={"assignee": item.action.assignee_id, "due": item.due_day()},
        )
    return _private(item.assignee, say.reminder(item))


async def escalate(db: Database, action_id: int, now: datetime) -> list[Notify]:
    async with db.write() as session:
        if not await _claim(session, action_id, "open", escalated_at=now):
            return []
        item = await actions.load(session, action_id)
        source = await session.get(Scope, item.action.scope_id)
        above = await parent(session, source.id)
        chats = [b.chat_id for b in await groups(session, above.id)] if above else []
        if not chats:  # nothing bound above (or the top): its own groups hear it
            chats = await item_groups(session, item)
        supervisors = await households.staff(session, item.action.community_id, "supervisor")
        await audit.record(
            session,
            "action.escalated",
            community_id=item.action.community_id,
            subject=f"action:{action_id}",
            data={
                "from": source.id,
                "to": above.id if above else None,
                "chats": chats,
                "supervisors": [m.id for m in supervisors],
            },
        )
    said = say.escalated(item, source.name)
    told = [Notify(c, said) for c in chats]
    for supervisor in supervisors:
        told += _private(supervisor, say.escalated_supervisor(item, source.name))
    return told + _private(item.assignee, say.escalated_assignee(item))


TAKE = {START: start, REMIND: remind, ESCALATE: escalate}
