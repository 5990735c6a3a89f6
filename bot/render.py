"""The one place where flow results become Telegram text: translation, escaping, splitting.

Output is framework-neutral (HTML strings and rows of ``(label, callback_data)``) so that
both runtimes (aiogram and python-telegram-bot) share it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.flows.results import Button
from bot.i18n import Text, gettext_for

MESSAGE_LIMIT = 4096  # Telegram's limit, in UTF-16 code units after entity parsing

Keyboard = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Rendered:
    chunks: list[str]
    keyboard: Keyboard


def text(language: str, message: Text) -> str:
    """Translate ``message`` and fill its parameters, escaping the untrusted ones."""
    template = gettext_for(language, message)
    values = {
        key: text(language, value) if isinstance(value, Text) else html.escape(str(value), False)
        for key, value in message.params.items()
    }
    return template.format_map(values) if values else template


def plain(language: str, message: Text) -> str:
    """``message`` as plain text (terminals, JSON): translated, markup dropped, values as typed."""
    return html.unescape(re.sub(r"<[^>]*>", "", text(language, message)))


def keyboard(language: str, rows: tuple[tuple[Button, ...], ...]) -> Keyboard:
    return [[(text(language, b.label), b.data) for b in row] for row in rows]


def message(
    language: str, paragraphs: tuple[Text, ...], buttons: tuple[tuple[Button, ...], ...] = ()
) -> Rendered:
    return Rendered(
        split_html([text(language, p) for p in paragraphs]), keyboard(language, buttons)
    )


# --- splitting ---------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[\s\S]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")
# Where a cut reads best: after a line or sentence, else after a clause or word.
_STRONG_BREAK = set("\n。！？!?")
_WEAK_BREAK = set(" ，；、,;")


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _token_len(token: str) -> int:
    if token.startswith("<") and len(token) > 1:
        return 0
    if token.startswith("&") and len(token) > 1:
        return _utf16(html.unescape(token))
    return _utf16(token)


def visible_length(markup: str) -> int:
    """Length Telegram counts: tags removed, entities decoded, in UTF-16 code units."""
    return sum(_token_len(tok) for tok in _TOKEN.findall(markup))


def _cut_paragraph(markup: str, limit: int) -> list[str]:
    """Cut one over-long paragraph at the best break past half the limit, re-opening tags."""
    pieces: list[str] = []
    current: list[str] = []
    length = 0
    stack: list[str] = []  # opening tags in force
    # Best cut so far of each strength: (token index, length there, open tags there).
    breaks: dict[bool, tuple[int, int, list[str]]] = {}

    def close(tags: list[str]) -> str:
        return "".join(f"</{_TAG_NAME.match(tag).group(1)}>" for tag in reversed(tags))

    for token in _TOKEN.findall(markup):
        size = _token_len(token)
        if size and length + size > limit:
            usable = [
                b for strong in (True, False) if (b := breaks.get(strong)) and b[1] > limit // 2
            ]
            if usable:
                index, _, tags = usable[0]
                head, tail = current[:index], current[index:]
            else:
                head, tail, tags = current, [], list(stack)
            pieces.append("".join(head) + close(tags))
            current = list(tags) + tail
            length = sum(_token_len(tok) for tok in current)
            breaks = {}
        current.append(token)
        length += size
        if token.startswith("</"):
            if stack:
                stack.pop()
        elif token.startswith("<") and size == 0:
            stack.append(token)
        elif token in _STRONG_BREAK or token in _WEAK_BREAK:
            breaks[token in _STRONG_BREAK] = (len(current), length, list(stack))
    if current:
        pieces.append("".join(current))
    return pieces


def split_html(paragraphs: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join paragraphs into as few messages as fit, never splitting a paragraph that fits."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for paragraph in paragraphs:
        for piece in (
            [paragraph] if visible_length(paragraph) <= limit else _cut_paragraph(paragraph, limit)
        ):
            size = visible_length(piece)
            separator = 2 if current else 0
            if current and length + separator + size > limit:
                chunks.append("\n\n".join(current))
                current, length, separator = [], 0, 0
            current.append(piece)
            length += separator + size
    if current:
        chunks.append("\n\n".join(current))
    return chunks
