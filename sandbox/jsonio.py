"""JSON responses the way Telegram writes them: UTF-8 text, not \\u escapes (readable in curl)."""

from __future__ import annotations

import functools
import json
from typing import Any

from aiohttp import web

dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps)
