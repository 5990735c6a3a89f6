"""Minutes of a long thread: summary + minutes drafted and rendered for N generated messages.

Messages come from templates about an item like 7栋安装门禁系统 — cost, cards for the elderly,
delivery riders, cameras, the property company — said by residents named by room, with the
noise of a real group: +1, 👍, thanks, reposts, off-topic chat. ``seconds`` times
``minutes.draft`` (sentence splitting, jieba, weighting, selection) plus rendering the chat
message and the printable HTML; jieba's one-time load (import + dictionaries) is measured
before and reported on its own as ``jieba_load_s``.
"""

from __future__ import annotations

import random
import resource
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from bot import render
from bot.flows import minutes, minutes_document
from bot.flows import vote_rules as rules
from bot.text import segment
from bot.text.summary import Message

_TEMPLATES = [
    "{b}装门禁一套要{n}万，一户摊{m}块，{feel}",
    "我觉得费用应该按面积分摊，一楼{feel}",
    "公共收益能出{n}万的话，剩下的每户再摊，我可以接受。",
    "老人不会用人脸识别，给老人多办一张门禁卡吧。",
    "我家老人八十多了，卡丢了补办要不要钱？",
    "外卖骑手进不来怎么办？能不能用一次性密码？",
    "快递员每天进出好多趟，呼叫到户开门比较方便。",
    "摄像头不能对着住户家门，录像保存{d}天，调看要登记。",
    "人脸数据谁保管？万一泄露了怎么办，我担心隐私。",
    "门禁坏了物业要{h}小时内上门修，维护费从公共收益出。",
    "物业费里已经包含公共设施维护，新增设备的维护费{feel}",
    "支持装门禁，上个月楼道里又丢了{k}辆电动车。",
    "我反对人脸识别方案，先装刷卡加手机开门就行。",
    "施工期间单元门要有人看着，尽量白天施工。",
    "租户办卡要房东同意，租期结束卡片注销。",
    "建议至少找三家公司报价，价格和售后都要比。",
]
_FEELINGS = ["太贵了。", "我同意。", "我没意见。", "不太公平。", "可以接受。", "要再商量。"]
_NOISE = ["+1", "👍", "同意", "顶", "收到", "辛苦了👍", "哈哈哈", "好的"]
_OFF_TOPIC = [
    "谁家的猫在楼道里叫，晚上吵得睡不着。",
    "今天晚上有人拼团买水果吗？",
    "下雨了，大家收衣服啊。",
    "楼下共享单车堵在单元门口了。",
]


def _room(rng: random.Random) -> str:
    return f"7-{rng.randint(1, 3)}-{rng.randint(1, 18)}0{rng.randint(1, 2)}"


def generate(count: int, seed: int = 8) -> list[Message]:
    """``count`` messages of one thread; deterministic for a seed."""
    rng = random.Random(seed)
    speakers = sorted({_room(rng) for _ in range(60)}) + ["物业李经理", "网格员小陈", "王芳"]
    at = datetime(2025, 6, 11, 11, 30, tzinfo=UTC)
    out: list[Message] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.15:
            text = rng.choice(_NOISE)
        elif roll < 0.2:
            text = rng.choice(_OFF_TOPIC)
        elif roll < 0.25 and out:
            text = out[-1].text  # a repost
        else:
            text = rng.choice(_TEMPLATES).format(
                b=rng.choice(["7栋", "七栋", "7号楼"]),
                n=rng.choice([3, 5.2, 6.3, 8.6]),
                m=rng.choice([280, 300, 500, 800]),
                d=rng.choice([7, 30, 90]),
                h=rng.choice([12, 24, 48]),
                k=rng.randint(1, 5),
                feel=rng.choice(_FEELINGS),
            )
        at += timedelta(seconds=rng.randint(5, 120))
        out.append(Message(rng.choice(speakers), text, at))
    return out


def run(messages: int = 5000) -> dict[str, object]:
    messages = max(1, messages)
    thread = generate(messages)
    seg = segment.default
    seg.ensure_loaded()  # once per process: reported, not timed with the minutes

    rule = rules.share_of_eligible(Fraction(2, 3), rules.AT_LEAST)
    counts = (81, 12, 5)
    vote = minutes.VoteTally(
        ("同意", "反对", "弃权"), counts, rule, rules.evaluate(counts, 108, rule, rules.APPROVAL)
    )
    started = time.perf_counter()
    drafted = minutes.draft(
        title="7栋安装门禁系统",
        proposer="7-2-201",
        chair="王芳",
        held_at=thread[0].at,
        timezone="Asia/Shanghai",
        thread=thread,
        vote=vote,
    )
    chunks = render.message("zh_CN", minutes.paragraphs(drafted)).chunks
    document = minutes_document.html_document(drafted, "zh_CN")
    seconds = time.perf_counter() - started
    return {
        "bench": "minutes",
        "messages": messages,
        "sentences": len(drafted.summary.chosen),
        "summary_chars": drafted.summary.chars,
        "chat_messages": len(chunks),
        "document_chars": len(document),
        "seconds": round(seconds, 3),
        "jieba_load_s": round(seg.load_seconds or 0.0, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
