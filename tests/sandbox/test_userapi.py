"""The user side: callbacks, polls, documents, events, clock and rate limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp

from sandbox.limits import RateLimiter, RateLimits

from .conftest import Client

KEYBOARD = {"inline_keyboard": [[{"text": "赞成", "callback_data": "vote:yes"}]]}


async def test_callback_round_trip(client: Client) -> None:
    chat = await client.private_chat()
    sent = await client.bot("sendMessage", chat_id=chat, text="投票吗？", reply_markup=KEYBOARD)
    await client.drain()
    press = asyncio.create_task(client.press(chat, sent["message_id"], "vote:yes"))
    [update] = await client.bot("getUpdates", timeout=5)
    query = update["callback_query"]
    assert isinstance(query["id"], str) and query["data"] == "vote:yes"
    assert query["from"]["id"] == chat and query["chat_instance"]
    assert query["message"]["reply_markup"] == KEYBOARD
    assert (
        await client.bot("answerCallbackQuery", callback_query_id=query["id"], text="已记录")
        is True
    )
    assert (await press)["answer"] == {"text": "已记录", "show_alert": False}
    assert await client.bot_error("answerCallbackQuery", callback_query_id=query["id"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_unanswered_press_times_out_and_missing_button_is_refused(client: Client) -> None:
    chat = await client.private_chat()
    sent = await client.bot("sendMessage", chat_id=chat, text="?", reply_markup=KEYBOARD)
    press = {"chat_id": chat, "message_id": sent["message_id"], "user_id": chat}
    got = await client.user(
        "POST", "/callbacks", json={**press, "data": "vote:yes", "timeout": 0.2}
    )
    assert got == {"answer": None}
    status, body = await client.user_raw("POST", "/callbacks", json={**press, "data": "vote:no"})
    assert status == 400 and "vote:no" in body["error"]


async def test_user_errors_are_json(client: Client) -> None:
    status, body = await client.user_raw(
        "POST", "/chats/5/messages", json={"user_id": 1, "text": "x"}
    )
    assert status == 404 and body == {"error": "chat 5 not found"}
    status, body = await client.user_raw("POST", "/users", json={"username": "nobody"})
    assert status == 400 and "first_name" in body["error"]


async def test_group_membership_raises_updates_and_service_messages(client: Client) -> None:
    owner = await client.new_user("业主")
    guest = await client.new_user("访客", username="guest_user")
    chat = await client.user(
        "POST", "/chats", json={"type": "group", "title": "楼委会", "user_id": owner["id"]}
    )
    await client.user(
        "POST", f"/chats/{chat['id']}/members", json={"user_id": guest["id"], "status": "member"}
    )
    updates = await client.drain()
    assert updates[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert updates[1]["message"]["group_chat_created"] is True
    assert updates[2]["message"]["new_chat_members"] == [guest]
    status, _ = await client.user_raw(
        "POST", f"/chats/{chat['id']}/messages", json={"user_id": 999, "text": "x"}
    )
    assert status == 404
    listed = (await client.user("GET", "/chats", params={"user_id": guest["id"]}))["chats"]
    assert [c["id"] for c in listed] == [chat["id"]]


async def test_replies_and_user_edits(client: Client) -> None:
    chat = await client.private_chat()
    first = await client.say(chat, chat, "原话")
    reply = await client.bot(
        "sendMessage", chat_id=chat, text="回复", reply_parameters={"message_id": first}
    )
    assert reply["reply_to_message"]["text"] == "原话"
    await client.drain()
    await client.user(
        "POST",
        f"/chats/{chat}/messages/{first}/edit",
        json={"user_id": chat, "text": "改过 /start"},
    )
    [update] = await client.drain()
    edited = update["edited_message"]
    assert edited["text"] == "改过 /start" and edited["entities"][0]["type"] == "bot_command"
    assert await client.bot_error(
        "sendMessage", chat_id=chat, text="x", reply_to_message_id=99
    ) == (
        400,
        "Bad Request: message to be replied not found",
    )


async def test_polls_answers_and_stop(client: Client) -> None:
    owner = await client.new_user("业主")
    chat = await client.user(
        "POST", "/chats", json={"type": "supergroup", "title": "投票", "user_id": owner["id"]}
    )
    sent = await client.bot(
        "sendPoll",
        chat_id=chat["id"],
        question="修电梯？",
        options=[{"text": "修"}, {"text": "不修"}],
        is_anonymous=False,
    )
    poll = sent["poll"]
    assert [o["text"] for o in poll["options"]] == ["修", "不修"] and poll["is_anonymous"] is False
    await client.drain()
    await client.user(
        "POST", f"/polls/{poll['id']}/answers", json={"user_id": owner["id"], "option_ids": [0]}
    )
    answer, state = await client.drain()
    assert (
        answer["poll_answer"]["option_ids"] == [0]
        and answer["poll_answer"]["user"]["id"] == owner["id"]
    )
    assert state["poll"]["options"][0]["voter_count"] == 1
    stopped = await client.bot("stopPoll", chat_id=chat["id"], message_id=sent["message_id"])
    assert stopped["is_closed"] is True and stopped["total_voter_count"] == 1
    status, body = await client.user_raw(
        "POST", f"/polls/{poll['id']}/answers", json={"user_id": owner["id"], "option_ids": [1]}
    )
    assert status == 400 and "closed" in body["error"]


async def test_user_documents_and_file_download(client: Client) -> None:
    chat = await client.private_chat()
    form = aiohttp.FormData()
    form.add_field("user_id", str(chat))
    form.add_field("caption", "#提案 附件")
    form.add_field("file", b"%PDF-1.4", filename="plan.pdf", content_type="application/pdf")
    sent = await client.user("POST", f"/chats/{chat}/documents", data=form)
    [update] = await client.drain()
    message = update["message"]
    assert message["message_id"] == sent["message_id"]
    assert message["document"]["mime_type"] == "application/pdf"
    assert message["caption_entities"] == [{"type": "hashtag", "offset": 0, "length": 3}]
    async with client.session.get(
        f"{client.sb.url}/sandbox/api/files/{message['document']['file_id']}"
    ) as r:
        assert r.content_type == "application/pdf" and await r.read() == b"%PDF-1.4"


async def test_events_feed_long_polls(client: Client) -> None:
    start = (await client.user("GET", "/events"))["last_seq"]
    waiting = asyncio.create_task(
        client.user("GET", "/events", params={"after": start, "timeout": 5})
    )
    await asyncio.sleep(0.1)
    chat = await client.private_chat()
    got = await waiting
    assert got["events"][0]["type"] == "user" and got["last_seq"] > start
    await client.bot("sendMessage", chat_id=chat, text="hi")
    events = (await client.user("GET", "/events", params={"after": got["last_seq"]}))["events"]
    message_events = [e for e in events if e["type"] == "message"]
    assert message_events[-1]["message"]["text"] == "hi" and message_events[-1]["chat_id"] == chat


async def test_wait_returns_bot_messages_as_they_come(client: Client) -> None:
    chat = await client.private_chat()
    await client.say(chat, chat, "/start")

    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        for text in ("一", "二"):
            await client.bot("sendMessage", chat_id=chat, text=text)

    task = asyncio.create_task(reply_later())
    got = await client.user(
        "GET", f"/chats/{chat}/wait", params={"after": 1, "count": 2, "timeout": 5}
    )
    await task
    assert [m["text"] for m in got["messages"]] == ["一", "二"]
    empty = await client.user("GET", f"/chats/{chat}/wait", params={"after": 3, "timeout": 0.1})
    assert empty == {"messages": []}


class ManualClock:
    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    async def advance_to(self, target: datetime) -> None:
        self.current = target


async def test_clock_routes(client: Client) -> None:
    assert (await client.user("GET", "/clock"))["virtual"] is False
    status, _ = await client.user_raw("POST", "/clock", json={"advance": 5})
    assert status == 409
    client.sb.clock = ManualClock()
    moved = await client.user("POST", "/clock", json={"advance": 3600})
    assert moved == {"now": "2030-01-01T01:00:00+00:00", "virtual": True}
    chat = await client.private_chat()
    sent = await client.bot("sendMessage", chat_id=chat, text="x")
    assert sent["date"] == int((datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=1)).timestamp())
    status, _ = await client.user_raw("POST", "/clock", json={"to": "2029-01-01T00:00:00Z"})
    assert status == 400


async def test_rate_limit_429_shape_and_runtime_switch(client: Client) -> None:
    limits = await client.user("POST", "/limits", json={"enabled": True, "per_chat_burst": 2})
    assert limits["per_chat_burst"] == 2 and limits["per_chat_per_second"] == 1.0
    chat = await client.private_chat()
    await client.bot("sendMessage", chat_id=chat, text="1")
    await client.bot("sendMessage", chat_id=chat, text="2")
    status, body = await client.bot_raw("sendMessage", chat_id=chat, text="3")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    await client.user("POST", "/limits", json={"enabled": False})
    assert (await client.bot("sendMessage", chat_id=chat, text="3"))["text"] == "3"
    status, body = await client.user_raw("POST", "/limits", json={"per_chat_burst": -1})
    assert status == 400 and "positive" in body["error"]


def test_group_limit_is_a_rolling_minute() -> None:
    limiter = RateLimiter(
        RateLimits(per_chat_burst=100, per_chat_per_second=100, group_per_minute=3)
    )
    assert [limiter.acquire(-1, True) for _ in range(3)] == [None, None, None]
    retry_after = limiter.acquire(-1, True)
    assert retry_after is not None and 58 <= retry_after <= 60
    assert limiter.acquire(5, False) is None, "private chats are not bound by the group limit"
