"""/propose in a private chat: the guided dialogue (scope, title, details, confirm) with back and
cancel, the same limits as the group command, the similar-proposals offer, and a scope without a
group. Stale buttons (pressed twice, after cancelling, after finishing) change nothing."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from storage.models import Proposal
from tests.driver import buttons
from tests.e2e.proposals_estate import estate

SCOPES = ["7栋（楼栋）", "第一网格（网格）", "小桃园社区（社区）", "取消"]
STALE = "这个按钮已经过期了。"


async def proposals(db) -> list[Proposal]:
    async with db.session() as s:
        return list((await s.scalars(select(Proposal).order_by(Proposal.number))).all())


async def test_dialogue_with_back_bad_input_and_posting_in_the_scope_group(running, world):
    place = await estate(running, world)
    dm = await place.people["wang"].private_chat()
    await dm.send("/propose")
    [ask] = await dm.wait_bot_messages(1)
    assert "这个提案面向哪个范围" in ask["text"] and buttons(ask) == SCOPES

    await dm.press(ask, "7栋（楼栋）")
    title = await dm.message(ask["message_id"])
    assert "范围：7栋。" in title["text"] and buttons(title) == ["‹ 返回", "取消"]
    await dm.press(title, "‹ 返回")
    again = await dm.message(ask["message_id"])
    assert buttons(again) == SCOPES
    await dm.send("随便说一句")  # typing where a button is expected
    [hint] = await dm.wait_bot_messages(1)
    assert hint["text"] == "请点击上方的按钮选择，或发送 /cancel 取消。"
    await dm.press(again, "小桃园社区（社区）")

    # The same limits and messages as /propose in a group.
    for typed, expected in [
        ("门禁", "标题太短：请用至少4个字说明提案内容。"),
        ("请" * 61, "标题太长（61个字，最多60个字）"),
    ]:
        await dm.send(typed)
        [refused] = await dm.wait_bot_messages(1)
        assert expected in refused["text"] and buttons(refused) == ["‹ 返回", "取消"]
    await dm.send("<b>楼道灯</b>坏了　＆　要修")  # HTML and full-width text, taken as typed
    [details] = await dm.wait_bot_messages(1)
    assert details["text"].startswith("标题：<b>楼道灯</b>坏了 ＆ 要修")
    assert buttons(details) == ["跳过详情", "‹ 返回", "取消"]
    await dm.send("门禁" * 1001)
    [too_long] = await dm.wait_bot_messages(1)
    assert "详情太长（2002个字，最多2000个字）" in too_long["text"]
    await dm.send("三楼到五楼\n每晚都是黑的")
    [confirm] = await dm.wait_bot_messages(1)
    assert confirm["text"].startswith(
        "你的提案：<b>楼道灯</b>坏了 ＆ 要修\n\n三楼到五楼\n每晚都是黑的"
    )
    assert "范围：小桃园社区。" in confirm["text"]
    assert "提案将发布在“小桃园社区群”群里。" in confirm["text"]
    assert buttons(confirm) == ["提交提案", "‹ 返回", "取消"]

    # Back to the details, skip them this time.
    await dm.press(confirm, "‹ 返回")
    back = await dm.message(confirm["message_id"])
    assert buttons(back) == ["跳过详情", "‹ 返回", "取消"]
    await dm.press(back, "跳过详情")
    confirm = await dm.message(confirm["message_id"])
    assert "三楼到五楼" not in confirm["text"] and buttons(confirm) == [
        "提交提案",
        "‹ 返回",
        "取消",
    ]

    # A double tap on [提交提案] raises one proposal.
    await asyncio.gather(dm.press(confirm, "提交提案"), dm.press(confirm, "提交提案"))
    [card] = await place.group.wait_bot_messages(1)
    assert card["text"].startswith("第1号提案：<b>楼道灯</b>坏了 ＆ 要修\n\n提案人：王芳")
    assert buttons(card) == ["附议（1户）", "详情"]
    [done] = await dm.wait_bot_messages(1)
    assert done["text"] == "第1号提案已提交，并已发布在“小桃园社区群”群里，住户可以在那里附议。"
    assert buttons(await dm.message(confirm["message_id"])) == []

    # Buttons of earlier steps after the end change nothing.
    assert (await dm.press(refused, "‹ 返回"))["text"] == STALE
    assert (await dm.press(refused, "取消"))["text"] == STALE
    await place.group.expect_silence(0.3)
    await dm.expect_silence(0.3)
    [raised] = await proposals(running.app.db)
    assert (raised.scope_id, raised.chat_id) == (place.place.root_id, place.group.id)


async def test_a_scope_without_group_cancel_and_a_title_given_with_the_command(running, world):
    place = await estate(running, world)
    dm = await place.people["zhou"].private_chat()
    await dm.send("/propose")
    [ask] = await dm.wait_bot_messages(1)
    await asyncio.gather(dm.press(ask, "取消"), dm.press(ask, "取消"))  # a double tap
    cancelled = await dm.message(ask["message_id"])
    assert cancelled["text"] == "已取消，没有提交任何提案。发送 /propose 可以重新开始。"
    assert buttons(cancelled) == []
    await dm.expect_silence(0.3)
    await dm.send("/cancel")
    [nothing] = await dm.wait_bot_messages(1)
    assert nothing["text"] == "当前没有可以取消的操作。"

    # The title after /propose is taken once the scope is chosen; 5栋 has no group.
    await dm.send("/propose ５栋　增加晾衣架\n楼顶平台可以利用")
    [ask] = await dm.wait_bot_messages(1)
    assert buttons(ask) == ["5栋（楼栋）", "第一网格（网格）", "小桃园社区（社区）", "取消"]
    await dm.press(ask, "5栋（楼栋）")
    [confirm] = await dm.wait_bot_messages(1)
    assert confirm["text"].startswith("你的提案：5栋 增加晾衣架\n\n楼顶平台可以利用")
    assert "5栋还没有绑定群" in confirm["text"]
    assert (await dm.press(ask, "第一网格（网格）"))["text"] == STALE  # the scope is chosen
    await dm.press(confirm, "提交提案")
    [done] = await dm.wait_bot_messages(1)
    assert done["text"].startswith("第1号提案已提交。\n\n5栋还没有绑定群")
    await dm.send("/proposals")
    [listing] = await dm.wait_bot_messages(1)
    assert "第1号：5栋 增加晾衣架" in listing["text"]
    await place.group.expect_silence(0.3)

    # Someone with a role but no household raises for the whole community only.
    mod = await place.people["moderator"].private_chat()
    await mod.send("/propose")
    [ask] = await mod.wait_bot_messages(1)
    assert buttons(ask) == ["小桃园社区（社区）", "取消"]
    await mod.press(ask, "取消")
    assert (await mod.message(ask["message_id"]))["text"].startswith("已取消")


async def test_a_similar_proposal_is_offered_in_private_too(running, world):
    place = await estate(running, world)
    await place.group.send("/propose 7栋安装门禁系统", by=place.people["zhao"])
    await place.group.wait_bot_messages(1)
    dm = await place.people["li"].private_chat()
    await dm.send("/propose 给七栋装个门禁吧")
    [ask] = await dm.wait_bot_messages(1)
    await dm.press(ask, "小桃园社区（社区）")
    [details] = await dm.wait_bot_messages(1)
    await dm.press(details, "跳过详情")
    await dm.press(await dm.message(details["message_id"]), "提交提案")
    [offer] = await dm.wait_bot_messages(1)
    assert "第1号" in offer["text"] and "仍然新建" in buttons(offer)
    await place.group.expect_silence(0.3)
    answers = await asyncio.gather(dm.press(offer, "仍然新建"), dm.press(offer, "仍然新建"))
    [card] = await place.group.wait_bot_messages(1)  # a double tap creates one proposal
    assert card["text"].startswith("第2号提案：给七栋装个门禁吧")
    [done] = await dm.wait_bot_messages(1)
    assert done["text"].startswith("第2号提案已提交，并已发布在“小桃园社区群”群里")
    assert "这不是你的提案，或已经处理过了。" in [a and a.get("text") for a in answers]
    await place.group.expect_silence(0.5)
    assert len(await proposals(running.app.db)) == 2
