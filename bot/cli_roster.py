"""``xieshang import roster|chairs FILE --community NAME [--dry-run] [--json] [--language L]``.

The same checks and import as a file sent in chat; the report is printed in the chosen
language (the default, zh_CN, like the community's residents), and with ``--json`` the last
line is ``{"imported": n, "unchanged": n, "rejected": [{"line": n, "reason": "…"}]}``.
An unreadable file or an unknown community is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot import render
from bot.cli_common import CommandError, common_options, database
from bot.flows import communities, imports, roster_csv
from bot.flows.inputs import Invalid
from bot.flows.roster_csv import CHAIR_ROTATION, ROSTER, ImportResult
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text, t

KIND_OF_COMMAND = {"roster": ROSTER, "chairs": CHAIR_ROTATION}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def as_json(result: ImportResult, language: str) -> dict[str, object]:
    return {
        "imported": result.imported,
        "unchanged": result.unchanged,
        "rejected": [
            {"line": r.line, "reason": render.plain(language, r.reason)} for r in result.rejected
        ],
    }


async def _import(args: argparse.Namespace) -> int:
    def say(text: Text) -> str:
        return render.plain(args.language, text)

    data = _read(args.file)
    try:
        sheet = roster_csv.read(data)
    except Invalid as problem:
        raise CommandError(f"{args.file}: {say(problem.text)}") from None
    wanted = KIND_OF_COMMAND[args.import_command]
    if sheet.kind != wanted:
        other = "chairs" if wanted == ROSTER else "roster"
        raise CommandError(
            f"{args.file} is not a {args.import_command} file; use `xieshang import {other}`"
        )
    async with database(args) as db:
        async with db.session() as session:
            try:
                community = await communities.by_name(session, args.community)
            except Invalid as problem:
                raise CommandError(say(problem.text)) from None
        if args.dry_run:
            result = await imports.dry_run(db, community.id, sheet, None)
        else:
            source = imports.Source(args.file.name, roster_csv.sha256(data), "cli")
            result = await imports.run(
                db, community.id, sheet, source, actor_id=None, standing=None
            )
    report = [
        *imports.summary(result, args.file.name, done=not args.dry_run),
        *imports.problems(result),
    ]
    if args.dry_run:
        report.append(t("Dry run: nothing was stored."))
    print("\n".join(say(paragraph) for paragraph in report))
    if args.json:
        print(json.dumps(as_json(result, args.language), ensure_ascii=False))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this area's subcommands."""
    parser = commands.add_parser("import", help="import a roster or the chair rotation from CSV")
    kinds = parser.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    helps = {
        "roster": "households by grid and building (网格,楼栋,单元,房号,户号,户代表,手机尾号)",
        "chairs": "the rotating chair order by household (顺序,户号,姓名); replaces the rotation",
    }
    for name, summary in helps.items():
        sub = kinds.add_parser(name, help=summary, description=summary)
        common_options(sub)
        sub.add_argument("file", type=Path, metavar="FILE", help="CSV file: UTF-8 or GBK")
        sub.add_argument("--community", required=True, metavar="NAME", help="community name")
        sub.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
        sub.add_argument("--json", action="store_true", help="also print the outcome as JSON last")
        sub.add_argument(
            "--language",
            choices=LANGUAGES,
            default=DEFAULT_LANGUAGE,
            help=f"language of the report (default {DEFAULT_LANGUAGE})",
        )
        sub.set_defaults(handler=_import)
