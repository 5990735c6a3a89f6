"""A small community for the membership tests: building 7 with a few households, a grid worker.

Set-up and import are other areas' subjects, so the estate is arranged directly in storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from storage.engine import Database
from storage.models import AuditEvent, ChatBinding, JoinRequest, Member
from tests import factories
from tests.driver import Chat, World
from tests.factories import Place


@dataclass
class Estate:
    db: Database
    world: World
    place: Place
    worker_id: int
    worker_dm: Chat
    households: dict[str, int] = field(default_factory=dict)


async def estate(db: Database, world: World, *, worker_language: str = "zh-hans") -> Estate:
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "1栋")
    await factories.building(db, place, "第一网格", "7栋")
    await factories.building(db, place, "第二网格", "12栋")
    homes = {
        "7-1-101": await factories.household(
            db,
            place,
            "7栋",
            "7-1-101",
            unit="1单元",
            room="101",
            representative_name="王建国",
            phone_tail="1234",
        ),
        "7-2-101": await factories.household(
            db, place, "7栋", "7-2-101", unit="2单元", room="101", phone_tail="5678"
        ),
        "7-1-102": await factories.household(db, place, "7栋", "7-1-102", unit="1单元", room="102"),
        "12-1-101": await factories.household(
            db, place, "12栋", "12-1-101", room="101", phone_tail="4321"
        ),
    }
    worker = await world.user("李网格", language_code=worker_language)
    worker_id = await factories.member(db, worker.id, "李网格")
    await factories.grant(db, place, worker_id, "grid_worker", place.grids["第一网格"])
    return Estate(db, world, place, worker_id, await worker.private_chat(), homes)


async def bind_group(db: Database, place: Place, chat: Chat, scope_id: int) -> None:
    async with db.write() as s:
        s.add(
            ChatBinding(
                chat_id=chat.id, community_id=place.community_id, scope_id=scope_id, title="群"
            )
        )


async def member_row(db: Database, tg_user_id: int) -> Member | None:
    async with db.session() as s:
        return await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))


async def requests(db: Database) -> list[JoinRequest]:
    async with db.session() as s:
        return list((await s.scalars(select(JoinRequest).order_by(JoinRequest.id))).all())


async def audit_actions(db: Database) -> list[str]:
    async with db.session() as s:
        return list((await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all())


async def ask_to_join(dm: Chat, building: str, room: str, digits: str) -> list[dict]:
    """Walk /join to the end: choose the building, type the room and the digits.

    Returns the bot's answer to the digits."""
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    await dm.press(ask, building)
    await dm.send(room)
    await dm.wait_bot_messages(1)
    await dm.send(digits)
    return await dm.wait_bot_messages(1)
