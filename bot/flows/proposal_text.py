"""What a resident types to raise a proposal: the title on the first line, details after.

All ways of raising (``/propose``, a message starting with ``#提案``) end up in
:func:`parse_draft`, so they share one set of limits and one set of messages.
Full-width letters, digits and spaces become ASCII (７栋 → 7栋) but Chinese punctuation stays
as typed; the length counts what a reader sees (an emoji with its modifiers is one character).
HTML is kept as typed: the renderer escapes it, so it is shown as text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.flows.inputs import Invalid
from bot.i18n import t

TITLE_MIN = 4
TITLE_MAX = 60
DETAILS_MAX = 2000

# ＃提案, #提案：, #提案 — the tag, then optional punctuation.
TAG = re.compile(r"^\s*[#＃]提案\s*[:：,，]?\s*")

# Full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) and the ideographic space.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF10, 0xFF1A)},
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF21, 0xFF3B)},
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF41, 0xFF5B)},
        "\u3000": " ",
    }
)
_SKIN_TONES = range(0x1F3FB, 0x1F400)


@dataclass(frozen=True)
class Draft:
    title: str
    details: str | None = None


def visible_length(value: str) -> int:
    """Characters a reader sees: combining marks, joiners, variation selectors and skin-tone
    modifiers belong to the character before them, and so does one joined by a ZWJ (👨‍👩‍👧)."""
    count = 0
    joined = False
    for ch in value:
        if not joined and unicodedata.category(ch) not in ("Mn", "Me", "Cf"):
            count += ord(ch) not in _SKIN_TONES
        joined = ch == "\u200d"
    return count


def _clean_line(value: str) -> str:
    value = value.translate(_FULL_WIDTH)
    value = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value)
    return " ".join(value.split())


def strip_tag(text: str) -> str | None:
    """The text after a leading #提案, or None when the message does not start with it."""
    match = TAG.match(text)
    return text[match.end() :] if match else None


def parse_draft(text: str) -> Draft:
    """A draft from what followed /propose or #提案; refuses what breaks the limits."""
    lines = text.strip().splitlines()
    title = _clean_line(lines[0]) if lines else ""
    body = [_clean_line(line) for line in lines[1:]]
    details = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip() or None
    if not title:
        raise Invalid(
            t(
                "Write the proposal's title after the command, e.g. <code>/propose 7栋安装门禁系统</code>; "
                "details can follow on the next lines."
            )
        )
    length = visible_length(title)
    if length < TITLE_MIN or not any(unicodedata.category(ch)[0] in "LN" for ch in title):
        raise Invalid(
            t(
                "The title is too short: say what the proposal is about in at least {min} characters.",
                min=TITLE_MIN,
            )
        )
    if length > TITLE_MAX:
        raise Invalid(
            t(
                "The title is too long ({n} characters; at most {max}). Keep the title short and "
                "put the rest on the next lines as details.",
                n=length,
                max=TITLE_MAX,
            )
        )
    if details is not None and visible_length(details) > DETAILS_MAX:
        raise Invalid(
            t(
                "The details are too long ({n} characters; at most {max}).",
                n=visible_length(details),
                max=DETAILS_MAX,
            )
        )
    return Draft(title, details)
