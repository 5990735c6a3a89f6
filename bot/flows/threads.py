"""Agenda items' discussion threads: where each lives (a forum topic, or the replies to a pinned
anchor message) and the messages said in them, kept with the item for the minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from storage import audit
from storage.engine import Database
from storage.models import AgendaItem, ItemMessage

RECENT = timedelta(days=100)  # threads of older months are not listened to any more


@dataclass
class Index:
    """Chat → where its items' threads are: topics by thread id, anchors by message id."""

    topics: dict[tuple[int, int], int] = field(default_factory=dict)  # (chat, thread) -> item
    replies: dict[tuple[int, int], int] = field(default_factory=dict)  # (chat, message) -> item

    def item_of(self, chat_id: int, thread_id: int | None, reply_to: int | None) -> int | None:
        if thread_id is not None and (chat_id, thread_id) in self.topics:
            return self.topics[(chat_id, thread_id)]
        if reply_to is not None:
            return self.replies.get((chat_id, reply_to))
        return None


async def index(db: Database, now: datetime) -> Index:
    since = (now - RECENT).strftime("%Y-%m")
    found = Index()
    async with db.session() as s:
        items = (
            await s.scalars(
                select(AgendaItem).where(AgendaItem.month >= since, AgendaItem.chat_id.is_not(None))
            )
        ).all()
        for item in items:
            if item.thread_id is not None:
                found.topics[(item.chat_id, item.thread_id)] = item.id
            if item.anchor_message_id is not None:
                found.replies[(item.chat_id, item.anchor_message_id)] = item.id
        said = await s.execute(
            select(AgendaItem.chat_id, ItemMessage.tg_message_id, ItemMessage.item_id)
            .join(AgendaItem, AgendaItem.id == ItemMessage.item_id)
            .where(AgendaItem.month >= since, AgendaItem.thread_id.is_(None))
        )
        for chat_id, message_id, item_id in said.all():
            found.replies[(chat_id, message_id)] = item_id  # a reply to a reply stays in the thread
    return found


async def record(
    db: Database, item_id: int, message_id: int, member_id: int | None, text: str, at: datetime
) -> None:
    async with db.write() as s:
        exists = await s.scalar(
            select(ItemMessage.id).where(
                ItemMessage.item_id == item_id, ItemMessage.tg_message_id == message_id
            )
        )
        if exists is None:
            s.add(
                ItemMessage(
                    item_id=item_id, tg_message_id=message_id, member_id=member_id, text=text, at=at
                )
            )


async def set_threads(db: Database, opened: list[AgendaItem]) -> None:
    """Where the items' threads were opened (``thread_id`` or ``anchor_message_id`` as set on
    them after the freeze, once Telegram answered): one write transaction for the phase."""
    if not opened:
        return
    async with db.write() as s, audit.batched(s):
        for item in opened:
            await s.execute(
                update(AgendaItem)
                .where(AgendaItem.id == item.id)
                .values(thread_id=item.thread_id, anchor_message_id=item.anchor_message_id)
            )
            await audit.record(
                s,
                "agenda.thread",
                community_id=item.community_id,
                subject=f"agenda_item:{item.id}",
                data={"thread_id": item.thread_id, "anchor_message_id": item.anchor_message_id},
            )


async def revise(db: Database, chat_id: int, message_id: int, text: str) -> bool:
    """A kept message was edited in its group: keep the text as it now reads (the minutes
    record what was said in the end). False when the message was not kept."""
    async with db.write() as s:
        kept = await s.scalar(
            select(ItemMessage).where(
                ItemMessage.tg_message_id == message_id,
                ItemMessage.item_id.in_(select(AgendaItem.id).where(AgendaItem.chat_id == chat_id)),
            )
        )
        if kept is None:
            return False
        kept.text = text
        s.add(kept)
    return True


async def of_proposal(db: Database, proposal_id: int, chat_id: int) -> AgendaItem | None:
    """The latest agenda item of a proposal whose thread is in ``chat_id``: its vote's ballot
    belongs there, wherever the chair opened the vote from."""
    async with db.session() as s:
        return await s.scalar(
            select(AgendaItem)
            .where(
                AgendaItem.proposal_id == proposal_id,
                AgendaItem.chat_id == chat_id,
                AgendaItem.status == "listed",
            )
            .order_by(AgendaItem.month.desc())
            .limit(1)
        )
