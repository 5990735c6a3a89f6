"""The broadcast benchmark runs end to end against the sandbox's flood limits and reports its
figures; nothing is lost and no 429 reaches the caller (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bench_run import bench, reported


def test_bench_broadcast_prints_one_json_object_last(tmp_path: Path) -> None:
    done = bench(tmp_path, "broadcast", "--messages", "300", "--speedup", "20", "--json")
    assert done.returncode == 0, done.stderr
    result = reported(done)
    assert result["bench"] == "broadcast" and result["messages"] == 300
    assert result["sent"] == 300 and result["lost"] == 0 and result["duplicated"] == 0
    assert result["unhandled_429"] == 0 and result["errors"] == 0 and result["refused"] == 0
    assert result["private_chats"] == 297 and result["groups"] == 3
    assert result["group_messages"] == 3 and result["speedup"] == 20
    for key in ("throughput_ratio", "achieved_per_s", "allowed_per_s"):
        assert isinstance(result[key], float) and result[key] > 0, key
    assert (
        abs(result["throughput_ratio"] - result["achieved_per_s"] / result["allowed_per_s"]) < 0.01
    )
    # 300 messages in bursts of 30 a second: the limits allow 300 in 9 s, i.e. 33.33/s.
    assert result["allowed_per_s"] == 33.33


def test_bench_broadcast_refuses_a_run_too_small_to_measure(tmp_path: Path) -> None:
    done = bench(tmp_path, "broadcast", "--messages", "30")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "xieshang: --messages must be more than 30: fewer all go out in one burst"
    )
    done = bench(tmp_path, "broadcast", "--speedup", "0")
    assert done.returncode == 2 and "--speedup must be a positive number" in done.stderr
