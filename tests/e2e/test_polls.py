"""Informal opinion polls through the sandbox: a moderator posts a native poll labelled as not
binding, residents answer, change and retract through the sandbox's user API, the answers are
stored, the poll is closed once with a summary; refusals and bad input are explained."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from storage.engine import Database
from storage.models import AuditEvent, Member, Poll, PollAnswer
from tests import factories
from tests.driver import SandboxError
from tests.e2e.proposals_estate import estate


async def stored_answers(db: Database, expected: dict[int, list[int]]) -> dict[int, PollAnswer]:
    """The poll's answers by Telegram user, once they are ``expected``: poll_answer updates have
    no visible reply, so wait on the database the bot writes (bounded, never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + 8
    while True:
        async with db.session() as session:
            rows = {a.tg_user_id: a for a in (await session.scalars(select(PollAnswer))).all()}
        found = {user: json.loads(a.option_ids) for user, a in rows.items()}
        if found == expected or asyncio.get_running_loop().time() > deadline:
            assert found == expected
            return rows
        await asyncio.sleep(0.05)


async def test_a_named_poll_from_posting_to_summary(running, world):
    place = await estate(running, world)
    db, group, people = running.app.db, place.group, place.people
    wang, son, li, newcomer = people["wang"], people["son"], people["li"], people["newcomer"]

    await group.send("/poll 周末大扫除定在哪天？ ｜ 周六上午 ／ 周日上午 ／ 都可以", by=wang)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"] == "只有轮值主席或主持人才能发起意见征集。"

    await group.send(
        "/poll 周末大扫除定在哪天？ ｜ 周六上午 ／ 周日上午 ／ 都可以", by=people["moderator"]
    )
    poll_message, label = await group.wait_bot_messages(2)
    poll = poll_message["poll"]
    assert poll["question"] == "周末大扫除定在哪天？"
    assert [o["text"] for o in poll["options"]] == ["周六上午", "周日上午", "都可以"]
    assert not poll["is_anonymous"] and not poll["allows_multiple_answers"]
    assert label["reply_to_message"]["message_id"] == poll_message["message_id"]
    assert "第1号是不具约束力的意见征集" in label["text"] and "不是正式表决" in label["text"]
    assert "实名作答" in label["text"] and "/closepoll 1" in label["text"]

    await group.answer_poll(poll_message, [0], by=wang)
    await group.answer_poll(poll_message, [0], by=son)
    await group.answer_poll(poll_message, [1], by=li)
    await group.answer_poll(poll_message, [2], by=newcomer)
    await group.answer_poll(poll_message, [1], by=wang)  # changed her mind
    await group.answer_poll(poll_message, [], by=son)  # retracted
    rows = await stored_answers(db, {wang.id: [1], li.id: [1], newcomer.id: [2]})
    assert rows[wang.id].member_id is not None and rows[newcomer.id].member_id is None

    await group.send("/poll 1", by=li)
    [so_far] = await group.wait_bot_messages(1)
    assert "第1号意见征集目前结果" in so_far["text"]
    assert "• 周六上午：0\n• 周日上午：2\n• 都可以：1" in so_far["text"]
    assert "作答人数：3人，来自2户。" in so_far["text"]

    await group.send("/closepoll 1", by=li)
    [denied] = await group.wait_bot_messages(1)
    assert denied["text"] == "只有轮值主席或主持人才能发起意见征集。"
    await group.send("/closepoll 1", by=people["moderator"])
    [summary] = await group.wait_bot_messages(1)
    assert summary["reply_to_message"]["message_id"] == poll_message["message_id"]
    assert summary["text"].startswith("📊 第1号意见征集已结束：周末大扫除定在哪天？")
    assert "不具约束力的意见征集" in summary["text"]
    assert "• 周日上午：2" in summary["text"] and "作答人数：3人，来自2户。" in summary["text"]
    assert (await group.message(poll_message["message_id"]))["poll"]["is_closed"]

    await group.send("/closepoll 1", by=people["moderator"])
    [twice] = await group.wait_bot_messages(1)
    assert twice["text"] == "第1号意见征集已经结束。"
    try:
        await group.answer_poll(poll_message, [0], by=son)
        raise AssertionError("a closed poll took an answer")
    except SandboxError as closed:
        assert "closed" in str(closed)

    async with db.session() as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject == "poll:1")
                .order_by(AuditEvent.id)
            )
        ).all()
    # Answers handled out of order are superseded, not written: only the newest per person counts.
    assert (actions[0], actions[-1]) == ("poll.post", "poll.close")
    assert set(actions[1:-1]) <= {"poll.answer", "poll.retract"} and len(actions) >= 5


async def test_bad_polls_are_explained_and_nothing_is_posted(running, world):
    place = await estate(running, world)
    db, group, moderator = running.app.db, place.group, place.people["moderator"]
    too_many = " / ".join(f"选项{i}" for i in range(11))
    for command, expected in [
        ("/poll", "请写明问题和选项，例如：/poll 周末大扫除定在哪天？"),
        ("/poll 装不装门禁？", "需要2到10个选项，用 / 分隔"),
        ("/poll 装不装门禁？ | 装", "需要2到10个选项"),
        (f"/poll 装不装门禁？ | {too_many}", "需要2到10个选项"),
        ("/poll 装不装门禁？ | 装 / / 不装", "选项不能为空"),
        ("/poll 装不装门禁？ ｜ 装 ／ 装", "选项不能重复：“装”出现了两次。"),
        ("/poll " + "问" * 301 + " | 装 / 不装", "问题最多300个字。"),
        ("/poll 装不装门禁？ | 装 / " + "不" * 101, "每个选项最多100个字"),
        ("/poll 装不装门禁？ | 装 / 不装 | 大概", "选项之后可以加上“匿名”"),
        ("/poll 装不装门禁？ | 装 / 不装 | 匿名 记名", "选项之后可以加上“匿名”"),
        ("/poll 甲 | 乙 / 丙 | 多选 | 丁", "分段太多了"),
        ("/poll 99", "本社区没有第99号意见征集。"),
        ("/closepoll", "请写明意见征集的编号，例如：/closepoll 3。"),
        ("/closepoll 七", "请写明意见征集的编号"),
        ("/closepoll 99", "本社区没有第99号意见征集。"),
    ]:
        await group.send(command, by=moderator)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (command, answer["text"])

    dm = await moderator.private_chat()
    await dm.send("/poll 装不装门禁？ | 装 / 不装")
    [elsewhere] = await dm.wait_bot_messages(1)
    assert elsewhere["text"] == "请在已绑定到社区、网格或楼栋的群里发起意见征集。"
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Poll)) == 0

    # What people type is shown as typed: markup in a question or an option stays text.
    await group.send("/poll <b>谁</b>来 & 打扫？ | <i>我 & 你 / 他", by=moderator)
    poll_message, _ = await group.wait_bot_messages(2)
    assert poll_message["poll"]["question"] == "<b>谁</b>来 & 打扫？"
    assert poll_message["poll"]["options"][0]["text"] == "<i>我 & 你"
    await group.answer_poll(poll_message, [0], by=place.people["zhao"])
    await stored_answers(db, {place.people["zhao"].id: [0]})
    await group.send("/closepoll 1", by=moderator)
    [summary] = await group.wait_bot_messages(1)
    assert (
        "已结束：<b>谁</b>来 & 打扫？" in summary["text"] and "• <i>我 & 你：1" in summary["text"]
    )
    assert not summary.get("entities")


async def test_an_anonymous_multiple_choice_poll_in_a_topic_in_english(running, world):
    place = await estate(running, world, language="en", forum=True)
    db, group, people = running.app.db, place.group, place.people
    chair = people["zhao"]
    async with db.session() as session:
        chair_member = await session.scalar(select(Member.id).where(Member.tg_user_id == chair.id))
    await factories.grant(db, place.place, chair_member, "chair")
    topic = await world.call(
        "POST", f"/chats/{group.id}/topics", json={"user_id": chair.id, "name": "Cleaning"}
    )
    thread = topic["message_thread_id"]

    await group.send(
        "/poll Which day suits you? | Saturday / Sunday | anonymous multiple",
        by=chair,
        thread=thread,
    )
    poll_message, label = await group.wait_bot_messages(2)
    assert poll_message["message_thread_id"] == thread and label["message_thread_id"] == thread
    assert poll_message["poll"]["is_anonymous"] and poll_message["poll"]["allows_multiple_answers"]
    assert label["text"].startswith("☝️ Poll 1 is an informal opinion poll, not a binding vote.")
    assert "Answers are anonymous" in label["text"]

    await group.answer_poll(poll_message, [0, 1], by=people["wang"])
    await group.answer_poll(poll_message, [1], by=people["li"])
    await group.send("/poll 1", by=people["li"], thread=thread)
    [so_far] = await group.wait_bot_messages(1)
    assert "This poll is anonymous: its counts are shown in the poll itself." in so_far["text"]

    dm = await people["moderator"].private_chat()
    await dm.send("/closepoll 1")
    [told] = await dm.wait_bot_messages(1)
    assert told["text"] == "Poll 1 is closed; the summary is posted in its group."
    [summary] = await group.wait_bot_messages(1)
    assert summary["message_thread_id"] == thread
    assert summary["text"].startswith("📊 Poll 1 closed: Which day suits you?")
    assert "• Saturday: 1\n• Sunday: 2" in summary["text"]
    assert "People who answered: 2." in summary["text"]
    assert "Several answers were allowed" in summary["text"]
    async with db.session() as session:  # anonymous: Telegram never tells the bot who answered
        assert await session.scalar(select(func.count()).select_from(PollAnswer)) == 0

    await group.send("/closepoll 1", by=people["moderator"], thread=thread)
    [twice] = await group.wait_bot_messages(1)
    assert twice["text"] == "Poll 1 is already closed."


async def test_mydata_counts_poll_answers_and_forgetme_unlinks_them(running, world):
    place = await estate(running, world)
    db, group, people = running.app.db, place.group, place.people
    li = people["li"]
    await group.send("/poll 周末大扫除定在哪天？ | 周六上午 / 周日上午", by=people["moderator"])
    poll_message, _ = await group.wait_bot_messages(2)
    await group.answer_poll(poll_message, [1], by=li)
    await stored_answers(db, {li.id: [1]})
    dm = await li.private_chat()
    await dm.send("/mydata")
    [mine] = await dm.wait_bot_messages(1)
    assert "意见征集回答：1条。" in mine["text"]
    await dm.send("/forgetme")
    [confirm] = await dm.wait_bot_messages(1)
    await dm.press(confirm, "是的，删除我的信息")
    async with db.session() as session:
        [answer] = (await session.scalars(select(PollAnswer))).all()
        gone = await session.get(Member, answer.member_id)
    assert answer.tg_user_id == -gone.id and gone.forgotten_at is not None
    assert json.loads(answer.option_ids) == [1], "the poll's counts stay as they were"
