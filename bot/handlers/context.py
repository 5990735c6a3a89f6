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

from bot.clock import Clock
from bot.flows import members, policy, reach, standing
from bot.flows.commands import ChatKind
from bot.flows.directory import Directory
from bot.flows.members import Person
from bot.flows.policy import Action, Decision, Standing
from bot.flows.results import Notify, Outcome, Toast, reply
from bot.handlers.delivery import deliver
from bot.i18n import DEFAULT_LANGUAGE, normalize_language
from storage.engine import Database
from storage.models import ChatBinding, Community, Member

# Telegram's stand-ins in ``from`` when someone posts as the group (an anonymous administrator)
# or as a channel: the sender is a chat, never a person the registry knows.
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688


@dataclass
class Context:
    bot: Bot
    db: Database
    clock: Clock
    person: Person | None
    language: str
    chat: Chat | None
    event: Message | CallbackQuery | None
    member: Member | None = None
    binding: ChatBinding | None = None  # the group's binding, when the chat is a bound group
    standing: Standing = Standing()
    default_language: str = DEFAULT_LANGUAGE
    sender_is_chat: bool = False  # posted or pressed as the group or a channel: no person

    @property
    def where(self) -> ChatKind:
        return "private" if self.chat is None or self.chat.type == "private" else "group"

    def permits(self, action: Action, target: tuple[int, ...] | None = None) -> Decision:
        return policy.decide(self.standing, action, target)

    async def require(self, action: Action, target: tuple[int, ...] | None = None) -> bool:
        """Check the policy; when denied, tell the person why and who can, and return False."""
        decision = self.permits(action, target)
        if not decision and decision.reason is not None:
            if isinstance(self.event, CallbackQuery):
                await self.show(Toast(decision.reason, alert=True))
            else:
                await self.show(reply(decision.reason))
        return decision.allowed

    async def show(self, *outcomes: Outcome | list[Outcome]) -> list[Notify]:
        """Deliver the outcomes; returns the notices to other chats that could not be sent."""
        flat: list[Outcome] = []
        for item in outcomes:
            flat.extend(item if isinstance(item, list) else [item])
        return await deliver(self.bot, self.event, self.language, flat, self.language_of)

    async def language_of(self, chat_id: int) -> str:
        return await reader_language(self.db, chat_id, self.default_language)


async def reader_language(db: Database, chat_id: int, default: str) -> str:
    """A notice's reader's language: a person's own if stored, else their community's; a
    group's is its community's; else ``default``."""
    async with db.session() as session:
        if chat_id < 0:  # Telegram's groups have negative ids, people positive ones
            binding = await standing.community_of_chat(session, chat_id)
            community_id = binding.community_id if binding else None
        else:
            member = await members.find(session, chat_id)
            if member is not None and member.language:
                return member.language
            community_id = await standing.home_community(session, member) if member else None
        community = await session.get(Community, community_id) if community_id else None
        return community.language if community else default


def _sender(update: Update) -> tuple[User | None, Chat | None, Message | CallbackQuery | None]:
    if update.message:
        return update.message.from_user, update.message.chat, update.message
    if update.edited_message:
        return update.edited_message.from_user, update.edited_message.chat, update.edited_message
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


def _is_chat(user: User, event: Message | CallbackQuery | None) -> bool:
    """Whether the sender is a chat (an anonymous administrator, a channel), not a person."""
    if user.id in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT):
        return True
    return isinstance(event, Message) and event.sender_chat is not None


def _marked(member: Member | None) -> bool:
    """Marked unreachable privately (bot.flows.reach)."""
    return member is not None and member.unreachable_at is not None


class ContextMiddleware(BaseMiddleware):
    """Outer middleware on updates: loads the member, their roles here, and the language."""

    def __init__(
        self, db: Database, clock: Clock, default_language: str, directory: Directory
    ) -> None:
        self.db = db
        self.clock = clock
        self.default_language = default_language
        self.directory = directory

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        update: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(update, Update)
        user, chat, event = _sender(update)
        ctx = Context(data["bot"], self.db, self.clock, None, self.default_language, chat, event)
        ctx.default_language = self.default_language
        if chat is not None and chat.type != "private":
            ctx.binding = await self.directory.binding(chat.id)
        if user is not None and _is_chat(user, event):
            # Never a resident or a household; said to in the group's language.
            ctx.sender_is_chat = True
            if chat is not None:
                ctx.language = await ctx.language_of(chat.id)
        elif user is not None:
            ctx.person = Person(user.id, user.full_name, user.language_code)
            if ctx.binding is not None:
                await self._load_in_community(ctx, user.id, ctx.binding.community_id)
            else:
                await self._load_at_home(ctx, user.id)
            ctx.language = (ctx.member.language if ctx.member else None) or normalize_language(
                user.language_code, self.default_language
            )
            if event is not None and ctx.where == "private" and _marked(ctx.member):
                await reach.reachable(self.db, user.id)  # they write to us: we can write back
        data["ctx"] = ctx
        return await handler(update, data)

    async def _load_in_community(self, ctx: Context, tg_user_id: int, community_id: int) -> None:
        """In a bound group, from the in-memory directory; only outsiders cost a query."""
        copy = await self.directory.community(community_id)
        ctx.member = copy.members.get(tg_user_id)
        if ctx.member is None:
            async with self.db.session() as session:
                ctx.member = await members.find(session, tg_user_id)
        if ctx.member is not None:
            ctx.standing = copy.standing(ctx.member, self.clock.now())

    async def _load_at_home(self, ctx: Context, tg_user_id: int) -> None:
        """In a private chat: the member's own community, wherever that is."""
        async with self.db.session() as session:
            ctx.member = await members.find(session, tg_user_id)
            if ctx.member is not None:
                community_id = await standing.home_community(session, ctx.member)
                ctx.standing = await standing.load(
                    session, ctx.member, community_id, self.clock.now()
                )
