"""The printable copy of the minutes: one self-contained HTML file, attached when they are
published.

HTML rather than PDF: it needs no font file at render time and prints from any phone or
browser. The page declares a CJK font stack (Noto Sans CJK SC / Source Han Sans SC, PingFang
SC, Microsoft YaHei, WenQuanYi…), which every system that reads Chinese has one of, so Chinese
never prints as boxes. The text is the chat's text, from the same paragraphs and the same
renderer (already HTML-escaped; only the msgids' own <b>/<i> markup passes).
"""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from bot import render
from bot.flows.minutes import Minutes, paragraphs
from bot.i18n import t

__all__ = ["FONT_STACK", "filename", "html_document"]

FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun", sans-serif'
)
_LANG = {"zh_CN": "zh-CN", "en": "en"}

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {fonts}; line-height: 1.7; max-width: 42em; margin: 2em auto;
       padding: 0 1em; color: #111; }}
h1 {{ font-size: 1.4em; text-align: center; }}
p {{ margin: 0.4em 0; }}
@page {{ size: A4; margin: 2cm; }}
</style>
</head>
<body>
<h1>{heading}</h1>
{body}
</body>
</html>
"""


def html_document(minutes: Minutes, language: str) -> str:
    """The minutes in ``language`` as a printable UTF-8 HTML page."""
    first, *rest = [render.text(language, p) for p in paragraphs(minutes)]
    body = "\n".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in rest)
    return _PAGE.format(
        lang=_LANG.get(language, language),
        title=html.escape(render.plain(language, paragraphs(minutes)[0])),
        fonts=FONT_STACK,
        heading=first,
        body=body,
    )


def filename(minutes: Minutes, language: str) -> str:
    """``会议纪要-2025-06-11.html``: the date of the deliberation, in the document's language."""
    name = render.plain(language, t("minutes"))
    local = minutes.held_at.astimezone(ZoneInfo(minutes.timezone))
    return f"{name}-{local.date().isoformat()}.html"
