"""Database: SQLite pragmas, write transactions, BEGIN IMMEDIATE, UTC timestamps."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from storage.models import Community, Member
from tests.conftest import requires_sqlite


@requires_sqlite
async def test_sqlite_pragmas_are_on(db):
    async with db.session() as s:

        async def pragma(name):
            return (await s.execute(text(f"PRAGMA {name}"))).scalar_one()

        assert await pragma("journal_mode") == "wal"
        assert await pragma("foreign_keys") == 1
        assert await pragma("busy_timeout") == 5000
        assert await pragma("synchronous") == 1  # NORMAL


async def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        async with db.write() as s:
            s.add(Member(tg_user_id=1, display_name="x", household_id=999))


async def test_write_commits_on_success(db):
    async with db.write() as s:
        s.add(Community(name="小桃园社区"))
    async with db.session() as s:
        community = (await s.execute(select(Community))).scalar_one()
    assert (community.name, community.timezone, community.language) == (
        "小桃园社区",
        "Asia/Shanghai",
        "zh_CN",
    )


async def test_write_rolls_back_on_exception(db):
    with pytest.raises(RuntimeError):
        async with db.write() as s:
            s.add(Community(name="依山郡社区"))
            await s.flush()
            raise RuntimeError("boom")
    async with db.session() as s:
        assert (await s.execute(select(Community))).all() == []


async def _counter(db) -> int:
    async with db.session() as s:
        return (await s.execute(text("SELECT n FROM counter"))).scalar_one()


async def _read_then_write(session_cm, *, commit: bool) -> None:
    async with session_cm as s:
        n = (await s.execute(text("SELECT n FROM counter"))).scalar_one()
        await asyncio.sleep(0.05)  # let the other transaction read the same value
        await s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        if commit:
            await s.commit()


@pytest.fixture
async def counter(db):
    async with db.write() as s:
        await s.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        await s.execute(text("INSERT INTO counter VALUES (0)"))


async def test_concurrent_read_then_write_transactions_are_serialised(db, counter):
    await asyncio.gather(
        _read_then_write(db.write(), commit=False), _read_then_write(db.write(), commit=False)
    )
    assert await _counter(db) == 2


async def test_deferred_read_then_write_would_fail(db, counter):
    """The control for the test above: without the write lock one of the two updates is
    lost, to SQLITE_BUSY on SQLite, silently under PostgreSQL's READ COMMITTED."""
    results = await asyncio.gather(
        _read_then_write(db.session(), commit=True),
        _read_then_write(db.session(), commit=True),
        return_exceptions=True,
    )
    failed = [type(r) for r in results].count(OperationalError)
    assert failed == (1 if db.engine.dialect.name == "sqlite" else 0)
    assert await _counter(db) == 1


async def test_timestamps_come_back_aware_utc(db):
    beijing = timezone(timedelta(hours=8))
    async with db.write() as s:
        s.add(
            Member(
                tg_user_id=2**40,
                display_name="张三",
                verified_at=datetime(2025, 3, 11, 15, 0, tzinfo=beijing),
            )
        )
    async with db.session() as s:
        member = (await s.execute(select(Member))).scalar_one()
    assert member.tg_user_id == 2**40
    assert member.verified_at == datetime(2025, 3, 11, 7, 0, tzinfo=UTC)
    assert member.verified_at.tzinfo is UTC
    assert member.created_at.tzinfo is UTC


async def test_naive_timestamps_are_refused(db):
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.write() as s:
            s.add(Member(tg_user_id=3, display_name="x", verified_at=datetime(2025, 3, 11)))
