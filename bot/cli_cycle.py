"""``xieshang cycle show|set --community NAME``: the monthly cycle from the command line.

The same flows as ``/cycle`` and ``/cycle set``: the same parsing and checks, refusals as one
English line (exit 2), changes audited with no actor and ``"via": "cli"``. The CLI does not
announce a change in the groups (the bot is not part of it); ``/cycle`` shows the new dates.
"""

from __future__ import annotations

import argparse
import json

from bot.cli_common import database, group, leaf, plain
from bot.flows import communities, cycle_messages, cycle_settings
from bot.flows.cycle_rules import upcoming
from bot.flows.cycle_settings import PHASE_COLUMNS, CycleConfig
from bot.flows.cycle_text import canonical, clock
from storage.engine import Database
from storage.timestamps import utcnow


def as_json(config: CycleConfig) -> dict[str, object]:
    """The settings in their stored forms, and the next time of each phase (local ISO)."""
    calendar = config.calendar()
    upcoming_times = upcoming(calendar, utcnow()) if calendar else {}
    return {
        "community": config.community,
        "timezone": config.timezone,
        "day": canonical(config.day) if config.day else None,
        **{column: canonical(config.phases[phase]) for phase, column in PHASE_COLUMNS.items()},
        "vote_hours": config.vote_hours,
        "publicity_days": config.publicity_days,
        "support_threshold": config.support_threshold,
        "agenda_size": config.agenda_size,
        "vote_opener": config.vote_opener,
        "quiet": [clock(config.quiet[0]), clock(config.quiet[1])] if config.quiet else None,
        "next": {
            phase.value: moment.astimezone(calendar.zone).isoformat()
            for phase, moment in upcoming_times.items()
        }
        if calendar
        else {},
    }


async def _community_id(db: Database, name: str) -> int:
    async with db.session() as session:
        return (await communities.by_name(session, name)).id


async def _show(args: argparse.Namespace) -> int:
    async with database(args) as db:
        community_id = await _community_id(db, args.community)
        if args.json:
            async with db.session() as session:
                config = await cycle_settings.load(session, community_id)
            print(json.dumps(as_json(config), ensure_ascii=False))
            return 0
        shown = await cycle_messages.show(db, community_id, utcnow(), editable=False)
    print("\n".join(plain(paragraph) for paragraph in shown.paragraphs))
    return 0


async def _set(args: argparse.Namespace) -> int:
    async with database(args) as db:
        community_id = await _community_id(db, args.community)
        now = utcnow()
        change = await cycle_settings.change(
            db,
            community_id,
            cycle_settings.field_of(args.field),
            " ".join(args.value),
            now,
            actor_id=None,
            via="cli",
        )
    print("\n".join(plain(p) for p in cycle_messages.changed(change, now).paragraphs))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this area's subcommands."""
    cycle = group(commands, "cycle", "the monthly 协商日 cycle of a community")
    show = leaf(cycle, "show", "the 协商日 and the next time of every phase", _show)
    show.add_argument("--community", required=True, metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the settings as JSON")
    change = leaf(
        cycle,
        "set",
        "change one setting: " + ", ".join(cycle_settings.FIELDS),
        _set,
    )
    change.add_argument("--community", required=True, metavar="NAME")
    change.add_argument("field", metavar="FIELD")
    change.add_argument("value", nargs="+", metavar="VALUE", help="e.g. 每月11日 19:30, D-3 09:00")
