"""jieba, loaded once per process, lazily or in the background, with the community dictionary.

``import jieba`` costs ~0.1 s and building its dictionary ~0.5 s, so nothing here touches
jieba at import time. ``start_loading()`` warms it in a daemon thread at bot start; the first
call of ``tokens()`` waits for it (or loads it) if it is not ready. Callers on an event loop
should use ``await atokens(text)``, which never blocks the loop while jieba loads.

Only ``jieba.Tokenizer.lcut`` is used: ``jieba.analyse`` costs ~0.4 s and ~100 MB more and
has no place in this module.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

from bot.text.normalize import normalize

__all__ = [
    "DICTIONARY",
    "STOPWORDS",
    "Segmenter",
    "atokens",
    "default",
    "start_loading",
    "tokens",
    "words",
]

log = logging.getLogger(__name__)

DICTIONARY = Path(__file__).with_name("community_dict.txt")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Function words, politeness and words every proposal has; they only add noise to matching.
STOPWORDS = _words(
    """
    的 了 吧 呢 啊 吗 呀 嘛 哦 喔 哈 嗯 么 之 地 得 着 过 个 把 给 被 让 将 对 向 从 在 于 和 与 及 或 跟 同
    是 有 没 没有 也 还 又 都 就 才 很 太 更 最 挺 真 好 多 些 这 那 这个 那个 这些 那些 这里 那里 这样 那样
    我 我们 你 你们 您 他 她 它 他们 她们 大家 咱们 自己 本 该 各 每 其 此 其他 一下 一些 一点 一直 已经
    现在 最近 目前 还是 但是 可是 因为 所以 如果 而且 并且 然后 就是 只是 不是 能 能不能 可以 可不可以 会
    要 想 想要 需要 希望 请 请问 麻烦 谢谢 感谢 建议 提议 提案 申请 关于 问题 事 事情 情况 一下子 尽快 赶紧
    什么 怎么 怎么办 为什么 如何 是否 能否 可否 吗 啥 咋 一起 一个 各位 大伙 邻居们 业主们 小区 社区 居民
    业主 大家伙 相关 进行 实施 开展 落实 解决 处理 考虑 讨论 商量 协商 附议 支持 同意 呼吁 强烈 及时
    几个 几 到 不能 有点 有些 特别 经常 总是 老是 实在 真的 确实 一定 务必 赶快 马上 下 上
    """
)

# Same meaning, one token: so 给7栋装个门禁 meets 7栋安装门禁系统.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "安装": ("装",),
    "装个": ("装",),
    "装上": ("装",),
    "加装": ("装",),
    "安个": ("装",),
    "装设": ("装",),
    "维修": ("修",),
    "修理": ("修",),
    "修好": ("修",),
    "修缮": ("修",),
    "抢修": ("修",),
    "修一修": ("修",),
    "坏掉": ("坏",),
    "损坏": ("坏",),
    "坏了": ("坏",),
    "不亮": ("坏",),
    "灯不亮": ("灯", "坏"),
    "门禁系统": ("门禁", "系统"),
    "电瓶车": ("电动车",),
    "电单车": ("电动车",),
    "电动自行车": ("电动车",),
    "车位": ("停车位",),
    "停车场": ("停车位",),
    "清除": ("清理",),
    "清走": ("清理",),
    "清掉": ("清理",),
    "清运": ("清理",),
    "清空": ("清理",),
    "整治": ("治理",),
    "噪声": ("噪音",),
    "太吵": ("噪音",),
    "吵": ("噪音",),
    "扰民": ("噪音",),
    "声音": ("音量",),
    "摄像头": ("监控",),
    "监控摄像头": ("监控",),
    "新建": ("建",),
    "建设": ("建",),
    "修建": ("建",),
    "兴建": ("建",),
    "建个": ("建",),
    "要建": ("建",),
    "增设": ("增加",),
    "添加": ("增加",),
    "新增": ("增加",),
    "多装": ("增加",),
    "垃圾站": ("垃圾中转站",),
    "楼梯间": ("楼道",),
    "杂物": ("堆物",),
    "堆放": ("堆物",),
    "堆": ("堆物",),
    "乱堆": ("堆物",),
    "占道": ("占用",),
    "霸占": ("占用",),
    "堵塞": ("堵",),
    "堵住": ("堵",),
    "拴绳": ("牵绳",),
    "渗水": ("漏水",),
    "公开": ("公示",),
    "不够": ("少",),
    "不够用": ("少",),
    "太少": ("少",),
    "划": ("划线",),
    "画线": ("划线",),
    "过道": ("楼道",),
}

# In the dictionary so jieba cuts them well, but too general to mark a topic.
_GENERIC = _words("装 修 坏 建 充电 物业 电梯 网格 快递 公示 提案 附议 协商日")

# Location tokens made by normalize(): kept whole, never handed to jieba.
_PROTECTED = re.compile(r"(\d+(?:栋|单元|室))")


class Segmenter:
    """One jieba tokenizer with the community dictionary; thread-safe, loaded once."""

    def __init__(self, dictionary: Path | None = DICTIONARY) -> None:
        self._dictionary = dictionary
        self._lock = threading.Lock()  # held while loading
        self._start_lock = threading.Lock()  # never held long: start_loading() returns at once
        self._ready = threading.Event()
        self._tokenizer: Any = None
        self._thread: threading.Thread | None = None
        self._load_seconds: float | None = None
        self._domain_words: frozenset[str] | None = None

    @property
    def loaded(self) -> bool:
        return self._ready.is_set()

    @property
    def load_seconds(self) -> float | None:
        """Wall time of ``import jieba`` + dictionary + community dictionary, once loaded."""
        return self._load_seconds

    @property
    def domain_words(self) -> frozenset[str]:
        """The community dictionary's words as ``tokens`` yields them (synonyms folded):
        topic words (门禁, 充电桩, 广场舞…) that matching weighs more. No jieba needed."""
        if self._domain_words is None:
            found: set[str] = set()
            if self._dictionary is not None:
                for line in self._dictionary.read_text(encoding="utf-8").splitlines():
                    parts = line.split()
                    if parts and not line.startswith("#"):
                        found.update(_SYNONYMS.get(parts[0], (parts[0],)))
            self._domain_words = frozenset(found - STOPWORDS - _GENERIC)
        return self._domain_words

    def start_loading(self) -> threading.Thread | None:
        """Load jieba in a daemon thread; returns at once. Idempotent."""
        with self._start_lock:
            if self._ready.is_set() or self._thread is not None:
                return self._thread
            self._thread = threading.Thread(
                target=self._load_quietly, name="jieba-loader", daemon=True
            )
            self._thread.start()
            return self._thread

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background load; True when loaded."""
        return self._ready.wait(timeout)

    def ensure_loaded(self) -> None:
        """Load now if nobody has (blocks ~0.6 s the first time in a process)."""
        if self._ready.is_set():
            return
        with self._lock:
            if self._ready.is_set():
                return
            started = time.perf_counter()
            import jieba  # deliberately lazy: ~0.1 s

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            if self._dictionary is not None:
                tokenizer.load_userdict(str(self._dictionary))
            self._tokenizer = tokenizer
            self._load_seconds = time.perf_counter() - started
            self._ready.set()
        log.info("jieba loaded in %.3f s", self._load_seconds)

    def _load_quietly(self) -> None:
        try:
            self.ensure_loaded()
        except Exception:  # the next tokens() call retries and raises where it is seen
            log.exception("loading jieba failed")
            with self._start_lock:
                self._thread = None

    def words(self, text: str, *, normalized: bool = False) -> list[str]:
        """The words of ``text`` as jieba cuts it (with the community dictionary), after
        normalisation, without stopword removal or synonyms. Building/unit tokens stay whole."""
        self.ensure_loaded()
        if not normalized:
            text = normalize(text)
        out: list[str] = []
        lcut = self._tokenizer.lcut
        for i, piece in enumerate(_PROTECTED.split(text)):
            if i % 2:
                out.append(piece)
            elif piece:
                out.extend(w for w in lcut(piece, HMM=False) if not w.isspace())
        return out

    def tokens(self, text: str, *, normalized: bool = False) -> list[str]:
        """Words for matching: normalised, synonyms folded, stopwords removed, in order."""
        out: list[str] = []
        for word in self.words(text, normalized=normalized):
            for token in _SYNONYMS.get(word, (word,)):
                if token not in STOPWORDS:
                    out.append(token)
        return out

    def subwords(self, word: str) -> list[str]:
        """Dictionary words inside a word of 3+ characters (垃圾中转站 → 垃圾, 中转, 中转站),
        as jieba's search mode finds them: a weaker signal for near matches."""
        if len(word) < 3 or word[0].isdigit():
            return []
        self.ensure_loaded()
        freq = self._tokenizer.FREQ
        found: list[str] = []
        for size in (2, 3):
            if len(word) <= size:
                break
            for i in range(len(word) - size + 1):
                gram = word[i : i + size]
                if freq.get(gram) and gram not in STOPWORDS:
                    found.append(gram)
        return found

    async def atokens(self, text: str) -> list[str]:
        """``tokens`` for async callers: off the event loop while jieba is still loading."""
        if self._ready.is_set():
            return self.tokens(text)
        return await asyncio.to_thread(self.tokens, text)


default = Segmenter()


def start_loading() -> threading.Thread | None:
    return default.start_loading()


def tokens(text: str) -> list[str]:
    return default.tokens(text)


def words(text: str) -> list[str]:
    return default.words(text)


async def atokens(text: str) -> list[str]:
    return await default.atokens(text)


def __getattr__(name: str) -> object:
    # ``segment.loaded`` and ``segment.load_seconds`` read the default segmenter's state.
    if name == "loaded":
        return default.loaded
    if name == "load_seconds":
        return default.load_seconds
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
