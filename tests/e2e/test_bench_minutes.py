"""The minutes benchmark runs as the operator runs it and reports its figures last."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bench_run import bench, reported


def test_bench_minutes_prints_one_json_object_last(tmp_path: Path) -> None:
    done = bench(tmp_path, "minutes", "--messages", "5000", "--json")
    assert done.returncode == 0, done.stderr
    result = reported(done)
    assert result["bench"] == "minutes" and result["messages"] == 5000
    assert result["seconds"] > 0 and result["jieba_load_s"] > 0 and result["max_rss_mb"] > 0
    assert result["sentences"] > 0 and result["chat_messages"] >= 1


def test_bench_minutes_refuses_an_empty_thread(tmp_path: Path) -> None:
    done = bench(tmp_path, "minutes", "--messages", "0")
    assert done.returncode == 2
    assert done.stderr.strip() == "xieshang: --messages must be at least 1"
