"""Households after joining: direct verification, representatives, delegation, unbinding."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.flows import standing
from bot.flows.policy import Role
from storage.models import Delegation, Member
from tests import factories
from tests.conftest import Running
from tests.driver import World, buttons
from tests.e2e.membership_estate import Estate, audit_actions, bind_group, estate, member_row


async def _resident(
    e: Estate, name: str, code: str, *, rep: bool = False, language: str = "zh-hans"
):
    """A verified member; an English speaker has chosen English (/lang), so notices follow it."""
    user = await e.world.user(name, language_code=language)
    member_id = await factories.member(
        e.db, user.id, name, household_id=e.households[code], representative=rep
    )
    if language == "en":
        async with e.db.write() as s:
            member = await s.get(Member, member_id)
            assert member is not None
            member.language = "en"
    return user


async def _roles(running: Running, e: Estate, tg_user_id: int) -> frozenset[Role]:
    async with running.app.db.session() as s:
        member = await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        held = await standing.load(s, member, e.place.community_id, running.app.clock.now())
    return held.roles


async def test_direct_verify_in_group_and_private(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    worker = e.worker_dm.owner
    alice = await world.user("王芳")
    alice_dm = await alice.private_chat()
    carol = await world.user("Carol", language_code="en")
    group = await world.group("7栋业主群", [worker, alice, carol])
    await bind_group(running.app.db, e.place, group, e.place.buildings["7栋"])

    hello = await group.send("大家好，我是101的", by=alice)
    # Residents and strangers are refused by the policy, with who can instead.
    await group.reply(hello, "/verify 7-1-101", by=carol)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"] == "Only grid worker or admin may verify members."
    await group.reply(hello, "/verify 7-1-101", by=worker)
    [done] = await group.wait_bot_messages(1)
    assert done["text"] == "王芳 现在是 7-1-101（7栋1单元101室） 户的认证成员了。"
    [told] = await alice_dm.wait_bot_messages(1)
    assert "李网格 为你完成了认证" in told["text"] and "/rep me" in told["text"]
    await group.reply(hello, "/verify 7-1-101", by=worker)
    [same] = await group.wait_bot_messages(1)
    assert "已经是 7-1-101" in same["text"]
    await group.reply(hello, "/verify 7-1-101", by=alice)  # now a resident, still not staff
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("只有网格员或管理员才能")

    await e.worker_dm.send(f"/verify {carol.id} ７－２－１０１")  # full-width, in private
    [done] = await e.worker_dm.wait_bot_messages(1)
    assert "7-2-101（7栋2单元101室）" in done["text"]
    member = await member_row(running.app.db, carol.id)
    assert member is not None and member.household_id == e.households["7-2-101"]
    await e.worker_dm.send("/verify abc 7-1-101")
    [bad] = await e.worker_dm.wait_bot_messages(1)
    assert "abc" in bad["text"] and "Telegram" in bad["text"]
    await e.worker_dm.send(f"/verify {carol.id} 9-9-909")
    [unknown] = await e.worker_dm.wait_bot_messages(1)
    assert unknown["text"] == "你的社区没有“9-9-909”这一户。"
    await e.worker_dm.send(f"/verify {carol.id} 12-1-101")  # another grid's household
    [outside] = await e.worker_dm.wait_bot_messages(1)
    assert "只能在自己负责的范围内" in outside["text"] or "范围" in outside["text"]
    await e.worker_dm.send("/verify")
    [usage] = await e.worker_dm.wait_bot_messages(1)
    assert "/verify 7-1-101" in usage["text"]
    assert (await audit_actions(running.app.db)).count("member.verified") == 2


async def test_representative_claimed_refused_handed_over_and_set(
    running: Running, world: World
) -> None:
    e = await estate(running.app.db, world)
    alice = await _resident(e, "王芳", "7-1-101")
    bob = await _resident(e, "Bob", "7-1-101", language="en")
    stranger = await world.user("路人")
    alice_dm, bob_dm, stranger_dm = (
        await alice.private_chat(),
        await bob.private_chat(),
        await stranger.private_chat(),
    )

    await stranger_dm.send("/rep me")
    [hint] = await stranger_dm.wait_bot_messages(1)
    assert "还没有通过认证" in hint["text"] and "/join" in hint["text"]
    await stranger_dm.send(f"/rep 7-1-101 {alice.id}")
    [refused] = await stranger_dm.wait_bot_messages(1)
    assert refused["text"].startswith("只有网格员或管理员才能")

    await alice_dm.send("/rep me")
    [claimed] = await alice_dm.wait_bot_messages(1)
    assert claimed["text"] == "你现在是 7-1-101（7栋1单元101室） 户的户代表，由你代表全户投票。"
    await bob_dm.send("/rep me")
    [taken] = await bob_dm.wait_bot_messages(1)
    assert taken["text"].startswith("Your household already has a representative: 王芳.")
    assert Role.REPRESENTATIVE in await _roles(running, e, alice.id)

    # The representative hands over by replying to Bob in the group.
    group = await world.group("7栋业主群", [alice, bob])
    await bind_group(running.app.db, e.place, group, e.place.buildings["7栋"])
    hello = await group.send("I can vote for us", by=bob)
    await group.reply(hello, "/rep", by=alice)
    [handed] = await group.wait_bot_messages(1)
    assert handed["text"] == "Bob 现在是 7-1-101（7栋1单元101室） 户的户代表。"
    [bob_told] = await bob_dm.wait_bot_messages(1)
    assert bob_told["text"].startswith("You are now the representative of household 7-1-101")
    assert Role.REPRESENTATIVE not in await _roles(running, e, alice.id)
    # Alice is no longer the representative: handing over again is not hers to do.
    again = await group.send("还是我来吧", by=alice)
    await group.reply(again, "/rep", by=alice)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("只有网格员或管理员才能")

    # The grid worker sets it back, in private, by code and Telegram id.
    await e.worker_dm.send(f"/rep 7-1-101 {alice.id}")
    [set_back] = await e.worker_dm.wait_bot_messages(1)
    assert set_back["text"] == "王芳 现在是 7-1-101（7栋1单元101室） 户的户代表。"
    await alice_dm.wait_bot_messages(1)
    [bob_replaced] = await bob_dm.wait_bot_messages(1)
    assert "王芳 is now the representative" in bob_replaced["text"]
    await e.worker_dm.send(f"/rep 7-2-101 {alice.id}")
    [wrong_home] = await e.worker_dm.wait_bot_messages(1)
    assert "不是这一户的成员" in wrong_home["text"]
    assert (await audit_actions(running.app.db)).count("household.representative") == 3


async def test_two_claims_at_once_one_wins(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    carol = await _resident(e, "Carol", "7-2-101", language="en")
    dave = await _resident(e, "Dave", "7-2-101", language="en")
    carol_dm, dave_dm = await carol.private_chat(), await dave.private_chat()
    await asyncio.gather(carol_dm.send("/rep me"), dave_dm.send("/rep me"))
    [a], [b] = await asyncio.gather(carol_dm.wait_bot_messages(1), dave_dm.wait_bot_messages(1))
    texts = sorted([a["text"], b["text"]])
    assert texts[0].startswith("You are now the representative of household 7-2-101")
    assert texts[1].startswith("Your household already has a representative:")
    async with running.app.db.session() as s:
        reps = (await s.scalars(select(Member).where(Member.representative))).all()
    assert len(reps) == 1


async def test_delegation_in_force_then_off(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    alice = await _resident(e, "Alice", "7-1-101", rep=True, language="en")
    bob = await _resident(e, "Bob", "7-1-101", language="en")
    carol = await _resident(e, "Carol", "7-2-101", language="en")
    bob_dm, alice_dm = await bob.private_chat(), await alice.private_chat()
    group = await world.group("7栋业主群", [alice, bob, carol])
    await bind_group(running.app.db, e.place, group, e.place.buildings["7栋"])
    hello = await group.send("I'm home this month", by=bob)

    await group.reply(hello, "/delegate 0", by=alice)
    [bad] = await group.wait_bot_messages(1)
    assert bad["text"] == "“0” is not a number of days from 1 to 90."
    await group.reply(hello, "/delegate 7", by=carol)  # not this household's representative
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("Only the household's representative")
    await group.reply(hello, "/delegate ７", by=alice)
    [done] = await group.wait_bot_messages(1)
    assert done["text"].startswith("Bob votes for household 7-1-101 (7栋, unit 1, room 101) until ")
    assert done["text"].endswith(", instead of Alice.")
    await bob_dm.wait_bot_messages(1)
    assert Role.REPRESENTATIVE in await _roles(running, e, bob.id)
    assert Role.REPRESENTATIVE not in await _roles(running, e, alice.id)

    await bob_dm.send("/whoami")
    [who] = await bob_dm.wait_bot_messages(1)
    assert (
        "You vote for your household until" in who["text"]
        and "as the delegate of Alice" in who["text"]
    )
    await alice_dm.send("/household")
    [home] = await alice_dm.wait_bot_messages(1)
    assert "Representative: Alice" in home["text"] and "Delegation: Bob votes until" in home["text"]
    assert "Members: Alice、Bob" in home["text"]

    await alice_dm.send("/delegate off")
    [ended] = await alice_dm.wait_bot_messages(1)
    assert (
        ended["text"]
        == "The delegation has ended: Alice votes for household 7-1-101 (7栋, unit 1, room 101) again."
    )
    assert Role.REPRESENTATIVE in await _roles(running, e, alice.id)
    assert Role.REPRESENTATIVE not in await _roles(running, e, bob.id)
    await alice_dm.send("/delegate off")
    [none] = await alice_dm.wait_bot_messages(1)
    assert none["text"].startswith("No delegation is in force")
    # The grid worker may delegate for the household too, by code and id.
    await e.worker_dm.send(f"/delegate 7-1-101 {bob.id} 3")
    [by_worker] = await e.worker_dm.wait_bot_messages(1)
    assert "Bob" in by_worker["text"] and "Alice" in by_worker["text"]
    assert {"delegation.created", "delegation.ended"} <= set(await audit_actions(running.app.db))


async def test_remove_moveout_and_leaving_the_group(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    worker = e.worker_dm.owner
    alice = await _resident(e, "王芳", "7-1-101", rep=True)
    bob = await _resident(e, "Bob", "7-1-101", language="en")
    carol = await _resident(e, "Carol", "7-2-101", language="en")
    dave = await _resident(e, "Dave", "7-2-101", language="en")
    dms = {u.id: await u.private_chat() for u in (alice, bob, carol, dave)}
    group = await world.group("7栋业主群", [worker, alice, bob, carol, dave])
    await bind_group(running.app.db, e.place, group, e.place.buildings["7栋"])
    await dms[alice.id].send("/delegate " + f"7-1-101 {bob.id} 5")
    await dms[alice.id].wait_bot_messages(1)
    await dms[bob.id].wait_bot_messages(1)

    hello = await group.send("我要搬走了", by=alice)
    await group.reply(hello, "/remove", by=bob)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("Only grid worker or admin may verify members")
    await group.reply(hello, "/remove", by=worker)
    [removed] = await group.wait_bot_messages(1)
    assert removed["text"] == "王芳 已不再是 7-1-101（7栋1单元101室） 户的成员。"
    [told] = await dms[alice.id].wait_bot_messages(1)
    assert "网格员已将你移出" in told["text"] and "过去的投票和记录保持不变" in told["text"]
    member = await member_row(running.app.db, alice.id)
    assert member is not None and member.household_id is None and not member.representative
    async with running.app.db.session() as s:
        [delegation] = (await s.scalars(select(Delegation))).all()
    assert delegation.revoked_at is not None, "a removed representative's delegation ends"
    await group.reply(hello, "/remove", by=worker)
    [nobody] = await group.wait_bot_messages(1)
    assert nobody["text"] == "此人不是任何一户的认证成员。"

    await dms[bob.id].send("/moveout")
    [confirm] = await dms[bob.id].wait_bot_messages(1)
    assert buttons(confirm) == ["Yes, I moved out", "No, keep it"]
    await dms[bob.id].press(confirm, "Yes, I moved out")
    moved = await dms[bob.id].message(confirm["message_id"])
    assert moved["text"].startswith("Done: you are no longer a member of household 7-1-101")

    # Leaving the building's group unbinds: by the service message, and by chat_member once the
    # bot is an admin (both arrive then; the member is told once).
    await group.set_member(carol.id, "left")
    [gone] = await dms[carol.id].wait_bot_messages(1)
    assert gone["text"].startswith(
        "You are no longer a member of household 7-2-101 (7栋, unit 2, room 101): you left the group."
    )
    await group.set_member(await world.bot_id(), "administrator")
    await group.set_member(dave.id, "kicked")
    [gone] = await dms[dave.id].wait_bot_messages(1)
    assert "you left the group" in gone["text"]
    await dms[dave.id].expect_silence(within=0.5)
    for user in (carol, dave):
        member = await member_row(running.app.db, user.id)
        assert member is not None and member.household_id is None
    assert (await audit_actions(running.app.db)).count("member.unbound") == 4
