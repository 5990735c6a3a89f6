"""A community with residents of several buildings and its group, for the proposal tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from storage.models import ChatBinding, Community
from tests import factories
from tests.driver import Chat, Message, User, World

BUILDINGS = ("1栋", "3栋", "5栋", "7栋")


@dataclass
class Estate:
    place: factories.Place
    group: Chat
    people: dict[str, User]  # by role in the story: see ``estate``
    households: dict[str, int]  # code -> id


async def estate(
    running, world: World, *, language: str = "zh-hans", forum: bool = False
) -> Estate:
    """小桃园: residents of 1栋, 3栋, 5栋 and 7栋 (王芳 and her son share 7-1-101), an unverified
    newcomer, a moderator; the community group bound to the community's root scope."""
    db = running.app.db
    place = await factories.community(db)
    if language == "en":  # proposal messages in a group speak the community's language
        async with db.write() as s:
            (await s.get(Community, place.community_id)).language = "en"
    for name in BUILDINGS:
        await factories.building(db, place, "第一网格", name)
    households = {}
    for building in BUILDINGS:
        number = building.removesuffix("栋")
        for room in ("101", "102"):
            code = f"{number}-1-{room}"
            households[code] = await factories.household(db, place, building, code, room=room)
    names = {
        "wang": ("王芳", "7-1-101"),
        "son": ("王小明", "7-1-101"),
        "li": ("李强", "7-1-102"),
        "zhao": ("赵敏", "1-1-101"),
        "qian": ("钱进", "1-1-102"),
        "sun": ("孙丽", "3-1-101"),
        "zhou": ("周涛", "5-1-101"),
        "wu": ("吴刚", "5-1-102"),
        "newcomer": ("新住户", None),
        "moderator": ("陈主持", None),
    }
    people: dict[str, User] = {}
    for key, (name, code) in names.items():
        user = await world.user(name, language_code=language)
        people[key] = user
        if code is not None:
            household_id = households[code]
            await factories.member(
                db, user.id, name, household_id=household_id, representative=key != "son"
            )
    moderator_id = await factories.member(db, people["moderator"].id, "陈主持")
    await factories.grant(db, place, moderator_id, "moderator")
    group = await world.group("小桃园社区群", list(people.values()), forum=forum)
    async with db.write() as s:
        s.add(
            ChatBinding(
                chat_id=group.id,
                community_id=place.community_id,
                scope_id=place.root_id,
                title="小桃园社区群",
                has_topics=forum,
            )
        )
    return Estate(place, group, people, households)


async def eventually(
    chat: Chat, message_id: int, check: Callable[[Message], bool], within: float = 8.0
) -> Message:
    """The message once ``check`` holds: edits are throttled, so they land a little later."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        message = await chat.message(message_id)
        if check(message) or asyncio.get_running_loop().time() > deadline:
            assert check(message), f"message {message_id} never became as expected: {message}"
            return message
        await asyncio.sleep(0.1)
