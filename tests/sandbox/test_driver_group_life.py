"""The e2e driver's group-life helpers do what they say (checked against a bare sandbox)."""

from __future__ import annotations

import asyncio

import aiohttp

from sandbox.server import Sandbox
from tests.driver import Chat, World

from .conftest import Client

KEYBOARD = {"inline_keyboard": [[{"text": "赞成", "callback_data": "vote:yes"}]]}


async def test_driver_helpers(sb: Sandbox, client: Client) -> None:
    async with aiohttp.ClientSession(base_url=sb.url) as http:
        world = World(http)
        owner, neighbour = await world.user("业主"), await world.user("邻居")
        created = await client.user(
            "POST",
            "/chats",
            json={"type": "supergroup", "is_forum": True, "title": "小区", "user_id": owner.id},
        )
        forum = Chat(world, created["id"], owner)
        await forum.set_member(neighbour.id, "member")
        bot_id = await world.bot_id()
        await forum.set_rights(bot_id, can_pin_messages=False)
        me = await client.bot("getChatMember", chat_id=forum.id, user_id=bot_id)
        assert (me["status"], me["can_pin_messages"]) == ("administrator", False)
        await world.set_privacy(False)
        assert (await client.bot("getMe"))["can_read_all_group_messages"] is True
        await client.drain()

        said = await forum.send("原话", by=neighbour)
        assert (await forum.edit(said, "改过", by=neighbour))["text"] == "改过"
        anonymous = await forum.send_as_anonymous_admin("公告")
        channel = await world.channel("物业频道", neighbour)
        as_channel = await forum.send_as_channel(channel, "频道", by=neighbour)
        thread = await forum.open_topic("停车", by=neighbour)
        await forum.close_topic(thread, by=neighbour)
        await forum.reopen_topic(thread)
        await forum.close_topic(None)
        await forum.reopen_topic(None)
        dm = await neighbour.private_chat()
        forwarded = await dm.forward(forum, anonymous)
        await forum.delete(said, by=neighbour)
        updates = await client.drain()
        kinds = [next(k for k in u if k != "update_id") for u in updates]
        assert kinds == ["message", "edited_message", "message", "message"] + ["message"] * 6
        messages = {m["message_id"]: m for m in await forum.transcript()}
        assert messages[said]["deleted"] is True
        assert messages[anonymous]["from"]["id"] == 1087968824
        assert messages[as_channel]["sender_chat"]["id"] == channel
        assert (await dm.message(forwarded))["forward_origin"]["type"] == "chat"

        vote = await client.bot("sendMessage", chat_id=forum.id, text="投票", reply_markup=KEYBOARD)
        press = asyncio.create_task(forum.press_as_anonymous_admin(vote, "赞成"))
        [update] = await client.bot("getUpdates", offset=updates[-1]["update_id"] + 1, timeout=5)
        assert update["callback_query"]["from"]["username"] == "GroupAnonymousBot"
        await client.bot("answerCallbackQuery", callback_query_id=update["callback_query"]["id"])
        assert (await press) == {"text": None, "show_alert": False}

        basic = await client.user(
            "POST", "/chats", json={"type": "group", "title": "旧群", "user_id": owner.id}
        )
        upgraded = await Chat(world, basic["id"], owner).migrate()
        assert upgraded.id != basic["id"] and upgraded.owner == owner
