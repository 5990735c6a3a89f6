"""Pieces every ``xieshang`` subcommand shares: common options, settings, an upgraded database."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Settings, load_settings
from storage.engine import Database


class CommandError(Exception):
    """A problem the operator can fix; printed as one line, exit code 2."""


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, help="TOML config file (default: ./config.toml if present)"
    )
    parser.add_argument("--db", help="database URL, e.g. sqlite+aiosqlite:///xieshang.db")


def settings_from(args: argparse.Namespace, **overrides: object) -> Settings:
    return load_settings(args.config, db=args.db, **overrides)


@asynccontextmanager
async def database(args: argparse.Namespace) -> AsyncIterator[Database]:
    """The configured database, migrated to the latest revision, disposed of afterwards."""
    db = Database(settings_from(args).db)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()
