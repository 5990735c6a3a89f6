"""Pieces every ``xieshang`` subcommand shares: common options, settings, an upgraded database."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot import render
from bot.config import Settings, load_settings
from bot.flows.inputs import Invalid
from bot.i18n import Text
from storage.engine import Database

OPERATOR_LANGUAGE = "en"


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


def plain(text: Text) -> str:
    """A message as terminal text, in the operator's language."""
    return render.plain(OPERATOR_LANGUAGE, text)


def refusals(handler: Callable[[argparse.Namespace], Awaitable[int]]):
    """Turn a flow's refusal into the CLI's one-line error."""

    async def run(args: argparse.Namespace) -> int:
        try:
            return await handler(args)
        except Invalid as problem:
            raise CommandError(plain(problem.text)) from None

    return run


def leaf(
    parent: argparse._SubParsersAction, name: str, help_: str, handler
) -> argparse.ArgumentParser:
    """A subcommand that runs ``handler``, with the common options and one-line refusals."""
    parser = parent.add_parser(name, help=help_, description=help_)
    common_options(parser)
    parser.set_defaults(handler=refusals(handler))
    return parser


def group(
    commands: argparse._SubParsersAction, name: str, help_: str
) -> argparse._SubParsersAction:
    """A command that only groups subcommands (``xieshang role grant|revoke|list``)."""
    parser = commands.add_parser(name, help=help_, description=help_)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")
