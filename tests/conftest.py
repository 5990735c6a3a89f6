"""Fixtures: the real bot (aiogram, real HTTP polling) against a real sandbox, per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings, load_settings
from tests.driver import World


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's XIESHANG_* variables or token must never reach a test."""
    for key in list(os.environ):
        if key.startswith("XIESHANG_"):
            monkeypatch.delenv(key)


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: a fresh database, a free port, no config file from the developer."""
    config = tmp_path / "test-config.toml"
    config.touch()
    return load_settings(
        config,
        db=f"sqlite+aiosqlite:///{tmp_path / 'xieshang.db'}",
        **{"sandbox.port": 0, **overrides},
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


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    async for item in start_bot(settings_for(tmp_path)):
        yield item


@pytest.fixture
def world(running: Running) -> World:
    return running.world
