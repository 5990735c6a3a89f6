"""The minutes of a closed vote, from storage: drafted once, shown to the chair, edited, published.

A ``MinutesRecord`` row is claimed once per closed vote on a proposal (the unique ``vote_id``
makes a second sweep a no-op). What the minutes say is always rebuilt from storage
(:func:`load`): the agenda item's kept thread, the proposal, the month's chair, the closed vote
and its action items; only the chair's own summary is stored. Publishing opens the 公示
(:mod:`bot.flows.publicity`) in the same write transaction.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import render
from bot.flows import households, minutes, publicity, vote_rules
from bot.flows.inputs import Invalid
from bot.flows.results import Button
from bot.flows.votes import Closed, options_of, rule_of
from bot.i18n import Text, t
from bot.text.summary import Message
from storage import audit
from storage.engine import Database
from storage.models import (
    ActionItem,
    AgendaItem,
    ChatBinding,
    Community,
    CycleChair,
    ItemMessage,
    Member,
    MinutesRecord,
    Proposal,
    Publicity,
    Vote,
)

PREFIX = "mn:"
PUBLISH = "mn:pub:"
EDIT = "mn:edit:"
CANCEL = "mn:cancel"
SUMMARY_LIMIT = 3000  # characters of the chair's own summary
CATCH_UP = timedelta(days=14)  # votes closed longer ago get no minutes drafted by the sweep


class TooLong(Invalid):
    """The chair's summary is over the limit: they may send a shorter one."""


@dataclass(frozen=True)
class Draft:
    """A minutes row with everything it is built from."""

    record: MinutesRecord
    minutes: minutes.Minutes
    vote: Vote
    item: AgendaItem | None
    language: str
    timezone: str
    chair_tg: int | None  # the month's chair, told first


async def undrafted(db: Database, now: datetime) -> list[int]:
    """Closed votes (every binding vote is a decision) without minutes yet, oldest first: those
    closed in the last ``CATCH_UP`` (a bot down for days still drafts them; a deployment that
    gains minutes does not draft a backlog of old decisions nobody is waiting for)."""
    async with db.session() as s:
        drafted = select(MinutesRecord.vote_id)
        rows = await s.scalars(
            select(Vote.id)
            .where(
                col(Vote.closed_at) >= now - CATCH_UP,
                col(Vote.id).not_in(drafted),
            )
            .order_by(Vote.id)
        )
        return list(rows.all())


async def claim(db: Database, vote_id: int, now: datetime) -> int | None:
    """Create the draft row of ``vote_id`` once; None when it exists already."""
    async with db.write() as s:
        if await s.scalar(select(MinutesRecord.id).where(MinutesRecord.vote_id == vote_id)):
            return None
        vote = await s.get(Vote, vote_id)
        item = await _item(s, vote)
        chair = await _chair(s, vote, item)
        record = MinutesRecord(
            community_id=vote.community_id,
            vote_id=vote_id,
            item_id=item.id if item else None,
            chair_member_id=chair.member_id if chair else None,
            drafted_at=now,
        )
        s.add(record)
        await s.flush()
        await audit.record(
            s,
            "minutes.drafted",
            community_id=vote.community_id,
            subject=f"vote:{vote_id}",
            data={"minutes": record.id, "item": record.item_id},
        )
        return record.id


async def _item(s: AsyncSession, vote: Vote) -> AgendaItem | None:
    """The agenda item whose vote this was: its proposal's latest."""
    if vote.proposal_id is None:
        return None
    return await s.scalar(
        select(AgendaItem)
        .where(AgendaItem.proposal_id == vote.proposal_id)
        .order_by(col(AgendaItem.month).desc())
        .limit(1)
    )


def _month(vote: Vote, zone: str) -> str:
    return vote.opened_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


async def _chair(s: AsyncSession, vote: Vote, item: AgendaItem | None) -> CycleChair | None:
    community = await s.get(Community, vote.community_id)
    month = item.month if item else _month(vote, community.timezone)
    return await s.scalar(
        select(CycleChair).where(
            CycleChair.community_id == vote.community_id, CycleChair.month == month
        )
    )


async def _name(s: AsyncSession, member_id: int | None, language: str) -> str:
    member = await s.get(Member, member_id) if member_id else None
    return member.display_name if member else render.plain(language, t("unknown"))


async def _thread(s: AsyncSession, item: AgendaItem | None, language: str) -> list[Message]:
    if item is None:
        return []
    rows = (
        await s.scalars(
            # Telegram's message ids give the thread's order; rows are stored as the updates
            # are handled, which may be in another order.
            select(ItemMessage)
            .where(ItemMessage.item_id == item.id)
            .order_by(ItemMessage.tg_message_id)
        )
    ).all()
    names: dict[int | None, str] = {}
    thread = []
    for row in rows:
        if row.member_id not in names:
            names[row.member_id] = await _name(s, row.member_id, language)
        thread.append(Message(names[row.member_id], row.text, row.at))
    return thread


async def _actions(s: AsyncSession, vote_id: int, zone: str) -> list[minutes.ActionItem]:
    rows = (
        await s.scalars(
            select(ActionItem).where(ActionItem.vote_id == vote_id).order_by(ActionItem.id)
        )
    ).all()
    found = []
    for row in rows:
        member = await s.get(Member, row.assignee_id) if row.assignee_id else None
        who = row.outside_party or (member.display_name if member else "—")
        if row.outside_party and member:
            who = f"{row.outside_party}（{member.display_name}）"
        found.append(
            minutes.ActionItem(row.what, who, row.due_at.astimezone(ZoneInfo(zone)).date())
        )
    return found


def _closed(vote: Vote) -> Closed:
    """The vote's result as stored at close, with the sentence evaluated again from it."""
    stored = json.loads(vote.result or "{}")
    counts = tuple(stored.get("counts", ()))
    labels = options_of(vote)
    result = vote_rules.evaluate(
        counts, stored.get("electorate", 0), rule_of(vote), vote.kind, labels
    )
    return Closed(vote, counts, stored.get("offline", 0), result)


async def load(db: Database, minutes_id: int) -> Draft | None:
    """Everything the minutes say, read afresh (jieba runs off the event loop)."""
    async with db.session() as s:
        record = await s.get(MinutesRecord, minutes_id)
        if record is None:
            return None
        vote = await s.get(Vote, record.vote_id)
        community = await s.get(Community, vote.community_id)
        language, zone = community.language, community.timezone
        item = await s.get(AgendaItem, record.item_id) if record.item_id else None
        proposal = await s.get(Proposal, vote.proposal_id) if vote.proposal_id else None
        chair = await _chair(s, vote, item)
        chair_name = chair.name if chair else await _name(s, vote.opened_by_id, language)
        chair_member = (
            await s.get(Member, record.chair_member_id) if record.chair_member_id else None
        )
        thread = await _thread(s, item, language)
        actions = await _actions(s, vote.id, zone)
        # A vote on no proposal was proposed by whoever opened it.
        proposer = await _name(s, proposal.proposer_id if proposal else vote.opened_by_id, language)
        chat_id = item.chat_id if item and item.chat_id else vote.chat_id
        binding = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == chat_id))
    drafted = await asyncio.to_thread(
        minutes.draft,
        title=proposal.title if proposal else vote.title,
        proposer=proposer,
        chair=chair_name,
        held_at=thread[0].at if thread else vote.opened_at,
        timezone=zone,
        thread=thread,
        vote=minutes.VoteTally.of(_closed(vote)),
        actions=actions,
        captured=binding is None or binding.reads_all,
    )
    if record.summary:
        drafted = minutes.edit_summary(drafted, record.summary)
    chair_tg = (
        chair_member.tg_user_id if chair_member and chair_member.forgotten_at is None else None
    )
    return Draft(record, drafted, vote, item, language, zone, chair_tg)


async def recipients(db: Database, draft: Draft) -> list[int]:
    """Who gets the draft, in order: the month's chair, the vote's opener, the moderators;
    never someone a private message cannot reach (marked unreachable by an earlier 403)."""
    async with db.session() as s:
        opener = await s.get(Member, draft.vote.opened_by_id) if draft.vote.opened_by_id else None
        staff = await households.staff(s, draft.vote.community_id, "moderator")
        found = [draft.chair_tg] if draft.chair_tg else []
        if opener is not None and opener.forgotten_at is None:
            found.append(opener.tg_user_id)
        found = list(dict.fromkeys(found + [m.tg_user_id for m in staff]))
        unreachable = set(
            (
                await s.scalars(
                    select(Member.tg_user_id).where(
                        col(Member.tg_user_id).in_(found), col(Member.unreachable_at).is_not(None)
                    )
                )
            ).all()
        )
    return [tg for tg in found if tg not in unreachable]


def panel(draft: Draft) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """The draft as its chair sees it, with [Publish] [Edit summary]."""
    record = draft.record
    head = t(
        "Draft minutes of vote {id}: check them, edit the summary if needed, then publish.",
        id=record.vote_id,
    )
    buttons = (
        (
            Button(t("Publish"), f"{PUBLISH}{record.id}"),
            Button(t("Edit summary"), f"{EDIT}{record.id}"),
        ),
    )
    return (head, *minutes.paragraphs(draft.minutes)), buttons


def editing_prompt(draft: Draft) -> tuple[Text, ...]:
    current = draft.minutes.edited_summary or minutes.summary_text(draft.minutes.summary)
    return (
        t(
            "Send the summary of the discussion as you want it in the minutes (at most {limit} "
            "characters), or /cancel. The current text:",
            limit=SUMMARY_LIMIT,
        ),
        t("{summary}", summary=current or "—"),
    )


async def set_summary(
    db: Database, minutes_id: int, text: str, *, actor_id: int | None, now: datetime
) -> None:
    """Store the chair's summary (Invalid when too long or already published)."""
    text = text.strip()
    if len(text) > SUMMARY_LIMIT:
        raise TooLong(
            t(
                "The summary has {n} characters; the limit is {limit}. Shorten it and send it "
                "again.",
                n=len(text),
                limit=SUMMARY_LIMIT,
            )
        )
    async with db.write() as s:
        record = await s.get(MinutesRecord, minutes_id)
        if record is None or record.status == "published":
            raise Invalid(already_published(record.vote_id if record else minutes_id))
        record.summary = text or None
        s.add(record)
        await audit.record(
            s,
            "minutes.summary_edited",
            actor_id=actor_id,
            community_id=record.community_id,
            subject=f"vote:{record.vote_id}",
            data={"minutes": record.id, "chars": len(text)},
        )


def already_published(vote_id: int) -> Text:
    return t("The minutes of vote {id} are already published.", id=vote_id)


async def of_vote(db: Database, vote_id: int) -> int | None:
    async with db.session() as s:
        return await s.scalar(select(MinutesRecord.id).where(MinutesRecord.vote_id == vote_id))


async def publish(
    db: Database, minutes_id: int, *, actor_id: int | None, now: datetime
) -> Publicity:
    """Mark the minutes published and open the 公示, once (Invalid the second time)."""
    async with db.write() as s:
        record = await s.get(MinutesRecord, minutes_id)
        if record is None:
            raise Invalid(t("These minutes no longer exist."))
        if record.status == "published":
            raise Invalid(already_published(record.vote_id))
        record.status, record.published_at, record.published_by_id = "published", now, actor_id
        s.add(record)
        await audit.record(
            s,
            "minutes.published",
            actor_id=actor_id,
            community_id=record.community_id,
            subject=f"vote:{record.vote_id}",
            data={"minutes": record.id},
        )
        return await publicity.open_for(s, record, actor_id=actor_id, now=now)
