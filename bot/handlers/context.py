"""Per-update context: who is asking, in which language, with what storage.

An outer middleware builds it once per update so handlers stay thin: parse, call a flow,
``ctx.show(...)`` the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from bot.flows import members
from bot.flows.commands import ChatKind
from bot.flows.members import Person
from bot.flows.results import Outcome
from bot.handlers.delivery import deliver
from bot.i18n import normalize_language
from storage.engine import Database


@dataclass
class Context:
    bot: Bot
    db: Database
    person: Person | None
    language: str
    chat: Chat | None
    event: Message | CallbackQuery | None

    @property
    def where(self) -> ChatKind:
        return "private" if self.chat is None or self.chat.type == "private" else "group"

    async def show(self, *outcomes: Outcome | list[Outcome]) -> None:
        flat: list[Outcome] = []
        for item in outcomes:
            flat.extend(item if isinstance(item, list) else [item])
        await deliver(self.bot, self.event, self.language, flat)


def _sender(update: Update) -> tuple[User | None, Chat | None, Message | CallbackQuery | None]:
    if update.message:
        return update.message.from_user, update.message.chat, update.message
    if update.edited_message:
        return update.edited_message.from_user, update.edited_message.chat, None
    if update.callback_query:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        return query.from_user, chat, query
    if update.my_chat_member:
        return update.my_chat_member.from_user, update.my_chat_member.chat, None
    if update.chat_member:
        return update.chat_member.from_user, update.chat_member.chat, None
    if update.poll_answer:
        return update.poll_answer.user, None, None
    return None, None, None


class ContextMiddleware(BaseMiddleware):
    """Outer middleware on updates: loads the member and picks the language."""

    def __init__(self, db: Database, default_language: str) -> None:
        self.db = db
        self.default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        update: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(update, Update)
        user, chat, event = _sender(update)
        person = None
        language = self.default_language
        if user is not None:
            person = Person(user.id, user.full_name, user.language_code)
            async with self.db.session() as session:
                member = await members.find(session, user.id)
            language = (member.language if member and member.language else None) or (
                normalize_language(user.language_code, self.default_language)
            )
        data["ctx"] = Context(data["bot"], self.db, person, language, chat, event)
        return await handler(update, data)
