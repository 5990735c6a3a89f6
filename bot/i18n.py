"""Messages and languages.

Flows never produce finished strings: they return :class:`Text` (a msgid plus parameters), and
the renderer translates it in the reader's language. ``t``/``tn`` are the extraction keywords
(see ``babel.cfg``). Catalogs live in ``locales/<lang>/LC_MESSAGES/xieshang.po`` and are compiled
to ``.mo`` by ``make`` (``pybabel compile``).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "xieshang"
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


@dataclass(frozen=True)
class Text:
    """A translatable message: trusted markup in the msgid, untrusted values in ``params``.

    Parameters are HTML-escaped when rendered, unless they are themselves ``Text``.
    """

    msgid: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    plural: str | None = None
    n: int | None = None


def t(msgid: str, **params: Any) -> Text:
    return Text(msgid, params)


def tn(singular: str, plural: str, n: int, **params: Any) -> Text:
    return Text(singular, {"n": n, **params}, plural=plural, n=n)


class CatalogMissing(RuntimeError):
    """The compiled catalogs are absent: the install step was skipped."""


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``language``; loaded once per process."""
    try:
        return gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[language])
    except FileNotFoundError as exc:
        raise CatalogMissing(
            f"no compiled catalog for {language} under {LOCALES_DIR}; run `make i18n`"
        ) from exc


def normalize_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram ``language_code`` (``en``, ``en-US``, ``zh-hans``, ``zh-TW``…) to ours."""
    if not code:
        return default
    base = code.replace("_", "-").split("-", 1)[0].lower()
    if base == "zh":
        return "zh_CN"
    if base == "en":
        return "en"
    return default


def gettext_for(language: str, text: Text) -> str:
    catalog = translations(language)
    if text.plural is not None and text.n is not None:
        return catalog.ngettext(text.msgid, text.plural, text.n)
    return catalog.gettext(text.msgid)
