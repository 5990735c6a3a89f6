"""`python -m sandbox`: run a sandbox standalone (the `xieshang sandbox` CLI does the same)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .limits import RateLimits
from .server import Sandbox, serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--token", default="123456:sandbox-token", help="the bot token to accept")
    parser.add_argument("--username", default="xieshang_bot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument(
        "--no-privacy", action="store_true", help="privacy mode off: the bot reads all messages"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sandbox = Sandbox(
        args.token, args.username, host=args.host, port=args.port,
        limits=None if args.no_limits else RateLimits(),
    )  # fmt: skip
    sandbox.world.set_privacy(not args.no_privacy)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(sandbox))


if __name__ == "__main__":
    main()
