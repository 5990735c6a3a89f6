"""The user side: a JSON API under /sandbox/api that tests, the web page and curl act through.

Every route is a thin wrapper over a World method; mistakes answer 4xx `{"error": "..."}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from . import clock as clocks
from .bot_updates import bot_profile
from .errors import UserApiError
from .jsonio import json_response
from .limits import RateLimiter
from .webhook import Webhook
from .world import World

log = logging.getLogger(__name__)
_TYPE_NAMES = {
    int: "an integer",
    str: "a string",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
}
MAX_WAIT_S = 120.0


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except UserApiError as error:
        return json_response({"error": error.message}, status=error.status)
    except web.HTTPException:
        raise
    except Exception as error:
        log.exception("sandbox bug in %s", request.path)
        return json_response({"error": f"sandbox bug: {error!r}"}, status=500)


def _field(body: dict[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    """A typed body field; required unless a default is given."""
    value = body.get(name)
    if value is None:
        if default is ...:
            raise UserApiError(400, f"{name} is required")
        return default
    wrong_int = kind is int and isinstance(value, bool)
    if wrong_int or not isinstance(value, kind):
        raise UserApiError(400, f"{name} must be {_TYPE_NAMES[kind]}")
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise UserApiError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise UserApiError(400, "the body must be a JSON object")
    return body


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise UserApiError(400, f"{name} must be an integer") from None


def _query_number(request: web.Request, name: str, default: float, kind: type = int) -> Any:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise UserApiError(400, f"{name} must be a number") from None


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserApiError(400, "to must be an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class UserApi:
    def __init__(self, world: World, limiter: RateLimiter, webhook: Webhook) -> None:
        self.world = world
        self.limiter = limiter
        self.webhook = webhook

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_errors], client_max_size=60 * 1024 * 1024)
        app.add_routes(
            [
                web.post("/users", self.create_user),
                web.get("/users", self.list_users),
                web.post("/chats", self.create_chat),
                web.get("/chats", self.list_chats),
                web.post("/chats/{chat_id}/members", self.set_member),
                web.post("/chats/{chat_id}/messages", self.send_message),
                web.get("/chats/{chat_id}/messages", self.transcript),
                web.post("/chats/{chat_id}/messages/{message_id}/edit", self.edit_message),
                web.post("/chats/{chat_id}/messages/{message_id}/delete", self.delete_message),
                web.post("/chats/{chat_id}/forwards", self.forward),
                web.post("/chats/{chat_id}/documents", self.send_document),
                web.post("/chats/{chat_id}/topics", self.create_topic),
                web.post("/chats/{chat_id}/topics/{thread_id}/{action:close|reopen}", self.topic),
                web.post("/chats/{chat_id}/migrate", self.migrate),
                web.get("/chats/{chat_id}/wait", self.wait),
                web.post("/callbacks", self.press_button),
                web.post("/polls/{poll_id}/answers", self.answer_poll),
                web.get("/events", self.events),
                web.get("/files/{file_id}", self.file),
                web.get("/bot", self.bot),
                web.post("/bot/privacy", self.set_privacy),
                web.get("/clock", self.get_clock),
                web.post("/clock", self.move_clock),
                web.get("/limits", self.get_limits),
                web.post("/limits", self.set_limits),
            ]
        )
        return app

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.world.create_user(
            first_name=_field(body, "first_name", str),
            username=_field(body, "username", str, None),
            language_code=_field(body, "language_code", str, None),
            last_name=_field(body, "last_name", str, None),
        )
        return json_response(user)

    async def list_users(self, request: web.Request) -> web.Response:
        return json_response({"users": self.world.list_users()})

    async def create_chat(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat = self.world.create_chat(
            type=_field(body, "type", str),
            title=_field(body, "title", str, None),
            is_forum=_field(body, "is_forum", bool, False),
            user_id=_field(body, "user_id", int, None),
            username=_field(body, "username", str, None),
            bot_status=_field(body, "bot_status", str, None),
            bot_rights=_field(body, "bot_rights", dict, None),
        )
        return json_response(chat)

    async def list_chats(self, request: web.Request) -> web.Response:
        user_id = _query_number(request, "user_id", None)
        return json_response({"chats": self.world.list_chats(user_id)})

    async def set_member(self, request: web.Request) -> web.Response:
        body = await _body(request)
        member = self.world.set_member(
            _path_int(request, "chat_id"),
            user_id=_field(body, "user_id", int),
            status=_field(body, "status", str),
            rights=_field(body, "rights", dict, None),
            by_user_id=_field(body, "by_user_id", int, None),
        )
        return json_response(member)

    async def send_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message = self.world.send_user_message(
            _path_int(request, "chat_id"),
            user_id=_field(body, "user_id", int),
            text=_field(body, "text", str),
            reply_to_message_id=_field(body, "reply_to_message_id", int, None),
            message_thread_id=_field(body, "message_thread_id", int, None),
            sender_chat_id=_field(body, "sender_chat_id", int, None),
        )
        return json_response({"message_id": message["message_id"], "message": message})

    async def forward(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message = self.world.forward_user_message(
            _path_int(request, "chat_id"),
            user_id=_field(body, "user_id", int),
            from_chat_id=_field(body, "from_chat_id", int),
            message_id=_field(body, "message_id", int),
            message_thread_id=_field(body, "message_thread_id", int, None),
        )
        return json_response({"message_id": message["message_id"], "message": message})

    async def delete_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return json_response(
            self.world.delete_user_message(
                _path_int(request, "chat_id"),
                _path_int(request, "message_id"),
                user_id=_field(body, "user_id", int),
            )
        )

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message = self.world.edit_user_message(
            _path_int(request, "chat_id"),
            _path_int(request, "message_id"),
            user_id=_field(body, "user_id", int),
            text=_field(body, "text", str),
        )
        return json_response({"message_id": message["message_id"], "message": message})

    async def send_document(self, request: web.Request) -> web.Response:
        if request.content_type != "multipart/form-data":
            raise UserApiError(400, "send the document as multipart/form-data")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise UserApiError(400, "file is required (a file part)")

        def optional_int(name: str) -> int | None:
            raw = form.get(name)
            try:
                return int(raw) if isinstance(raw, str) and raw else None
            except ValueError:
                raise UserApiError(400, f"{name} must be an integer") from None

        user_id = optional_int("user_id")
        if user_id is None:
            raise UserApiError(400, "user_id is required")
        caption = form.get("caption")
        message = self.world.send_user_document(
            _path_int(request, "chat_id"),
            user_id=user_id,
            data=upload.file.read(),
            filename=upload.filename,
            content_type=upload.content_type,
            caption=caption if isinstance(caption, str) else None,
            reply_to_message_id=optional_int("reply_to_message_id"),
            message_thread_id=optional_int("message_thread_id"),
        )
        return json_response({"message_id": message["message_id"], "message": message})

    async def create_topic(self, request: web.Request) -> web.Response:
        body = await _body(request)
        topic = self.world.create_topic(
            _path_int(request, "chat_id"), _field(body, "user_id", int), _field(body, "name", str)
        )
        return json_response(topic)

    async def topic(self, request: web.Request) -> web.Response:
        body = await _body(request)
        general = request.match_info["thread_id"] == "general"
        topic = self.world.close_topic(
            _path_int(request, "chat_id"),
            None if general else _path_int(request, "thread_id"),
            _field(body, "user_id", int),
            closed=request.match_info["action"] == "close",
        )
        return json_response(topic)

    async def migrate(self, request: web.Request) -> web.Response:
        return json_response(self.world.migrate_chat(_path_int(request, "chat_id")))

    async def transcript(self, request: web.Request) -> web.Response:
        messages = self.world.transcript(
            _path_int(request, "chat_id"), _query_number(request, "after", 0)
        )
        return json_response({"messages": messages})

    async def wait(self, request: web.Request) -> web.Response:
        messages = await self.world.wait_bot_messages(
            _path_int(request, "chat_id"),
            after=_query_number(request, "after", 0),
            count=_query_number(request, "count", 1),
            timeout=min(_query_number(request, "timeout", 10.0, float), MAX_WAIT_S),
        )
        return json_response({"messages": messages})

    async def press_button(self, request: web.Request) -> web.Response:
        body = await _body(request)
        answer = self.world.press_button(
            _field(body, "chat_id", int),
            _field(body, "message_id", int),
            _field(body, "user_id", int),
            _field(body, "data", str),
            _field(body, "sender_chat_id", int, None),
        )
        timeout = body.get("timeout", 10.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise UserApiError(400, "timeout must be a number")
        try:
            result = await asyncio.wait_for(asyncio.shield(answer), min(timeout, MAX_WAIT_S))
        except TimeoutError:
            result = None
        return json_response({"answer": result})

    async def answer_poll(self, request: web.Request) -> web.Response:
        body = await _body(request)
        poll = self.world.answer_poll(
            request.match_info["poll_id"],
            _field(body, "user_id", int),
            _field(body, "option_ids", list),
        )
        return json_response({"poll": poll})

    async def events(self, request: web.Request) -> web.Response:
        after = _query_number(request, "after", 0)
        timeout = min(_query_number(request, "timeout", 0.0, float), MAX_WAIT_S)
        events = await self.world.events.wait(after, timeout)
        return json_response({"events": events, "last_seq": self.world.events.last_seq})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise UserApiError(404, "file not found")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def bot(self, request: web.Request) -> web.Response:
        commands = [
            {"scope": json.loads(scope), "language_code": language, "commands": listed}
            for (scope, language), listed in self.world.commands.items()
        ]
        return json_response(
            {
                "user": bot_profile(self.world),
                "privacy_mode": self.world.privacy_mode,
                "commands": commands,
                "webhook": self.webhook.info(),
            }
        )

    async def set_privacy(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return json_response(self.world.set_privacy(_field(body, "enabled", bool)))

    def _clock_state(self) -> dict[str, Any]:
        clock = self.world.clock
        return {"now": clocks.now(clock).isoformat(), "virtual": clock is not None}

    async def get_clock(self, request: web.Request) -> web.Response:
        return json_response(self._clock_state())

    async def move_clock(self, request: web.Request) -> web.Response:
        clock = self.world.clock
        if clock is None:
            raise UserApiError(409, "no virtual clock is attached; the sandbox runs on real time")
        body = await _body(request)
        if "advance" in body:
            seconds = body["advance"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                raise UserApiError(400, "advance must be a non-negative number of seconds")
            target = clock.now() + timedelta(seconds=seconds)
        elif "to" in body:
            target = _parse_time(_field(body, "to", str))
            if target < clock.now():
                raise UserApiError(400, "the clock cannot go backwards")
        else:
            raise UserApiError(400, 'send {"advance": seconds} or {"to": iso_time}')
        await clock.advance_to(target)
        return json_response(self._clock_state())

    async def get_limits(self, request: web.Request) -> web.Response:
        return json_response(asdict(self.limiter.limits))

    async def set_limits(self, request: web.Request) -> web.Response:
        try:
            limits = self.limiter.limits.updated(await _body(request))
        except ValueError as error:
            raise UserApiError(400, str(error)) from None
        self.limiter.configure(limits)
        return json_response(asdict(limits))
