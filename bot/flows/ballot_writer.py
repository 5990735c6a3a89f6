"""The vote hot path: one writer task per process stores ballots in short batched transactions.

Taps arrive far faster than one ORM session and commit each can take (see perf-notes: ~370
votes/s end to end that way). Every cast goes into a queue; the writer takes what has
accumulated (up to ``batch``), and in ONE transaction on its long-lived Core connection reads
the votes, electorates and current ballots of the batch, upserts the ballots with
``INSERT … ON CONFLICT (vote_id, household_id) DO UPDATE`` and appends their audit events.
Each caller's future resolves only after the commit, so a tap is acknowledged only when its
ballot is stored. Exactly once is the unique constraint's job, not Python's: a repeated update,
a double tap or two members of one household at once end as one row per household.

Secret ballots. No command, message or export may reveal which household chose what, yet a
household may change its vote until close and a supervisor must be able to recompute the
totals. So a secret vote keeps:

- ``ballot`` rows with ``option`` NULL: only THAT a household voted (turnout, /pending);
- ``secret_ballot`` rows (receipt, option) without household, time or row order, where
  receipt = HMAC(seal, vote, household) and ``seal`` is a random key on the vote row. While the
  vote is open the seal links a household to its receipt, so a change replaces the old choice;
- audit events that carry, instead of the option, HMAC(seal, receipt, option): during the vote
  /verify can open them with the seal; after it, nobody can.

At close the tally is taken from ``secret_ballot`` (GROUP BY option), its digest and counts go
into the close event, and the seal is erased: from then on receipts and commitments are
unlinkable to households, while the counts stay recomputable from ``secret_ballot`` and
checkable against the close event. Accepted limit: while a secret vote is open, whoever can
read the database itself (not any role in the bot) could link choices using the seal.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import audit
from storage import sqlite as sqlite_setup
from storage.engine import Database
from storage.models import Ballot, SecretBallot, Vote, VoteElector

BALLOTS = Ballot.__table__
BOX = SecretBallot.__table__
VOTES = Vote.__table__
ELECTORS = VoteElector.__table__

# What a cast came to.
NEW, CHANGED, SAME = "new", "changed", "same"
CLOSED, NOT_ELECTOR, OFFLINE_LOCKED, VOTED_ONLINE, NO_VOTE, NO_OPTION = (
    "closed",
    "not_elector",
    "offline_locked",
    "voted_online",
    "no_vote",
    "no_option",
)
STORED = frozenset({NEW, CHANGED, SAME})


def new_seal() -> str:
    return secrets.token_hex(32)


def receipt(seal: str, vote_id: int, household_id: int) -> str:
    return _mac(seal, f"receipt:{vote_id}:{household_id}")[:32]


def commitment(seal: str, vote_id: int, household_id: int, option: int) -> str:
    return _mac(seal, f"ballot:{receipt(seal, vote_id, household_id)}:{option}")


def box_digest(rows: list[tuple[str, int]]) -> str:
    """sha256 over a secret vote's (receipt, option) rows, in receipt order."""
    lines = "\n".join(f"{r}:{o}" for r, o in sorted(rows))
    return hashlib.sha256(lines.encode()).hexdigest()


def _mac(seal: str, message: str) -> str:
    return hmac.new(bytes.fromhex(seal), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Cast:
    """A household's choice; offline ballots name the grid worker who recorded them."""

    vote_id: int
    household_id: int
    option: int
    member_id: int | None
    offline: bool = False
    recorded_by_id: int | None = None
    online_may_replace: bool = False


@dataclass(frozen=True)
class Outcome:
    status: str
    option: int | None = None
    previous: int | None = None  # the option replaced (known to the voter, never shown others)

    @property
    def stored(self) -> bool:
        return self.status in STORED


@dataclass
class _Current:
    """A household's ballot as the batch sees it (the database's, then the batch's changes)."""

    option: int | None
    offline: bool
    online_may_replace: bool
    changed_count: int


@dataclass(frozen=True)
class _VoteState:
    community_id: int
    open: bool
    secret: bool
    seal: str | None
    options: int


async def tally(connection, vote_id: int, secret: bool) -> dict[int, int]:
    """Counts per option, in SQL (GROUP BY): from the unlinked box for secret votes."""
    table = BOX if secret else BALLOTS
    rows = await connection.execute(
        select(table.c.option, func.count())
        .where(table.c.vote_id == vote_id, table.c.option.is_not(None))
        .group_by(table.c.option)
    )
    return {option: count for option, count in rows.all()}


class BallotWriter:
    """The single writer; ``cast`` returns once the ballot is committed (or refused)."""

    def __init__(self, db: Database, now: Callable[[], datetime], *, batch: int = 500) -> None:
        self.db = db
        self.now = now
        self.batch = batch
        self._queue: asyncio.Queue[tuple[Cast, asyncio.Future[Outcome]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ballot-writer")

    async def stop(self) -> None:
        """Store what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def cast(self, request: Cast) -> Outcome:
        if self._task is None:
            await self.start()
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((request, future))
        return await future

    async def _run(self) -> None:
        while True:
            items = [await self._queue.get()]
            while len(items) < self.batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            try:
                outcomes = await self._store([request for request, _ in items])
            except Exception as exc:  # the transaction rolled back: nothing of it is stored
                if self._connection is not None:
                    await self._connection.close()
                    self._connection = None
                for _, future in items:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), outcome in zip(items, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
            finally:
                for _ in items:
                    self._queue.task_done()

    async def _open_connection(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self.db.engine.connect()
            if self.db.engine.dialect.name == "sqlite":
                await connection.execution_options(**sqlite_setup.BEGIN_IMMEDIATE)
            self._connection = connection
        return self._connection

    async def _store(self, requests: list[Cast]) -> list[Outcome]:
        connection = await self._open_connection()
        async with connection.begin():
            return await _store_batch(connection, requests, self.now())


async def _store_batch(
    connection: AsyncConnection, requests: list[Cast], now: datetime
) -> list[Outcome]:
    votes = await _vote_states(connection, {r.vote_id for r in requests}, now)
    electors, current = await _households(connection, requests, votes)
    outcomes: list[Outcome] = []
    rows: dict[tuple[int, int], dict] = {}
    box: dict[tuple[int, str], dict] = {}
    events: list[audit.Entry] = []
    for request in requests:
        key = (request.vote_id, request.household_id)
        vote = votes.get(request.vote_id)
        refusal = _refusal(request, vote, key in electors, current.get(key))
        if refusal is not None:
            outcomes.append(Outcome(refusal))
            continue
        assert vote is not None
        before = current.get(key)
        if before is not None and (before.option, before.offline, before.online_may_replace) == (
            request.option,
            request.offline,
            request.online_may_replace and request.offline,
        ):
            outcomes.append(Outcome(SAME, request.option))
            continue
        changed_count = 0 if before is None else before.changed_count + 1
        current[key] = _Current(
            request.option, request.offline, request.online_may_replace, changed_count
        )
        rows[key] = {
            "vote_id": request.vote_id,
            "household_id": request.household_id,
            "option": None if vote.secret else request.option,
            "cast_by_id": request.member_id,
            "offline": request.offline,
            "recorded_by_id": request.recorded_by_id,
            "online_may_replace": request.online_may_replace,
            "cast_at": now,
            "changed_count": changed_count,
        }
        data: dict = {"household": request.household_id, "offline": request.offline}
        if request.offline:
            data["online_may_replace"] = request.online_may_replace
        if vote.secret:
            assert vote.seal is not None
            token = receipt(vote.seal, request.vote_id, request.household_id)
            box[(request.vote_id, token)] = {
                "vote_id": request.vote_id,
                "receipt": token,
                "option": request.option,
            }
            data["sealed"] = commitment(
                vote.seal, request.vote_id, request.household_id, request.option
            )
        else:
            data["option"] = request.option
        events.append(
            audit.Entry(
                "vote.change" if before is not None else "vote.cast",
                actor_id=request.recorded_by_id or request.member_id,
                community_id=vote.community_id,
                subject=f"vote:{request.vote_id}",
                data=data,
            )
        )
        outcomes.append(
            Outcome(
                CHANGED if before is not None else NEW,
                request.option,
                before.option if before is not None else None,
            )
        )
    if rows:
        await connection.execute(_upsert_ballots(connection.dialect.name), list(rows.values()))
    if box:
        await connection.execute(_upsert_box(connection.dialect.name), list(box.values()))
    await audit.append(connection, events, now)
    return outcomes


def _refusal(request: Cast, vote: _VoteState | None, elector: bool, before: _Current | None):
    if vote is None:
        return NO_VOTE
    if not vote.open:
        return CLOSED
    if not 0 <= request.option < vote.options:
        return NO_OPTION
    if not elector:
        return NOT_ELECTOR
    if before is not None and before.offline and not request.offline:
        return None if before.online_may_replace else OFFLINE_LOCKED
    if before is not None and request.offline and not before.offline:
        return VOTED_ONLINE
    return None


async def _vote_states(
    connection: AsyncConnection, vote_ids: set[int], now: datetime
) -> dict[int, _VoteState]:
    rows = await connection.execute(
        select(
            VOTES.c.id,
            VOTES.c.community_id,
            VOTES.c.closed_at,
            VOTES.c.closes_at,
            VOTES.c.secret,
            VOTES.c.seal,
            VOTES.c.options,
        )
        .where(VOTES.c.id.in_(vote_ids))
        .with_for_update()  # PostgreSQL: serialise with a close; SQLite holds the write lock
    )
    return {
        row.id: _VoteState(
            row.community_id,
            row.closed_at is None and row.closes_at > now,
            row.secret,
            row.seal,
            len(json.loads(row.options)),
        )
        for row in rows
    }


async def _households(
    connection: AsyncConnection, requests: list[Cast], votes: dict[int, _VoteState]
) -> tuple[set[tuple[int, int]], dict[tuple[int, int], _Current]]:
    """Which requested households are electors, and their current ballots (with the choice,
    read from the box through the seal for secret votes)."""
    electors: set[tuple[int, int]] = set()
    current: dict[tuple[int, int], _Current] = {}
    by_vote: dict[int, set[int]] = {}
    for request in requests:
        if request.vote_id in votes:
            by_vote.setdefault(request.vote_id, set()).add(request.household_id)
    for vote_id, households in by_vote.items():
        rows = await connection.execute(
            select(ELECTORS.c.household_id).where(
                ELECTORS.c.vote_id == vote_id, ELECTORS.c.household_id.in_(households)
            )
        )
        electors.update((vote_id, h) for (h,) in rows)
        ballots = await connection.execute(
            select(
                BALLOTS.c.household_id,
                BALLOTS.c.option,
                BALLOTS.c.offline,
                BALLOTS.c.online_may_replace,
                BALLOTS.c.changed_count,
            ).where(BALLOTS.c.vote_id == vote_id, BALLOTS.c.household_id.in_(households))
        )
        for row in ballots:
            current[(vote_id, row.household_id)] = _Current(
                row.option, row.offline, row.online_may_replace, row.changed_count
            )
        vote = votes[vote_id]
        if vote.secret and vote.seal is not None:
            voted = [h for v, h in current if v == vote_id]
            tokens = {receipt(vote.seal, vote_id, h): h for h in voted}
            box = await connection.execute(
                select(BOX.c.receipt, BOX.c.option).where(
                    BOX.c.vote_id == vote_id, BOX.c.receipt.in_(tokens)
                )
            )
            for token, option in box:
                current[(vote_id, tokens[token])].option = option
    return electors, current


def _insert(dialect: str, table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _upsert_ballots(dialect: str):
    statement = _insert(dialect, BALLOTS)
    replaced = (
        "option",
        "cast_by_id",
        "offline",
        "recorded_by_id",
        "online_may_replace",
        "cast_at",
        "changed_count",
    )
    return statement.on_conflict_do_update(
        index_elements=["vote_id", "household_id"],
        set_={name: statement.excluded[name] for name in replaced},
    )


def _upsert_box(dialect: str):
    statement = _insert(dialect, BOX)
    return statement.on_conflict_do_update(
        index_elements=["vote_id", "receipt"], set_={"option": statement.excluded.option}
    )
