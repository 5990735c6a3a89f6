"""督办 action items of a decision: created after a passing vote (``waiting`` until its 公示 is
final — see bot.flows.action_sweep), updated with progress by whoever is responsible, marked
done (then households rate it: bot.flows.ratings). Every change is audited with it.

Who may touch an item besides the roles of the policy: its assignee (for an outside party, the
responsible member) updates it and marks it done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import action_assignees, action_input, standing
from bot.flows.action_input import NewItem
from bot.flows.inputs import Invalid
from bot.flows.policy import Action, Standing, decide
from bot.i18n import t
from storage import audit
from storage.engine import Database
from storage.models import ActionItem, ActionProgress, Community, Member, Vote

RATING_DAYS = 7


@dataclass(frozen=True)
class Item:
    """An action item with what every message about it needs."""

    action: ActionItem
    vote: Vote
    assignee: Member | None  # the member responsible (for an outside party too)
    zone: ZoneInfo
    path: tuple[int, ...]  # its scope's path, for the policy

    @property
    def id(self) -> int:
        assert self.action.id is not None
        return self.action.id

    def due_day(self) -> str:
        return action_input.due_day(self.action.due_at, self.zone)

    def responsible(self, member_id: int | None) -> bool:
        return member_id is not None and member_id == self.action.assignee_id


async def load(session: AsyncSession, action_id: int) -> Item | None:
    action = await session.get(ActionItem, action_id)
    if action is None:
        return None
    return await describe(session, action)


async def describe(session: AsyncSession, action: ActionItem) -> Item:
    vote = await session.get(Vote, action.vote_id)
    community = await session.get(Community, action.community_id)
    assignee = await session.get(Member, action.assignee_id) if action.assignee_id else None
    paths = await standing.scope_paths(session, action.community_id)
    return Item(
        action, vote, assignee, ZoneInfo(community.timezone), paths.get(action.scope_id, ())
    )


async def find(db: Database, community_id: int, action_id: int) -> Item:
    """The community's item ``action_id``, or Invalid naming it."""
    async with db.session() as session:
        item = await load(session, action_id)
    if item is None or item.action.community_id != community_id:
        raise Invalid(t("There is no action item {id} in this community.", id=action_id))
    return item


def passed(vote: Vote) -> bool:
    return vote.closed_at is not None and bool(json.loads(vote.result or "{}").get("passed"))


@dataclass(frozen=True)
class Draft:
    new: NewItem
    vote: Vote
    path: tuple[int, ...]


async def prepare(db: Database, community_id: int, args: str | None, now: datetime) -> Draft:
    """Read ``/action add``'s arguments and find the decided vote they name."""
    async with db.session() as session:
        community = await session.get(Community, community_id)
        new = action_input.parse_add(args, now.astimezone(ZoneInfo(community.timezone)).date())
        vote = await session.get(Vote, new.vote_number)
        if vote is None or vote.community_id != community_id:
            raise Invalid(t("There is no vote {id} in this community.", id=new.vote_number))
        if vote.closed_at is None:
            raise Invalid(t("Vote {id} is still open: action items follow a decision.", id=vote.id))
        if not passed(vote):
            raise Invalid(t("Vote {id} did not pass: there is no decision to act on.", id=vote.id))
        paths = await standing.scope_paths(session, community_id)
    return Draft(new, vote, paths.get(vote.scope_id, ()))


async def create(db: Database, draft: Draft, *, actor_id: int | None, now: datetime) -> Item:
    new, vote = draft.new, draft.vote
    async with db.write() as session:
        assignee = await action_assignees.find(
            session, vote.community_id, new.who, needs_role=new.party is None
        )
        community = await session.get(Community, vote.community_id)
        action = ActionItem(
            community_id=vote.community_id,
            vote_id=vote.id,
            scope_id=vote.scope_id,
            what=new.what,
            assignee_id=assignee.id,
            outside_party=new.party,
            due_at=action_input.due_instant(new.due, ZoneInfo(community.timezone)),
            created_by_id=actor_id,
            created_at=now,
        )
        session.add(action)
        await session.flush()
        await audit.record(
            session,
            "action.created",
            actor_id=actor_id,
            community_id=vote.community_id,
            subject=f"action:{action.id}",
            data={
                "vote": vote.id,
                "what": new.what,
                "assignee": assignee.id,
                "outside_party": new.party,
                "due": new.due.isoformat(),
            },
        )
        return await describe(session, action)


def may_update(item: Item, standing_: Standing) -> bool:
    return item.responsible(standing_.member_id) or bool(
        decide(standing_, Action.UPDATE_ACTION_ITEM, item.path)
    )


def may_finish(item: Item, standing_: Standing) -> bool:
    return item.responsible(standing_.member_id) or bool(
        decide(standing_, Action.FINISH_ACTION_ITEM, item.path)
    )


def _must_be_open(item: Item) -> None:
    if item.action.status == "waiting":
        raise Invalid(
            t(
                "Action item {id} has not started: its decision is still in public notice.",
                id=item.id,
            )
        )
    if item.action.status == "done":
        raise Invalid(t("Action item {id} is already done.", id=item.id))


async def _change_open(
    session: AsyncSession,
    item: Item,
    event: str,
    data: dict[str, object],
    *,
    actor_id: int | None,
    **values: object,
) -> None:
    """Set ``values`` on the item while it is still open (else Invalid), audited as ``event``."""
    claimed = await session.execute(
        update(ActionItem)
        .where(ActionItem.id == item.id, ActionItem.status == "open")
        .values(**values)
    )
    if claimed.rowcount != 1:
        raise Invalid(t("Action item {id} is already done.", id=item.id))
    await audit.record(
        session,
        event,
        actor_id=actor_id,
        community_id=item.action.community_id,
        subject=f"action:{item.id}",
        data=data,
    )


async def progress(
    db: Database,
    item: Item,
    change: action_input.Update,
    *,
    actor_id: int | None,
    now: datetime,
) -> Item:
    """Record a progress update (percent and note) as history and on the item."""
    _must_be_open(item)
    async with db.write() as session:
        data = {"percent": change.percent, "note": change.note}
        await _change_open(session, item, "action.progress", data, actor_id=actor_id, **data)
        session.add(ActionProgress(action_id=item.id, member_id=actor_id, at=now, **data))
        return await load(session, item.id)


async def finish(db: Database, item: Item, *, actor_id: int | None, now: datetime) -> Item:
    """Mark it done once; the households may rate it for RATING_DAYS from now."""
    _must_be_open(item)
    until = now + timedelta(days=RATING_DAYS)
    data = {"rating_until": until.isoformat(), "late": now > item.action.due_at}
    async with db.write() as session:
        await _change_open(
            session,
            item,
            "action.done",
            data,
            actor_id=actor_id,
            status="done",
            done_at=now,
            rating_until=until,
            percent=100,
        )
        return await load(session, item.id)


async def in_scope(session: AsyncSession, community_id: int, scope_id: int) -> list[Item]:
    """Items not done in a scope and the scopes inside it, by due date."""
    paths = await standing.scope_paths(session, community_id)
    top = paths.get(scope_id, ())
    inside = [s for s, path in paths.items() if path[: len(top)] == top]
    rows = await session.scalars(
        select(ActionItem)
        .where(
            ActionItem.community_id == community_id,
            ActionItem.scope_id.in_(inside),
            ActionItem.status != "done",
        )
        .order_by(ActionItem.due_at, ActionItem.id)
    )
    return [await describe(session, action) for action in rows.all()]


async def history(session: AsyncSession, action_id: int) -> list[tuple[ActionProgress, str]]:
    """Its progress updates, oldest first, each with who posted it."""
    rows = await session.execute(
        select(ActionProgress, Member.display_name)
        .outerjoin(Member, Member.id == ActionProgress.member_id)
        .where(ActionProgress.action_id == action_id)
        .order_by(ActionProgress.id)
    )
    return [(progress_, name or "—") for progress_, name in rows.all()]
