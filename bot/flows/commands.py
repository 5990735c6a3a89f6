"""The bot's commands: one registry for /help and for the menus published to Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import Text, t

ChatKind = Literal["private", "group"]
EVERYONE = "everyone"


@dataclass(frozen=True)
class Command:
    name: str
    summary: Text
    where: frozenset[ChatKind]
    roles: frozenset[str] = frozenset({EVERYONE})


BOTH: frozenset[ChatKind] = frozenset({"private", "group"})

COMMANDS: tuple[Command, ...] = (
    Command("start", t("What this bot does and how to begin"), BOTH),
    Command("help", t("The commands you can use here"), BOTH),
    Command("lang", t("Choose your language: 中文 or English"), BOTH),
)


def available(where: ChatKind, roles: frozenset[str] = frozenset({EVERYONE})) -> list[Command]:
    """Commands a person holding ``roles`` may use in this kind of chat, in registry order."""
    return [c for c in COMMANDS if where in c.where and c.roles & roles]
