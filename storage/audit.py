"""The audit log: append-only and hash-chained, so supervisors can trust what it says.

Each event's hash covers its position (id), its content and the previous event's hash;
audit_head holds the last id and hash. A changed row breaks its own hash, a deleted or
reordered row breaks the ids and the chain, a truncated tail disagrees with the head.
Database triggers (see migration 0001) refuse UPDATE and DELETE on audit_event.
"""

import hashlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import URL, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.engine import NOW, Database
from storage.models import AuditEvent, AuditHead
from storage.timestamps import utcnow

HEAD_ID = 1
_BATCH = "audit_batch"  # key of the events a batched() block collects, in the session's info
GENESIS_HASH = "0" * 64
_VERIFY_BATCH = 1000


@dataclass
class ChainReport:
    """What verify() found: ok when problems is empty; count of events read."""

    ok: bool
    count: int
    problems: list[str] = field(default_factory=list)


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 as is, no NaN."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def event_hash(event: Any) -> str:
    """sha256 of an event's position, content and predecessor (an AuditEvent or a row).

    Raises ValueError when the stored data is not JSON.
    """
    content = {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": event.action,
        "community_id": event.community_id,
        "actor_id": event.actor_id,
        "subject": event.subject,
        "data": json.loads(event.data),
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None = None,
    community_id: int | None = None,
    subject: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> int:
    """Append an event inside the caller's transaction (use a `db.write()` session); returns
    its position in the log (0 inside :func:`batched`, which appends it at the block's end)."""
    entry = Entry(action, actor_id, community_id, subject, dict(data or {}))
    pending = session.info.get(_BATCH)
    if pending is not None:
        pending.append(entry)
        return 0
    return await append(session, [entry])


@asynccontextmanager
async def batched(session: AsyncSession) -> AsyncIterator[None]:
    """Within the block, :func:`record` on ``session`` collects its events; they are appended
    together when the block ends without an error: three statements for a step that writes
    several (a phase of the monthly cycle), in the same transaction. Nested blocks join the
    outer one."""
    if _BATCH in session.info:
        yield
        return
    pending: list[Entry] = []
    session.info[_BATCH] = pending
    try:
        yield
    finally:
        del session.info[_BATCH]
    await append(session, pending)


@dataclass(frozen=True)
class Entry:
    """An event to append with :func:`append`."""

    action: str
    actor_id: int | None = None
    community_id: int | None = None
    subject: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


async def append(
    connection: AsyncConnection | AsyncSession,
    entries: Sequence[Entry],
    at: datetime | None = None,
) -> int:
    """Append events in the caller's transaction with three statements; returns the last
    event's position (0 when there was nothing to append).

    The events are stamped ``at``, or by the clock of the session's database (see
    storage.engine), which is the bot's clock.

    Taking the head row first serialises appends: the UPDATE locks it on PostgreSQL, and on
    SQLite the write transaction already holds the database's write lock. Batching keeps the
    hot paths (the ballot writer) at three statements however many events they append.
    """
    if not entries:
        return 0
    bump = (
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_id=AuditHead.last_id + len(entries))
        .returning(AuditHead.last_id, AuditHead.last_hash)
    )
    last_id, prev_hash = (await connection.execute(bump)).one()
    if at is None:
        clock = connection.info.get(NOW) if isinstance(connection, AsyncSession) else None
        at = clock() if clock else utcnow()
    rows = []
    for position, entry in enumerate(entries, start=last_id - len(entries) + 1):
        row = SimpleNamespace(
            id=position,
            at=at,
            action=entry.action,
            community_id=entry.community_id,
            actor_id=entry.actor_id,
            subject=entry.subject,
            data=canonical_json(dict(entry.data)),
            prev_hash=prev_hash,
        )
        row.hash = prev_hash = event_hash(row)
        rows.append(vars(row))
    await connection.execute(insert(AuditEvent.__table__), rows)
    await connection.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=prev_hash)
    )
    return last_id


async def verify(session: AsyncSession) -> ChainReport:
    """Re-walk the whole chain from the database (not the session's cached objects)."""
    problems: list[str] = []
    count, last_id, last_hash = 0, 0, GENESIS_HASH
    rows = await session.stream(
        select(AuditEvent.__table__)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=_VERIFY_BATCH)
    )
    async for row in rows:
        count += 1
        if row.id != last_id + 1:
            missing = f"{last_id + 1}" if row.id == last_id + 2 else f"{last_id + 1}–{row.id - 1}"
            problems.append(f"event {row.id}: chain broken, event {missing} missing")
        elif row.prev_hash != last_hash:
            previous = f"event {last_id}'s hash" if last_id else "the genesis hash"
            problems.append(f"event {row.id}: chain broken, prev_hash is not {previous}")
        try:
            changed = event_hash(row) != row.hash
        except ValueError:
            changed = True
        if changed:
            problems.append(f"event {row.id}: content changed, hash does not match")
        last_id, last_hash = row.id, row.hash
    head = (
        await session.execute(
            select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
        )
    ).one_or_none()
    if head is None:
        problems.append("audit head: row missing")
    elif head.last_id != last_id:
        problems.append(
            f"audit head: says the log ends at event {head.last_id}, it ends at {last_id}"
        )
    elif head.last_hash != last_hash:
        problems.append(f"audit head: last hash is not event {last_id}'s hash")
    return ChainReport(ok=not problems, count=count, problems=problems)


async def verify_url(url: str | URL) -> ChainReport:
    """verify() on the database at url, for `xieshang audit verify --db URL`."""
    db = Database(url)
    try:
        async with db.session() as session:
            return await verify(session)
    finally:
        await db.dispose()
