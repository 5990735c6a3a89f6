"""The in-memory directory answers as the database would, and reloads after every write.

A stale copy would let someone keep a role after it was revoked, or refuse a newly verified
representative's vote, so each kind of write the registry sees is checked here.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlmodel import select

from bot.flows import standing
from bot.flows.directory import Directory
from bot.flows.policy import Role
from bot.handlers.dialog_storage import DatabaseStorage
from storage.engine import Database
from storage.models import ChatBinding, Delegation, Member, RoleGrant
from tests import factories

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def estate(db):
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "7栋")
    home = await factories.household(db, place, "7栋", "7-1-101")
    rep = await factories.member(db, 1001, "王芳", household_id=home, representative=True)
    return place, home, rep


def roles(held) -> set[Role]:
    return {grant.role for grant in held.grants}


async def from_db(db: Database, tg_user_id: int, community_id: int):
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        return await standing.load(session, member, community_id, NOW)


async def from_directory(directory: Directory, tg_user_id: int, community_id: int):
    copy = await directory.community(community_id)
    return copy.standing(copy.members[tg_user_id], NOW)


async def test_writes_bump_the_tables_version_and_reads_do_not(db, estate):
    before = db.changes.version(["member"])
    async with db.session() as session:
        await session.scalars(select(Member))
    assert db.changes.version(["member"]) == before
    async with db.write() as session:
        member = await session.scalar(select(Member).where(Member.tg_user_id == 1001))
        member.language = "en"
        session.add(member)
        await session.flush()
        during = db.changes.version(["member"])
    after = db.changes.version(["member"])
    assert before < during < after  # once when written, again once committed
    assert db.changes.version(["household"]) == db.changes.version(["household"])


async def test_standing_from_the_directory_equals_the_database(db, estate):
    place, home, rep = estate
    directory = Directory(db, max_age=60)
    assert await from_directory(directory, 1001, place.community_id) == await from_db(
        db, 1001, place.community_id
    )
    assert roles(await from_directory(directory, 1001, place.community_id)) == {
        Role.RESIDENT,
        Role.REPRESENTATIVE,
    }


async def test_a_grant_and_its_revocation_are_seen_at_once(db, estate):
    place, home, rep = estate
    directory = Directory(db, max_age=60)
    assert Role.MODERATOR not in roles(await from_directory(directory, 1001, place.community_id))
    await factories.grant(db, place, rep, "moderator")
    assert Role.MODERATOR in roles(await from_directory(directory, 1001, place.community_id))
    async with db.write() as session:
        row = await session.scalar(select(RoleGrant).where(RoleGrant.member_id == rep))
        row.revoked_at = NOW
        session.add(row)
    assert Role.MODERATOR not in roles(await from_directory(directory, 1001, place.community_id))


async def test_a_delegation_moves_the_vote_only_while_it_runs(db, estate):
    place, home, rep = estate
    delegate = await factories.member(db, 1002, "李强", household_id=home)
    directory = Directory(db, max_age=60)
    async with db.write() as session:
        session.add(
            Delegation(
                household_id=home,
                from_member_id=rep,
                to_member_id=delegate,
                starts_at=NOW - timedelta(days=1),
                ends_at=NOW + timedelta(days=1),
            )
        )
    copy = await directory.community(place.community_id)
    assert Role.REPRESENTATIVE in roles(copy.standing(copy.members[1002], NOW))
    assert Role.REPRESENTATIVE not in roles(copy.standing(copy.members[1001], NOW))
    later = NOW + timedelta(days=2)
    assert Role.REPRESENTATIVE in roles(copy.standing(copy.members[1001], later))
    for tg_user_id in (1001, 1002):
        assert await from_directory(directory, tg_user_id, place.community_id) == await from_db(
            db, tg_user_id, place.community_id
        )


async def test_a_write_by_another_process_is_seen_once_the_copy_is_old(db, estate, tmp_path):
    place, home, rep = estate
    directory = Directory(db, max_age=0.2)
    assert (await directory.binding(-100123)) is None
    other = Database(db.url)  # as the CLI would: its own engine, unseen by db.changes
    try:
        async with other.write() as session:
            session.add(
                ChatBinding(
                    chat_id=-100123,
                    community_id=place.community_id,
                    scope_id=place.root_id,
                    title="7栋业主群",
                )
            )
    finally:
        await other.dispose()
    await asyncio.sleep(0.25)
    binding = await directory.binding(-100123)
    assert binding is not None and binding.community_id == place.community_id


async def test_dialogue_state_is_written_through_and_survives_a_new_storage(db):
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    first = DatabaseStorage(db)
    assert await first.get_state(key) is None
    await first.set_state(key, "Propose:title")
    await first.set_data(key, {"title": "7栋安装门禁"})
    assert await first.get_state(key) == "Propose:title"
    second = DatabaseStorage(db)  # a restarted bot reads what the first one wrote
    assert await second.get_state(key) == "Propose:title"
    assert await second.get_data(key) == {"title": "7栋安装门禁"}
    await second.set_state(key, None)
    await second.set_data(key, {})
    assert await DatabaseStorage(db).get_state(key) is None
