"""The 公示 of a decision: opened when its minutes are published, a pinned notice until
``ends_at``; then final when no objection was upheld (:func:`close_due`), or suspended earlier
by an upheld objection (:mod:`bot.flows.objections`).

Closing is derived from stored state (status and ``ends_at``), so after downtime a window that
ended meanwhile closes once, late, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import cycle_settings
from bot.flows.cycle_text import when
from bot.flows.results import Button
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import AgendaItem, Community, MinutesRecord, Objection, Publicity, Vote

OBJECT = "ob:new:"
LATE = timedelta(minutes=5)  # a window closed this much later than its end is said to be late


async def open_for(
    s: AsyncSession, record: MinutesRecord, *, actor_id: int | None, now: datetime
) -> Publicity:
    """Inside the publishing transaction: the 公示 of the minutes' vote, in its group."""
    vote = await s.get(Vote, record.vote_id)
    item = await s.get(AgendaItem, record.item_id) if record.item_id else None
    config = await cycle_settings.load(s, vote.community_id)
    row = Publicity(
        community_id=vote.community_id,
        vote_id=vote.id,
        scope_id=vote.scope_id,
        chat_id=item.chat_id if item and item.chat_id else vote.chat_id,
        starts_at=now,
        ends_at=now + timedelta(days=config.publicity_days),
    )
    s.add(row)
    await s.flush()
    await audit.record(
        s,
        "publicity.opened",
        actor_id=actor_id,
        community_id=vote.community_id,
        subject=f"vote:{vote.id}",
        data={"publicity": row.id, "ends_at": row.ends_at.isoformat()},
    )
    return row


async def set_notice(db: Database, publicity_id: int, message_id: int) -> None:
    async with db.write() as s:
        row = await s.get(Publicity, publicity_id)
        row.message_id = message_id
        s.add(row)


async def open_ends(db: Database) -> dict[int, datetime]:
    """The open windows' ends, for the sweep's next due time."""
    async with db.session() as s:
        rows = await s.execute(
            select(Publicity.id, Publicity.ends_at).where(Publicity.status == "open")
        )
        return dict(rows.all())


async def of_vote(session: AsyncSession, community_id: int, vote_id: int) -> Publicity | None:
    return await session.scalar(
        select(Publicity).where(
            Publicity.community_id == community_id, Publicity.vote_id == vote_id
        )
    )


async def zone_of(session: AsyncSession, community_id: int) -> ZoneInfo:
    community = await session.get(Community, community_id)
    return ZoneInfo(community.timezone)


def notice(
    row: Publicity, title: str, zone: ZoneInfo
) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """The pinned notice: until when objections are accepted, with [Object]."""
    said = (
        t("<b>公示: the decision on “{title}” (vote {id})</b>", title=title, id=row.vote_id),
        t(
            "Objections are accepted until {until}. A resident who disagrees presses "
            "“Object” and gives the reason; /objections {id} lists them.",
            until=when(row.ends_at, zone),
            id=row.vote_id,
        ),
    )
    return said, ((Button(t("Object"), f"{OBJECT}{row.id}"),),)


@dataclass(frozen=True)
class Closed:
    row: Publicity
    title: str
    late: bool
    language: str


async def close_due(db: Database, at: datetime) -> list[Closed]:
    """Every open window that has ended: final (no objection was upheld, or it would be
    suspended already), each in its own transaction with its audit event."""
    closed = []
    for publicity_id, ends_at in sorted((await open_ends(db)).items(), key=lambda r: r[1]):
        if ends_at > at:
            continue
        async with db.write() as s:
            row = await s.get(Publicity, publicity_id)
            if row is None or row.status != "open":
                continue
            upheld = await s.scalar(
                select(Objection.id).where(
                    Objection.publicity_id == row.id, Objection.status == "upheld"
                )
            )
            if upheld is not None:
                continue
            row.status, row.ended_at = "final", at
            s.add(row)
            late = at - row.ends_at > LATE
            await audit.record(
                s,
                "publicity.final",
                community_id=row.community_id,
                subject=f"vote:{row.vote_id}",
                data={"publicity": row.id, "late": late},
            )
            vote = await s.get(Vote, row.vote_id)
            community = await s.get(Community, row.community_id)
            closed.append(Closed(row, vote.title, late, community.language))
    return closed


def final_notice(closed: Closed, zone: ZoneInfo) -> tuple[Text, ...]:
    said = [
        t(
            "The 公示 of the decision on “{title}” (vote {id}) has ended with no objection "
            "upheld: the decision is final and its action items start.",
            title=closed.title,
            id=closed.row.vote_id,
        )
    ]
    if closed.late:
        said.append(
            t(
                "(Announced late: the window ended {when}, while the bot was not running.)",
                when=when(closed.row.ends_at, zone),
            )
        )
    return tuple(said)
