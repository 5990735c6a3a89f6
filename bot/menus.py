"""Publish the command menus to Telegram, per chat kind and language, from the one registry."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot import render
from bot.flows.commands import menu
from bot.i18n import DEFAULT_LANGUAGE

# Telegram's language_code for menus is ISO 639-1; "" is everyone without a better match.
MENU_LANGUAGES = {"": DEFAULT_LANGUAGE, "zh": "zh_CN", "en": "en"}


async def publish(bot: Bot) -> None:
    scopes = {"private": BotCommandScopeAllPrivateChats(), "group": BotCommandScopeAllGroupChats()}
    for where, scope in scopes.items():
        for code, language in MENU_LANGUAGES.items():
            commands = [
                BotCommand(command=c.name, description=render.text(language, c.summary))
                for c in menu(where)
            ]
            await bot.set_my_commands(commands, scope=scope, language_code=code or None)
