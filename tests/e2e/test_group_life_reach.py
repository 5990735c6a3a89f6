"""Unreachable chats: a 403 marks a person unreachable privately (blocked the bot, or never
started it) or a group's binding inactive, audited; reminders stop trying them, and /pending
shows the grid worker whom to call. Writing to the bot or unblocking it clears the mark."""

from __future__ import annotations

import json

import pytest
from aiogram.exceptions import TelegramForbiddenError
from sqlmodel import select

from storage.models import AuditEvent, ChatBinding, Household
from tests import factories
from tests.driver import buttons
from tests.e2e.group_life_estate import building_seven, open_vote

WORDS = {
    "zh": {
        "sending": "正在发送2条提醒……",
        "call_three": "其中3户无法私信联系，请电话联系：7-1-102、7-1-201、7-1-202",
        "call_one": "其中1户无法私信联系，请电话联系：7-1-202",
        "blocked": "7栋 7-1-201：户代表已屏蔽我或从未与我私聊",
        "not_started": "7栋 7-1-102：户代表尚未与我私聊过",
    },
    "en": {
        "sending": "Sending 2 reminders…",
        "call_three": "I cannot message 3 of them privately; please call them: "
        "7-1-102、7-1-201、7-1-202",
        "call_one": "I cannot message 1 of them privately; please call them: 7-1-202",
        "blocked": "7栋 7-1-201: blocked me or never started a chat with me",
        "not_started": "7栋 7-1-102: has not started a chat with me",
    },
}


async def audited(running, action: str) -> list[tuple[str, dict]]:
    async with running.app.db.session() as s:
        rows = await s.execute(
            select(AuditEvent.subject, AuditEvent.data).where(AuditEvent.action == action)
        )
        return [(subject, json.loads(data)) for subject, data in rows.all()]


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_blocked_and_never_started_residents_are_listed_to_call(running, world, language):
    b = await building_seven(running, world, language=language)
    words, group, db = WORDS[language], b.group, running.app.db
    async with db.session() as s:
        room_201 = await s.scalar(select(Household.id).where(Household.code == "7-1-201"))
    zhao = await world.user("赵敏", language_code=b.words["code"])
    await factories.member(db, zhao.id, "赵敏", household_id=room_201, representative=True)
    wang_dm, zhao_dm = await b.wang.private_chat(), await zhao.private_chat()
    bot_id = await world.bot_id()
    await zhao_dm.set_member(bot_id, "kicked")  # 赵敏 blocks the bot; 李强 never started it
    await open_vote(b)

    await group.send("/pending 1", by=b.chair)
    [listing] = await group.wait_bot_messages(1)
    answer = await group.press(listing, buttons(listing)[0], by=b.chair)
    assert answer["text"] == words["sending"]  # 王芳 and 李强; 赵敏 blocked it: not tried
    [report] = await group.wait_bot_messages(1)
    assert words["blocked"] in report["text"] and words["not_started"] in report["text"]
    await wang_dm.wait_bot_messages(1)
    unreachable = await audited(running, "member.unreachable")
    assert [data["reason"] for _, data in unreachable] == [
        "blocked",
        "Forbidden: bot can't initiate conversation with a user",
    ]

    await group.send("/pending 1", by=b.chair)
    [listing] = await group.wait_bot_messages(1)
    assert words["call_three"] in listing["text"]

    # 赵敏 unblocks the bot, 李强 writes to it: both can be messaged again.
    await zhao_dm.set_member(bot_id, "member")
    li_dm = await b.li.private_chat()
    await li_dm.send("/start")
    await li_dm.wait_bot_messages(1)
    await group.send("/pending 1", by=b.chair)
    [listing] = await group.wait_bot_messages(1)
    assert words["call_one"] in listing["text"]
    assert len(await audited(running, "member.reachable")) == 2


async def test_a_403_from_a_group_deactivates_its_binding(running, world):
    """A send to a group that removed the bot while its updates were not being read."""
    app = running.app
    b = await building_seven(running, world)
    await app.dispatcher.stop_polling()
    await app._polling
    await b.group.set_member(await world.bot_id(), "kicked")
    with pytest.raises(TelegramForbiddenError):
        await app.bot.send_message(b.group.id, "还在吗")
    async with app.db.session() as s:
        [binding] = (await s.scalars(select(ChatBinding))).all()
    assert not binding.active
    [(subject, data)] = await audited(running, "chat.unbound")
    assert subject == f"chat:{b.group.id}" and "kicked" in data["reason"]
