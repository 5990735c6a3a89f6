"""``xieshang bench similar``: a small run; the JSON shape, not the timings."""

from __future__ import annotations

import json

import pytest

from bot.bench.similar import TOPICS, generate
from bot.cli import main
from bot.text.normalize import BUILDING_RE, normalize


def test_generated_proposals_are_realistic_and_deterministic() -> None:
    first, again = generate(200, seed=1), generate(200, seed=1)
    assert first == again
    assert {p.topic for p in first} <= set(TOPICS)
    with_building = [p for p in first if p.building]
    assert with_building
    for proposal in with_building:
        assert f"{proposal.building}栋" in BUILDING_RE.findall(normalize(proposal.text))


def test_bench_similar_prints_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "similar", "--proposals", "500", "--queries", "40", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[-1])
    assert result["bench"] == "similar" and result["proposals"] == 500
    for key in (
        "median_ms",
        "p99_ms",
        "jieba_load_s",
        "index_build_s",
        "rss_mb",
        "ratio",
        "lcut_median_ms",
    ):
        assert isinstance(result[key], (int, float)) and result[key] > 0, key
    assert result["p99_ms"] >= result["median_ms"]
    assert 0 <= result["top1_same_topic_and_building"] <= 1
