"""The extractive summary of a thread: the properties its minutes rely on, on a realistic
227-message thread (7栋安装门禁系统) and on small cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.text import segment
from bot.text.summary import (
    MAX_CHARS,
    MAX_SENTENCES,
    MAX_VIEWPOINTS,
    Message,
    Summary,
    _pairs,
    _similar,
    sentences,
    stance,
    summarize,
)

THREAD = json.loads((Path(__file__).parent / "data" / "thread_door_access.json").read_text("utf-8"))
MESSAGES = [
    Message(m["speaker"], m["text"], datetime.fromisoformat(m["at"])) for m in THREAD["messages"]
]
AT = datetime(2025, 6, 11, 11, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def summary() -> Summary:
    segment.default.ensure_loaded()
    return summarize(MESSAGES)


def test_the_fixture_is_a_realistic_thread() -> None:
    assert len(MESSAGES) >= 200
    assert len({m.speaker for m in MESSAGES}) >= 10
    texts = [m.text for m in MESSAGES]
    assert texts.count("+1") >= 5 and any("👍" in t for t in texts)
    assert len(texts) - len(set(texts)) >= 5  # reposts and repeated one-liners


def test_same_thread_same_summary(summary: Summary) -> None:
    assert summarize(list(MESSAGES)) == summary
    assert summarize(MESSAGES, segmenter=segment.default) == summary


def test_sentences_keep_the_thread_order(summary: Summary) -> None:
    for part in (summary.points, summary.pros, summary.cons, summary.chosen):
        orders = [p.order for p in part]
        assert orders == sorted(orders)
        assert [p.message for p in part] == sorted(p.message for p in part)


def test_every_sentence_is_attributed_and_quoted(summary: Summary) -> None:
    for point in summary.chosen:
        message = MESSAGES[point.message]
        assert point.speaker == message.speaker and point.at == message.at
        assert point.text in message.text  # quoted, not rewritten


def test_no_duplicates(summary: Summary) -> None:
    texts = [p.text for p in summary.chosen]
    assert len(texts) == len(set(texts))
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not _similar(_pairs(a), _pairs(b)), (a, b)


@pytest.mark.parametrize(
    ("topic", "cues"),
    [
        ("cost", ("万", "费", "钱", "分摊")),
        ("cards for the elderly", ("老人",)),
        ("delivery", ("外卖", "快递", "骑手")),
        ("cameras and privacy", ("摄像头", "调看", "隐私", "监控")),
        ("the property company", ("物业",)),
    ],
)
def test_the_main_sub_topics_are_covered(summary: Summary, topic: str, cues: tuple) -> None:
    assert any(cue in p.text for p in summary.chosen for cue in cues), topic


def test_viewpoints_for_and_against_are_found(summary: Summary) -> None:
    assert len(summary.pros) >= 2 and len(summary.cons) >= 2
    assert all(stance(p.text) > 0 for p in summary.pros)
    assert all(stance(p.text) < 0 for p in summary.cons)
    # Two different residents on each side.
    assert len({p.speaker for p in summary.pros}) >= 2
    assert len({p.speaker for p in summary.cons}) >= 2


def test_noise_and_off_topic_chat_are_left_out(summary: Summary) -> None:
    for point in summary.chosen:
        assert len(point.text) >= 6
        assert "👍" not in point.text and "😂" not in point.text
        for off_topic in ("猫", "水果", "团购", "收衣服", "共享单车", "发错了"):
            assert off_topic not in point.text


def test_the_budget_is_respected(summary: Summary) -> None:
    assert len(summary.points) <= MAX_SENTENCES
    assert len(summary.pros) <= MAX_VIEWPOINTS and len(summary.cons) <= MAX_VIEWPOINTS
    assert summary.chars <= MAX_CHARS
    tight = summarize(MESSAGES, max_sentences=3, max_chars=150, max_viewpoints=1)
    assert len(tight.points) <= 3 and len(tight.pros) <= 1 and len(tight.cons) <= 1
    assert 0 < tight.chars <= 150


def test_counts_and_keywords(summary: Summary) -> None:
    assert summary.messages == len(MESSAGES)
    assert summary.speakers == len({m.speaker for m in MESSAGES})
    assert {"门禁", "人脸识别", "费用"} <= set(summary.keywords)


def test_an_empty_or_noisy_thread_has_an_empty_summary() -> None:
    assert summarize([]).chosen == ()
    noise = [
        Message(f"7-1-{i}01", text, AT) for i, text in enumerate(["+1", "👍👍", "同意！", "收到"])
    ]
    empty = summarize(noise)
    assert empty.chosen == () and empty.messages == 4 and empty.speakers == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1", []),
        ("👍👍👍", []),
        ("同意同意！", []),
        ("辛苦了", []),
        ("大家好，我是7-1-101的老王。我支持装门禁！", ["我是7-1-101的老王。", "我支持装门禁！"]),
        ("大约8.6万元，太贵了😡 没必要!!", ["大约8.6万元，太贵了 没必要!!"]),
        ("Hello everyone. We need a gate.", ["Hello everyone.", "We need a gate."]),
    ],
)
def test_sentences_and_noise(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我支持！", 1),
        ("我不反对装门禁。", 1),
        ("没有人脸识别的话我没意见。", 1),
        ("我不担心这个。", 1),
        ("我反对。", -1),
        ("这个太贵了。", -1),
        ("我不同意用人脸识别。", -1),
        ("我不太同意。", -1),
        ("虽然有点贵，但是我支持。", 1),
        ("我支持装，但是按户平摊不太公平。", -1),
        ("有人反对吗？", 0),
        ("门禁支持刷卡和手机开门两种方式。", 0),
        ("8.6万的方案我反对，6.3万的方案我赞成。", 0),
        ("人脸识别我无所谓。", 0),
    ],
)
def test_stance(text: str, expected: int) -> None:
    assert stance(text) == expected
