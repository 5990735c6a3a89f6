"""The minutes benchmark runs as the operator runs it and reports its figures last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", "minutes", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bench_minutes_prints_one_json_object_last() -> None:
    done = bench("--messages", "5000", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bench"] == "minutes" and result["messages"] == 5000
    assert result["seconds"] > 0 and result["jieba_load_s"] > 0 and result["max_rss_mb"] > 0
    assert result["sentences"] > 0 and result["chat_messages"] >= 1


def test_bench_minutes_refuses_an_empty_thread() -> None:
    done = bench("--messages", "0")
    assert done.returncode == 2
    assert done.stderr.strip() == "xieshang: --messages must be at least 1"
