"""Bot API call parameters, decoded the way Telegram does from any of its four encodings.

Telegram accepts the query string, urlencoded forms, JSON bodies and multipart/form-data (which
aiogram always uses, sending objects such as reply_markup as JSON strings and files as parts,
referenced by "attach://<name>" or sent directly under the parameter's name).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str
    content_type: str


class Params:
    """Typed access to one call's parameters; raises Telegram-worded 400s on bad values."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = {k: v for k, v in values.items() if v is not None and v != ""}
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        return name in self.values or name in self.uploads

    def get_str(self, name: str, missing: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            if missing:
                raise bad_request(missing)
            return None
        if isinstance(value, dict | list):
            raise bad_request(f'field "{name}" must be of type String')
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, missing: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            if missing:
                raise bad_request(missing)
            return None
        parsed = _as_int(value)
        if parsed is None:
            raise bad_request(f'field "{name}" must be of type Integer')
        return parsed

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str, what: str | None = None) -> Any:
        """An object/array parameter, sent as JSON text (forms, multipart) or inline (JSON body)."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """An int id or "@username"; anything else is a chat Telegram cannot find."""
        value = self.values.get(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@") and len(value) > 1:
            return value
        parsed = _as_int(value)
        if parsed is None:
            raise bad_request("chat not found")
        return parsed

    def file(self, name: str) -> Upload | str | None:
        """A file parameter: an Upload (direct part or attach://), or a file_id / URL string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.uploads.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"there is no {name} in the request")
            return upload
        return value if isinstance(value, str) else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


async def read_multipart(
    reader: aiohttp.MultipartReader,
) -> tuple[dict[str, Any], dict[str, Upload]]:
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads[part.name] = Upload(await part.read(), part.filename, content_type)
        else:
            values[part.name] = await part.text()
    return values, uploads


async def read_request(request: web.Request) -> Params:
    """Merge the query string with the body, whatever its content type."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            values.update(body)
    elif content_type == "multipart/form-data":
        body_values, uploads = await read_multipart(await request.multipart())
        values.update(body_values)
    elif request.can_read_body:
        values.update(await request.post())
    return Params(values, uploads)
