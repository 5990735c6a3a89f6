"""``xieshang cycle show|set`` as an operator runs them: processes, one-line errors, audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.e2e.test_setup_cli import operator


def test_an_operator_sets_and_shows_the_cycle(tmp_path: Path) -> None:
    cli = operator(tmp_path)
    assert cli("community", "create", "小桃园社区").returncode == 0
    shown = cli("cycle", "show", "--community", "小桃园社区")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:3] == [
        "The 协商日 cycle of 小桃园社区",
        "No 协商日 is set yet. A moderator sets it with /cycle set day 每月11日 19:00.",
        "Support threshold: 5 households · agenda: at most 5 items · votes opened by the "
        "rotating chair · 公示: 7 days after a decision · quiet hours for reminders: 22:00–08:00",
    ]
    for args, error in [
        (("day", "每月32日"), "There is no day 32 in a month"),
        (("day", "第五个周五"), "Not every month has a fifth Friday"),
        (("colour", "blue"), "Use /cycle set FIELD VALUE"),
    ]:
        refused = cli("cycle", "set", "--community", "小桃园社区", *args)
        assert refused.returncode == 2, args
        assert refused.stderr.startswith(f"xieshang: {error}") and refused.stderr.count("\n") == 1
    unknown = cli("cycle", "show", "--community", "大桃园")
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "xieshang: There is no community “大桃园”. Communities: 小桃园社区.\n",
    )

    changed = cli("cycle", "set", "--community", "小桃园社区", "day", "每月第二个周五", "15:00")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith(
        "Changed the 协商日. The cycle now:\n"
        "协商日: the second Friday of every month at 15:00 (Asia/Shanghai)\n"
    )
    late = cli("cycle", "set", "--community", "小桃园社区", "freeze", "D+1")
    assert late.returncode == 2 and late.stderr.startswith("xieshang: Then the Agenda freeze of")
    for args in (("freeze", "first Friday 09:00"), ("threshold", "3"), ("quiet", "off")):
        done = cli("cycle", "set", "--community", "小桃园社区", *args)
        assert done.returncode == 0, (args, done.stderr)
    as_json = cli("cycle", "show", "--community", "小桃园社区", "--json")
    assert as_json.returncode == 0, as_json.stderr
    settings = json.loads(as_json.stdout)
    upcoming = settings.pop("next")
    assert settings == {
        "community": "小桃园社区",
        "timezone": "Asia/Shanghai",
        "day": "second friday 15:00",
        "reminder_1": "D-7",
        "reminder_2": "D-1",
        "freeze": "first friday 09:00",
        "vote_open": "D",
        "vote_hours": 48,
        "publicity_days": 7,
        "support_threshold": 3,
        "agenda_size": 5,
        "vote_opener": "chair",
        "quiet": None,
    }
    assert set(upcoming) == {
        "reminder_1", "reminder_2", "freeze", "deliberation", "vote_open", "vote_close",
    }  # fmt: skip
    assert upcoming["freeze"].endswith("T09:00:00+08:00")
    assert upcoming["deliberation"].endswith("T15:00:00+08:00")
    with sqlite3.connect(tmp_path / "xieshang.db") as db:
        audited = db.execute(
            "SELECT actor_id, data FROM audit_event WHERE action = 'cycle.settings' ORDER BY id"
        ).fetchall()
    assert [json.loads(data)["setting"] for _, data in audited] == [
        "day", "freeze", "threshold", "quiet",
    ]  # fmt: skip
    assert all(actor is None and json.loads(data)["via"] == "cli" for actor, data in audited)
