"""The cycle benchmark runs a small year end to end on the virtual clock: every phase of every
month ran once, every agenda item got its vote and every vote closed (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "empty.toml"
    config.touch()
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", "cycles", *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bench_cycles_runs_every_phase_once(tmp_path: Path) -> None:
    done = _bench(tmp_path, "--communities", "3", "--months", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "pacing: sandbox rate limits off; outbound pacing relaxed" in done.stdout
    result = json.loads(lines[-1])
    assert result["bench"] == "cycles"
    assert result["communities"] == 3 and result["months"] == 2
    assert result["expected_phases"] == 3 * 2 * 5  # reminders ×2, freeze, 协商日, votes open
    assert result["phases_run"] == result["expected_phases"]
    assert result["complete_months"] == 3 * 2 and result["late"] == 0
    assert result["agenda_items"] == result["votes"] == result["expected_votes"] == 3 * 2 * 2
    assert result["votes_closed"] == result["votes"]
    assert result["duplicated"] == 0
    for key in ("seconds", "setup_s", "rss_mb"):
        assert isinstance(result[key], float) and result[key] > 0, key


def test_bench_cycles_refuses_an_empty_run(tmp_path: Path) -> None:
    done = _bench(tmp_path, "--communities", "0", "--json")
    assert done.returncode == 2
    assert done.stderr.strip() == "xieshang: --communities and --months must be at least 1"
