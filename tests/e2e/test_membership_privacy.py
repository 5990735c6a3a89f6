"""/whoami, /household, /mydata and /forgetme: what a person sees of themselves, and forgetting."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from storage.models import JoinRequest, Member
from tests import factories
from tests.conftest import Running
from tests.driver import World, buttons
from tests.e2e.membership_estate import ask_to_join, audit_actions, bind_group, estate, member_row


async def test_whoami_and_household_show_little_and_only_to_whom_it_belongs(
    running: Running, world: World
) -> None:
    e = await estate(running.app.db, world)
    alice = await world.user("王芳")
    alice_id = await factories.member(
        running.app.db, alice.id, "王芳", household_id=e.households["7-1-101"], representative=True
    )
    await factories.grant(running.app.db, e.place, alice_id, "supervisor")
    await factories.member(running.app.db, 4242, "<i>Bob</i>", household_id=e.households["7-1-101"])
    dm = await alice.private_chat()
    await dm.send("/whoami")
    [who] = await dm.wait_bot_messages(1)
    assert who["text"].splitlines()[0] == "王芳"
    assert "7-1-101（7栋1单元101室） 户的认证成员" in who["text"]
    assert "你是本户的户代表" in who["text"] and "角色：监事" in who["text"]

    group = await world.group("7栋业主群", [alice])
    await bind_group(running.app.db, e.place, group, e.place.buildings["7栋"])
    await group.send("/whoami", by=alice)
    [brief] = await group.wait_bot_messages(1)
    assert (
        "7栋的认证居民" in brief["text"]
        and "7-1-101" not in brief["text"]
        and "101室" not in brief["text"]
    )
    await group.send("/household", by=alice)
    [privately] = await group.wait_bot_messages(1)
    assert "私聊" in privately["text"]

    await dm.send("/household")
    [home] = await dm.wait_bot_messages(1)
    assert "户代表：王芳" in home["text"] and "成员：王芳、<i>Bob</i>" in home["text"]
    assert "王建国" not in home["text"] and "1234" not in home["text"], (
        "no roster details for residents"
    )
    await dm.send("/household 7-2-101")
    [not_mine] = await dm.wait_bot_messages(1)
    assert "只能查看自己家" in not_mine["text"]
    await e.worker_dm.send("/household ７－１－１０１")
    [staff] = await e.worker_dm.wait_bot_messages(1)
    assert "花名册上的户代表：王建国" in staff["text"] and "1234" not in staff["text"]
    await e.worker_dm.send("/household 7-1-102")
    [empty] = await e.worker_dm.wait_bot_messages(1)
    assert "户代表：暂无" in empty["text"] and "/rep me" in empty["text"]

    stranger = await world.user("Zed", language_code="en")
    zdm = await stranger.private_chat()
    await zdm.send("/whoami")
    [unknown] = await zdm.wait_bot_messages(1)
    assert "Not verified" in unknown["text"] and "/join" in unknown["text"]
    await zdm.send("/household")
    [hint] = await zdm.wait_bot_messages(1)
    assert hint["text"].startswith("You are not verified yet.")


async def test_mydata_then_forgetme(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    bob = await world.user("Bob", language_code="en")
    dm = await bob.private_chat()
    await dm.send("/mydata")
    [nothing] = await dm.wait_bot_messages(1)
    assert nothing["text"].startswith("I store nothing about you.")
    # Bob asks to join; the worker approves; Bob becomes the representative.
    await ask_to_join(dm, "7栋", "1-101", "1234")
    [card] = await e.worker_dm.wait_bot_messages(1)
    await e.worker_dm.press(card, "批准")
    await dm.wait_bot_messages(1)
    await dm.send("/rep me")
    await dm.wait_bot_messages(1)

    await dm.send("/mydata")
    [data] = await dm.wait_bot_messages(1)
    text = data["text"]
    assert (
        "What I store about you" in text
        and "Name: Bob" in text
        and f"Telegram id: {bob.id}" in text
    )
    assert "Household: 7-1-101 (7栋, unit 1, room 101), verified on" in text
    assert "You are its representative" in text
    assert "for household 7-1-101: approved." in text
    assert "1234" not in text, "the roster's phone digits are never shown to a resident"
    assert "Audit log entries naming you" in text

    await dm.send("/forgetme")
    [confirm] = await dm.wait_bot_messages(1)
    assert buttons(confirm) == ["Yes, forget me", "No, keep my data"]
    await dm.press(confirm, "No, keep my data")
    assert (await dm.message(confirm["message_id"]))["text"].startswith("Nothing changed")
    await dm.send("/forgetme")
    [confirm] = await dm.wait_bot_messages(1)
    await dm.press(confirm, "Yes, forget me")
    assert (await dm.message(confirm["message_id"]))["text"].startswith(
        "Done: I have forgotten you."
    )

    assert await member_row(running.app.db, bob.id) is None
    async with running.app.db.session() as s:
        [gone] = (await s.scalars(select(Member).where(Member.forgotten_at.is_not(None)))).all()
        members = await s.scalar(select(func.count()).select_from(Member))
        [request] = (await s.scalars(select(JoinRequest))).all()
    assert (
        gone.display_name == f"#{gone.id}" and gone.tg_user_id == -gone.id and gone.language is None
    )
    assert gone.household_id is None and not gone.representative and gone.verified_at is None
    assert request.member_id == gone.id and request.status == "approved", "past records stay"
    assert "member.forgotten" in await audit_actions(running.app.db)

    # A stranger now: /start creates nothing, /whoami says unverified, /mydata has nothing.
    await dm.send("/start")
    await dm.wait_bot_messages(1)
    await dm.send("/whoami")
    [who] = await dm.wait_bot_messages(1)
    assert "Not verified" in who["text"]
    await dm.send("/mydata")
    [nothing] = await dm.wait_bot_messages(1)
    assert nothing["text"].startswith("I store nothing about you.")
    async with running.app.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Member)) == members


async def test_forgetme_withdraws_a_pending_request(running: Running, world: World) -> None:
    await estate(running.app.db, world)
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await ask_to_join(dm, "7栋", "1-101", "1234")
    await dm.send("/forgetme")
    [confirm] = await dm.wait_bot_messages(1)
    await dm.press(confirm, "是的，删除我的信息")
    async with running.app.db.session() as s:
        [request] = (await s.scalars(select(JoinRequest))).all()
    assert request.status == "cancelled"
