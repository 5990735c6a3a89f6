"""A bot without the right to open topics or pin still runs the agenda: each item's thread is
the replies to its message, unpinned, and the moderators are told once per missing right."""

from __future__ import annotations

import json
from functools import partial

import pytest
from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import AgendaItem, AuditEvent, Community
from tests.conftest import start_bot
from tests.e2e.cycle_estate import (
    at,
    configure,
    fast_virtual,
    move_to,
    next_cycle,
    raise_with_support,
    skip_said,
    until,
)
from tests.e2e.group_life_estate import kept_texts
from tests.e2e.proposals_estate import estate

TOLD = {
    "zh-hans": (
        "我没能为该议题开设话题，请改为回复我的议题消息进行讨论。\n\n"
        "请把我设为本群管理员，并授予管理话题的权限：我需要置顶公示，并为每个议题开设话题。",
        "我没能置顶这条消息，它暂不置顶。\n\n"
        "请把我设为本群管理员，并授予置顶消息的权限：我需要置顶公示，并为每个议题开设话题。",
    ),
    "en": (
        "I could not open a topic for the agenda item, so its discussion is in the replies to my "
        "message instead.\n\nPlease make me an admin of this group with the right to manage "
        "topics: I pin public notices and open a topic for each agenda item.",
        "I could not pin my message, so it stays unpinned.\n\nPlease make me an admin of this "
        "group with the right to pin messages: I pin public notices and open a topic for each "
        "agenda item.",
    ),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
async def test_an_agenda_runs_without_topic_or_pin_rights(tmp_path, language):
    async for running in start_bot(fast_virtual(tmp_path)):
        world, db = running.world, running.app.db
        place = await estate(running, world, forum=True)
        group = place.group
        await group.set_rights(
            await world.bot_id(), can_manage_topics=False, can_pin_messages=False
        )
        await group.wait_bot_messages(1)  # it asks for both rights as it is promoted
        await configure(running, place, day="每月11日 19:00", threshold="2")
        await raise_with_support(place, "楼道堆物清理", "sun", ["zhao"])
        await raise_with_support(place, "增设电动车充电桩", "zhou", ["qian"])
        if language == "en":  # what the bot says unasked in the group: the community's language
            async with db.write() as s:
                (await s.get(Community, place.place.community_id)).language = "en"
        month = await next_cycle(running, place)
        await skip_said(group)
        await move_to(world, at(month, Phase.FREEZE))

        said = [m["text"] for m in await group.transcript() if m["message_id"] > group.cursor]
        assert [text for text in said if text in TOLD[language]] == list(TOLD[language])
        async with db.session() as s:
            items = (await s.scalars(select(AgendaItem).order_by(AgendaItem.position))).all()
            refused = (
                await s.scalars(
                    select(AuditEvent.data).where(AuditEvent.action == "chat.right_refused")
                )
            ).all()
        assert [json.loads(data)["right"] for data in refused] == ["topics", "pin"]
        assert all(i.thread_id is None and i.anchor_message_id for i in items)
        anchors = [await group.message(i.anchor_message_id) for i in items]
        assert not any(anchor["pinned"] for anchor in anchors)

        # The discussion happens in replies to the item's message and is kept.
        await group.reply(
            items[0].anchor_message_id, "东西太多了，消防通道被堵", by=place.people["li"]
        )

        await until(partial(kept_texts, db), ["东西太多了，消防通道被堵"])
        # An anonymous administrator's words count as discussion too (no one's household).
        body = {
            "user_id": place.people["wang"].id,  # the group's creator, so an administrator
            "text": "物业周六来清理",
            "reply_to_message_id": items[0].anchor_message_id,
            "sender_chat_id": group.id,
        }
        await skip_said(group)
        await world.call("POST", f"/chats/{group.id}/messages", json=body)
        await until(partial(kept_texts, db), ["东西太多了，消防通道被堵", "物业周六来清理"])
        await group.expect_silence(0.2)
