"""The bot process is killed (SIGKILL) in the middle of a burst of taps and started again: every
ballot whose tap was answered as recorded is stored, no household has two, the audit agrees.

The sandbox runs in this test's process; the bot is ``xieshang run`` in a subprocess with a
token and ``telegram.api_base`` pointing at the sandbox, on a SQLite file the test prepared.
Residents whose tap got no answer press again after the restart, as a person would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.bench import votes as bench
from bot.flows import vote_messages as say
from bot.flows import votes
from sandbox.server import Sandbox
from storage.audit import verify_url
from storage.engine import Database

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4343:RESTART"
HOUSEHOLDS = 400
WAIT = 30.0  # seconds, for any one condition


async def start_bot(tmp_path: Path, url: str, api_base: str, run: int):
    config = tmp_path / "empty.toml"
    config.touch()
    log = (tmp_path / f"bot-{run}.log").open("w")
    env = {
        **os.environ,
        "XIESHANG_TELEGRAM__TOKEN": TOKEN,
        "XIESHANG_TELEGRAM__API_BASE": api_base,
        "XIESHANG_DB": url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--config", str(config),
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    log.close()
    return process


async def wait_until(sandbox: Sandbox, condition) -> None:
    assert await sandbox.world.events.changed.wait_for(condition, WAIT), "timed out"


async def test_a_bot_killed_mid_burst_loses_no_answered_ballot(tmp_path: Path) -> None:
    db_file = tmp_path / "xieshang.db"
    url = f"sqlite+aiosqlite:///{db_file}"
    async with Sandbox(bot_token=TOKEN, port=0, limits=None) as sandbox:
        world = sandbox.world
        db = Database(url)
        await db.upgrade()
        place = await bench.populate(db, world, HOUSEHOLDS)
        await db.dispose()

        bot = await start_bot(tmp_path, url, sandbox.url, 1)
        try:
            ballot = await bench.open_vote(
                world, place.chat_id, place.chair_tg_id, "/vote 重启也不丢票 | | 过半数"
            )
            vote_id, _ = say.parse_cast(
                ballot["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            )
            chosen = {voter.household_id: i % 3 for i, voter in enumerate(place.voters)}

            def press(voter: bench.Voter):
                option = chosen[voter.household_id]
                data = say.cast_data(vote_id, option)
                return bench.Press(voter, option, data), world.press_button(
                    place.chat_id, ballot["message_id"], voter.tg_user_id, data
                )

            # Everyone taps at once; every tenth taps twice.
            presses = [
                press(v) for i, v in enumerate(place.voters) for _ in range(1 + (i % 10 == 0))
            ]
            await wait_until(
                sandbox, lambda: sum(f.done() for _, f in presses) >= len(presses) // 4
            )
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            answered_at_kill = sum(f.done() for _, f in presses)
            assert 0 < answered_at_kill < len(presses), "the kill should land mid-burst"

            bot = await start_bot(tmp_path, url, sandbox.url, 2)
            answered = {
                p.voter.household_id for p, f in presses if f.done() and bench.stored(f.result())
            }
            again = [press(v) for v in place.voters if v.household_id not in answered]
            _, pending = await asyncio.wait([f for _, f in again], timeout=WAIT)
            assert not pending, f"{len(pending)} taps after the restart were not answered"
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGKILL)
                await bot.wait()

    # What the residents were told, then what the table holds (an answer comes only after its
    # commit, so reading the table last cannot miss an answered ballot).
    told = [(p, f.result()) for p, f in presses + again if f.done() and not f.cancelled()]
    assert all(bench.stored(f.result()) for _, f in again)
    recorded = {p.voter.household_id for p, answer in told if bench.stored(answer)}
    assert recorded == {voter.household_id for voter in place.voters}
    found = bench.check(db_file, vote_id, told)
    assert (found.lost, found.duplicated, found.mismatched) == (0, 0, 0)
    assert found.ballots == HOUSEHOLDS

    assert (await verify_url(url)).ok
    db = Database(url)
    try:
        report = await votes.verify(db, vote_id)
    finally:
        await db.dispose()
    assert report.ok, report.problems
