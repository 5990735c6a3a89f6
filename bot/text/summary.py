"""An extractive summary of a discussion thread: its most representative sentences, each
attributed to its speaker, and the main viewpoints for and against.

How it works, so that a chair can explain it to residents:

1. Messages are cut into sentences at Chinese and English sentence punctuation. Emoji go; a
   leading greeting (大家好，…) goes; what is left of fewer than six characters (+1, 同意, 顶,
   收到, 辛苦了…) and lines made only of agreement or thanks are noise. A sentence seen before
   (same normalised text, e.g. a message posted twice) is kept once, its first time.
2. Every sentence becomes its topic words (jieba via :mod:`bot.text.segment`: normalised,
   synonyms folded, stopwords out; a few deliberation synonyms folded too: 钱/分摊/报价/amounts
   of money → 费用, 卡/备用卡 → 门禁卡…; stance words out, they say how, not what). A word
   weighs the number of sentences that use it, half again for community-dictionary topic words
   (门禁, 人脸识别…), and nothing when only one speaker uses it: what many people talk about is
   what the thread is about, and one person's off-topic chat scores nothing.
3. A sentence scores the weight of its distinct words over the square root of their number
   (long sentences do not win by length alone), less past 80 characters, half for a question.
   Key points: the best sentence is taken, then the weights of its words drop to a quarter, so
   the next pick covers another sub-topic (SumBasic); each earlier pick of the same speaker
   multiplies a score by 0.7. Near-duplicates of a taken sentence (half their character pairs
   shared) are skipped.
4. Stance: a small lexicon (支持, 赞成, 没意见… / 反对, 担心, 太贵…) with negation (不反对 is for,
   不太公平 against) and contrast (…，但… : the clause after 但 decides when it has a stance);
   questions and what a device supports (支持刷卡) have none. Viewpoints are picked after the
   key points, for and against in turn, with the weights reset (the main arguments are the main
   ones whatever the key points said), at most ``max_viewpoints`` a side.
5. Key points take at most ``max_sentences`` and two thirds of ``max_chars``; viewpoints the
   rest of ``max_chars``. Each list is in the thread's order.

Deterministic: no randomness, ties go to the earlier sentence. jieba is loaded through the
shared segmenter (once per process); ``jieba.analyse`` is never imported.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.text import segment as _segment
from bot.text.normalize import normalize

__all__ = ["Message", "Point", "Summary", "sentences", "stance", "summarize"]

MAX_SENTENCES = 8
MAX_CHARS = 600
MAX_VIEWPOINTS = 3
MIN_CHARS = 6  # normalised characters a sentence needs to say something
DISCOUNT = float(
    __import__("os").environ.get("D", "0.25")
)  # a taken sentence's words weigh this much afterwards
SAME_SPEAKER = 0.7  # each earlier pick of the same speaker multiplies a score by this
NEAR_DUPLICATE = 0.5  # Jaccard of character pairs at or above which two sentences say the same
LONG = 80  # characters past which a sentence's score is scaled down
DOMAIN_BOOST = 1.5
QUESTION = 0.5  # a question's score is multiplied by this: minutes report answers and positions


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the thread: who (display name or room), what, when."""

    speaker: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Point:
    """A sentence of the summary, as it was written (emoji removed), with its speaker."""

    speaker: str
    text: str
    at: datetime
    message: int  # index of its message in the thread
    order: int  # index among the thread's sentences
    stance: int  # +1 for, -1 against, 0 neither


@dataclass(frozen=True, slots=True)
class Summary:
    points: tuple[Point, ...]  # the key sentences
    pros: tuple[Point, ...]  # viewpoints for
    cons: tuple[Point, ...]  # viewpoints against (and worries)
    keywords: tuple[str, ...]  # the thread's heaviest topic words, heaviest first
    messages: int
    speakers: int

    @property
    def chosen(self) -> tuple[Point, ...]:
        """Every sentence of the summary, in thread order."""
        return tuple(sorted((*self.points, *self.pros, *self.cons), key=lambda p: p.order))

    @property
    def chars(self) -> int:
        return sum(len(p.text) for p in self.chosen)


def _list(spaced: str) -> list[str]:
    return spaced.split()


# -- sentences and noise ----------------------------------------------------------------------

_TERMINATORS = "。！？!?；;…\n"
_SENTENCE = re.compile(rf"(?:[^{_TERMINATORS}.]|\.(?=\w))+[{_TERMINATORS}.]*")
_GREETING = re.compile(
    r"^(?:各位邻居|各位|大家|邻居们|你们|您|你)?(?:晚上好|早上好|下午好|中午好|早|好)[！!，,。.\s~～]+"
)
_FILLER = (
    r"\+\s*\d+|加一|同意|赞成|支持|附议|顶|赞|好的?|行|收到|明白|了解|谢谢|感谢|多谢|辛苦了?|"
    r"哈+|呵+|嗯+|哦+|对的?|是的|没错|同上|大家|各位|邻居们|你好|您好|晚上好|早上好|下午好|"
    r"我也|也|了|啊|呀|哈|吧|啦|呢|的|大家辛苦了|好主意|\d+"
)
_NOISE = re.compile(rf"^(?:(?:{_FILLER})[\W_]*)+$")
_LEADING = re.compile(r"^[\s，,、：:。.！!？?；;]+")


def _visible(ch: str) -> bool:
    # Emoji and pictographs (So), modifier symbols (Sk), variation selectors and joiners
    # (Mn, Cf), controls: not part of what a sentence says.
    return unicodedata.category(ch) not in ("So", "Sk", "Mn", "Cf", "Cc", "Co", "Cs")


def _clean(text: str) -> str:
    text = "".join(ch for ch in text if _visible(ch) or ch == "\n")
    return _LEADING.sub("", re.sub(r"[ \t\u3000]+", " ", text)).strip()


def sentences(text: str) -> list[str]:
    """The sentences of a message as a reader would quote them: emoji and a leading greeting
    removed, noise (see the module docstring) dropped."""
    out: list[str] = []
    for match in _SENTENCE.finditer(text):
        sentence = _clean(_GREETING.sub("", _clean(match.group(0))))
        content = normalize(sentence).replace(" ", "")
        if len(content) >= MIN_CHARS and not _NOISE.match(sentence):
            out.append(sentence)
    return out


# -- stance ---------------------------------------------------------------------------------

_FOR = _list(
    "支持 同意 赞成 赞同 拥护 好主意 好办法 办法好 早就该 早该装 有必要 很有必要 值得 可以接受 能接受 "
    "我接受 没意见 没有意见 没问题 放心 赞成票 投赞成 举双手 越早越好 早装早 比没有强 倾向 愿意"
)
_AGAINST = _list(
    "反对 不同意 不赞成 不支持 担心 担忧 顾虑 就怕 太贵 贵了 不便宜 不公平 不太公平 不合理 没必要 "
    "不需要 不值 浪费 不妥 侵犯 泄露 说不过去 不放心 不接受 接受不了 反对票 投反对 不方便 不够"
)
_LEXICON = sorted(
    [(w, 1) for w in _FOR] + [(w, -1) for w in _AGAINST], key=lambda e: (-len(e[0]), e[0])
)
_NEGATED = re.compile(r"(?:不|没|没有|并不|并没有|不太|不是很|不怎么|别|无须|无需|不用|毫不)$")
# "支持刷卡和手机开门两种方式": what a device can do, not what someone wants.
_FEATURES = re.compile(
    r"支持(?:刷卡|人脸|手机|远程|扫码|指纹|密码|蓝牙|[^，,。；;！!？?]*(?:方式|功能|模式|格式))"
)
_CONTRAST = re.compile(r"(?:但是|但|可是|不过|然而|只是)")
_CLAUSE = re.compile(r"[，,、：:]")


def _polarity(clause: str) -> int:
    clause = _FEATURES.sub(lambda m: "·" * len(m.group(0)), clause)
    taken = [False] * len(clause)
    total = 0
    for word, sign in _LEXICON:
        start = clause.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(word)
                before = _CLAUSE.split(clause[:start])[-1][-3:]
                total += -sign if _NEGATED.search(before) else sign
            start = clause.find(word, end)
    return total


def _is_question(sentence: str) -> bool:
    return sentence.rstrip("。.！!~～ ").endswith(("?", "？", "吗", "么"))


def stance(sentence: str) -> int:
    """+1 for, -1 against, 0 neither or both; questions have no stance."""
    text = unicodedata.normalize("NFKC", sentence).strip()
    if not text or _is_question(text):
        return 0
    parts = _CONTRAST.split(text)
    if len(parts) > 1 and (after := _polarity(parts[-1])):
        return 1 if after > 0 else -1
    total = _polarity(text)
    return (total > 0) - (total < 0)


# -- selection ------------------------------------------------------------------------------

_STANCE_WORDS = frozenset(_FOR + _AGAINST + ["反对", "赞成", "同意", "担心", "觉得", "认为"])
# Words of every discussion, not of its topics.
_SPEECH = frozenset(
    _list(
        """
    觉得 认为 感觉 其实 应该 可能 比较 知道 看看 说 说说 两句 一样 问 问问 一句 时候 以后 之前 怎么样
    还有 另外 直接 只要 就行 还行 这么 那么 反正 毕竟 肯定 到底 最后 确认 补充 刚才 先 再 谁 哪 哪里
    东西 方面 地方 意思 意见 看法 办法 方案 问题 个人 不好意思 下来 起来 出来 进去 一次 每次 每个 每户
    """
    )
)


# Ways of saying the same topic in a deliberation, folded to one word (after segment's own
# synonyms), and amounts of money, which count as 费用.
_TOPIC_FOLD = {
    **dict.fromkeys(
        _list("钱 出钱 掏钱 交钱 分摊 摊 平摊 报价 价格 费 贵 便宜 多少钱 万元 元 块"), "费用"
    ),
    **dict.fromkeys(_list("卡 实体卡 备用卡 临时卡 卡片 办卡 补卡 发卡"), "门禁卡"),
    **dict.fromkeys(_list("骑手 外卖员 送餐 点外卖"), "外卖"),
    **dict.fromkeys(_list("快递员 快递柜 快递架"), "快递"),
    **dict.fromkeys(_list("录像 调看 调取 拍"), "监控"),
    **dict.fromkeys(_list("老人家 老年人 老伴 腿脚"), "老人"),
}
_MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|万|元|块)")


@dataclass(slots=True)
class _Candidate:
    order: int  # position in the thread, for ties and output order
    message: int
    sentence: str
    words: tuple[str, ...]
    pairs: frozenset[str]
    stance: int
    question: bool


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    union = len(a | b)
    return bool(union) and len(a & b) / union >= NEAR_DUPLICATE


def _candidates(messages: Sequence[Message], segmenter: _segment.Segmenter) -> list[_Candidate]:
    domain = segmenter.domain_words
    seen: set[str] = set()
    out: list[_Candidate] = []
    for index, message in enumerate(messages):
        for sentence in sentences(message.text):
            content = normalize(sentence)
            key = content.replace(" ", "")
            if key in seen:
                continue
            seen.add(key)
            folded = [_TOPIC_FOLD.get(w, w) for w in segmenter.tokens(content, normalized=True)]
            if _MONEY.search(content):
                folded.append("费用")
            words = tuple(
                dict.fromkeys(
                    w
                    for w in folded
                    if (len(w) > 1 or w in domain)
                    and not w.isdigit()
                    and w not in _STANCE_WORDS
                    and w not in _SPEECH
                )
            )
            if words:
                out.append(
                    _Candidate(
                        len(out),
                        index,
                        sentence,
                        words,
                        _pairs(key),
                        stance(sentence),
                        _is_question(sentence),
                    )
                )
    return out


def _weights(
    candidates: list[_Candidate], speakers: list[str], domain: frozenset[str]
) -> dict[str, float]:
    frequency = Counter(w for c in candidates for w in c.words)
    users: dict[str, set[str]] = {}
    for c in candidates:
        for w in c.words:
            users.setdefault(w, set()).add(speakers[c.message])
    return {
        w: (n * (DOMAIN_BOOST if w in domain else 1.0) if len(users[w]) > 1 else 0.0)
        for w, n in frequency.items()
    }


def summarize(
    messages: Sequence[Message],
    *,
    max_sentences: int = MAX_SENTENCES,
    max_chars: int = MAX_CHARS,
    max_viewpoints: int = MAX_VIEWPOINTS,
    segmenter: _segment.Segmenter | None = None,
) -> Summary:
    """The summary of ``messages`` (in thread order): at most ``max_sentences`` key points
    and ``max_viewpoints`` viewpoints a side, ``max_chars`` characters in all. See the module
    docstring. The same messages always give the same summary."""
    segmenter = segmenter or _segment.default
    candidates = _candidates(messages, segmenter)
    initial = _weights(candidates, [m.speaker for m in messages], segmenter.domain_words)
    keywords = tuple(sorted(initial, key=lambda w: (-initial[w], w))[:8])
    weight = dict(initial)
    by_speaker: Counter[str] = Counter()
    taken: dict[int, bool] = {}  # order → taken as a viewpoint (True) or a key point (False)
    chars = 0

    def score(c: _Candidate) -> float:
        value = sum(weight[w] for w in c.words) / math.sqrt(len(c.words))
        if len(c.sentence) > LONG:
            value *= LONG / len(c.sentence)
        if c.question:
            value *= QUESTION
        return value * SAME_SPEAKER ** by_speaker[messages[c.message].speaker]

    def fits(c: _Candidate, limit: int) -> bool:
        return (
            c.order not in taken
            and chars + len(c.sentence) <= limit
            and not any(_similar(c.pairs, candidates[o].pairs) for o in taken)
        )

    def take(c: _Candidate, viewpoint: bool) -> None:
        nonlocal chars
        taken[c.order] = viewpoint
        chars += len(c.sentence)
        by_speaker[messages[c.message].speaker] += 1
        for w in c.words:
            weight[w] *= DISCOUNT

    def viewpoints(limit: int) -> None:
        sides = {side: [c for c in candidates if c.stance == side] for side in (1, -1)}
        for _ in range(max_viewpoints):
            for side in (1, -1):
                best = max(
                    (c for c in sides[side] if fits(c, limit)),
                    key=lambda c: (score(c), -c.order),
                    default=None,
                )
                if best is not None:
                    take(best, viewpoint=True)

    def key_points(limit: int) -> None:
        # Lazy greedy: scores only fall as words are discounted, so an entry popped at its
        # current score is the best one left.
        heap = [(-score(c), c.order) for c in candidates if c.order not in taken]
        heapq.heapify(heap)
        points = 0
        while heap and points < max_sentences:
            _, order = heapq.heappop(heap)
            candidate = candidates[order]
            entry = (-score(candidate), order)
            if heap and entry > heap[0]:  # it fell below the next one: look again later
                heapq.heappush(heap, entry)
                continue
            if fits(candidate, limit):
                take(candidate, viewpoint=False)
                points += 1

    key_points(max_chars * 2 // 3)
    # The main viewpoints are the main ones whatever the key points said: weights start again
    # (and fall among the viewpoints, so that three of a side are not one argument thrice).
    weight = dict(initial)
    viewpoints(max_chars)

    chosen = tuple(
        (
            Point(
                speaker=messages[c.message].speaker,
                text=c.sentence,
                at=messages[c.message].at,
                message=c.message,
                order=c.order,
                stance=c.stance,
            ),
            taken[c.order],
        )
        for c in candidates
        if c.order in taken
    )
    return Summary(
        points=tuple(p for p, viewpoint in chosen if not viewpoint),
        pros=tuple(p for p, viewpoint in chosen if viewpoint and p.stance > 0),
        cons=tuple(p for p, viewpoint in chosen if viewpoint and p.stance < 0),
        keywords=keywords,
        messages=len(messages),
        speakers=len({m.speaker for m in messages}),
    )
