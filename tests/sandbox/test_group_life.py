"""Real group life over raw HTTP: privacy mode, edits and deletes, senders who are not a person,
topics opened by users, forwards, rights, migration and a bot that was blocked or removed."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import Client

BOT_ID = 123456
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688
KEYBOARD = {"inline_keyboard": [[{"text": "赞成", "callback_data": "vote:yes"}]]}


async def new_group(
    client: Client, kind: str = "supergroup", *, forum: bool = False, **fields: Any
) -> tuple[int, int]:
    """A group owned by a fresh user, the bot in it (a member unless fields say otherwise)."""
    owner = await client.new_user("业主")
    chat = await client.user(
        "POST",
        "/chats",
        json={
            "type": kind,
            "title": "阳光小区",
            "is_forum": forum,
            "user_id": owner["id"],
            **fields,
        },
    )
    await client.drain()
    return chat["id"], owner["id"]


async def join(client: Client, chat: int, name: str = "邻居", status: str = "member") -> int:
    user = await client.new_user(name)
    await client.user(
        "POST", f"/chats/{chat}/members", json={"user_id": user["id"], "status": status}
    )
    return user["id"]


def texts(updates: list[dict[str, Any]], kind: str = "message") -> list[str]:
    return [u[kind].get("text", "") for u in updates if kind in u]


async def test_privacy_mode_lets_through_only_what_is_meant_for_the_bot(client: Client) -> None:
    assert (await client.bot("getMe"))["can_read_all_group_messages"] is False
    chat, owner = await new_group(client)
    neighbour = await join(client, chat)
    [joined] = await client.drain()
    assert joined["message"]["new_chat_members"][0]["id"] == neighbour, "service messages pass"

    notice = await client.bot("sendMessage", chat_id=chat, text="公告")
    said = [
        "大家好",
        "/help",
        "/help@xieshang_bot 投票",
        "/help@other_bot",
        "看看 /help 怎么用",
        "问一下 @XieShang_Bot",
        "问一下 @other_bot",
    ]
    for text in said:
        await client.say(chat, neighbour, text)
    await client.say(chat, owner, "收到", reply_to_message_id=notice["message_id"])
    chatter = await client.say(chat, owner, "闲聊")
    assert texts(await client.drain()) == [
        "/help",
        "/help@xieshang_bot 投票",
        "问一下 @XieShang_Bot",
        "收到",
    ]

    # An edit that makes a message meant for the bot is delivered, with edit_date.
    await client.user(
        "POST",
        f"/chats/{chat}/messages/{chatter}/edit",
        json={"user_id": owner, "text": "闲聊 @xieshang_bot"},
    )
    [edited] = await client.drain()
    assert edited["edited_message"]["text"] == "闲聊 @xieshang_bot"
    assert edited["edited_message"]["edit_date"] >= edited["edited_message"]["date"]

    # An administrator bot reads everything; so does a bot with privacy mode off.
    await client.user(
        "POST", f"/chats/{chat}/members", json={"user_id": BOT_ID, "status": "administrator"}
    )
    await client.drain()
    await client.say(chat, neighbour, "管理员能看到")
    assert texts(await client.drain()) == ["管理员能看到"]
    await client.user(
        "POST", f"/chats/{chat}/members", json={"user_id": BOT_ID, "status": "member"}
    )
    await client.drain()
    await client.say(chat, neighbour, "看不到")
    assert texts(await client.drain()) == []
    assert await client.user("POST", "/bot/privacy", json={"enabled": False}) == {
        "privacy_mode": False,
        "can_read_all_group_messages": True,
    }
    assert (await client.bot("getMe"))["can_read_all_group_messages"] is True
    assert (await client.user("GET", "/bot"))["privacy_mode"] is False
    await client.say(chat, neighbour, "现在都能看到")
    assert texts(await client.drain()) == ["现在都能看到"]
    status, body = await client.user_raw("POST", "/bot/privacy", json={"enabled": "no"})
    assert status == 400 and body == {"error": "enabled must be a boolean"}


async def test_a_group_can_add_the_bot_as_an_administrator(client: Client) -> None:
    chat, owner = await new_group(
        client, bot_status="administrator", bot_rights={"can_pin_messages": False}
    )
    me = await client.bot("getChatMember", chat_id=chat, user_id=BOT_ID)
    assert me["status"] == "administrator" and me["can_pin_messages"] is False
    await client.say(chat, owner, "大家好")
    assert texts(await client.drain()) == ["大家好"]
    owner2 = await client.new_user("群主")
    status, body = await client.user_raw(
        "POST",
        "/chats",
        json={"type": "group", "title": "x", "user_id": owner2["id"], "bot_status": "kicked"},
    )
    assert status == 400 and "bot_status" in body["error"]


async def test_users_edit_and_delete(client: Client) -> None:
    chat, owner = await new_group(client, bot_status="administrator")
    neighbour = await join(client, chat)
    await client.drain()
    mine = await client.say(chat, neighbour, "原话")
    theirs = await client.say(chat, owner, "群主的话")
    await client.drain()

    status, body = await client.user_raw(
        "POST", f"/chats/{chat}/messages/{theirs}/delete", json={"user_id": neighbour}
    )
    assert status == 403 and "can_delete_messages" in body["error"]
    assert await client.user(
        "POST", f"/chats/{chat}/messages/{mine}/delete", json={"user_id": neighbour}
    ) == {"message_id": mine, "deleted": True}
    assert await client.user(
        "POST", f"/chats/{chat}/messages/{theirs}/delete", json={"user_id": owner}
    ) == {"message_id": theirs, "deleted": True}
    assert await client.drain() == [], "Telegram tells bots nothing about deletions"
    transcript = (await client.user("GET", f"/chats/{chat}/messages"))["messages"]
    assert [m["deleted"] for m in transcript if m["message_id"] in (mine, theirs)] == [True, True]
    status, _ = await client.user_raw(
        "POST", f"/chats/{chat}/messages/{mine}/edit", json={"user_id": neighbour, "text": "改"}
    )
    assert status == 400, "a deleted message cannot be edited"
    status, _ = await client.user_raw(
        "POST", f"/chats/{chat}/messages/{mine}/delete", json={"user_id": neighbour}
    )
    assert status == 404

    # In a private chat a user may delete the bot's messages too.
    dm = await client.private_chat()
    sent = await client.bot("sendMessage", chat_id=dm, text="提醒")
    await client.user(
        "POST", f"/chats/{dm}/messages/{sent['message_id']}/delete", json={"user_id": dm}
    )
    assert await client.bot_error(
        "editMessageText", chat_id=dm, message_id=sent["message_id"], text="x"
    ) == (400, "Bad Request: message to edit not found")


async def test_anonymous_admins_and_channels_post_and_press(client: Client) -> None:
    chat, owner = await new_group(client, bot_status="administrator")
    neighbour = await join(client, chat)
    await client.drain()

    anonymous = await client.say(chat, owner, "管理员公告", sender_chat_id=chat)
    [update] = await client.drain()
    message = update["message"]
    assert message["message_id"] == anonymous
    assert message["from"] == {
        "id": GROUP_ANONYMOUS_BOT,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    assert message["sender_chat"] == {"id": chat, "title": "阳光小区", "type": "supergroup"}
    status, body = await client.user_raw(
        "POST",
        f"/chats/{chat}/messages",
        json={"user_id": neighbour, "text": "x", "sender_chat_id": chat},
    )
    assert status == 403 and "administrator" in body["error"]

    channel = await client.user(
        "POST", "/chats", json={"type": "channel", "title": "物业频道", "user_id": neighbour}
    )
    assert channel["type"] == "channel" and await client.drain() == [], "the bot is not in it"
    await client.say(chat, neighbour, "频道转告", sender_chat_id=channel["id"])
    [update] = await client.drain()
    assert update["message"]["from"]["id"] == CHANNEL_BOT
    assert update["message"]["sender_chat"] == {
        "id": channel["id"],
        "title": "物业频道",
        "type": "channel",
    }
    status, body = await client.user_raw(
        "POST",
        f"/chats/{chat}/messages",
        json={"user_id": owner, "text": "x", "sender_chat_id": channel["id"]},
    )
    assert status == 403 and "channel" in body["error"]
    status, _ = await client.user_raw(
        "POST", f"/chats/{channel['id']}/messages", json={"user_id": neighbour, "text": "x"}
    )
    assert status == 400
    assert await client.bot_error("sendMessage", chat_id=channel["id"], text="x") == (
        403,
        "Forbidden: bot is not a member of the channel chat",
    )

    # Button presses: an anonymous admin presses as GroupAnonymousBot; a channel never presses.
    vote = await client.bot("sendMessage", chat_id=chat, text="投票", reply_markup=KEYBOARD)
    press = {"chat_id": chat, "message_id": vote["message_id"], "data": "vote:yes"}
    pending = asyncio.create_task(
        client.user("POST", "/callbacks", json={**press, "user_id": owner, "sender_chat_id": chat})
    )
    [update] = await client.bot("getUpdates", timeout=5)
    query = update["callback_query"]
    assert query["from"]["id"] == GROUP_ANONYMOUS_BOT
    await client.bot("answerCallbackQuery", callback_query_id=query["id"], text="请用本人账号")
    assert (await pending)["answer"]["text"] == "请用本人账号"
    await client.drain()
    status, body = await client.user_raw(
        "POST", "/callbacks", json={**press, "user_id": neighbour, "sender_chat_id": channel["id"]}
    )
    assert status == 400 and "own account" in body["error"]

    basic, basic_owner = await new_group(client, "group")
    status, body = await client.user_raw(
        "POST",
        f"/chats/{basic}/messages",
        json={"user_id": basic_owner, "text": "x", "sender_chat_id": basic},
    )
    assert status == 400 and "supergroup" in body["error"]


async def test_users_open_close_and_reopen_topics(client: Client) -> None:
    forum, owner = await new_group(client, forum=True)
    neighbour = await join(client, forum)
    await client.drain()

    topic = await client.user(
        "POST", f"/chats/{forum}/topics", json={"user_id": neighbour, "name": "停车"}
    )
    thread = topic["message_thread_id"]
    status, _ = await client.user_raw(
        "POST",
        f"/chats/{forum}/topics/{thread}/close",
        json={"user_id": await join(client, forum, "路人")},
    )
    assert status == 403, "only its creator or someone with can_manage_topics"
    closed = await client.user(
        "POST", f"/chats/{forum}/topics/{thread}/close", json={"user_id": neighbour}
    )
    assert closed == {**topic, "is_closed": True}
    status, _ = await client.user_raw(
        "POST", f"/chats/{forum}/topics/{thread}/close", json={"user_id": neighbour}
    )
    assert status == 409
    await client.user("POST", f"/chats/{forum}/topics/{thread}/reopen", json={"user_id": owner})
    updates = [u["message"] for u in await client.drain() if "message" in u]
    services = [
        (m.get("message_thread_id"), sorted(k for k in m if k.startswith("forum_")))
        for m in updates
    ]
    assert services == [
        (thread, ["forum_topic_created"]),
        (None, []),  # the passer-by joining (new_chat_members)
        (thread, ["forum_topic_closed"]),
        (thread, ["forum_topic_reopened"]),
    ]

    # A reply to a topic message lands in the topic; the bot's replies do too.
    inside = await client.say(forum, owner, "车位怎么分？", message_thread_id=thread)
    reply = await client.say(forum, neighbour, "抽签", reply_to_message_id=inside)
    transcript = {
        m["message_id"]: m
        for m in (await client.user("GET", f"/chats/{forum}/messages"))["messages"]
    }
    assert transcript[reply]["message_thread_id"] == thread
    assert transcript[reply]["reply_to_message"]["message_id"] == inside

    # The General topic: closing it stops members and a bot without can_manage_topics.
    await client.user("POST", f"/chats/{forum}/topics/general/close", json={"user_id": owner})
    [general] = [u["message"] for u in await client.drain() if "message" in u][-1:]
    assert "forum_topic_closed" in general and "message_thread_id" not in general
    status, body = await client.user_raw(
        "POST", f"/chats/{forum}/messages", json={"user_id": neighbour, "text": "x"}
    )
    assert status == 403 and "General" in body["error"]
    assert await client.bot_error("sendMessage", chat_id=forum, text="x") == (
        400,
        "Bad Request: TOPIC_CLOSED",
    )
    assert await client.bot_error("reopenGeneralForumTopic", chat_id=forum) == (
        400,
        "Bad Request: not enough rights to close or open the topic",
    )
    listed = (await client.user("GET", "/chats", params={"user_id": owner}))["chats"]
    assert [c["general_topic_closed"] for c in listed if c["id"] == forum] == [True]
    await client.user(
        "POST", f"/chats/{forum}/members", json={"user_id": BOT_ID, "status": "administrator"}
    )
    assert await client.bot("reopenGeneralForumTopic", chat_id=forum) is True
    assert (await client.bot("sendMessage", chat_id=forum, text="开放了"))["text"] == "开放了"


async def test_forwards_keep_their_origin(client: Client) -> None:
    chat, owner = await new_group(client, bot_status="administrator")
    dm = await client.private_chat("王芳")
    await client.user("POST", f"/chats/{chat}/members", json={"user_id": dm, "status": "member"})
    note = await client.say(dm, dm, "电梯坏了 #报修")
    anonymous = await client.say(chat, owner, "停水通知", sender_chat_id=chat)
    await client.drain()

    forwarded = await client.user(
        "POST",
        f"/chats/{chat}/forwards",
        json={"user_id": dm, "from_chat_id": dm, "message_id": note},
    )
    message = forwarded["message"]
    assert message["text"] == "电梯坏了 #报修" and message["entities"][0]["type"] == "hashtag"
    assert message["forward_origin"]["type"] == "user"
    assert message["forward_origin"]["sender_user"]["id"] == dm
    again = await client.user(
        "POST",
        f"/chats/{dm}/forwards",
        json={"user_id": dm, "from_chat_id": chat, "message_id": forwarded["message_id"]},
    )
    assert again["message"]["forward_origin"] == message["forward_origin"], "the first author"
    from_anonymous = await client.user(
        "POST",
        f"/chats/{dm}/forwards",
        json={"user_id": dm, "from_chat_id": chat, "message_id": anonymous},
    )
    assert from_anonymous["message"]["forward_origin"]["type"] == "chat"
    assert from_anonymous["message"]["forward_origin"]["sender_chat"]["id"] == chat
    updates = await client.drain()
    assert [u["message"]["forward_origin"]["type"] for u in updates] == ["user", "user", "chat"]

    status, body = await client.user_raw(
        "POST", f"/chats/{dm}/forwards", json={"user_id": dm, "from_chat_id": chat, "message_id": 1}
    )
    assert status == 400 and "forwarded" in body["error"], "a service message"
    outsider = await client.new_user("外人")
    await client.user("POST", "/chats", json={"type": "private", "user_id": outsider["id"]})
    status, _ = await client.user_raw(
        "POST",
        f"/chats/{outsider['id']}/forwards",
        json={"user_id": outsider["id"], "from_chat_id": chat, "message_id": anonymous},
    )
    assert status == 403


async def test_missing_rights_fail_as_on_telegram(client: Client) -> None:
    forum, owner = await new_group(client, forum=True)
    mid = await client.say(forum, owner, "/pin")
    topic = await client.user(
        "POST", f"/chats/{forum}/topics", json={"user_id": owner, "name": "议题"}
    )
    no_rights = {
        "can_pin_messages": False,
        "can_manage_topics": False,
        "can_delete_messages": False,
    }
    await client.user(
        "POST",
        f"/chats/{forum}/members",
        json={"user_id": BOT_ID, "status": "administrator", "rights": no_rights},
    )
    me = await client.bot("getChatMember", chat_id=forum, user_id=BOT_ID)
    assert {right: me[right] for right in no_rights} == no_rights
    failures = {
        "pinChatMessage": {"message_id": mid},
        "unpinChatMessage": {"message_id": mid},
        "unpinAllChatMessages": {},
        "createForumTopic": {"name": "新议题"},
        "closeForumTopic": {"message_thread_id": topic["message_thread_id"]},
        "closeGeneralForumTopic": {},
        "deleteMessage": {"message_id": mid},
    }
    got = {
        name: await client.bot_error(name, chat_id=forum, **params)
        for name, params in failures.items()
    }
    pinned = (400, "Bad Request: not enough rights to manage pinned messages in the chat")
    topics = (400, "Bad Request: not enough rights to close or open the topic")
    assert got == {
        "pinChatMessage": pinned,
        "unpinChatMessage": pinned,
        "unpinAllChatMessages": pinned,
        "createForumTopic": (400, "Bad Request: not enough rights to create a topic"),
        "closeForumTopic": topics,
        "closeGeneralForumTopic": topics,
        "deleteMessage": (400, "Bad Request: message can't be deleted"),
    }
    await client.user(
        "POST",
        f"/chats/{forum}/members",
        json={"user_id": BOT_ID, "status": "administrator", "rights": {"can_pin_messages": True}},
    )
    assert await client.bot("pinChatMessage", chat_id=forum, message_id=mid) is True


async def test_migration_moves_the_group_and_answers_the_old_id(client: Client) -> None:
    chat, owner = await new_group(client, "group")
    new = await client.user("POST", f"/chats/{chat}/migrate")
    assert new["type"] == "supergroup" and new["id"] != chat
    updates = await client.drain()
    assert [(u["message"]["chat"]["id"], u["message"].get("migrate_to_chat_id"),
             u["message"].get("migrate_from_chat_id")) for u in updates] == [
        (chat, new["id"], None),
        (new["id"], None, chat),
    ]  # fmt: skip
    for method, params in (
        ("sendMessage", {"text": "x"}),
        ("getChat", {}),
        ("getChatAdministrators", {}),
    ):
        status, body = await client.bot_raw(method, chat_id=chat, **params)
        assert (status, body["description"], body["parameters"]) == (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new["id"]},
        )
    status, _ = await client.user_raw(
        "POST", f"/chats/{chat}/messages", json={"user_id": owner, "text": "x"}
    )
    assert status == 409
    await client.say(new["id"], owner, "/start")
    assert texts(await client.drain()) == ["/start"], "privacy mode carries over"


async def test_blocked_and_removed_bots_get_403_and_my_chat_member(client: Client) -> None:
    dm = await client.private_chat()
    await client.user("POST", f"/chats/{dm}/members", json={"user_id": BOT_ID, "status": "kicked"})
    [blocked] = await client.drain()
    assert (blocked["my_chat_member"]["old_chat_member"]["status"],
            blocked["my_chat_member"]["new_chat_member"]["status"]) == ("member", "kicked")  # fmt: skip
    assert await client.bot_error("sendMessage", chat_id=dm, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    await client.user("POST", f"/chats/{dm}/members", json={"user_id": BOT_ID, "status": "member"})
    assert (await client.drain())[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert (await client.bot("sendMessage", chat_id=dm, text="又见面了"))["text"] == "又见面了"

    for kind in ("group", "supergroup"):
        chat, owner = await new_group(client, kind)
        await client.user(
            "POST", f"/chats/{chat}/members", json={"user_id": BOT_ID, "status": "kicked"}
        )
        updates = await client.drain()
        removed = updates[0]["my_chat_member"]
        assert (removed["from"]["id"], removed["new_chat_member"]["status"]) == (owner, "kicked")
        kicked = (403, f"Forbidden: bot was kicked from the {kind} chat")
        for method, params in (
            ("sendMessage", {"text": "x"}),
            ("getChat", {}),
            ("pinChatMessage", {"message_id": 1}),
        ):
            assert await client.bot_error(method, chat_id=chat, **params) == kicked
        await client.say(chat, owner, "/start")
        assert await client.drain() == [], "a removed bot hears nothing"
