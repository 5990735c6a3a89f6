"""三事分流 and 4335 suggestions on hand-labelled proposals, scenario 05 first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.text import segment
from bot.text.categories import AREAS, KINDS, SCOPES, suggest

EXAMPLES = json.loads((Path(__file__).parent / "data" / "categories.json").read_text("utf-8"))[
    "examples"
]


@pytest.fixture(scope="module", autouse=True)
def loaded() -> None:
    segment.default.ensure_loaded()


def test_scenario_05() -> None:
    light = suggest("楼道灯坏了")
    assert (light.kind, light.scope_hint) == ("small", "grid")
    assert "楼道灯" in light.kind_words

    transfer = suggest("小区要建垃圾中转站")
    assert (transfer.kind, transfer.scope_hint) == ("big", "community")
    assert "垃圾中转站" in transfer.kind_words and "建" in transfer.kind_words

    leak = suggest("我家漏水楼下不让修")
    assert (leak.kind, leak.scope_hint) == ("private", None)
    assert leak.kind_words == ["我家", "不让"]


def test_all_scenario_examples_are_right() -> None:
    for example in (e for e in EXAMPLES if e.get("scenario")):
        got = suggest(example["text"])
        assert (got.kind, got.area, got.scope_hint) == (
            example["kind"],
            example["area"],
            example["scope"],
        )


def test_accuracy_on_the_labelled_examples() -> None:
    assert len(EXAMPLES) >= 30
    right, wrong = 0, []
    for example in EXAMPLES:
        got = suggest(example["text"])
        ok = got.kind == example["kind"] and got.area == example["area"]
        if "scope" in example:
            ok = ok and got.scope_hint == example["scope"]
        right += ok
        if not ok:
            wrong.append((example["text"], got))
    assert right / len(EXAMPLES) >= 0.85, wrong


def test_codes_only_and_explained() -> None:
    for example in EXAMPLES:
        got = suggest(example["text"])
        assert got.kind in KINDS and got.area in AREAS and got.scope_hint in (*SCOPES, None)
        normalized_words = set(segment.default.words(example["text"])) | set(
            segment.default.tokens(example["text"])
        )
        for word in got.area_words:
            assert word in normalized_words


def test_named_building_means_building_scope() -> None:
    got = suggest("给七栋装个门禁吧")
    assert (got.kind, got.scope_hint, got.buildings, got.scope_words) == (
        "small",
        "building",
        ["7栋"],
        ["7栋"],
    )
    assert got.area == "management" and got.area_words == ["门禁"]


def test_election_and_supervision() -> None:
    assert suggest("业委会换届选举").area == "election"
    assert suggest("物业费收支要公示").area == "supervision"


def test_defaults_for_text_without_cues() -> None:
    got = suggest("大家好")
    assert (got.kind, got.kind_words, got.area, got.area_words, got.scope_hint) == (
        "small",
        [],
        "management",
        [],
        "grid",
    )
    assert suggest("").kind == "small"
