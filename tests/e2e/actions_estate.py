"""The estate of the 督办 and 测评 tests: building 7 of 第一网格 with four households, its group
and the grid's group, staff of every kind, and a decided vote (taken through the chat)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import ChatBinding, Publicity
from tests import factories
from tests.driver import Chat, Message, User, World
from tests.e2e.cycle_estate import move_to

ADD = "/action add 1 更换7栋单元门禁 | 物业公司 (负责人 张经理) | {due}"


@dataclass
class Estate:
    place: factories.Place
    building_group: Chat
    grid_group: Chat
    people: dict[str, User]
    households: dict[str, int]
    vote_scope: int


async def estate(running, world: World) -> Estate:
    """7-1-101 王芳 (and her son 王小明), 7-1-102 李强, 7-1-104 张经理 of the property company;
    7-1-103 has nobody the bot knows. 主席 chairs, 网格员 works 第一网格, 陈主持 moderates,
    监事 supervises; 外人 is in the group unverified. 7栋业主群 is bound to 7栋, 第一网格群 to
    the grid: one scope up."""
    db = running.app.db
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "7栋")
    households = {}
    for room in ("101", "102", "103", "104"):
        code = f"7-1-{room}"
        households[code] = await factories.household(db, place, "7栋", code, room=room)
    people: dict[str, User] = {}
    for key, name, code, representative in (
        ("wang", "王芳", "7-1-101", True),
        ("son", "王小明", "7-1-101", False),
        ("li", "李强", "7-1-102", True),
        ("zhang", "张经理", "7-1-104", True),
    ):
        people[key] = await world.user(name)
        await factories.member(
            db, people[key].id, name, household_id=households[code], representative=representative
        )
    for key, name, role in (
        ("chair", "主席", "chair"),
        ("worker", "网格员", "grid_worker"),
        ("moderator", "陈主持", "moderator"),
        ("supervisor", "监事", "supervisor"),
    ):
        people[key] = await world.user(name)
        member_id = await factories.member(db, people[key].id, name)
        scope = place.grids["第一网格"] if role == "grid_worker" else None
        await factories.grant(db, place, member_id, role, scope)
    people["outsider"] = await world.user("外人")
    building_group = await world.group("7栋业主群", list(people.values()), supergroup=True)
    grid_group = await world.group("第一网格群", list(people.values()))
    async with db.write() as s:
        for chat, scope_id, title in (
            (building_group, place.buildings["7栋"], "7栋业主群"),
            (grid_group, place.grids["第一网格"], "第一网格群"),
        ):
            s.add(
                ChatBinding(
                    chat_id=chat.id,
                    community_id=place.community_id,
                    scope_id=scope_id,
                    title=title,
                )
            )
    return Estate(place, building_group, grid_group, people, households, place.buildings["7栋"])


async def decided_vote(estate: Estate, *, passing: bool = True) -> None:
    """Vote 1 in 7栋业主群, opened and closed by the chair: three of four households agree (or
    only one, when ``passing`` is False)."""
    group, people = estate.building_group, estate.people
    await group.send(
        "/vote 更换7栋单元门禁 | 同意/不同意/弃权 | 过半数 | 48小时", by=people["chair"]
    )
    summary = await said(group, "确认发起以下表决")
    await group.press(summary, "发起表决", by=people["chair"])
    ballot = await said(group, "第1号表决")
    voters = ("wang", "li", "zhang") if passing else ("wang",)
    for key in voters:
        await group.press(ballot, "同意", by=people[key])
    await group.send("/closevote 1", by=people["chair"])
    await said(group, "第1号表决结果")
    while not (await group.wait_bot_messages(1))[0].get("photo"):
        pass  # the result's chart comes last


async def final_publicity(running, estate: Estate, vote_id: int, at: datetime) -> None:
    """Operator set-up: the decision's 公示 ended with no upheld objection (the minutes and
    publicity flow writes this row in real life; it is not what these tests are about)."""
    async with running.app.db.write() as s:
        s.add(
            Publicity(
                community_id=estate.place.community_id,
                vote_id=vote_id,
                scope_id=estate.vote_scope,
                starts_at=at,
                ends_at=at,
                status="final",
                ended_at=at,
            )
        )


async def started(running, estate: Estate, due: str = "+14d") -> None:
    """Item #1 of vote 1 (``ADD``, by the chair), its decision final, the sweep run: open."""
    group = estate.building_group
    await ask(group, ADD.format(due=due), estate.people["chair"], "督办")
    now = running.app.clock.now()
    await final_publicity(running, estate, 1, now)
    await move_to(running.world, now, timedelta(minutes=1))
    await said(group, "督办#1已开始")


async def said(chat: Chat, needle: str, within: float = 10) -> Message:
    """The bot's next message here containing ``needle``, skipping others (minutes, notices…)."""
    while True:
        [message] = await chat.wait_bot_messages(1, within=within)
        if "text" in message and needle in message["text"]:
            return message


async def ask(chat: Chat, text: str, by: User, needle: str = "") -> str:
    """Send ``text`` as ``by``; the text of the bot's next message containing ``needle``."""
    await chat.send(text, by=by)
    return (await said(chat, needle))["text"]
