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

from bot import cli_cycle, cli_demo, cli_registry, cli_report, cli_roster
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

    if args.vote is not None:
        return await _vote_verify(args)
    report = await verify_url(settings_from(args).db)
    return _verdict(
        report.problems,
        f"verified: {report.count} audit events, chain intact",
        f"NOT verified: {len(report.problems)} problem(s) in {report.count} events",
    )


def _verdict(problems: list[str], verified: str, not_verified: str) -> int:
    """Print the verdict line, then each problem; exit code 0 when there is none, else 1."""
    print(not_verified if problems else verified)
    for problem in problems:
        print(f"- {problem}")
    return 1 if problems else 0


async def _vote_verify(args: argparse.Namespace) -> int:
    """The supervisors' /verify N from the command line: the same recomputation."""
    from bot.cli_common import plain
    from bot.flows import votes
    from storage.engine import Database
    from storage.models import Vote

    db = Database(settings_from(args).db)
    try:
        async with db.session() as session:
            if await session.get(Vote, args.vote) is None:
                raise CommandError(f"there is no vote {args.vote}")
        report = await votes.verify(db, args.vote)
    finally:
        await db.dispose()
    return _verdict(
        [plain(problem) for problem in report.problems],
        f"verified: vote {args.vote}: the ballots, the result and the audit chain agree",
        f"NOT verified: vote {args.vote}: {len(report.problems)} problem(s)",
    )


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


async def _bench_minutes(args: argparse.Namespace) -> int:
    from bot.bench.minutes import run

    if args.messages < 1:
        raise CommandError("--messages must be at least 1")
    return _report(run(messages=args.messages), args.json)


async def _bench_broadcast(args: argparse.Namespace) -> int:
    from bot.bench.broadcast import run

    if args.messages <= 30:
        raise CommandError("--messages must be more than 30: fewer all go out in one burst")
    if args.speedup <= 0:
        raise CommandError("--speedup must be a positive number")
    result = await run(messages=args.messages, speedup=args.speedup, config=args.config)
    return _report(result, args.json)


async def _bench_cycles(args: argparse.Namespace) -> int:
    from bot.bench.cycles import run

    if args.communities < 1 or args.months < 1:
        raise CommandError("--communities and --months must be at least 1")
    result = await run(communities=args.communities, months=args.months, config=args.config)
    return _report(result, args.json)


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
    verify = audit_commands.add_parser(
        "verify", help="check the hash chain of every audit event; --vote N also recomputes vote N"
    )
    common_options(verify)
    verify.add_argument(
        "--vote",
        type=int,
        metavar="N",
        help="also recompute vote N from its audit events and compare with its ballots and result",
    )
    verify.set_defaults(handler=_audit_verify)

    bench = commands.add_parser("bench", help="benchmarks, reported as ratios measured in one run")
    benches = bench.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    dispatch = _bench(
        benches,
        "dispatch",
        "updates/s through the sandbox over HTTP vs aiogram's feed_update",
        _bench_dispatch,
    )
    dispatch.add_argument(
        "--updates", type=int, default=3000, help="callback presses per measurement"
    )
    similar = _bench(
        benches,
        "similar",
        "similar-proposal lookups among N proposals vs one jieba cut; jieba load",
        _bench_similar,
    )
    similar.add_argument("--proposals", type=int, default=10000, help="proposals in the index")
    similar.add_argument("--queries", type=int, default=500, help="lookups to time")
    votes = _bench(
        benches,
        "votes",
        "a binding vote of N households through the real bot vs a no-op bot",
        _bench_votes,
    )
    votes.add_argument(
        "--households", type=int, default=12081, help="households, each with a representative"
    )
    minutes = _bench(
        benches,
        "minutes",
        "summary + minutes of an N-message thread; jieba's load reported apart",
        _bench_minutes,
    )
    minutes.add_argument(
        "--messages", type=int, default=5000, help="messages in the generated thread"
    )
    broadcast = _bench(
        benches,
        "broadcast",
        "N reminders through the outbound limiter against the sandbox's flood limits",
        _bench_broadcast,
    )
    broadcast.add_argument(
        "--messages", type=int, default=10000, help="messages (1 in 100 to one of 3 groups)"
    )
    broadcast.add_argument(
        "--speedup",
        type=float,
        default=4.0,
        help="run the limits' clock this many times faster, in the sandbox and the limiter",
    )
    cycles = _bench(
        benches,
        "cycles",
        "a year of monthly cycles for N communities on the virtual clock",
        _bench_cycles,
    )
    cycles.add_argument("--communities", type=int, default=100, help="communities")
    cycles.add_argument("--months", type=int, default=12, help="months simulated")

    cli_registry.add_commands(commands)
    cli_roster.add_commands(commands)
    cli_cycle.add_commands(commands)
    cli_report.add_commands(commands)
    cli_demo.add_commands(commands)
    return parser


def _bench(
    benches: argparse._SubParsersAction, name: str, help_: str, handler: Callable[..., object]
) -> argparse.ArgumentParser:
    """A benchmark subcommand: the common options and --json; the caller adds its sizes."""
    parser = benches.add_parser(name, help=help_)
    common_options(parser)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.set_defaults(handler=handler)
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
