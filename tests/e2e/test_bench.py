"""The dispatch benchmark runs end to end and reports its figures (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_dispatch_prints_one_json_object_last() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", "dispatch", "--updates", "200", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bench"] == "dispatch" and result["answered"] == 200
    assert result["http_updates_per_s"] > 0 and result["feed_updates_per_s"] > 0
    assert abs(result["ratio"] - result["http_updates_per_s"] / result["feed_updates_per_s"]) < 0.01
