"""/lang: each person picks zh_CN or en; remembered on their member record (audited)."""

from __future__ import annotations

import unicodedata

from bot.flows.members import Person, remember_language
from bot.flows.results import Button, EditOrigin, Outcome, Reply, Toast, reply
from bot.i18n import LANGUAGES, Text, t
from storage.engine import Database

NAMES: dict[str, Text] = {"zh_CN": t("简体中文"), "en": t("English")}
ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "cn": "zh_CN", "中文": "zh_CN",
           "en": "en", "english": "en", "英文": "en"}  # fmt: skip


def choose(current: str) -> Reply:
    buttons = tuple((Button(NAMES[lang], f"lang:{lang}"),) for lang in LANGUAGES)
    return reply(
        t("Your language is {language}. Choose another:", language=NAMES[current]),
        buttons=buttons,
    )


def parse(argument: str) -> str | None:
    """Accept the codes and names people actually type (``en``, ``zh``, ``中文``, full-width…)."""
    return ALIASES.get(unicodedata.normalize("NFKC", argument).strip().lower())


def unknown(argument: str) -> Reply:
    return reply(
        t("“{argument}” is not a language I speak. Use /lang zh or /lang en.", argument=argument)
    )


async def set_language(
    db: Database, person: Person, language: str, *, from_button: bool
) -> list[Outcome]:
    """Store the choice; the confirmation is already in the new language."""
    await remember_language(db, person, language)
    done = t("Language set to {language}.", language=NAMES[language])
    if from_button:
        return [EditOrigin((done,)), Toast(done)]
    return [reply(done)]
