"""/help in one group shows each person the commands their roles allow, and nothing more."""

from __future__ import annotations

import re

from tests import factories
from tests.conftest import Running

BASICS = {"start", "help", "lang", "roles"}
SETUP = BASICS | {"bind", "unbind", "grid", "building", "role", "settings"}
EXPECTED_SETUP = {
    "resident": BASICS,
    "grid worker": BASICS,
    "moderator": BASICS | {"bind", "unbind"},
    "admin": SETUP,
}


async def test_resident_grid_worker_moderator_and_admin_see_different_commands(
    running: Running,
) -> None:
    world, db = running.world, running.app.db
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "1栋")
    home = await factories.household(db, place, "1栋", "1-1-101")
    people = {}
    for who, name in (
        ("resident", "张伟"),
        ("grid worker", "刘洋"),
        ("moderator", "李强"),
        ("admin", "王芳"),
    ):
        user = people[who] = await world.user(name)
        member_id = await factories.member(
            db, user.id, name, household_id=home if who == "resident" else None
        )
        if who == "grid worker":
            await factories.grant(db, place, member_id, "grid_worker", place.grids["第一网格"])
        elif who != "resident":
            await factories.grant(db, place, member_id, who)
    group = await world.group("小桃园议事群", list(people.values()))
    await group.send("/bind", by=people["admin"])
    [menu] = await group.wait_bot_messages(1)
    await group.press(menu, "社区：小桃园社区", by=people["admin"])

    seen: dict[str, set[str]] = {}
    for who, user in people.items():
        await group.send("/help", by=user)
        [shown] = await group.wait_bot_messages(1)
        assert shown["text"].startswith("你在这里可以使用的命令：")
        seen[who] = set(re.findall(r"^/(\w+) — ", shown["text"], flags=re.MULTILINE))
        assert seen[who] & SETUP == EXPECTED_SETUP[who], who
    # Verifying members is a grid worker's (and admin's) job, not a resident's or moderator's.
    assert "verify" in seen["grid worker"] and "verify" in seen["admin"]
    assert "verify" not in seen["resident"] and "verify" not in seen["moderator"]
    assert len({frozenset(s) for s in seen.values()}) == 4, seen
    # A grid worker's vote duties (paper ballots, who has not voted) and the routing of matters
    # raised in their grid (三事分流) are theirs, not an admin's.
    assert seen["resident"] < seen["grid worker"]
    grid_duties = {"offline", "pending", "route", "answer", "escalate", "merge", "reject"}
    assert grid_duties <= seen["grid worker"] and not grid_duties & seen["admin"]
    assert seen["grid worker"] - grid_duties < seen["admin"]
