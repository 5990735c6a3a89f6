"""The cycle benchmark runs a small year end to end on the virtual clock: every phase of every
month ran once, every agenda item got its vote and every vote closed (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bench_run import bench, reported


def test_bench_cycles_runs_every_phase_once(tmp_path: Path) -> None:
    done = bench(tmp_path, "cycles", "--communities", "3", "--months", "2")
    assert done.returncode == 0, done.stderr
    assert "pacing: sandbox rate limits off; outbound pacing relaxed" in done.stdout
    result = reported(done)
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
    done = bench(tmp_path, "cycles", "--communities", "0", "--json")
    assert done.returncode == 2
    assert done.stderr.strip() == "xieshang: --communities and --months must be at least 1"
