"""``xieshang``: the operator's command line (argparse).

Every subcommand takes ``--config`` and ``--db``; errors are one clear line and exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable

from bot import cli_registry, cli_roster
from bot.cli_common import CommandError, common_options, settings_from
from bot.config import ConfigError, Settings


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


async def _run(args: argparse.Namespace) -> int:
    from bot.app import BotApp

    settings = settings_from(args, clock=args.clock, **{"sandbox.port": args.port})
    _setup_logging(settings)
    app = BotApp(settings)
    await app.start()
    if app.web_chat_url:
        print(f"Sandbox web chat: {app.web_chat_url}", flush=True)
    try:
        await app.wait()
    finally:
        await app.stop()
    return 0


async def _sandbox(args: argparse.Namespace) -> int:
    from bot.app import SANDBOX_TOKEN
    from sandbox.server import RateLimits, Sandbox, serve_forever

    settings = settings_from(args, **{"sandbox.port": args.port})
    _setup_logging(settings)
    sandbox = Sandbox(
        bot_token=args.token or SANDBOX_TOKEN,
        host=settings.sandbox.host,
        port=settings.sandbox.port,
        limits=RateLimits() if settings.sandbox.rate_limits else None,
    )
    await sandbox.start()
    print(f"Sandbox web chat: {sandbox.url}/", flush=True)
    print(f"Bot API base: {sandbox.url}  token: {sandbox.bot_token}", flush=True)
    await serve_forever(sandbox)
    return 0


async def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.cli_common import database

    async with database(args):
        print("database is at the latest revision")
    return 0


async def _audit_verify(args: argparse.Namespace) -> int:
    from storage.audit import verify_url

    report = await verify_url(settings_from(args).db)
    if report.ok:
        print(f"verified: {report.count} audit events, chain intact")
        return 0
    print(f"NOT verified: {len(report.problems)} problem(s) in {report.count} events")
    for problem in report.problems:
        print(f"- {problem}")
    return 1


def _report(result: dict[str, object], only_json: bool) -> int:
    """Benchmarks print readable lines, then always one JSON object as the last line."""
    if not only_json:
        for key, value in result.items():
            print(f"{key}: {value}")
    print(json.dumps(result))
    return 0


async def _bench_dispatch(args: argparse.Namespace) -> int:
    from bot.bench.dispatch import run

    return _report(await run(updates=args.updates), args.json)


async def _bench_similar(args: argparse.Namespace) -> int:
    from bot.bench.similar import run

    return _report(run(proposals=args.proposals, queries=args.queries), args.json)


async def _bench_votes(args: argparse.Namespace) -> int:
    from bot.bench.votes import run

    return _report(await run(households=args.households, config=args.config), args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xieshang", description="协商日: monthly community deliberation in group chats."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (against the sandbox when no token is set)")
    common_options(run)
    run.add_argument("--port", type=int, help="sandbox port (default 8081)")
    run.add_argument(
        "--clock",
        choices=["real", "virtual"],
        help="virtual: time moves only via the sandbox clock API",
    )
    run.set_defaults(handler=_run)

    sandbox = commands.add_parser(
        "sandbox", help="run the sandbox alone (a local Telegram Bot API with a web chat)"
    )
    common_options(sandbox)
    sandbox.add_argument("--port", type=int, help="port (default 8081)")
    sandbox.add_argument(
        "--token", help="bot token the sandbox accepts (default: the built-in sandbox token)"
    )
    sandbox.set_defaults(handler=_sandbox)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade", help="apply migrations (idempotent; also done at start)"
    )
    common_options(upgrade)
    upgrade.set_defaults(handler=_db_upgrade)

    audit = commands.add_parser("audit", help="the append-only audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser("verify", help="check the hash chain of every audit event")
    common_options(verify)
    verify.set_defaults(handler=_audit_verify)

    bench = commands.add_parser("bench", help="benchmarks, reported as ratios measured in one run")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    dispatch = bench_commands.add_parser(
        "dispatch", help="updates/s through the sandbox over HTTP vs aiogram's feed_update"
    )
    common_options(dispatch)
    dispatch.add_argument(
        "--updates", type=int, default=3000, help="callback presses per measurement"
    )
    dispatch.add_argument("--json", action="store_true", help="print only the JSON line")
    dispatch.set_defaults(handler=_bench_dispatch)
    similar = bench_commands.add_parser(
        "similar", help="similar-proposal lookups among N proposals vs one jieba cut; jieba load"
    )
    common_options(similar)
    similar.add_argument("--proposals", type=int, default=10000, help="proposals in the index")
    similar.add_argument("--queries", type=int, default=500, help="lookups to time")
    similar.add_argument("--json", action="store_true", help="print only the JSON line")
    similar.set_defaults(handler=_bench_similar)
    bench_votes = bench_commands.add_parser(
        "votes", help="a binding vote of N households through the real bot vs a no-op bot"
    )
    common_options(bench_votes)
    bench_votes.add_argument(
        "--households", type=int, default=12081, help="households, each with a representative"
    )
    bench_votes.add_argument("--json", action="store_true", help="print only the JSON line")
    bench_votes.set_defaults(handler=_bench_votes)

    cli_registry.add_commands(commands)
    cli_roster.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], object] = args.handler
    try:
        return asyncio.run(handler(args))  # type: ignore[arg-type]
    except ConfigError as exc:
        print(f"xieshang: configuration error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"xieshang: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
