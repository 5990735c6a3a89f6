"""An admin sets the community up in chat: grids, buildings, roles, settings — bad input included."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, RoleGrant
from tests import factories
from tests.conftest import Running
from tests.driver import Chat, User


async def ask(chat: Chat, text: str, *, by: User | None = None) -> str:
    await chat.send(text, by=by)
    [answer] = await chat.wait_bot_messages(1)
    return answer["text"]


async def admin_of(
    running: Running, name: str, language: str = "zh-hans"
) -> tuple[User, Chat, factories.Place]:
    world, db = running.world, running.app.db
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "1栋")
    person = await world.user(name, language_code=language)
    await factories.grant(db, place, await factories.member(db, person.id, name), "admin")
    return person, await person.private_chat(), place


async def test_grids_and_buildings_with_bad_input_in_chinese(running: Running) -> None:
    _, dm, _ = await admin_of(running, "王芳")
    assert await ask(dm, "/grid") == "小桃园社区的网格和楼栋\n\n第一网格：1栋\n\n第二网格：—"
    assert await ask(dm, "/grid add 第三网格") == "已添加网格第三网格。"
    assert await ask(dm, "/grid add  第三网格 ") == "网格第三网格已存在，未作改动。"
    assert await ask(dm, "/grid add") == "发送 /grid add 名称 添加网格，或 /grid list 查看网格。"
    assert await ask(dm, "/grid add <b>红</b>") == "已添加网格<b>红</b>。", "HTML in names is text"
    assert await ask(dm, "/building add 第九网格 9栋") == (
        "没有“第九网格”这个网格。现有网格：第一网格、第二网格、第三网格、<b>红</b>。"
    )
    assert await ask(dm, "/building add 第一网格 ９栋") == "已在第一网格添加楼栋9栋。"
    assert await ask(dm, "/building add 第一网格 9栋") == "楼栋9栋已在第一网格中，未作改动。"
    assert await ask(dm, "/building add 第二网格 9栋") == "楼栋9栋已属于第一网格。"
    assert (
        await ask(dm, "/building 9栋")
        == "用法：/building add 网格 楼栋，例如 /building add 第一网格 9栋。"
    )
    assert await ask(dm, "/grid add " + "长" * 51) == "名称最多 50 个字符。"
    assert "第一网格：1栋、9栋" in await ask(dm, "/grid list")
    async with running.app.db.session() as s:
        created = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "scope.created"))
        ).all()
    assert [e.data for e in created] == [
        '{"kind":"grid","name":"第三网格","parent":"小桃园社区","via":"chat"}',
        '{"kind":"grid","name":"<b>红</b>","parent":"小桃园社区","via":"chat"}',
        '{"kind":"building","name":"9栋","parent":"第一网格","via":"chat"}',
    ]


async def test_roles_by_id_and_by_reply_with_bad_input(running: Running) -> None:
    world = running.world
    alice, dm, _ = await admin_of(running, "王芳")
    assert await ask(dm, "/role grant 12345 wizard") == (
        "“wizard”不是角色。可用角色：admin（管理员）、moderator（主持人）、supervisor（监事）、"
        "grid_worker（网格员）、chair（轮值主席）。"
    )
    assert await ask(dm, "/role grant abc admin") == "“abc”不是 Telegram 用户 ID（应为数字）。"
    assert (await ask(dm, "/role grant")).startswith("回复某人的消息并发送 /role grant 角色")
    assert (await ask(dm, "/role grant １２３４５ grid_worker")).startswith(
        "网格员要指定负责的网格"
    )
    assert await ask(dm, "/role grant 12345 grid_worker 第九网格") == (
        "没有“第九网格”这个网格。现有网格：第一网格、第二网格。"
    )
    assert await ask(dm, "/role grant 12345 网格员 第一网格") == "#12345现在是第一网格网格员。"
    assert (
        await ask(dm, "/role grant 12345 grid_worker 第一网格")
        == "#12345已经是第一网格网格员，未作改动。"
    )
    assert (
        await ask(dm, "/role grant 12345 moderator 第一网格")
        == "只有网格员需要指定网格；主持人负责整个社区。"
    )
    assert (
        await ask(dm, f"/role revoke {alice.id} admin")
        == "王芳是社区唯一的管理员：请先把管理员角色授予其他人。"
    )

    carol = await world.user("李<i>丽</i>")
    group = await world.group("小桃园议事群", [alice, carol])
    said = await group.send("大家好", by=carol)
    await group.reply(said, "/role grant moderator", by=alice)
    [granted] = await group.wait_bot_messages(1)
    assert granted["text"] == "李<i>丽</i>现在是主持人。"
    await group.reply(said, "/role grant moderator", by=carol)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"] == "只有管理员才能授予和撤销角色。"

    assert await ask(dm, "/roles") == (
        "小桃园社区的角色\n\n管理员：王芳\n\n主持人：李<i>丽</i>\n\n第一网格网格员：#12345"
    )
    assert (
        await ask(dm, "/role revoke 12345 grid_worker 第一网格") == "#12345不再是第一网格网格员。"
    )
    assert (
        await ask(dm, "/role revoke 12345 grid_worker 第一网格")
        == "#12345不是第一网格网格员，未作改动。"
    )
    async with running.app.db.session() as s:
        grants = (await s.scalars(select(RoleGrant).order_by(RoleGrant.id))).all()
        events = (
            await s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("role.%")))
        ).all()
    assert [(g.role, g.revoked_at is None) for g in grants] == [
        ("admin", True),
        ("grid_worker", False),
        ("moderator", True),
    ]
    assert events == ["role.granted", "role.granted", "role.revoked"]


async def test_settings_and_refusals_in_english(running: Running) -> None:
    world = running.world
    _, dm, place = await admin_of(running, "Bob", language="en")
    assert await ask(dm, "/settings") == (
        "Settings of 小桃园社区\n\nStreet: —\n\nTime zone: Asia/Shanghai\n\nLanguage: 简体中文\n\n"
        "Change them with /settings timezone Asia/Shanghai or /settings language en."
    )
    assert await ask(dm, "/settings timezone Mars/Olympus") == (
        "“Mars/Olympus” is not a time zone. Use a name like Asia/Shanghai."
    )
    assert (
        await ask(dm, "/settings timezone asia/tokyo")
        == "The community's time zone is now Asia/Tokyo."
    )
    assert await ask(dm, "/settings language klingon") == (
        "“klingon” is not a language I speak. Choose one of: zh_CN, en."
    )
    assert await ask(dm, "/settings language ＥＮ") == "The community's language is now English."
    assert (await ask(dm, "/settings colour blue")).startswith("Use /settings to see the settings")
    assert await ask(dm, "/role grant 5 admiral") == (
        "“admiral” is not a role. Roles: admin (admin), moderator (moderator), "
        "supervisor (supervisor), grid_worker (grid worker), chair (rotating chair)."
    )
    assert (
        await ask(dm, "/building add Grid9 B9")
        == "There is no grid “Grid9”. Grids: 第一网格、第二网格."
    )
    assert await ask(dm, "/grid add 第一网格") == "Grid 第一网格 already exists; nothing changed."

    resident = await world.user("Dan", language_code="en")
    home = await factories.household(running.app.db, place, "1栋", "1-1-101")
    await factories.member(running.app.db, resident.id, "Dan", household_id=home)
    dan = await resident.private_chat()
    assert await ask(dan, "/grid add 第九网格") == "Only admin may create grids and buildings."
    assert (
        await ask(dan, "/settings language zh") == "Only admin may change the community's settings."
    )
    assert await ask(dan, "/roles") == "Roles in 小桃园社区\n\nadmin: Bob"
    stranger = await (await world.user("Eve", language_code="en")).private_chat()
    assert (
        await ask(stranger, "/roles")
        == "You are not part of a community yet, so there are no roles to show."
    )
    assert await ask(stranger, "/role grant 5 admin") == "Only admin may grant and revoke roles."
    async with running.app.db.session() as s:
        changes = (
            await s.scalars(
                select(AuditEvent.data).where(AuditEvent.action == "community.settings")
            )
        ).all()
    assert changes == [
        '{"from":"Asia/Shanghai","setting":"timezone","to":"Asia/Tokyo","via":"chat"}',
        '{"from":"zh_CN","setting":"language","to":"en","via":"chat"}',
    ]
