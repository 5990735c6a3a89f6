"""The vote benchmark runs end to end and reports its figures; nothing is lost or counted twice
(no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bench_run import bench, reported


def test_bench_votes_prints_one_json_object_last(tmp_path: Path) -> None:
    done = bench(tmp_path, "votes", "--households", "300", "--json")
    assert done.returncode == 0, done.stderr
    result = reported(done)
    assert result["bench"] == "votes" and result["households"] == 300
    for key in ("votes_per_s", "baseline_per_s", "ratio", "p50_ms", "p99_ms", "tally_ms",
                "raw_group_by_ms"):  # fmt: skip
        assert isinstance(result[key], int | float) and result[key] > 0, key
    assert abs(result["ratio"] - result["votes_per_s"] / result["baseline_per_s"]) < 0.01
    assert result["p50_ms"] <= result["p99_ms"]
    assert result["presses"] > 300  # double taps and changes come on top of one press each
    assert result["unanswered"] == 0
    assert result["ballots"] == 300
    assert result["lost"] == 0 and result["duplicated"] == 0 and result["mismatched"] == 0
