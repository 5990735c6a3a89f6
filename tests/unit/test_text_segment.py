"""jieba, loaded once, lazily or in the background, with the community dictionary."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from bot.text import segment
from bot.text.segment import STOPWORDS, Segmenter


@pytest.fixture(scope="session")
def seg() -> Segmenter:
    segment.default.ensure_loaded()
    return segment.default


@pytest.mark.parametrize(
    "word",
    [
        "门禁",
        "充电桩",
        "网格员",
        "楼道",
        "电动车",
        "垃圾分类",
        "广场舞",
        "停车位",
        "物业",
        "加装电梯",
        "化粪池",
        "楼道灯",
        "漏水",
        "中转站",
        "协商日",
        "附议",
        "户代表",
    ],
)
def test_dictionary_words_stay_whole(seg: Segmenter, word: str) -> None:
    assert word in seg.words(f"关于{word}的事")


def test_words_in_context(seg: Segmenter) -> None:
    assert seg.words("小区要建垃圾中转站") == ["小区", "要", "建", "垃圾中转站"]
    assert seg.words("7栋2单元楼道灯不亮") == ["7栋", "2单元", "楼道灯", "不亮"]
    assert seg.words("广场舞音量太大") == ["广场舞", "音量", "太", "大"]


def test_tokens_normalise_fold_synonyms_and_drop_stopwords(seg: Segmenter) -> None:
    assert seg.tokens("给七栋装个门禁吧") == ["7栋", "装", "门禁"]
    assert seg.tokens("7号楼安装门禁系统") == ["7栋", "装", "门禁", "系统"]
    assert seg.tokens("多装几个电瓶车充电桩吧！！") == ["装", "电动车", "充电桩"]
    assert not set(seg.tokens("大家能不能一起支持一下这个建议")) - {"一起"}
    assert all(t not in STOPWORDS for t in seg.tokens("请问我们小区的停车位问题怎么解决"))


def test_subwords_are_dictionary_words_inside_long_tokens(seg: Segmenter) -> None:
    assert seg.subwords("垃圾中转站") == ["垃圾", "中转", "转站", "中转站"]
    assert seg.subwords("门禁") == []
    assert seg.subwords("12栋") == []


def test_loaded_state_and_load_time(seg: Segmenter) -> None:
    assert segment.loaded is True
    assert seg.loaded
    assert segment.load_seconds is not None and segment.load_seconds > 0
    seg.start_loading()  # already loaded: nothing happens
    assert seg.loaded


def test_domain_words_come_from_the_dictionary_file() -> None:
    words = Segmenter().domain_words  # no jieba needed
    assert {"门禁", "充电桩", "广场舞", "垃圾分类"} <= words
    assert "装" not in words and "附议" not in words


async def test_atokens_does_not_block_the_loop(seg: Segmenter) -> None:
    assert await segment.atokens("楼道灯坏了") == ["楼道灯", "坏"]


def test_fresh_process_loads_in_the_background_without_importing_jieba_first() -> None:
    probe = (
        "import sys\n"
        "from bot.text import segment, similar, categories\n"
        "assert 'jieba' not in sys.modules, 'importing bot.text must not import jieba'\n"
        "assert not segment.loaded\n"
        "t = segment.start_loading()\n"
        "assert segment.start_loading() is t\n"
        "ticks = 0\n"
        "while not segment.loaded:\n"
        "    ticks += 1\n"  # the main thread keeps running while jieba loads
        "    segment.default.wait(0.01)\n"
        "assert ticks > 0 and segment.load_seconds > 0\n"
        "assert 'jieba.analyse' not in sys.modules\n"
        "assert t.daemon and t.name == 'jieba-loader'\n"
        "print(segment.tokens('给七栋装个门禁吧'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['7栋', '装', '门禁']"


def test_concurrent_first_use_loads_once() -> None:
    fresh = Segmenter()
    results: list[list[str]] = []

    def cut() -> None:
        results.append(fresh.tokens("楼道堆物清理"))

    async def main() -> None:
        await asyncio.gather(*(asyncio.to_thread(cut) for _ in range(4)))

    asyncio.run(main())
    assert results == [["楼道", "堆物", "清理"]] * 4
    assert fresh.loaded and fresh.load_seconds is not None
