"""A binding vote in a building group, through the sandbox: open with a confirmed summary, taps
by representatives (and refusals that say why), a change, close by the chair, result with the
rule in words and a chart, and a supervisor's verification."""

from __future__ import annotations

from storage.models import ChatBinding
from tests import factories
from tests.driver import Chat, Message, buttons


async def result_and_chart(group: Chat) -> Message:
    """The result message, and the chart image after it (its CJK font comes with mplfonts)."""
    result, chart = await group.wait_bot_messages(2)
    assert chart.get("photo"), "the chart follows the result"
    return result


async def building_seven(running, world, households: int = 6):
    """Building 7 with ``households`` households; residents for the first two; a chair and a
    supervisor; the building group bound to 7栋."""
    db = running.app.db
    chair, wang, li, wang_son, outsider, supervisor = [
        await world.user(name) for name in ("主席", "王芳", "李强", "王小明", "外人", "监事")
    ]
    place = await factories.community(db)
    await factories.building(db, place, "第一网格", "7栋")
    codes = [f"7-1-{101 + i}" for i in range(households)]
    ids = [
        await factories.household(
            db, place, "7栋", code, room=code[-3:], representative_name=f"户主{i}"
        )
        for i, code in enumerate(codes)
    ]
    await factories.member(db, wang.id, "王芳", household_id=ids[0], representative=True)
    await factories.member(db, wang_son.id, "王小明", household_id=ids[0])
    await factories.member(db, li.id, "李强", household_id=ids[1], representative=True)
    chair_id = await factories.member(db, chair.id, "主席")
    supervisor_id = await factories.member(db, supervisor.id, "监事")
    await factories.grant(db, place, chair_id, "chair")
    await factories.grant(db, place, supervisor_id, "supervisor")
    group = await world.group("7栋业主群", [chair, wang, li, wang_son, outsider, supervisor])
    async with db.write() as s:
        s.add(
            ChatBinding(
                chat_id=group.id,
                community_id=place.community_id,
                scope_id=place.buildings["7栋"],
                title="7栋业主群",
            )
        )
    return group, chair, wang, li, wang_son, outsider, supervisor


async def test_a_named_vote_from_opening_to_verified_result(running, world):
    group, chair, wang, li, wang_son, outsider, supervisor = await building_seven(running, world)

    await group.send(
        "/vote 7栋安装门禁系统 ｜ 同意/不同意/弃权 ｜ 过半数 ｜ 48小时 ｜ 记名", by=chair
    )
    [summary] = await group.wait_bot_messages(1)
    assert "确认发起以下表决" in summary["text"] and "有表决权的户数：6户" in summary["text"]
    assert "须全体户数过半数同意" in summary["text"]
    assert (await group.press(summary, "发起表决", by=wang))["show_alert"]  # not theirs
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    assert "第1号表决：7栋安装门禁系统" in ballot["text"] and "已投票：0/6户" in ballot["text"]
    assert buttons(ballot) == ["同意", "不同意", "弃权"]

    answer = await group.press(ballot, "同意", by=wang)
    assert answer["text"] == "你户投票：“同意”，已记录。"
    again = await group.press(ballot, "同意", by=wang)  # double tap
    assert again["text"] == "你户的“同意”票已经记录过了。"
    refused = await group.press(ballot, "不同意", by=wang_son)
    assert refused["show_alert"] and "7-1-101户已经投过票，由王芳投出" in refused["text"]
    stranger = await group.press(ballot, "同意", by=outsider)
    assert stranger["show_alert"] and "户代表" in stranger["text"]
    await group.press(ballot, "同意", by=li)
    changed = await group.press(ballot, "不同意", by=li)
    assert changed["text"] == "已改为“不同意”，已记录。"

    await group.send("/closevote 1", by=wang)
    [denied] = await group.wait_bot_messages(1)
    assert "轮值主席" in denied["text"]
    await group.send("/closevote 1", by=chair)
    result = await result_and_chart(group)
    assert "第1号表决结果：7栋安装门禁系统" in result["text"]
    assert "6户中1户同意，占16.7%，须过半数：未通过" in result["text"]
    assert "同意 1，不同意 1，弃权 0" in result["text"]
    assert "投票率：2/6户" in result["text"]
    closed = await group.message(ballot["message_id"])
    assert not buttons(closed) and "表决已结束" in closed["text"]

    await group.send("/verify 1", by=chair)
    [refusal] = await group.wait_bot_messages(1)
    assert "监事" in refusal["text"]
    await group.send("/verify 1", by=supervisor)
    [verified] = await group.wait_bot_messages(1)
    assert verified["text"] == "第1号表决：核验通过。选票、结果与审计链一致。"


async def test_bad_vote_commands_are_explained(running, world):
    group, chair, *_ = await building_seven(running, world)
    for command, expected in [
        ("/vote | 同意/不同意/弃权", "请写明表决标题"),
        ("/vote 门禁 | 同意 | 过半数", "2到10个不同的选项"),
        ("/vote 门禁 | | 大多数人", "无法识别规则“大多数人”"),
        ("/vote 门禁 | | 过半数 | 明天", "时长请写成"),
        ("/vote <b>门禁</b> | | | | 悄悄", "表决方式：记名 或 无记名"),
        ("/closevote x", "请写明表决编号"),
        ("/closevote 99", "本社区没有第99号表决"),
    ]:
        await group.send(command, by=chair)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (command, answer["text"])
    await group.send("/vote <b>门禁</b> |", by=chair)
    [summary] = await group.wait_bot_messages(1)
    assert "&lt;b&gt;" not in summary["text"] and "<b>门禁</b>" in summary["text"]
    await group.press(summary, "取消", by=chair)
    assert (await group.message(summary["message_id"]))["text"] == "未发起。"


async def test_the_vote_closes_itself_when_its_time_comes(tmp_path):
    from tests.conftest import settings_for, start_bot

    async for running in start_bot(settings_for(tmp_path, clock="virtual")):
        world = running.world
        group, chair, wang, *_ = await building_seven(running, world)
        await group.send("/vote 门禁 | | 过半数 | 30分钟", by=chair)
        [summary] = await group.wait_bot_messages(1)
        await group.press(summary, "发起表决", by=chair)
        [ballot] = await group.wait_bot_messages(1)
        await group.press(ballot, "同意", by=wang)
        await world.call("POST", "/clock", json={"advance": 31 * 60})
        result = await result_and_chart(group)
        assert "6户中1户同意" in result["text"]
