"""Roster and chair-rotation files sent to the bot in a private chat, as staff and residents do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlmodel import func, select

from bot.flows import imports, roster_csv, roster_upload
from bot.flows.results import Toast
from bot.i18n import t
from storage.engine import Database
from storage.models import AuditEvent, ChairRotation, Household, Member, RosterUpload, Scope
from tests import factories
from tests.conftest import Running
from tests.driver import Chat, User, buttons

DATA = Path(__file__).resolve().parents[1] / "data"
XIAOTAOYUAN = (DATA / "roster-xiaotaoyuan.csv").read_bytes()
BAD = (DATA / "roster-bad.csv").read_bytes()
GBK = (DATA / "roster-building7-gbk.csv").read_bytes()
CHAIRS = (DATA / "chair-rotation-xiaotaoyuan.csv").read_bytes()
IMPORT_ALL = "导入有效的 120 行"


async def staff(
    running: Running,
    place: factories.Place,
    name: str,
    role: str,
    grid: str | None = None,
) -> tuple[User, Chat]:
    """A person holding ``role`` (in ``grid`` when given), with their private chat."""
    user = await running.world.user(name)
    member_id = await factories.member(running.app.db, user.id, name)
    scope = place.grids[grid] if grid else None
    await factories.grant(running.app.db, place, member_id, role, scope)
    return user, await user.private_chat()


async def households(db: Database, community_id: int) -> list[tuple[str, ...]]:
    """Every stored household with its grid and building names, comparable across communities."""
    async with db.session() as s:
        scopes = {
            x.id: x
            for x in (await s.scalars(select(Scope).where(Scope.community_id == community_id)))
        }
        rows = (
            await s.scalars(select(Household).where(Household.community_id == community_id))
        ).all()
    return sorted(
        (
            scopes[scopes[h.building_scope_id].parent_id].name,
            scopes[h.building_scope_id].name,
            h.unit,
            h.room,
            h.code,
            h.representative_name or "",
            h.phone_tail or "",
        )
        for h in rows
    )


async def audit_actions(db: Database) -> list[str]:
    async with db.session() as s:
        return list((await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all())


async def test_admin_imports_the_xiaotaoyuan_roster_and_again_changes_nothing(
    running: Running,
) -> None:
    db = running.app.db
    place = await factories.community(db)
    _, dm = await staff(running, place, "李主任", "admin")
    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    [report] = await dm.wait_bot_messages(1)
    assert report["text"].splitlines()[:2] == [
        "名册 roster-xiaotaoyuan.csv 已检查。",
        "",
    ]
    assert "可导入 120 行（新增 120，更新 0）；无变化 0 行；有问题 0 行。" in report["text"]
    assert "新建楼栋：1栋、2栋、3栋、5栋、7栋" in report["text"]
    assert buttons(report) == [IMPORT_ALL, "不导入"]
    assert await households(db, place.community_id) == [], "a dry run stores nothing"

    answer = await dm.press(report, IMPORT_ALL)
    assert answer is not None and answer["text"] == "已导入。"
    edited = await dm.message(report["message_id"])
    assert edited["edited"] and not buttons(edited)
    assert "已导入 120 行（新增 120，更新 0）；无变化 0 行；未导入 0 行。" in edited["text"]

    stored = await households(db, place.community_id)
    assert len(stored) == 120
    assert {(grid, building) for grid, building, *_ in stored} == {
        ("第一网格", "1栋"), ("第一网格", "2栋"), ("第一网格", "3栋"),
        ("第二网格", "5栋"), ("第二网格", "7栋"),
    }  # fmt: skip
    assert ("第一网格", "2栋", "1单元", "301", "2-1-301", "", "") in stored, "no representative yet"
    assert ("第一网格", "1栋", "1单元", "101", "1-1-101", "秦国梅", "9623") in stored
    async with db.session() as s:
        [event] = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
        ).all()
        [upload] = (await s.scalars(select(RosterUpload))).all()
    data = json.loads(event.data)
    assert data["sha256"] == roster_csv.sha256(XIAOTAOYUAN) == upload.sha256
    assert (data["imported"], data["unchanged"], data["rejected"], data["via"]) == (
        120,
        0,
        0,
        "chat",
    )
    assert event.actor_id == upload.uploader_id and upload.status == "imported"

    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    [again] = await dm.wait_bot_messages(1)
    assert "可导入 0 行（新增 0，更新 0）；无变化 120 行；有问题 0 行。" in again["text"]
    assert "没有需要导入的内容：所有有效行都已是最新。" in again["text"]
    assert not buttons(again)
    assert await households(db, place.community_id) == stored


async def test_the_bad_roster_reports_every_line_and_imports_lines_2_and_7(
    running: Running, caplog
) -> None:
    db = running.app.db
    place = await factories.community(db)
    _, dm = await staff(running, place, "李主任", "admin")
    await dm.upload(BAD, "roster-bad.csv")
    [report] = await dm.wait_bot_messages(1)
    assert report["text"] == "\n".join(
        [
            "名册 roster-bad.csv 已检查。",
            "",
            "可导入 2 行（新增 2，更新 0）；无变化 0 行；有问题 6 行。",
            "",
            "新建楼栋：1栋",
            "",
            "有问题的行（不会导入）：",
            "第 3 行：户号 1-1-101 重复，第 2 行已使用",
            "第 4 行：户号为空",
            "第 5 行：手机尾号一栏像是完整的手机号码，只能填写后 4 位（该号码未被保存）",
            "第 6 行：本社区没有第九网格（网格由管理员创建，导入不会新建网格）",
            "第 8 行：列数太少：应有 7 列，实际 4 列",
            "第 9 行：列数太多：应有 7 列，实际 8 列",
            "",
            "现在导入有效的行吗？有问题的行不会导入。",
        ]
    )
    assert buttons(report) == ["导入有效的 2 行", "不导入"]
    await dm.press(report, "导入有效的 2 行")
    assert await households(db, place.community_id) == [
        ("第一网格", "1栋", "1单元", "101", "1-1-101", "王伟", "1234"),
        ("第一网格", "1栋", "1单元", "105", "1-1-105", "<b>赵</b>敏", "2233"),
    ]
    async with db.session() as s:
        assert not await s.scalar(
            select(func.count()).select_from(Scope).where(Scope.name == "第九网格")
        )
    # The full phone number is nowhere: not stored, not logged, not echoed.
    for file in Path(db.url.database).parent.glob("xieshang.db*"):  # with the WAL
        assert b"12345678901" not in file.read_bytes(), file
    assert all(
        "12345678901" not in m.get("text", "") for m in await dm.transcript() if m["from"]["is_bot"]
    )
    assert "12345678901" not in caplog.text


async def test_the_gbk_file_imports_exactly_like_the_utf8_rows_of_building_7(
    running: Running,
) -> None:
    db = running.app.db
    utf8 = await factories.community(db, "小桃园社区")
    admin, dm = await staff(running, utf8, "李主任", "admin")
    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    await dm.press((await dm.wait_bot_messages(1))[0], IMPORT_ALL)

    fresh = await factories.community(db, "新桃园社区")
    _, worker_dm = await staff(running, fresh, "张网格", "grid_worker", "第二网格")
    await worker_dm.upload(GBK, "7栋.csv")
    [report] = await worker_dm.wait_bot_messages(1)
    assert "可导入 24 行（新增 24，更新 0）" in report["text"]
    await worker_dm.press(report, "导入有效的 24 行")

    building7 = [h for h in await households(db, utf8.community_id) if h[1] == "7栋"]
    assert len(building7) == 24
    assert await households(db, fresh.community_id) == building7


async def test_a_grid_worker_imports_only_their_own_grid(running: Running) -> None:
    db = running.app.db
    place = await factories.community(db)
    _, dm = await staff(running, place, "张网格", "grid_worker", "第二网格")
    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    [report] = await dm.wait_bot_messages(1)
    assert "可导入 48 行（新增 48，更新 0）；无变化 0 行；有问题 72 行。" in report["text"]
    assert "第 2 行：第一网格不归你负责：你只能导入自己负责的网格" in report["text"]
    assert report["text"].count("不归你负责") == 72
    await dm.press(report, "导入有效的 48 行")
    stored = await households(db, place.community_id)
    assert len(stored) == 48 and {h[0] for h in stored} == {"第二网格"}


async def test_residents_and_strangers_are_told_who_can_import(running: Running) -> None:
    db = running.app.db
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "1栋")
    home = await factories.household(db, place, "1栋", "1-1-101")
    resident = await running.world.user("王伟")
    await factories.member(db, resident.id, "王伟", household_id=home)
    stranger = await running.world.user("路人")
    for person in (resident, stranger):
        dm = await person.private_chat()
        await dm.upload(XIAOTAOYUAN, "roster.csv")
        [refusal] = await dm.wait_bot_messages(1)
        assert refusal["text"] == "只有网格员或管理员才能导入住户名册。"
        assert not buttons(refusal)
    async with db.session() as s:
        assert not (await s.scalars(select(RosterUpload))).all()


async def test_files_that_are_not_rosters_get_a_clear_answer(running: Running) -> None:
    place = await factories.community(running.app.db)
    _, dm = await staff(running, place, "李主任", "admin")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    expected = {
        (
            "photo.png",
            png,
        ): "请以 CSV 文件（.csv）发送名册。在 Excel 或 WPS 中：文件 → 另存为 → CSV。",
        ("roster.xlsx", b"PK\x03\x04" + bytes(200)): "请以 CSV 文件（.csv）发送名册。",
        (
            "roster.csv",
            png,
        ): "这个文件无法作为文本读取。请在表格软件中另存为 CSV（UTF-8 或 GBK）后重新发送。",
        ("empty.csv", b"\n\n"): "这个文件是空的。",
        ("big.csv", b"a" * (1024 * 1024 + 1)): "文件超过 1 MB，名册文件不会这么大。",
        (
            "notes.csv",
            "开会时间,地点\n周六,活动室\n".encode(),
        ): "第一行必须是表头。名册：网格,楼栋,单元,房号,户号,户代表,手机尾号",
        ("header.csv", "户号,姓名,顺序\n".encode()): "文件只有表头，没有数据行。",
    }
    for (filename, data), said in expected.items():
        await dm.upload(data, filename)
        [answer] = await dm.wait_bot_messages(1)
        assert answer["text"].startswith(said), (filename, answer["text"])
        assert not buttons(answer)


async def test_import_nothing_and_a_double_press_change_nothing(running: Running) -> None:
    db = running.app.db
    place = await factories.community(db)
    _, dm = await staff(running, place, "李主任", "admin")
    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    [first] = await dm.wait_bot_messages(1)
    answer = await dm.press(first, "不导入")
    assert answer is not None and answer["text"] == "没有从 roster-xiaotaoyuan.csv 导入任何内容。"
    assert (await dm.message(first["message_id"]))["text"] == answer["text"]
    assert await households(db, place.community_id) == []
    # A stale keyboard (a second device) pressing "import" afterwards changes nothing either.
    async with db.session() as s:
        [upload] = (await s.scalars(select(RosterUpload))).all()
        uploader = await s.get(Member, upload.uploader_id)
    late = await roster_upload.confirm(
        db, upload.id, uploader, XIAOTAOYUAN, running.app.clock.now()
    )
    assert late == [Toast(t("This file was already set aside; nothing was imported."), alert=True)]
    assert await households(db, place.community_id) == []

    await dm.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv")
    [second] = await dm.wait_bot_messages(1)
    answers = await asyncio.gather(dm.press(second, IMPORT_ALL), dm.press(second, IMPORT_ALL))
    assert sorted(a["text"] for a in answers if a) == [
        "已导入。",
        "这个文件已经导入过了，没有任何改动。",
    ]
    assert len(await households(db, place.community_id)) == 120
    actions = await audit_actions(db)
    assert actions.count("roster.imported") == 1 and actions.count("upload.discarded") == 1


async def test_a_moderator_imports_the_chair_rotation_and_a_grid_worker_may_not(
    running: Running,
) -> None:
    db = running.app.db
    place = await factories.community(db)
    sheet = roster_csv.read(XIAOTAOYUAN)
    source = imports.Source("roster.csv", roster_csv.sha256(XIAOTAOYUAN), "cli")
    await imports.run(db, place.community_id, sheet, source, actor_id=None, standing=None)

    _, worker_dm = await staff(running, place, "张网格", "grid_worker", "第一网格")
    await worker_dm.upload(CHAIRS, "轮值主席.csv")
    [refusal] = await worker_dm.wait_bot_messages(1)
    assert refusal["text"] == "只有主持人或管理员才能导入轮值主席名单。"

    _, dm = await staff(running, place, "陈主持", "moderator")
    await dm.upload(CHAIRS, "轮值主席.csv")
    [report] = await dm.wait_bot_messages(1)
    assert report["text"].startswith("轮值主席名单 轮值主席.csv 已检查。")
    assert "可导入 32 行（新增 32，更新 0）；无变化 0 行；有问题 0 行。" in report["text"]
    await dm.press(report, "导入有效的 32 行")
    async with db.session() as s:
        rotation = (await s.execute(
            select(ChairRotation.position, Household.code, ChairRotation.name)
            .join(Household, Household.id == ChairRotation.household_id)
            .order_by(ChairRotation.position)
        )).all()  # fmt: skip
    assert len(rotation) == 32
    assert tuple(rotation[0]) == (1, "5-1-401", "胡东") and tuple(rotation[-1]) == (
        32,
        "2-1-203",
        "崔静",
    )

    await dm.upload(CHAIRS, "轮值主席.csv")
    [again] = await dm.wait_bot_messages(1)
    assert "无变化 32 行" in again["text"] and not buttons(again)


async def test_documents_in_groups_are_ignored(running: Running) -> None:
    place = await factories.community(running.app.db)
    admin, _ = await staff(running, place, "李主任", "admin")
    group = await running.world.group("小桃园业主群", [admin])
    await group.upload(XIAOTAOYUAN, "roster-xiaotaoyuan.csv", by=admin)
    await group.expect_silence()


async def test_a_long_report_is_split_and_lists_every_line(running: Running) -> None:
    place = await factories.community(running.app.db)
    _, dm = await staff(running, place, "李主任", "admin")
    wrong = [
        f"第一网格,1栋,1单元,{n},1-1-{n},住户{n},{n}" for n in range(100, 550)
    ]  # 3-digit tails
    valid = "第一网格,1栋,2单元,101,1-2-101,王伟,1234"
    csv = "\n".join(["网格,楼栋,单元,房号,户号,户代表,手机尾号", *wrong, valid, ""])
    await dm.upload(csv.encode(), "long.csv")
    report = await dm.wait_bot_messages(2)
    while not buttons(report[-1]):
        report += await dm.wait_bot_messages(1)
    assert all(not buttons(m) for m in report[:-1])
    listed = [line for m in report for line in m["text"].splitlines() if line.startswith("第 ")]
    assert listed == [f"第 {line} 行：手机尾号必须是 4 位数字" for line in range(2, 452)]
    answer = await dm.press(report[-1], "导入有效的 1 行")
    assert answer is not None and answer["text"] == "已导入。"
    assert len(await households(running.app.db, place.community_id)) == 1
