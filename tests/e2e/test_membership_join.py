"""Joining a household through /join: the dialogue, the grid worker's decision, the edges."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from bot.app import BotApp
from bot.flows import joining
from storage.models import DialogState, Member
from tests import factories
from tests.conftest import Running, outside_sandbox
from tests.driver import World, buttons
from tests.e2e.membership_estate import ask_to_join, audit_actions, estate, member_row, requests


async def test_join_approved_member_told_in_chinese(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    assert ask["text"] == "你住在哪栋楼？"
    assert buttons(ask) == ["1栋", "7栋", "12栋", "取消"]
    await dm.press(ask, "7栋")
    room = await dm.message(ask["message_id"])
    assert "楼栋：7栋。请输入房号" in room["text"] and buttons(room) == ["‹ 返回", "取消"]
    await dm.send("１单元１０１")  # full-width, as a Chinese IME types it
    [tail] = await dm.wait_bot_messages(1)
    assert "7-1-101（7栋1单元101室）" in tail["text"] and "后 4 位" in tail["text"]
    await dm.send("1234")
    [sent] = await dm.wait_bot_messages(1)
    assert "申请已发送给网格员" in sent["text"]

    [card] = await e.worker_dm.wait_bot_messages(1)
    assert "王芳" in card["text"] and "7-1-101（7栋1单元101室）" in card["text"]
    assert "手机尾号：与花名册一致" in card["text"] and "1234" not in card["text"]
    assert buttons(card) == ["批准", "拒绝"]
    # Pressed twice at once: one approval, and a clear alert for the other press.
    first, second = await asyncio.gather(
        e.worker_dm.press(card, "批准"), e.worker_dm.press(card, "批准")
    )
    answers = sorted([first["text"], second["text"]])
    assert answers[0] == "李网格 已批准。" and "已经处理过了" in answers[1]
    [news] = await dm.wait_bot_messages(1)
    assert "网格员批准了你的申请" in news["text"] and "7-1-101" in news["text"]
    assert "/rep me" in news["text"], "the household has no representative yet: say how to get one"

    member = await member_row(running.app.db, alice.id)
    assert (
        member is not None and member.household_id == e.households["7-1-101"] and member.verified_at
    )
    [request] = await requests(running.app.db)
    assert request.status == "approved" and request.decided_by_id == e.worker_id
    assert {"join.requested", "member.verified"} <= set(await audit_actions(running.app.db))

    # Already verified: /join says where they belong.
    await dm.send("/join")
    [known] = await dm.wait_bot_messages(1)
    assert (
        "你已经是 7-1-101（7栋1单元101室） 户的认证成员" in known["text"]
        and "/moveout" in known["text"]
    )


async def test_join_rejected_with_reason_in_english(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    bob = await world.user("Bob", language_code="en")
    dm = await bob.private_chat()
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    await dm.press(ask, "7栋")
    await dm.send("909")
    [missing] = await dm.wait_bot_messages(1)
    assert "I can't find room “909” in building 7栋" in missing["text"]
    await dm.send("101")
    [ambiguous] = await dm.wait_bot_messages(1)
    assert "in several units (1-101、2-101)" in ambiguous["text"]
    await dm.send("7－2－101")
    [tail] = await dm.wait_bot_messages(1)
    assert tail["text"].startswith("Household 7-2-101 (7栋, unit 2, room 101).")
    await dm.send("5678")
    await dm.wait_bot_messages(1)

    [card] = await e.worker_dm.wait_bot_messages(1)
    await e.worker_dm.press(card, "拒绝")
    asked = await e.worker_dm.message(card["message_id"])
    assert "拒绝的理由是什么" in asked["text"] and buttons(asked) == ["信息不符", "‹ 返回"]
    await e.worker_dm.send("<b>房号</b>不对")
    [done] = await e.worker_dm.wait_bot_messages(1)
    assert done["text"] == "李网格 已拒绝。理由：<b>房号</b>不对"
    [news] = await dm.wait_bot_messages(1)
    assert (
        "Your request to join household 7-2-101 (7栋, unit 2, room 101) was rejected."
        in news["text"]
    )
    assert "Reason: <b>房号</b>不对" in news["text"], "the reason is shown as typed, not as markup"
    [request] = await requests(running.app.db)
    assert request.status == "rejected" and request.reason == "<b>房号</b>不对"
    member = await member_row(running.app.db, bob.id)
    assert member is not None and member.household_id is None
    # The preset reason button, after the decision: an alert, nothing changes.
    late = await e.worker_dm.press(asked, "信息不符")
    assert late is not None and late["show_alert"] and "已拒绝" in late["text"]


async def test_preset_reason_and_back_to_the_card(running: Running, world: World) -> None:
    e = await estate(running.app.db, world, worker_language="en")
    async with running.app.db.write() as s:  # the worker chose English with /lang
        worker = await s.get(Member, e.worker_id)
        assert worker is not None
        worker.language = "en"
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    # The roster has no digits for this household: any are taken, the worker checks in person.
    await ask_to_join(dm, "7栋", "7-1-102", "0000")
    [card] = await e.worker_dm.wait_bot_messages(1)
    assert "the roster has none for this household" in card["text"]
    await e.worker_dm.press(card, "Reject")
    asked = await e.worker_dm.message(card["message_id"])
    await e.worker_dm.press(asked, "‹ Back")
    restored = await e.worker_dm.message(card["message_id"])
    assert buttons(restored) == ["Approve", "Reject"]
    await e.worker_dm.press(restored, "Reject")
    await e.worker_dm.press(await e.worker_dm.message(card["message_id"]), "Details don't match")
    [news] = await dm.wait_bot_messages(1)
    assert "理由：信息与花名册不符" in news["text"]


async def test_wrong_room_wrong_tail_three_times(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    await dm.press(ask, "7栋")
    await dm.send("1单元101")
    await dm.wait_bot_messages(1)
    await dm.send("12")
    [short] = await dm.wait_bot_messages(1)
    assert short["text"] == "请输入 4 位数字，例如 0123。"
    for left in (2, 1):
        await dm.send("9999")
        [wrong] = await dm.wait_bot_messages(1)
        assert f"还可以试 {left} 次" in wrong["text"] and "1234" not in wrong["text"]
    await dm.send("9999")
    [stop] = await dm.wait_bot_messages(1)
    assert "连续 3 次不符" in stop["text"] and "网格员" in stop["text"]
    # A fresh /join does not buy more tries for that household.
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    await dm.press(ask, "7栋")
    await dm.send("101-1")
    [missing] = await dm.wait_bot_messages(1)
    assert "找不到" in missing["text"]
    await dm.send("1-101")
    [locked] = await dm.wait_bot_messages(1)
    assert "连续 3 次不符" in locked["text"]
    assert await requests(running.app.db) == []
    await e.worker_dm.expect_silence(within=0.3)


async def test_back_cancel_and_stale_buttons(running: Running, world: World) -> None:
    await estate(running.app.db, world)
    bob = await world.user("Bob", language_code="en")
    dm = await bob.private_chat()
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    await dm.send("7")
    [hint] = await dm.wait_bot_messages(1)
    assert hint["text"] == "Please choose with the buttons above, or send /cancel."
    await dm.press(ask, "7栋")
    room = await dm.message(ask["message_id"])
    await dm.press(room, "‹ Back")
    again = await dm.message(ask["message_id"])
    assert again["text"] == "Which building do you live in?"
    await dm.press(again, "7栋")
    await dm.send("1-101")
    [tail] = await dm.wait_bot_messages(1)
    room = await dm.message(ask["message_id"])
    stale = await dm.press(room, "‹ Back")  # the room step's button, while at the digits
    assert (
        stale is not None
        and stale["show_alert"]
        and stale["text"] == "That button is from an earlier step."
    )
    await dm.press(tail, "‹ Back")
    assert "Type your room" in (await dm.message(tail["message_id"]))["text"]
    await dm.send("1-101")
    [tail] = await dm.wait_bot_messages(1)
    await dm.press(tail, "Cancel")
    assert (await dm.message(tail["message_id"]))["text"].startswith("Cancelled. Nothing was sent.")
    await dm.send("1234")  # no longer in the dialogue: just chatter
    [chatter] = await dm.wait_bot_messages(1)
    assert "/help" in chatter["text"]
    await dm.send("/join")
    await dm.wait_bot_messages(1)
    await dm.send("/cancel")
    [cancelled] = await dm.wait_bot_messages(1)
    assert cancelled["text"] == "Cancelled."
    await dm.send("/cancel")
    [nothing] = await dm.wait_bot_messages(1)
    assert nothing["text"] == "There is nothing to cancel."
    assert await requests(running.app.db) == []


async def test_join_in_a_group_points_to_private_chat(running: Running, world: World) -> None:
    alice = await world.user("王芳")
    group = await world.group("7栋业主群", [alice])
    await group.send("/join", by=alice)
    [hint] = await group.wait_bot_messages(1)
    assert "私聊" in hint["text"] and "/join" in hint["text"]


async def test_several_communities_are_chosen_first(running: Running, world: World) -> None:
    await estate(running.app.db, world)
    other = await factories.community(running.app.db, "阳光社区", grids=("一网格",))
    await factories.building(running.app.db, other, "一网格", "A座")
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/join")
    [ask] = await dm.wait_bot_messages(1)
    assert ask["text"] == "你住在哪个社区？" and buttons(ask) == ["小桃园社区", "阳光社区", "取消"]
    await dm.press(ask, "阳光社区")
    building = await dm.message(ask["message_id"])
    assert buttons(building) == ["A座", "‹ 返回", "取消"]
    await dm.press(building, "‹ 返回")
    assert buttons(await dm.message(ask["message_id"])) == ["小桃园社区", "阳光社区", "取消"]


async def test_nobody_reachable_tells_member_and_admins(running: Running, world: World) -> None:
    e = await estate(running.app.db, world)
    admin = await world.user("Admin", language_code="en")
    admin_id = await factories.member(running.app.db, admin.id, "Admin")
    await factories.grant(running.app.db, e.place, admin_id, "admin")
    admin_dm = await admin.private_chat()
    # 第二网格 has a grid worker who never opened a chat with the bot.
    silent = await world.user("张网格")
    silent_id = await factories.member(running.app.db, silent.id, "张网格")
    await factories.grant(
        running.app.db, e.place, silent_id, "grid_worker", e.place.grids["第二网格"]
    )
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await ask_to_join(dm, "12栋", "101", "4321")
    [fallback] = await dm.wait_bot_messages(1)
    assert "联系不上" in fallback["text"] and "管理员" in fallback["text"]
    [card] = await admin_dm.wait_bot_messages(1)
    assert "申请加入 12-1-101" in card["text"], "the admin never chose a language: the community's"
    await admin_dm.press(card, "批准")
    [news] = await dm.wait_bot_messages(1)
    assert "批准" in news["text"]


async def test_decision_by_someone_without_the_right_changes_nothing(
    running: Running, world: World
) -> None:
    e = await estate(running.app.db, world)
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await ask_to_join(dm, "7栋", "1-101", "1234")
    [request] = await requests(running.app.db)
    # The worker of the other grid, and the requester herself, press the decision button.
    other_id = await factories.member(running.app.db, 777, "张网格")
    await factories.grant(
        running.app.db, e.place, other_id, "grid_worker", e.place.grids["第二网格"]
    )
    other = await member_row(running.app.db, 777)
    step = await joining.approve(running.app.db, request.id, other, running.app.clock.now())
    [toast] = step.outcomes
    assert toast.alert and toast.text.msgid == "You may {action} only within your own scope."
    me = await member_row(running.app.db, alice.id)
    step = await joining.approve(running.app.db, request.id, me, running.app.clock.now())
    assert step.outcomes[0].text.msgid == "Only {roles} may {action}."
    [request] = await requests(running.app.db)
    assert request.status == "pending"


async def test_dialogue_survives_a_restart(tmp_path: Path) -> None:
    """The bot stops mid-dialogue; a new bot on the same database carries on from the same step."""
    async with outside_sandbox(tmp_path) as (world, settings):
        first = BotApp(settings)
        await first.start()
        try:
            await estate(first.db, world)
            alice = await world.user("王芳")
            dm = await alice.private_chat()
            await dm.send("/join")
            [ask] = await dm.wait_bot_messages(1)
            await dm.press(ask, "7栋")
        finally:
            await first.stop()
        second = BotApp(settings)
        await second.start()
        try:
            async with second.db.session() as s:
                [row] = (await s.scalars(select(DialogState))).all()
                assert row.state == "Joining:room" and '"building"' in row.data
            await dm.send("1-101")
            [tail] = await dm.wait_bot_messages(1)
            assert "7-1-101" in tail["text"] and "后 4 位" in tail["text"]
        finally:
            await second.stop()
