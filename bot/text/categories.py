"""三事分流 and the 4335 areas: a suggested category for a proposal, with the words behind it.

``suggest(text)`` scores keyword rules over the proposal's jieba words (synonyms folded) and a
few phrase patterns over its normalised text:

- kind: ``"small"`` 小事 (residents decide; the default), ``"big"`` 大事 (to the government
  side: new facilities, planning, utilities, demolition…), ``"private"`` 私事 (the household's
  own: 我家…, disputes between neighbours; answered, never voted).
- area (4335): ``"development"`` 发展, ``"management"`` 管理 (the default),
  ``"supervision"`` 监督, ``"election"`` 选举.
- scope_hint: 小事不出网格、大事不出社区: ``"building"`` when a building is named and the
  matter is small, ``"community"`` for big matters and community-wide ones (小区, 大门…),
  else ``"grid"``; ``None`` for private matters.

Codes only: the caller translates them. A grid worker or moderator confirms or changes the
suggestion; the words explain it to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import segment as _segment
from bot.text.normalize import BUILDING_RE, normalize

__all__ = ["AREAS", "KINDS", "SCOPES", "Suggestion", "suggest"]

KINDS = ("small", "big", "private")
AREAS = ("development", "management", "supervision", "election")
SCOPES = ("building", "grid", "community")


def _table(spec: str) -> dict[str, float]:
    """Lines of "词 词 …: weight" → {word: weight}."""
    table: dict[str, float] = {}
    for line in spec.strip().splitlines():
        words, weight = line.rsplit(":", 1)
        for word in words.split():
            table[word] = float(weight)
    return table


_KIND_WORDS = {
    "private": _table(
        """
        我家 自家 家里 家中 屋里 室内 户内 私人 个人: 2
        邻居 纠纷 房东 租客 押金 赔偿 不让 不同意 不配合 不肯: 1
        """
    ),
    "big": _table(
        """
        垃圾中转站 中转站 变电站 基站 信号塔 公交站 拆迁 征收 规划 市政 政府 公交 地铁 学校 幼儿园 医院: 2
        老旧小区 雨污分流 管网 燃气 供暖 自来水 道路 马路 红绿灯 工地 违建 违章搭建 城管 街道: 1.5
        建 改造 施工: 1
        """
    ),
    "small": _table(
        """
        楼道 楼道灯 声控灯 路灯 堆物 停车位 划线 充电桩 门禁 单元门 广场舞 音量 垃圾分类 垃圾桶: 1
        绿化带 修剪 遛狗 牵绳 狗粪 健身器材 游乐设施 快递柜 监控 晾衣架 晾晒 消防通道 高空抛物: 1
        电动车 车棚 卫生 保洁 噪音 化粪池 下水道 电梯 加装电梯 外墙 楼顶 积水 占用 摆摊 群租: 1
        漏水 修 坏 清理 物业: 0.5
        """
    ),
}
# Phrases a word list would miss: (pattern over the normalised text, kind, weight).
_KIND_PHRASES: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(r"(?:我|我们|俺|自己|咱)家"), "private", 2.0),
    (re.compile(r"楼[上下](?:邻居|的|那家|住户)?(?:不让|不同意|不配合|不肯|不给)"), "private", 1.0),
    (re.compile(r"\d+室"), "private", 1.0),
]

_AREA_WORDS = {
    "election": _table(
        """
        选举 换届 换届选举 候选人 罢免 推选 选 选出 投票 竞选: 3
        楼长 楼栋长 户代表 监事 业委会 业主大会: 1.5
        """
    ),
    "supervision": _table(
        """
        监督 审计 账目 收支 公示 维修基金 公共收益 乱收费 去向 不作为 偷工减料: 2
        物业费 停车费 收费 费用 明细 投诉 没人管 违规 质量 进度 落实: 1.5
        """
    ),
    "development": _table(
        """
        规划 改造 加装电梯 新建 养老 托育 就业 食堂 文化 图书室 老年 活动室: 2
        建 充电桩 快递柜 中转站 垃圾中转站 增加 晾衣架 健身器材 游乐设施 活动: 1.5
        装: 0.5
        """
    ),
    "management": _table(
        """
        停车 停车位 划线 堆物 卫生 保洁 垃圾分类 噪音 广场舞 音量 遛狗 牵绳 狗粪 高空抛物: 1.5
        消防通道 群租 占用 摆摊 秩序 安全 门禁 监控 楼道灯 路灯 声控灯 漏水 积水 化粪池: 1
        下水道 电梯 物业 保安 修 坏 清理 绿化带 修剪 电动车 晾晒: 1
        """
    ),
}

# Scope cues (besides a named building, which means "building").
_COMMUNITY_CUES = frozenset(_table("小区 社区 全小区 整个 大门 东门 西门 南门 北门 广场 全体: 1"))
_GRID_CUES = frozenset(_table("网格 片区 周边 附近 几栋: 1"))


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # "small" | "big" | "private"
    kind_words: list[str]
    area: str  # "development" | "management" | "supervision" | "election"
    area_words: list[str]
    scope_hint: str | None  # "building" | "grid" | "community" | None (private)
    scope_words: list[str] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)  # named buildings, e.g. ["7栋"]


def _score(
    words: list[str], table: dict[str, dict[str, float]]
) -> tuple[dict[str, float], dict[str, list[str]]]:
    scores = {name: 0.0 for name in table}
    found: dict[str, list[str]] = {name: [] for name in table}
    for word in words:
        for name, weights in table.items():
            weight = weights.get(word)
            if weight and word not in found[name]:
                scores[name] += weight
                found[name].append(word)
    return scores, found


def _best(scores: dict[str, float], order: tuple[str, ...], default: str) -> str:
    best = max(scores.values())
    if best <= 0:
        return default
    # Ties go to the first in ``order`` (the default first: the cautious choice).
    return next(name for name in order if scores[name] == best)


def suggest(text: str, segmenter: _segment.Segmenter | None = None) -> Suggestion:
    """Suggested 三事分流 kind, 4335 area and scope of a proposal, with the words behind them."""
    segmenter = segmenter or _segment.default
    normalized = normalize(text)
    raw = segmenter.words(normalized, normalized=True)
    folded = segmenter.tokens(normalized, normalized=True)
    words: list[str] = []
    for word in [*raw, *folded]:
        if word not in words:
            words.append(word)

    kind_scores, kind_found = _score(words, _KIND_WORDS)
    for pattern, kind, weight in _KIND_PHRASES:
        for match in pattern.finditer(normalized):
            phrase = match.group(0)
            # 楼下不让 adds nothing when 不让 already counted (and 我家 nothing twice).
            if not any(w in phrase or phrase in w for w in kind_found[kind]):
                kind_scores[kind] += weight
                kind_found[kind].append(phrase)
    kind = _best(kind_scores, ("small", "private", "big"), "small")
    # A private matter needs a private cue, not just the absence of public ones.
    if kind == "private" and kind_scores["private"] < 2:
        kind = "small" if kind_scores["small"] >= kind_scores["big"] else "big"

    area_scores, area_found = _score(words, _AREA_WORDS)
    area = _best(
        area_scores, ("management", "development", "supervision", "election"), "management"
    )

    buildings = [w for w in words if BUILDING_RE.fullmatch(w)]
    community_words = [w for w in words if w in _COMMUNITY_CUES]
    grid_words = [w for w in words if w in _GRID_CUES]
    scope_words: list[str]
    if kind == "private":
        scope, scope_words = None, []
    elif kind == "big":
        scope, scope_words = "community", community_words or kind_found["big"]
    elif buildings:
        scope, scope_words = "building", buildings
    elif community_words:
        scope, scope_words = "community", community_words
    else:
        scope, scope_words = "grid", grid_words

    return Suggestion(
        kind=kind,
        kind_words=kind_found[kind],
        area=area,
        area_words=area_found[area],
        scope_hint=scope,
        scope_words=scope_words,
        buildings=buildings,
    )
