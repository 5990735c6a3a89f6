"""Fixtures: the real bot (aiogram, real HTTP polling) against a real sandbox, per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy

from bot.app import BotApp
from bot.config import Settings, load_settings
from sandbox.server import Sandbox
from storage import migrate
from storage.engine import Database
from tests.driver import World

# A PostgreSQL server (postgresql+asyncpg://user@host:port) to run the tests on instead of
# SQLite: read before the environment is isolated. Each test gets databases of its own there.
TEST_POSTGRES = os.environ.get("TEST_POSTGRES")
_created: dict[Path, str] = {}  # this test's PostgreSQL databases, by the test's directory


def database_url(tmp_path: Path) -> str:
    """The test's own database: SQLite in its directory, or a fresh one on TEST_POSTGRES (the
    same one for the same directory, so a restarted bot finds its data)."""
    if not TEST_POSTGRES:
        return f"sqlite+aiosqlite:///{tmp_path / 'xieshang.db'}"
    if tmp_path not in _created:
        name = f"xs_test_{uuid.uuid4().hex[:12]}"
        _postgres(f'CREATE DATABASE "{name}"')
        _created[tmp_path] = name
    return f"{TEST_POSTGRES}/{_created[tmp_path]}"


def _postgres(statement: str) -> None:
    admin = sqlalchemy.create_engine(
        migrate.sync_url(f"{TEST_POSTGRES}/postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(statement))
    admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's XIESHANG_* variables or token must never reach a test; the test's
    PostgreSQL databases are dropped after it."""
    for key in list(os.environ):
        if key.startswith("XIESHANG_"):
            monkeypatch.delenv(key)
    yield
    while _created:
        _, name = _created.popitem()
        _postgres(f'DROP DATABASE "{name}" WITH (FORCE)')


requires_sqlite = pytest.mark.skipif(
    bool(TEST_POSTGRES), reason="checks SQLite's own behaviour (pragmas, locking, its SQL)"
)


# Telegram's flood limits (about one message a second in a chat) would make every conversation
# test wait; tests/e2e/test_outbound_limits.py, tests/sandbox and the broadcast bench test the
# limits and the bot's pacing. Elsewhere the sandbox enforces none and the bot paces loosely.
UNPACED = {
    "sandbox.rate_limits": False,
    "outbound.per_chat_burst": 100,
    "outbound.per_chat_per_second": 100.0,
    "outbound.per_group_per_minute": 6000,
}


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: a fresh database, a free port, no config file from the developer."""
    config = tmp_path / "test-config.toml"
    config.touch()
    return load_settings(
        config,
        db=database_url(tmp_path),
        **{"sandbox.port": 0, **UNPACED, **overrides},
    )


@dataclass
class Running:
    app: BotApp
    world: World


async def start_bot(settings: Settings) -> AsyncIterator[Running]:
    app = BotApp(settings)
    await app.start()
    try:
        assert app.sandbox is not None
        async with aiohttp.ClientSession(base_url=app.sandbox.url) as http:
            yield Running(app, World(http))
    finally:
        await app.stop()


@asynccontextmanager
async def outside_sandbox(tmp_path: Path) -> AsyncIterator[tuple[World, Settings]]:
    """A sandbox of its own with settings pointing a bot at it, so a test can stop the bot and
    start a new one on the same database while the chats stay (restart tests)."""
    sandbox = Sandbox(bot_token="4343:RESTART", port=0, limits=None)
    await sandbox.start()
    settings = settings_for(
        tmp_path, **{"telegram.token": "4343:RESTART", "telegram.api_base": sandbox.url}
    )
    try:
        async with aiohttp.ClientSession(base_url=sandbox.url) as http:
            yield World(http), settings
    finally:
        await sandbox.stop()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    async for item in start_bot(settings_for(tmp_path)):
        yield item


@pytest.fixture
def world(running: Running) -> World:
    return running.world


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return database_url(tmp_path)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database of the test's own, for tests below the bot."""
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.dispose()
