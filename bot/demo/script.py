"""What the residents do in the demo month, placed on the cycle's own dates.

Proposals are raised in the days before the first reminder and seconded before and after it,
a duplicate is raised and pointed to the existing one, the agenda freeze is followed by
discussion in each item's thread, the chair opens the first vote at the 协商日, the rule opens
the rest a day later, and the representatives vote. Every step is a coroutine at a moment.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.demo.client import Message, SandboxClient, buttons
from bot.demo.community import DemoCommunity, Resident
from bot.flows.cycle_rules import Cycle, Phase

HOUR = timedelta(hours=1)

# title, proposer, seconders before the first reminder, seconders after it (indexes of residents)
PROPOSALS = (
    ("增设电动车集中充电桩，消除楼道飞线充电隐患", 0, [1, 2, 3], [4, 5]),
    ("7栋单元门安装门禁系统", 6, [7, 8], [9, 10]),
    ("调整垃圾分类定时投放时间到早七点晚八点", 11, [12], [13, 14, 1]),
    ("清理楼道堆物，设置公共杂物间", 3, [15, 16], []),
    ("夜间广场舞音量限制在九点以前", 14, [], [2]),
)
DUPLICATE = ("给小区装电动车充电桩", 9)  # raised by resident 9 after proposal 1 exists
POINTER = "这个和第1号提案是一回事，大家直接去第1号附议吧，票数集中更容易上议程。"
DISCUSSION = (  # per agenda item: (speaker, what they say in the item's thread)
    ((2, "我家支持，费用能不能用公共收益来出？"), (5, "建议先公示报价，再定装在哪。")),
    ((8, "门禁卡要按户发，租户也要有。"), (12, "老人记不住密码，最好能刷卡也能人脸。")),
    ((15, "早上七点太早了，上班族来不及。"), (4, "可以早晚各加半小时，试行三个月。")),
)
OPENING = "大家好，今天的协商日由我主持。先讨论议题1，有意见请回复议题消息。"
BUILDING_CHAT = "大家记得去社区协商群给门禁的提案点附议，差几户就能上议程了。"
# Of every 20 households voting on agenda item 1, 2, 3: how many agree. 18 and 19 do not vote,
# the rest disagree but one abstains, so item 2 (a 60% matter) falls short and 1 and 3 pass.
AGREE_OF_20 = (15, 11, 14)


def choice(resident: int, item: int) -> str | None:
    """How household ``resident`` votes on agenda item ``item`` (0-based); None: not at all."""
    slot = (resident * 7 + item * 3) % 20
    if slot >= 18:
        return None
    if slot < AGREE_OF_20[item % len(AGREE_OF_20)]:
        return "同意"
    return "弃权" if slot == 17 else "不同意"


Step = Callable[[], Awaitable[None]]


@dataclass
class Month:
    """The script's state: what the bot has said that residents respond to."""

    client: SandboxClient
    place: DemoCommunity
    cycle: Cycle
    start: datetime
    log: Callable[[str], None]
    cards: dict[str, Message] = field(default_factory=dict)  # title -> proposal card
    anchors: list[Message] = field(default_factory=list)
    chair: Resident | None = None
    voted: set[int] = field(default_factory=set)  # ballot message ids

    @property
    def group(self) -> int:
        return self.place.group_id

    def who(self, index: int) -> Resident:
        return self.place.residents[index % len(self.place.residents)]

    def steps(self) -> list[tuple[datetime, str, Step]]:
        """Every step with its moment, in order; the last is the end of the month."""
        times = self.cycle.times
        reminder = times[Phase.REMINDER_1]
        found: list[tuple[datetime, str, Step]] = []
        for n, (title, by, before, after) in enumerate(PROPOSALS):
            raised = self.start + HOUR + n * (reminder - self.start - 2 * HOUR) / len(PROPOSALS)
            found.append((raised, f"raise {title}", self._raise(title, by, before)))
            found.append((reminder + (n + 2) * HOUR, f"second {title}", self._second(title, after)))
            if n == 0:
                found.append((raised + 3 * HOUR, "a duplicate", self._duplicate))
            if n == 1:
                found.append((raised + 2 * HOUR, "building chat", self._building_chat))
        freeze = times[Phase.FREEZE]
        found.append((freeze + 2 * HOUR, "discussion", self._discuss))
        deliberation = times[Phase.DELIBERATION]
        found.append((deliberation + HOUR / 2, "the chair opens a vote", self._open_vote))
        found.append((deliberation + 2 * HOUR, "votes", self._vote))
        found.append((times[Phase.VOTE_OPEN] + 2 * HOUR, "votes", self._vote))
        end = max(times[Phase.VOTE_CLOSE], deliberation + 49 * HOUR) + HOUR
        found.append((end, "the month is over", self._done))
        return sorted(found, key=lambda step: step[0])

    async def _say(self, by: Resident, text: str, *, reply_to: int | None = None) -> int:
        return await self.client.send(self.group, by.user_id, text, reply_to=reply_to)

    async def _first_answer(self, by: Resident, text: str) -> Message | None:
        """Say ``text`` in the community group; the bot's first answer to it, if any."""
        after = await self.client.last_id(self.group)
        await self._say(by, text)
        answers = await self.client.bot_messages(self.group, after=after, count=1)
        return answers[0] if answers else None

    def _raise(self, title: str, by: int, seconders: list[int]) -> Step:
        async def step() -> None:
            card = await self._first_answer(self.who(by), f"/propose {title}")
            if card is not None:
                self.cards[title] = card
                self.log(f"{self.who(by).name} raised “{title}”")
            await self._second(title, seconders)()

        return step

    def _second(self, title: str, seconders: list[int]) -> Step:
        async def step() -> None:
            card = self.cards.get(title)
            for index in seconders if card else []:
                label = next((b["text"] for b in buttons(card) if b["text"].startswith("附议")), "")
                await self.client.press(self.group, card, label, self.who(index).user_id)

        return step

    async def _duplicate(self) -> None:
        """The bot offers the similar proposal; a neighbour points to it; the resident seconds
        it instead of creating a twin."""
        title, by = DUPLICATE
        offer = await self._first_answer(self.who(by), f"/propose {title}")
        if offer is None:
            return
        await self._say(self.who(0), POINTER, reply_to=offer["message_id"])
        label = next((b["text"] for b in buttons(offer) if b["text"].startswith("改为附议")), "")
        await self.client.press(self.group, offer, label, self.who(by).user_id)
        self.log(f"{self.who(by).name} raised a duplicate and seconded No. 1 instead")

    async def _building_chat(self) -> None:
        chat = self.place.building_groups.get("7栋")
        living = [r for r in self.place.residents if r.building == "7栋"]
        if chat is not None and living:
            await self.client.send(chat, living[0].user_id, BUILDING_CHAT)

    async def _discuss(self) -> None:
        said = await self.client.until(self.group, _anchors, after=0)
        self.anchors = _anchors(said)
        announcement = next((m for m in said if "本月轮值主席" in m.get("text", "")), None)
        name = re.search(
            r"本月轮值主席：([^\s，。（]+)", announcement["text"] if announcement else ""
        )
        self.chair = next(
            (r for r in self.place.residents if name and r.name == name.group(1)), None
        )
        chair = self.chair.name if self.chair else "nobody"
        self.log(f"agenda frozen: {len(self.anchors)} items, chair {chair}")
        for anchor, lines in zip(self.anchors, DISCUSSION, strict=False):
            for by, text in lines:
                await self._say(self.who(by), text, reply_to=anchor["message_id"])

    async def _open_vote(self) -> None:
        """The chair opens the day, then the vote on the first item (the rule opens the rest)."""
        if not self.anchors or self.chair is None:
            return
        await self._say(self.chair, OPENING)
        number = re.match(r"议题\d+：第(\d+)号", self.anchors[0]["text"]).group(1)
        summary = await self._first_answer(self.chair, f"/vote #{number} | | 过半数")
        if summary is not None:
            await self.client.press(self.group, summary, "发起表决", self.chair.user_id)
            self.log(f"{self.chair.name} opened the vote on No. {number}")

    async def _vote(self) -> None:
        said = await self.client.until(self.group, lambda m: _ballots(m, self.voted), after=0)
        for ballot in _ballots(said, self.voted):
            item = _item_of(ballot, self.anchors)
            for n, resident in enumerate(self.place.residents):
                if (label := choice(n, item)) is not None:
                    await self.client.press(self.group, ballot, label, resident.user_id)
            self.voted.add(ballot["message_id"])
            self.log(f"the representatives voted on agenda item {item + 1}")

    async def _done(self) -> None:
        self.log("the month is over: the results are in 小桃园社区协商群")


def _item_of(ballot: Message, anchors: list[Message]) -> int:
    """The agenda position (0-based) of the proposal a ballot is about."""
    number = re.match(r"第(\d+)号表决", ballot.get("text", ""))
    for position, anchor in enumerate(anchors):
        if number and f"第{number.group(1)}号" in anchor["text"].split("\n")[0]:
            return position
    return 0


def _anchors(said: list[Message]) -> list[Message]:
    return [m for m in said if re.match(r"议题\d+：第\d+号", m.get("text", ""))]


def _ballots(said: list[Message], voted: set[int]) -> list[Message]:
    return [
        m
        for m in said
        if m["message_id"] not in voted and any(b["text"] == "同意" for b in buttons(m))
    ]
