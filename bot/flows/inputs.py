"""What people type in set-up commands: cleaned names, and the refusal that says what was wrong.

Set-up is done from the CLI and in chat alike, so a refusal carries translatable ``Text``: the
chat shows it in the reader's language, the CLI prints it in English.
"""

from __future__ import annotations

import unicodedata

from bot.i18n import Text, t

NAME_LIMIT = 50


class Invalid(Exception):
    """A request refused for a reason the person can fix; ``text`` says which."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


def normalize(value: str) -> str:
    """NFKC (full-width letters and digits become ASCII), trimmed, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def clean_name(value: str) -> str:
    """A scope or community name as stored; refuses empty, over-long or control characters."""
    name = normalize(value)
    if not name:
        raise Invalid(t("A name cannot be empty."))
    if len(name) > NAME_LIMIT:
        raise Invalid(t("A name can have at most {limit} characters.", limit=NAME_LIMIT))
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise Invalid(t("A name cannot contain control characters."))
    return name


def listing(values: list[str]) -> str:
    """Names for a message: joined with 、, which reads well in both languages' messages."""
    return "、".join(values) if values else "—"
