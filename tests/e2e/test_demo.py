"""``xieshang demo`` as a visitor runs it: a month of 协商日 with simulated residents, played at
a very high speed; what the residents and the bot did is checked in the demo's database, the web
chat page is served meanwhile, and Ctrl-C in the middle of the month stops it cleanly."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

from bot.cli import main
from tests.e2e.test_cli import XIESHANG, api, clean_env

STARTED = "Sandbox web chat: "


def start_demo(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """The demo process and its web chat URL (its first line)."""
    process = subprocess.Popen(
        [*XIESHANG, "demo", "--port", "0", *args],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    assert first.startswith(STARTED), first + process.stderr.read()
    return process, first.removeprefix(STARTED).strip().rstrip("/")


def rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def test_a_month_is_played_and_the_web_chat_served(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    process, url = start_demo(
        tmp_path, "--speed", "100000", "--exit-when-done", "--db", f"sqlite+aiosqlite:///{db}"
    )
    try:
        with urllib.request.urlopen(f"{url}/", timeout=10) as page:
            assert page.status == 200 and "<html" in page.read().decode().lower()
        assert api(url, "GET", "/clock")["virtual"] is True
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Open the web chat as one of the residents (胡东、" in out
    assert "raised a duplicate and seconded No. 1 instead" in out
    assert "agenda frozen: 3 items, chair 胡东" in out
    assert out.rstrip().endswith("the month is over: the results are in 小桃园社区协商群")

    # Five proposals (the duplicate seconded No. 1 instead of becoming a sixth), three on the
    # agenda with their threads' discussion kept, each voted on and closed with a result.
    assert rows(db, "SELECT number FROM proposal ORDER BY number") == [(n,) for n in range(1, 6)]
    items = rows(db, "SELECT position, anchor_message_id FROM agenda_item ORDER BY position")
    assert [p for p, _ in items] == [1, 2, 3] and all(anchor for _, anchor in items)
    assert rows(db, "SELECT count(*) FROM item_message") == [(6,)]
    votes = rows(db, "SELECT title, result FROM vote WHERE closed_at IS NOT NULL ORDER BY id")
    assert len(votes) == 3 and all(json.loads(result) for _, result in votes)
    decided = dict(rows(db, "SELECT number, status FROM proposal"))
    assert decided[2] == "rejected" and decided[1] == decided[3] != "rejected"
    assert rows(db, "SELECT count(*) FROM vote WHERE closed_at IS NULL") == [(0,)]


def test_ctrl_c_in_the_middle_of_the_month_stops_cleanly(tmp_path: Path) -> None:
    process, url = start_demo(tmp_path)  # --speed 1: the month has hardly begun
    try:
        assert api(url, "GET", "/clock")["virtual"] is True
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert process.returncode in (0, 130)


def test_missing_roster_and_bad_speed_are_one_line(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--roster", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"xieshang: demo data not found: {tmp_path / 'nope.csv'}; pass --roster FILE"
    )
    assert main(["demo", "--speed", "0"]) == 2
    assert capsys.readouterr().err.strip() == "xieshang: --speed must be a positive number"
