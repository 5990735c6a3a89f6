"""``xieshang report --community NAME --month YYYY-MM [--to YYYY-MM] [--csv FILE]``: the
indicators of /report from the command line: the summary printed, the CSV written if asked."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import render
from bot.cli_common import CommandError, database, leaf
from bot.flows import communities, indicator_csv, indicator_text, indicators
from storage.timestamps import utcnow


async def _report(args: argparse.Namespace) -> int:
    typed = args.month if args.to is None else f"{args.month}..{args.to}"
    async with database(args) as db:
        async with db.session() as session:
            community_id = (await communities.by_name(session, args.community)).id
        found = await indicators.asked(db, community_id, typed, utcnow())
    paragraphs = indicator_text.summary(found)
    if args.csv is not None:
        try:
            args.csv.write_bytes(indicator_csv.to_csv(found, args.lang))
        except OSError as problem:
            raise CommandError(f"cannot write {args.csv}: {problem.strerror}") from None
    print("\n\n".join(render.plain(args.lang, p) for p in paragraphs))
    if args.csv is not None:
        print(f"\nCSV: {args.csv}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this area's subcommand."""
    parser = leaf(commands, "report", "a community's monthly indicators (as /report)", _report)
    parser.add_argument("--community", required=True, metavar="NAME")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the (first) month")
    parser.add_argument("--to", metavar="YYYY-MM", help="the last month of a range")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write one row per scope here")
    parser.add_argument(
        "--lang", choices=("en", "zh_CN"), default="en", help="language of the text and CSV"
    )
