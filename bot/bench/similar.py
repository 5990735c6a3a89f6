"""Similar-proposal lookups among N generated proposals, vs one jieba.lcut of the query.

Proposals come from realistic templates: 30 buildings written every way residents write them
(7栋, 七栋, 7号楼, 七幢, 7#楼), a few dozen topics with several phrasings each, politeness,
emoji and punctuation. Lookups are ``SimilarityIndex.similar`` for fresh paraphrases (query
normalisation and segmentation included). The baseline is ``lcut`` of the same query with the
same tokenizer, so ``ratio`` is comparable between machines. ``median_after_add_ms`` times
lookups that each follow an add (the live pattern: the idf changed, candidates' norms are
recomputed). jieba's load time and memory
are measured in a fresh interpreter (import + dictionary + community dictionary).
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from bot.text import segment
from bot.text.similar import SimilarityIndex

_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def _building(rng: random.Random, n: int) -> str:
    return rng.choice(
        [f"{n}栋", f"{_cn(n)}栋", f"{n}号楼", f"{_cn(n)}号楼", f"{_cn(n)}幢", f"{n}#楼"]
    )


def _unit(rng: random.Random, n: int) -> str:
    return rng.choice([f"{n}单元", f"{_cn(n)}单元"])


# {b}: a building; {u}: a unit. Topics without {b} are community-wide.
TOPICS: dict[str, list[str]] = {
    "door": [
        "{b}装门禁",
        "{b}安装门禁系统",
        "给{b}装个门禁吧",
        "{b}单元门换人脸识别门禁",
        "{b}门禁坏了要修",
    ],
    "charger": [
        "增加电动车充电桩",
        "{b}楼下装充电桩",
        "多装几个电瓶车充电桩",
        "车棚里安装充电桩，杜绝飞线充电",
    ],
    "clutter": ["{b}楼道堆物清理", "{b}{u}楼道杂物请物业清走", "清理{b}楼道里堆放的杂物"],
    "sorting": ["垃圾分类投放时间调整", "垃圾分类时间能不能改到晚上", "垃圾分类桶站加装洗手池"],
    "dance": [
        "广场舞音量太大",
        "晚上跳广场舞声音太吵",
        "广场舞音响音量调小一点",
        "广场舞时间改到晚上八点前",
    ],
    "parking": ["停车位重新划线", "地面车位划线", "停车位太少了", "{b}门口乱停车"],
    "light": ["{b}楼道灯坏了", "{b}{u}楼道灯不亮", "{b}门口路灯不亮", "修一下{b}的声控灯"],
    "lift": ["{b}电梯经常坏要维修", "{b}{u}电梯困人", "{b}申请加装电梯", "{b}加装电梯费用分摊"],
    "leak": ["{b}{u}楼顶漏水", "{b}楼顶渗水要修", "{b}地下室积水"],
    "camera": ["东门口装监控摄像头", "小区东门增加监控", "{b}电梯里装监控"],
    "parcel": ["增设快递柜", "快递柜放到北门", "快递乱堆在门口"],
    "dog": ["遛狗不牵绳", "草坪上狗粪没人清理", "遛狗请牵绳"],
    "throw": ["高空抛物", "{b}高空抛物要查", "严禁高空抛物，建议装监控"],
    "green": ["绿化带修剪", "绿化带的树挡住窗户", "绿化带被改成停车位"],
    "transfer": ["小区要建垃圾中转站", "反对在小区建垃圾中转站", "垃圾中转站搬走"],
    "fire": ["消防通道被私家车占用", "消防通道乱停车", "{b}消防栓没水"],
    "fee": ["物业费收支公示", "公开物业费账目", "停车费收入去向公示"],
    "fund": ["维修基金使用公示", "{b}动用维修基金修外墙", "公共收益账目公开"],
    "election": ["业委会换届选举", "尽快组织业委会换届", "选举新楼长", "{b}推选楼栋长"],
    "sewage": ["化粪池堵了", "{b}化粪池堵塞需要清理", "{b}下水道返味"],
    "playground": ["儿童游乐设施维修", "儿童游乐设施坏了没人修", "健身器材坏了"],
    "renovation": ["楼上装修噪音太大", "{b}装修周末也施工", "装修垃圾乱堆"],
    "rental": ["群租房安全隐患", "{b}{u}群租整治"],
    "stall": ["小区门口摆摊占道", "北门早市占道"],
    "drying": ["楼前空地装晾衣架", "{b}楼下晾晒被子的地方"],
    "water": ["{b}水压太低", "{b}停水没通知", "二次供水水箱清洗"],
}
_PREFIXES = ["", "", "", "建议", "希望", "关于", "请物业", "麻烦", "提议", "能不能"]
_SUFFIXES = ["", "", "", "吧", "！", "！！", "，大家附议一下", "🙏", "。谢谢", "😡", "？"]


@dataclass(frozen=True)
class Proposal:
    text: str
    topic: str
    building: int | None


def generate(count: int, seed: int = 5) -> list[Proposal]:
    """``count`` proposal titles; deterministic for a seed."""
    rng = random.Random(seed)
    topics = sorted(TOPICS)
    out: list[Proposal] = []
    for _ in range(count):
        topic = rng.choice(topics)
        template = rng.choice(TOPICS[topic])
        number = rng.randint(1, 30) if "{b}" in template else None
        body = template.format(
            b=_building(rng, number) if number else "", u=_unit(rng, rng.randint(1, 4))
        )
        out.append(Proposal(rng.choice(_PREFIXES) + body + rng.choice(_SUFFIXES), topic, number))
    return out


_LOAD_PROBE = """
import json, resource, time
started = time.perf_counter()
from bot.text import segment
segment.default.ensure_loaded()
print(json.dumps({"load_s": segment.default.load_seconds,
                  "total_s": time.perf_counter() - started,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def jieba_load_in_fresh_process() -> dict[str, float]:
    """import jieba + dictionary + community dictionary, in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(proposals: int = 10000, queries: int = 500) -> dict[str, object]:
    proposals, queries = max(0, proposals), max(1, queries)
    fresh = jieba_load_in_fresh_process()
    seg = segment.default
    seg.ensure_loaded()

    corpus = generate(proposals, seed=5)
    asked = generate(queries, seed=6)
    index = SimilarityIndex(seg)
    started = time.perf_counter()
    for number, proposal in enumerate(corpus, start=1):
        index.add(number, proposal.text)
    build_s = time.perf_counter() - started

    index.similar(asked[0].text)  # norms are computed once after the build
    lookups: list[float] = []
    found = 0
    for query in asked:
        started = time.perf_counter()
        matches = index.similar(query.text, k=3)
        lookups.append((time.perf_counter() - started) * 1000)
        if matches:
            best = corpus[int(matches[0].id) - 1]
            found += best.topic == query.topic and best.building == query.building

    # The live pattern: a proposal is added, the next one is looked up. Each add changes the
    # idf, so the next lookup recomputes the norms of its candidates.
    after_add: list[float] = []
    for number, query in enumerate(asked[: max(1, len(asked) // 5)], start=len(corpus) + 1):
        index.add(number, query.text)
        started = time.perf_counter()
        index.similar(query.text, k=3)
        after_add.append((time.perf_counter() - started) * 1000)

    lcut = seg._tokenizer.lcut  # the baseline: one plain jieba cut of the same query
    cuts: list[float] = []
    for query in asked:
        started = time.perf_counter()
        lcut(query.text)
        cuts.append((time.perf_counter() - started) * 1000)

    median_ms = statistics.median(lookups)
    lcut_ms = statistics.median(cuts)
    return {
        "bench": "similar",
        "proposals": proposals,
        "queries": queries,
        "median_ms": round(median_ms, 3),
        "p99_ms": round(_percentile(lookups, 0.99), 3),
        "median_after_add_ms": round(statistics.median(after_add), 3),
        "lcut_median_ms": round(lcut_ms, 4),
        "ratio": round(median_ms / lcut_ms, 1) if lcut_ms else None,
        "top1_same_topic_and_building": round(found / len(asked), 3),
        "jieba_load_s": round(fresh["load_s"], 3),
        "jieba_rss_mb": round(fresh["rss_mb"], 1),
        "index_build_s": round(build_s, 3),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
