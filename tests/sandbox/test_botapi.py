"""Bot API calls: encodings, validation and Telegram's exact error shapes."""

from __future__ import annotations

import json

import aiohttp

from .conftest import TOKEN, Client

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
KEYBOARD = {"inline_keyboard": [[{"text": "赞成", "callback_data": "vote:yes"}]]}


async def test_wrong_token_and_unknown_method(client: Client) -> None:
    async with client.session.post(f"{client.sb.url}/bot1:nope/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    async with client.session.post(f"{client.sb.url}/bot{TOKEN}/sendTelepathy") as response:
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_and_get_me_describes_the_bot(
    client: Client,
) -> None:
    me = await client.bot("GETME")
    assert me["id"] == 123456 and me["is_bot"] and me["username"] == "xieshang_bot"
    assert me["can_join_groups"] is True and me["supports_inline_queries"] is False
    assert "can_read_all_group_messages" in me


async def test_parameters_in_query_form_json_and_multipart(client: Client) -> None:
    chat = await client.private_chat()
    url = f"{client.sb.url}/bot{TOKEN}/sendMessage"
    async with client.session.get(url, params={"chat_id": chat, "text": "query"}) as r:
        assert (await r.json())["result"]["text"] == "query"
    async with client.session.post(url, data={"chat_id": str(chat), "text": "form"}) as r:
        assert (await r.json())["result"]["text"] == "form"
    async with client.session.post(url, json={"chat_id": chat, "text": "json"}) as r:
        assert (await r.json())["result"]["text"] == "json"
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat))
    form.add_field("text", "multipart")
    form.add_field("reply_markup", json.dumps(KEYBOARD))
    async with client.session.post(url, data=form) as r:
        result = (await r.json())["result"]
    assert result["text"] == "multipart" and result["reply_markup"] == KEYBOARD


async def test_multipart_upload_via_attach_and_download(client: Client) -> None:
    chat = await client.private_chat()
    form = aiohttp.FormData(quote_fields=False)  # raw UTF-8 file names, as aiogram sends them
    form.add_field("chat_id", str(chat))
    form.add_field("document", "attach://f1")
    form.add_field("caption", "<b>会议纪要</b>")
    form.add_field("parse_mode", "HTML")
    form.add_field("f1", b"minutes", filename="纪要.txt", content_type="text/plain")
    async with client.session.post(f"{client.sb.url}/bot{TOKEN}/sendDocument", data=form) as r:
        message = (await r.json())["result"]
    document = message["document"]
    assert document["file_name"] == "纪要.txt" and document["file_size"] == 7
    assert message["caption"] == "会议纪要"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    file = await client.bot("getFile", file_id=document["file_id"])
    async with client.session.get(f"{client.sb.url}/file/bot{TOKEN}/{file['file_path']}") as r:
        assert await r.read() == b"minutes"
    resent = await client.bot("sendDocument", chat_id=chat, document=document["file_id"])
    assert resent["document"]["file_id"] == document["file_id"]
    assert await client.bot_error("sendPhoto", chat_id=chat, photo=document["file_id"]) == (
        400,
        "Bad Request: type of file mismatch",
    )


async def test_photo_must_be_an_image(client: Client) -> None:
    chat = await client.private_chat()
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat))
    form.add_field("photo", b"not an image", filename="x.jpg")
    async with client.session.post(f"{client.sb.url}/bot{TOKEN}/sendPhoto", data=form) as r:
        assert r.status == 400
        assert (await r.json())["description"] == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_text_validation(client: Client) -> None:
    chat = await client.private_chat()
    assert await client.bot_error("sendMessage", chat_id=chat, text="") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await client.bot_error("sendMessage", chat_id=chat, text="  \n ") == (
        400,
        "Bad Request: message text is empty",
    )
    # 2048 emoji = 4096 UTF-16 units: the limit exactly; one more Chinese character is too long.
    assert (await client.bot("sendMessage", chat_id=chat, text="😀" * 2048))["text"]
    assert await client.bot_error("sendMessage", chat_id=chat, text="😀" * 2048 + "长") == (
        400,
        "Bad Request: message is too long",
    )
    # Markup does not count: the limit applies after entity parsing.
    html = "<b>" + "协" * 4096 + "</b>"
    assert (await client.bot("sendMessage", chat_id=chat, text=html, parse_mode="HTML"))["text"]


async def test_caption_limit_after_parsing(client: Client) -> None:
    chat = await client.private_chat()
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat))
    form.add_field("caption", "<i>" + "字" * 1025 + "</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("document", b"x", filename="a.txt")
    async with client.session.post(f"{client.sb.url}/bot{TOKEN}/sendDocument", data=form) as r:
        assert (await r.json())["description"] == "Bad Request: message caption is too long"


async def test_html_errors_carry_telegrams_prefix(client: Client) -> None:
    chat = await client.private_chat()
    status, description = await client.bot_error(
        "sendMessage", chat_id=chat, text="<div>提案</div>", parse_mode="HTML"
    )
    assert (status, description) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
    )
    _, description = await client.bot_error(
        "sendMessage", chat_id=chat, text="<b>未闭合", parse_mode="HTML"
    )
    assert description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )


async def test_callback_data_over_64_bytes_is_refused(client: Client) -> None:
    chat = await client.private_chat()
    ok = {"inline_keyboard": [[{"text": "ok", "callback_data": "协" * 21}]]}  # 63 bytes
    assert await client.bot("sendMessage", chat_id=chat, text="x", reply_markup=ok)
    too_long = {"inline_keyboard": [[{"text": "x", "callback_data": "协" * 22}]]}  # 66 bytes
    assert await client.bot_error("sendMessage", chat_id=chat, text="x", reply_markup=too_long) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )


async def test_edit_and_not_modified(client: Client) -> None:
    chat = await client.private_chat()
    sent = await client.bot(
        "sendMessage", chat_id=chat, text="<b>v1</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    mid = sent["message_id"]
    assert await client.bot_error(
        "editMessageText",
        chat_id=chat,
        message_id=mid,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    ) == (400, NOT_MODIFIED)
    edited = await client.bot("editMessageText", chat_id=chat, message_id=mid, text="v2")
    assert edited["text"] == "v2" and "edit_date" in edited
    assert "reply_markup" not in edited, "an edit without reply_markup removes the keyboard"
    markup = await client.bot(
        "editMessageReplyMarkup", chat_id=chat, message_id=mid, reply_markup=KEYBOARD
    )
    assert markup["reply_markup"] == KEYBOARD
    assert await client.bot_error(
        "editMessageReplyMarkup", chat_id=chat, message_id=mid, reply_markup=KEYBOARD
    ) == (400, NOT_MODIFIED)
    [entry] = (await client.user("GET", f"/chats/{chat}/messages"))["messages"]
    assert entry["edited"] is True and entry["text"] == "v2"


async def test_unknown_chat_and_message(client: Client) -> None:
    chat = await client.private_chat()
    assert await client.bot_error("sendMessage", chat_id=-999, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await client.bot_error("sendMessage", chat_id="@nobody", text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await client.bot_error("editMessageText", chat_id=chat, message_id=77, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    assert await client.bot_error("deleteMessage", chat_id=chat, message_id=77) == (
        400,
        "Bad Request: message to delete not found",
    )
    mid = (await client.bot("sendMessage", chat_id=chat, text="bye"))["message_id"]
    assert await client.bot("deleteMessage", chat_id=chat, message_id=mid) is True
    assert await client.bot_error("deleteMessage", chat_id=chat, message_id=mid) == (
        400,
        "Bad Request: message to delete not found",
    )
    [entry] = (await client.user("GET", f"/chats/{chat}/messages"))["messages"]
    assert entry["deleted"] is True, "deleted messages stay in the transcript"


async def test_users_who_never_started_or_blocked_the_bot(client: Client) -> None:
    stranger = await client.new_user("路人")
    assert await client.bot_error("sendMessage", chat_id=stranger["id"], text="hi") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    chat = await client.private_chat("李四")
    await client.user(
        "POST", f"/chats/{chat}/members", json={"user_id": 123456, "status": "kicked"}
    )
    assert await client.bot_error("sendMessage", chat_id=chat, text="hi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    [update] = await client.drain()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def group(
    client: Client, *, forum: bool = False, kind: str = "supergroup"
) -> tuple[int, int]:
    owner = await client.new_user("业主")
    chat = await client.user(
        "POST",
        "/chats",
        json={"type": kind, "title": "阳光小区", "is_forum": forum, "user_id": owner["id"]},
    )
    return chat["id"], owner["id"]


async def test_topics_and_rights(client: Client) -> None:
    plain, _ = await group(client)
    assert await client.bot_error("createForumTopic", chat_id=plain, name="议题") == (
        400,
        "Bad Request: the chat is not a forum",
    )
    assert await client.bot_error("sendMessage", chat_id=plain, text="x", message_thread_id=5) == (
        400,
        "Bad Request: message thread not found",
    )
    forum, owner = await group(client, forum=True)
    assert await client.bot_error("createForumTopic", chat_id=forum, name="议题") == (
        400,
        "Bad Request: not enough rights to create a topic",
    )
    await client.user(
        "POST",
        f"/chats/{forum}/members",
        json={"user_id": 123456, "status": "administrator", "rights": {"can_pin_messages": False}},
    )
    topic = await client.bot("createForumTopic", chat_id=forum, name="议题")
    assert topic["name"] == "议题" and topic["icon_color"] == 7322096
    thread = topic["message_thread_id"]
    sent = await client.bot("sendMessage", chat_id=forum, text="欢迎", message_thread_id=thread)
    assert sent["message_thread_id"] == thread and sent["is_topic_message"] is True
    assert sent["reply_to_message"]["forum_topic_created"]["name"] == "议题"
    assert await client.bot_error(
        "sendMessage", chat_id=forum, text="x", message_thread_id=thread + 99
    ) == (
        400,
        "Bad Request: message thread not found",
    )
    assert await client.bot_error(
        "pinChatMessage", chat_id=forum, message_id=sent["message_id"]
    ) == (
        400,
        "Bad Request: not enough rights to manage pinned messages in the chat",
    )
    assert await client.bot("closeForumTopic", chat_id=forum, message_thread_id=thread) is True
    mid = await client.say(forum, owner, "still here?", message_thread_id=thread)  # the owner may
    assert mid > sent["message_id"]


async def test_pin_in_private_chat_and_get_chat(client: Client) -> None:
    chat = await client.private_chat()
    sent = await client.bot("sendMessage", chat_id=chat, text="置顶")
    assert await client.bot("pinChatMessage", chat_id=chat, message_id=sent["message_id"]) is True
    info = await client.bot("getChat", chat_id=chat)
    assert info["pinned_message"]["text"] == "置顶"
    assert {"accent_color_id", "max_reaction_count", "accepted_gift_types"} <= info.keys()
    messages = (await client.user("GET", f"/chats/{chat}/messages"))["messages"]
    assert messages[0]["pinned"] is True
    assert messages[1]["pinned_message"]["message_id"] == sent["message_id"]
    assert await client.bot("unpinAllChatMessages", chat_id=chat) is True
    assert "pinned_message" not in await client.bot("getChat", chat_id=chat)


async def test_members_and_administrators(client: Client) -> None:
    chat, owner = await group(client)
    assert (await client.bot("getChatMember", chat_id=chat, user_id=owner))["status"] == "creator"
    assert await client.bot("getChatMemberCount", chat_id=chat) == 2
    await client.user(
        "POST", f"/chats/{chat}/members", json={"user_id": 123456, "status": "administrator"}
    )
    admins = await client.bot("getChatAdministrators", chat_id=chat)
    bot_admin = next(a for a in admins if a["user"]["id"] == 123456)
    assert bot_admin["status"] == "administrator" and bot_admin["can_pin_messages"] is True
    assert await client.bot_error("getChatMember", chat_id=chat, user_id=42) == (
        400,
        "Bad Request: user not found",
    )
    assert await client.bot("leaveChat", chat_id=chat) is True
    assert await client.bot_error("sendMessage", chat_id=chat, text="x") == (
        403,
        "Forbidden: bot is not a member of the supergroup chat",
    )


async def test_commands_per_scope_and_language(client: Client) -> None:
    commands = [{"command": "start", "description": "开始"}]
    assert await client.bot("setMyCommands", commands=commands) is True
    english = [{"command": "help", "description": "Help"}]
    scope = {"type": "all_private_chats"}
    assert await client.bot("setMyCommands", commands=english, scope=scope, language_code="en")
    assert await client.bot("getMyCommands") == commands
    assert await client.bot("getMyCommands", scope=scope, language_code="en") == english
    assert await client.bot("getMyCommands", scope=scope) == []
    assert await client.bot_error(
        "setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}]
    ) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    bot = await client.user("GET", "/bot")
    assert {(c["scope"]["type"], c["language_code"]) for c in bot["commands"]} == {
        ("default", ""),
        ("all_private_chats", "en"),
    }
    assert await client.bot("deleteMyCommands") is True
    assert await client.bot("getMyCommands") == []


async def test_migrated_group_answers_with_migrate_to_chat_id(client: Client) -> None:
    chat, _ = await group(client, kind="group")
    new = await client.user("POST", f"/chats/{chat}/migrate")
    status, body = await client.bot_raw("sendMessage", chat_id=chat, text="x")
    assert status == 400 and body["parameters"] == {"migrate_to_chat_id": new["id"]}
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    assert (await client.bot("sendMessage", chat_id=new["id"], text="x"))["chat"][
        "type"
    ] == "supergroup"
