"""The dispatch benchmark runs end to end and reports its figures (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bench_run import bench, reported


def test_bench_dispatch_prints_one_json_object_last(tmp_path: Path) -> None:
    done = bench(tmp_path, "dispatch", "--updates", "200", "--json")
    assert done.returncode == 0, done.stderr
    result = reported(done)
    assert result["bench"] == "dispatch" and result["answered"] == 200
    assert result["http_updates_per_s"] > 0 and result["feed_updates_per_s"] > 0
    assert abs(result["ratio"] - result["http_updates_per_s"] / result["feed_updates_per_s"]) < 0.01
