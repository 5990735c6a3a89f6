"""Constraints the database enforces on its own: phone tails, scope kinds, the scope tree."""

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.models import Community, Household, Scope


@pytest.fixture
async def building(db) -> Scope:
    async with db.write() as s:
        community = Community(name="小桃园社区", street="中华门街道")
        s.add(community)
        await s.flush()
        root = Scope(community_id=community.id, kind="community", name="小桃园社区")
        s.add(root)
        await s.flush()
        building = Scope(community_id=community.id, parent_id=root.id, kind="building", name="7")
        s.add(building)
    return building


def _household(building: Scope, **fields) -> Household:
    return Household(
        community_id=building.community_id,
        building_scope_id=building.id,
        code="7-1-101",
        unit="1",
        room="101",
        **fields,
    )


async def test_phone_tail_of_four_digits_is_stored(db, building):
    async with db.write() as s:
        s.add(_household(building, phone_tail="0571"))


@pytest.mark.parametrize("phone_tail", ["13812345678", "123", "12a4", "１２３４"])
async def test_phone_tail_must_be_four_ascii_digits(db, building, phone_tail):
    with pytest.raises(DBAPIError, match="phone_tail|too long"):  # PostgreSQL: VARCHAR(4)
        async with db.write() as s:
            s.add(_household(building, phone_tail=phone_tail))


async def test_household_code_is_unique_per_community(db, building):
    with pytest.raises(IntegrityError):
        async with db.write() as s:
            s.add(_household(building))
            s.add(_household(building))


async def test_scope_kind_is_checked(db, building):
    with pytest.raises(IntegrityError, match="kind"):
        async with db.write() as s:
            s.add(Scope(community_id=building.community_id, kind="province", name="江苏"))


async def test_root_scopes_are_unique_too(db, building):
    with pytest.raises(IntegrityError):
        async with db.write() as s:
            s.add(Scope(community_id=building.community_id, kind="community", name="小桃园社区"))
