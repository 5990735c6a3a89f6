"""Helpers for the minutes and 公示 tests: building 7 (tests.e2e.test_vote_chat) with a
moderator, a decided proposal, and the clock moved so the sweeps run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select

from storage.models import ChatBinding
from tests import factories
from tests.driver import Chat, User, World
from tests.e2e.test_vote_chat import building_seven


@dataclass
class Decision:
    group: Chat
    people: dict[str, User]
    dms: dict[str, Chat]


async def estate(running, world: World) -> Decision:
    """Building 7's group, its chair, residents, supervisor and a moderator (not in the group),
    each with a private chat open."""
    group, chair, wang, li, son, outsider, supervisor = await building_seven(running, world)
    moderator = await world.user("陈主持")
    db = running.app.db
    moderator_id = await factories.member(db, moderator.id, "陈主持")
    async with db.session() as s:
        binding = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == group.id))
    await factories.grant(
        db, factories.Place(binding.community_id, 0, {}), moderator_id, "moderator"
    )
    people = {
        "chair": chair,
        "wang": wang,
        "li": li,
        "son": son,
        "outsider": outsider,
        "supervisor": supervisor,
        "moderator": moderator,
    }
    dms = {key: await user.private_chat() for key, user in people.items()}
    return Decision(group, people, dms)


async def tick(world: World, seconds: float = 1) -> None:
    """Move the virtual clock on: the sweeps due meanwhile run."""
    await world.call("POST", "/clock", json={"advance": seconds})


async def decide(d: Decision, title: str, number: int, vote_id: int, *, yes=("wang", "li")) -> None:
    """Raise proposal ``title`` (No. ``number``), vote on it and close vote ``vote_id``."""
    group, p = d.group, d.people
    await group.send(f"/propose {title}", by=p["wang"])
    await group.wait_bot_messages(1)
    await group.send(f"/vote #{number} | | 多数 | 48小时 | 记名", by=p["chair"])
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=p["chair"])
    [ballot] = await group.wait_bot_messages(1)
    for who in yes:
        await group.press(ballot, "同意", by=p[who])
    await group.send(f"/closevote {vote_id}", by=p["chair"])
    await group.wait_bot_messages(2)  # the result and its chart


async def skip(chat: Chat) -> None:
    """Move the chat's cursor past everything said so far."""
    said = await chat.transcript()
    chat.cursor = said[-1]["message_id"] if said else 0


ONE_WEEK = timedelta(days=7)
