"""Operator set-up from the command line: communities, grids, roles, and the commands doc.

``xieshang community create``, ``community list``, ``grid create``, ``role grant|revoke|list``
and ``docs commands``. They use the same flows as the chat commands; refusals are printed as
one English line (exit 2), and every change is audited with no actor and ``"via": "cli"``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.cli_common import CommandError, database, group, leaf, plain
from bot.flows import communities, roles, scopes
from bot.flows.members import Person


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False))


async def _community_create(args: argparse.Namespace) -> int:
    async with database(args) as db:
        community = await communities.create(
            db, args.name, street=args.street, timezone=args.timezone, language=args.language
        )
    if args.json:
        _print_json(
            {
                "id": community.id,
                "name": community.name,
                "street": community.street,
                "timezone": community.timezone,
                "language": community.language,
            }
        )
    else:
        print(f"created community {community.name} ({community.timezone}, {community.language})")
    return 0


async def _community_list(args: argparse.Namespace) -> int:
    async with database(args) as db, db.session() as s:
        found = await communities.summaries(s)
    if args.json:
        _print_json([asdict(c) for c in found])
    elif not found:
        print("no communities yet: xieshang community create NAME")
    for c in [] if args.json else found:
        print(
            f"{c.name}\t{c.timezone}\t{c.language}\tgrids {c.grids}\tbuildings {c.buildings}"
            f"\thouseholds {c.households}\tmembers {c.members}"
        )
    return 0


async def _grid_create(args: argparse.Namespace) -> int:
    async with database(args) as db:
        async with db.session() as s:
            community = await communities.by_name(s, args.community)
        grid, created = await scopes.add_grid(db, community.id, args.grid, actor_id=None, via="cli")
    print(f"{'created' if created else 'already exists, nothing changed:'} grid {grid.name}")
    return 0


def _role_change(change: Callable[..., Awaitable[roles.Change]]):
    async def run(args: argparse.Namespace) -> int:
        if args.user <= 0:
            raise CommandError(f"--user must be a Telegram user id, not {args.user}")
        async with database(args) as db:
            async with db.session() as s:
                community = await communities.by_name(s, args.community)
            done = await change(
                db,
                community.id,
                Person(args.user, ""),
                roles.parse_role(args.role),
                args.grid,
                actor_id=None,
                via="cli",
            )
        print(plain(done.text))
        return 0

    return run


async def _role_list(args: argparse.Namespace) -> int:
    async with database(args) as db:
        async with db.session() as s:
            community = await communities.by_name(s, args.community)
        found = await roles.holders(db, community.id)
    if args.json:
        _print_json([{**asdict(h), "role": h.role.value} for h in found])
    elif not found:
        print(f"nobody holds a role in {community.name} yet")
    for h in [] if args.json else found:
        print(f"{h.role.value}\t{h.grid or '-'}\t{h.name}\t{h.tg_user_id}")
    return 0


async def _docs_commands(args: argparse.Namespace) -> int:
    from bot.docs_commands import generate

    text = generate()
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this area's subcommands."""
    community = group(commands, "community", "communities: create and list")
    create = leaf(community, "create", "create a community and its root scope", _community_create)
    create.add_argument("name", metavar="NAME")
    create.add_argument("--street", metavar="NAME", help="the street (街道) above it")
    create.add_argument(
        "--timezone", default="Asia/Shanghai", help="IANA zone (default Asia/Shanghai)"
    )
    create.add_argument("--language", default="zh_CN", help="zh_CN (default) or en")
    create.add_argument("--json", action="store_true", help="print the community as JSON")
    listed = leaf(
        community,
        "list",
        "communities with their counts of grids, buildings, households, members",
        _community_list,
    )
    listed.add_argument("--json", action="store_true", help="print a JSON list")

    grid = group(commands, "grid", "grids of a community")
    grid_create = leaf(grid, "create", "add a grid to a community", _grid_create)
    grid_create.add_argument("--community", required=True, metavar="NAME")
    grid_create.add_argument("grid", metavar="GRID")

    role = group(commands, "role", "roles: admin, moderator, supervisor, grid_worker, chair")
    for name, help_, change in (
        ("grant", "grant a role to a Telegram user (the first admin starts here)", roles.grant),
        ("revoke", "revoke a role", roles.revoke),
    ):
        parser = leaf(role, name, help_, _role_change(change))
        parser.add_argument("--community", required=True, metavar="NAME")
        parser.add_argument("--user", required=True, type=int, metavar="TELEGRAM_ID")
        parser.add_argument("--role", required=True, choices=[r.value for r in roles.GRANTABLE])
        parser.add_argument("--grid", metavar="GRID", help="the grid (grid_worker only)")
    role_list = leaf(role, "list", "who holds which role in a community", _role_list)
    role_list.add_argument("--community", required=True, metavar="NAME")
    role_list.add_argument("--json", action="store_true", help="print a JSON list")

    docs = group(commands, "docs", "generated documentation")
    docs_commands = leaf(
        docs, "commands", "docs/commands.md from the command registry and this CLI", _docs_commands
    )
    docs_commands.add_argument(
        "--output", type=Path, metavar="FILE", help="write here instead of stdout"
    )
