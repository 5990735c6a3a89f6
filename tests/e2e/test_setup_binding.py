"""Binding groups to scopes with buttons, rebinding, unbinding, and the bot joining and leaving."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, ChatBinding
from tests import factories
from tests.conftest import Running
from tests.driver import Chat, User, buttons
from tests.e2e.group_life_estate import WORDS

PRIVACY_ZH = WORDS["zh"]["privacy"]  # the bot is a plain member: privacy mode hides chatter


async def people(running: Running) -> tuple[factories.Place, User, User, User]:
    """A community with two grids (1栋 and 2栋 in the first), an admin, a moderator, a resident."""
    world, db = running.world, running.app.db
    place = await factories.community(db)
    for name in ("1栋", "2栋"):
        await factories.building(db, place, "第一网格", name)
    admin, moderator, resident = [await world.user(n) for n in ("王芳", "李强", "张伟")]
    await factories.grant(db, place, await factories.member(db, admin.id, "王芳"), "admin")
    await factories.grant(db, place, await factories.member(db, moderator.id, "李强"), "moderator")
    home = await factories.household(db, place, "1栋", "1-1-101")
    await factories.member(db, resident.id, "张伟", household_id=home, representative=True)
    return place, admin, moderator, resident


async def said(chat: Chat, text: str, by: User) -> dict:
    await chat.send(text, by=by)
    [answer] = await chat.wait_bot_messages(1)
    return answer


async def binding(running: Running, chat: Chat) -> ChatBinding | None:
    async with running.app.db.session() as s:
        return await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == chat.id))


async def test_bind_with_buttons_rebind_and_unbind(running: Running) -> None:
    place, admin, moderator, resident = await people(running)
    group = await running.world.group("1栋业主群", [admin, moderator, resident], bot_admin=False)

    refused = await said(group, "/bind", resident)
    assert refused["text"] == "只有主持人或管理员才能绑定群组。"
    menu = await said(group, "/bind", admin)
    assert menu["text"] == "本群用于哪个范围？请选择要绑定的范围："
    assert buttons(menu) == [
        "社区：小桃园社区",
        "网格：第一网格",
        "第一网格的楼栋 ›",
        "网格：第二网格",
    ]

    alert = await group.press(menu, "网格：第一网格", by=resident)
    assert alert == {"text": "只有主持人或管理员才能绑定群组。", "show_alert": True}
    assert await binding(running, group) is None

    await group.press(menu, "第一网格的楼栋 ›", by=admin)
    opened = await group.message(menu["message_id"])
    assert opened["text"] == "第一网格的楼栋：选择要绑定本群的楼栋。"
    assert buttons(opened) == ["1栋", "2栋", "‹ 返回"]
    await group.press(opened, "‹ 返回", by=admin)
    back = await group.message(menu["message_id"])
    await group.press(back, "第一网格的楼栋 ›", by=admin)
    answer = await group.press(await group.message(menu["message_id"]), "1栋", by=admin)
    assert answer is not None and answer["text"] == "本群现已绑定到第一网格的楼栋「1栋」。"
    done = await group.message(menu["message_id"])
    assert done["text"] == (
        "本群现已绑定到第一网格的楼栋「1栋」。\n\n"
        "请把我设为本群管理员，并授予置顶消息的权限：我需要置顶公示，并为每个议题开设话题。\n\n"
        + PRIVACY_ZH
    )
    assert buttons(done) == []
    bound = await binding(running, group)
    assert bound is not None and bound.active and bound.scope_id == place.buildings["1栋"]
    assert (bound.title, bound.has_topics, bound.bot_is_admin) == ("1栋业主群", False, False)

    # An older menu pressed after the group is bound: nothing changes, nothing is audited twice.
    second = await said(group, "/bind", moderator)
    assert second["text"] == "本群已绑定到第一网格的楼栋「1栋」。选择要改绑的范围："
    await group.press(second, "第一网格的楼栋 ›", by=moderator)
    again = await group.press(await group.message(second["message_id"]), "1栋", by=moderator)
    assert again is not None and again["text"] == "本群已经绑定到第一网格的楼栋「1栋」，未作改动。"

    # Rebinding asks first; "no" keeps the binding, "yes" moves it.
    for choice, expected in (
        ("否，保持不变", "未作改动：本群仍绑定到第一网格的楼栋「1栋」。"),
        ("是，改绑", "本群现已绑定到网格「第二网格」。"),
    ):
        menu = await said(group, "/bind", admin)
        await group.press(menu, "网格：第二网格", by=admin)
        question = await group.message(menu["message_id"])
        assert (
            question["text"]
            == "本群已绑定到第一网格的楼栋「1栋」。要改为绑定到网格「第二网格」吗？"
        )
        assert buttons(question) == ["是，改绑", "否，保持不变"]
        alert = await group.press(question, choice, by=resident)
        assert alert is not None and alert["show_alert"]
        answer = await group.press(question, choice, by=admin)
        assert answer is not None and answer["text"] == expected
    assert (await binding(running, group)).scope_id == place.grids["第二网格"]

    assert (await said(group, "/unbind", resident))["text"] == "只有主持人或管理员才能绑定群组。"
    unbound = await said(group, "/unbind", moderator)
    assert (
        unbound["text"]
        == "本群已解除与网格「第二网格」的绑定。管理员或主持人可以发送 /bind 重新绑定。"
    )
    assert (await said(group, "/unbind", moderator))["text"] == "本群尚未绑定任何范围。"
    assert not (await binding(running, group)).active

    async with running.app.db.session() as s:
        events = (
            await s.execute(
                select(AuditEvent.action, AuditEvent.data).where(
                    AuditEvent.subject == f"chat:{group.id}"
                )
            )
        ).all()
    assert [
        (action, '"from_scope_id":' + str(place.buildings["1栋"]) in data)
        for action, data in events
    ] == [
        ("chat.bound", False),
        ("chat.bound", True),
        ("chat.unbound", False),
    ]


async def test_bot_added_promoted_demoted_and_removed(running: Running) -> None:
    world = running.world
    place, admin, _, _ = await people(running)
    dm = await admin.private_chat()
    assert (await said(dm, "/settings language en", admin))["text"] == "社区语言已改为English。"

    group = await world.group("小桃园社区群", [admin], forum=True, bot_admin=False)
    [hello] = [m for m in await group.transcript() if m["from"]["is_bot"]]
    assert "/bind" in hello["text"]
    assert hello["text"].endswith(
        "请把我设为本群管理员，并授予置顶消息、管理话题的权限：我需要置顶公示，并为每个议题开设话题。"
        "\n\n" + PRIVACY_ZH
    )

    menu = await said(group, "/bind", admin)
    await group.press(menu, "社区：小桃园社区", by=admin)
    bound = await binding(running, group)
    assert (bound.scope_id, bound.has_topics, bound.bot_is_admin) == (place.root_id, True, False)
    assert (
        "本群已开启话题：每个议题都会有自己的话题。"
        in (await group.message(menu["message_id"]))["text"]
    )

    bot_id = await world.bot_id()
    # What the bot says unasked in a bound group is in the community's language (en here).
    await group.set_member(bot_id, "administrator")
    [thanks] = await group.wait_bot_messages(1)
    assert thanks["text"] == "Thank you: I can now pin notices and open topics in this group."
    assert (await binding(running, group)).bot_is_admin

    await group.set_member(
        bot_id, "administrator", rights={"can_pin_messages": True, "can_manage_topics": False}
    )
    [missing] = await group.wait_bot_messages(1)
    assert missing["text"] == (
        "Please make me an admin of this group with the right to manage topics: "
        "I pin public notices and open a topic for each agenda item."
    )
    await group.set_member(bot_id, "member")
    [demoted] = await group.wait_bot_messages(1)
    assert "right to pin messages, manage topics:" in demoted["text"]
    assert not (await binding(running, group)).bot_is_admin

    await group.set_member(bot_id, "kicked")
    await group.expect_silence(0.5)
    assert not (await binding(running, group)).active
    await group.set_member(bot_id, "member")
    [hello_again] = await group.wait_bot_messages(1)
    assert "/bind" in hello_again["text"] and "请把我设为本群管理员" in hello_again["text"]

    async with running.app.db.session() as s:
        actions = (
            await s.scalars(
                select(AuditEvent.action).where(AuditEvent.subject == f"chat:{group.id}")
            )
        ).all()
    assert actions == ["chat.bound", "chat.bot_rights", "chat.bot_rights", "chat.unbound"]
