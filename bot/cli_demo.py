"""``xieshang demo [--speed N] [--port P]``: a month of 协商日 in the sandbox's web chat.

The demo community comes from the shared roster (../shared/data next to the repository, or
--roster/--chairs); the database is a temporary file unless --db is given, so a demo never
touches a real one. Sends are not paced like Telegram: a month compressed into minutes would
exceed Telegram's per-group limit many times over.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bot.cli_common import CommandError, common_options, settings_from

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
UNPACED = {
    "sandbox.rate_limits": False,
    "outbound.per_chat_burst": 100,
    "outbound.per_chat_per_second": 100.0,
    "outbound.per_group_per_minute": 6000,
}


def _existing(path: Path, option: str) -> Path:
    if not path.is_file():
        raise CommandError(f"demo data not found: {path}; pass {option} FILE")
    return path


async def _demo(args: argparse.Namespace) -> int:
    from bot.demo.runner import run

    if args.speed <= 0:
        raise CommandError("--speed must be a positive number")
    roster = _existing(args.roster, "--roster")
    chairs = _existing(args.chairs, "--chairs")
    with tempfile.TemporaryDirectory(prefix="xieshang-demo-") as scratch:
        if args.db is None:
            args.db = f"sqlite+aiosqlite:///{Path(scratch) / 'demo.db'}"
        overrides = {"sandbox.port": args.port, **UNPACED}
        settings = settings_from(args, clock="virtual", **overrides)
        return await run(
            settings,
            roster=roster,
            chairs=chairs,
            speed=args.speed,
            exit_when_done=args.exit_when_done,
            say=lambda line: print(line, flush=True),
        )


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``xieshang demo``."""
    summary = "a month of 协商日 with simulated residents, in the sandbox's web chat"
    demo = commands.add_parser("demo", help=summary, description=summary)
    common_options(demo)
    demo.add_argument(
        "--speed", type=float, default=1.0, help="1 = a month in about 3 minutes; 2 = twice as fast"
    )
    demo.add_argument("--port", type=int, help="sandbox port (default 8081)")
    demo.add_argument(
        "--roster", type=Path, default=DATA / "roster-xiaotaoyuan.csv", help="roster CSV"
    )
    demo.add_argument(
        "--chairs",
        type=Path,
        default=DATA / "chair-rotation-xiaotaoyuan.csv",
        help="chair rotation CSV",
    )
    demo.add_argument(
        "--exit-when-done",
        action="store_true",
        help="stop when the month is over instead of serving the web chat until Ctrl-C",
    )
    demo.set_defaults(handler=_demo)
