"""The 公示 after published minutes: [Object] → a private dialogue for the reason; /objections N
(texts for the scope, names for moderators and supervisors); /objection ID reject|uphold reason
(moderators) and /objection procedural N reason (supervisors); and the "publicity" sweep that
makes a decision final when its window ends, unpinning the notice."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, Message
from sqlmodel import select

from bot import render
from bot.clock import Clock
from bot.flows import objections, publicity, standing
from bot.flows.inputs import Invalid, normalize
from bot.flows.policy import Action
from bot.flows.results import Button, EditOrigin, Notify, Toast, reply
from bot.handlers.context import Context
from bot.handlers.delivery import notify
from bot.handlers.vote_lookup import vote_by_number
from bot.i18n import t
from bot.scheduler import Scheduler
from storage.engine import Database
from storage.models import Publicity

log = logging.getLogger("xieshang.publicity")
SOON = timedelta(microseconds=1)
WATCHED = ("publicity",)
CANCEL = "ob:cancel"


class Objecting(StatesGroup):
    reason = State()


class PublicityRuntime:
    """The "publicity" sweep: due at the end of each open window (kept in memory, reloaded when
    the publicity table changes)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        refresh_card: Callable[[int], Awaitable[None]],
    ) -> None:
        self.db = db
        self.clock = clock
        self.refresh_card = refresh_card  # a proposal back on the agenda: its card shows it
        self.bot: Bot | None = None
        self.ends: dict[int, datetime] | None = None
        self._version = -1
        scheduler.add("publicity", self)

    async def startup(self, bot: Bot) -> None:
        self.bot = bot

    def next_due(self, after: datetime) -> datetime | None:
        if self.ends is None or self.db.changes.version(WATCHED) != self._version:
            return after + SOON  # run() reloads first
        return min((at for at in self.ends.values() if at > after), default=None)

    async def run(self, at: datetime) -> None:
        self._version = self.db.changes.version(WATCHED)
        for closed in await publicity.close_due(self.db, at):
            try:
                await self.announce(closed)
            except TelegramAPIError as refused:
                log.info("the end of 公示 %s was not announced: %s", closed.row.id, refused)
        self.ends = await publicity.open_ends(self.db)

    async def announce(self, closed: publicity.Closed) -> None:
        assert self.bot is not None
        row = closed.row
        if row.chat_id is None:
            return
        await unpin(self.bot, row)
        async with self.db.session() as s:
            zone = await publicity.zone_of(s, row.community_id)
        for chunk in render.message(closed.language, publicity.final_notice(closed, zone)).chunks:
            await self.bot.send_message(row.chat_id, chunk)


async def unpin(bot: Bot, row: Publicity) -> None:
    if row.chat_id is not None and row.message_id is not None:
        with contextlib.suppress(TelegramAPIError):  # unpinned by hand, or no right: no matter
            await bot.unpin_chat_message(chat_id=row.chat_id, message_id=row.message_id)


async def _path(ctx: Context, row: Publicity) -> tuple[int, ...]:
    async with ctx.db.session() as s:
        paths = await standing.scope_paths(s, row.community_id)
    return paths.get(row.scope_id, ())


def _private_state(ctx: Context, state: FSMContext) -> FSMContext:
    """The presser's dialogue in their private chat (the press came from the group)."""
    user = ctx.person.tg_user_id
    key = StorageKey(bot_id=ctx.bot.id, chat_id=user, user_id=user)
    return FSMContext(storage=state.storage, key=key)


async def _publicity_of(ctx: Context, args: str | None, example: str) -> Publicity | None:
    """The 公示 of the vote numbered in ``args``; tells the person what is wrong otherwise."""
    vote = await vote_by_number(ctx, normalize(args or ""), example)
    if vote is None:
        return None
    async with ctx.db.session() as s:
        row = await publicity.of_vote(s, vote.community_id, vote.id)
    if row is None:
        await ctx.show(
            reply(
                t(
                    "The minutes of vote {id} are not published yet: there is no 公示 to "
                    "object to.",
                    id=vote.id,
                )
            )
        )
    return row


def router(runtime: PublicityRuntime) -> Router:
    r = Router(name="publicity")
    r.startup.register(runtime.startup)
    private = F.chat.type == "private"

    async def object_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        number = (query.data or "").removeprefix(publicity.OBJECT)
        try:
            if not number.isdigit():
                raise Invalid(t("This 公示 no longer exists."))
            row = await objections.open_window(ctx.db, int(number), ctx.clock.now())
        except Invalid as refused:
            await ctx.show(Toast(refused.text, alert=True))
            return
        if ctx.member is not None and ctx.standing.community_id != row.community_id:
            await ctx.show(Toast(t("Only residents of this community may object."), alert=True))
            return
        if not await ctx.require(Action.OBJECT, await _path(ctx, row)):
            return
        asked = Notify(
            ctx.person.tg_user_id,
            (
                t(
                    "Write your objection to the decision of vote {id} in one message: what is "
                    "wrong, and why (at most {limit} characters). Everyone in the scope can read "
                    "it; only moderators and supervisors see your name.",
                    id=row.vote_id,
                    limit=objections.REASON_LIMIT,
                ),
            ),
            ((Button(t("Cancel"), CANCEL),),),
        )
        dialogue = _private_state(ctx, state)
        await dialogue.set_state(Objecting.reason)
        await dialogue.set_data({"publicity": row.id})
        if not await notify(ctx.bot, asked, ctx.language):
            await dialogue.clear()
            await ctx.show(
                Toast(
                    t(
                        "I cannot write to you yet: open a private chat with me, press Start, "
                        "then press “Object” again."
                    ),
                    alert=True,
                )
            )
            return
        await ctx.show(Toast(t("I have written to you privately: give your reason there.")))

    async def reason_typed(message: Message, ctx: Context, state: FSMContext) -> None:
        publicity_id = (await state.get_data()).get("publicity")
        if ctx.member is None:  # forgotten meanwhile
            await state.clear()
            await ctx.require(Action.OBJECT)
            return
        try:
            raised = await objections.raise_objection(
                ctx.db, publicity_id, ctx.member, message.text or "", ctx.clock.now()
            )
        except Invalid as refused:
            await ctx.show(reply(refused.text))
            return
        await state.clear()
        said = t(
            "Your objection No. {id} is recorded. A moderator decides it and I will tell you the "
            "decision.",
            id=raised.objection.id,
        )
        await ctx.show(reply(said), raised.notices)

    async def cancel_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        active = await state.get_state() == Objecting.reason.state
        await state.clear()
        said = (
            t("Cancelled: no objection was raised.") if active else t("There is nothing to cancel.")
        )
        await ctx.show(EditOrigin((said,)))

    async def list_command(message: Message, command: CommandObject, ctx: Context) -> None:
        row = await _publicity_of(ctx, command.args or await _latest(ctx), "/objections 3")
        if row is None:
            return
        names = bool(ctx.permits(Action.SEE_OBJECTORS))
        await ctx.show(reply(*await objections.listing(ctx.db, row, with_names=names)))

    async def objection_command(message: Message, command: CommandObject, ctx: Context) -> None:
        words = (command.args or "").split(maxsplit=1)
        if words and normalize(words[0]).lower() in objections.PROCEDURAL:
            await procedural(ctx, words[1] if len(words) > 1 else "")
            return
        if not await ctx.require(Action.DECIDE_OBJECTION):
            return
        try:
            objection_id, verdict, reason = objections.parse_decision(command.args)
            decided = await objections.decide(
                ctx.db,
                ctx.binding.community_id if ctx.binding else ctx.standing.community_id,
                objection_id,
                verdict,
                reason,
                actor_id=ctx.member.id if ctx.member else None,
                now=ctx.clock.now(),
            )
        except Invalid as refused:
            await ctx.show(reply(refused.text))
            return
        if decided.suspended:
            await unpin(ctx.bot, decided.publicity)
        if decided.proposal_id is not None:
            await runtime.refresh_card(decided.proposal_id)
        said = t(
            "Objection No. {id} is {verdict}; the objector is told.",
            id=objection_id,
            verdict=objections.STATUS_NAMES[verdict],
        )
        await ctx.show(reply(said), decided.notices)

    async def procedural(ctx: Context, args: str) -> None:
        if not await ctx.require(Action.PROCEDURAL_OBJECTION):
            return
        number, _, reason = args.strip().partition(" ")
        row = await _publicity_of(ctx, number, "/objection procedural 3 <reason>")
        if row is None:
            return
        try:
            raised = await objections.raise_objection(
                ctx.db, row.id, ctx.member, reason, ctx.clock.now(), procedural=True
            )
        except Invalid as refused:
            await ctx.show(reply(refused.text))
            return
        said = t(
            "Procedural objection No. {id} to vote {vote} is recorded; the moderators decide it.",
            id=raised.objection.id,
            vote=row.vote_id,
        )
        await ctx.show(reply(said), raised.notices)

    r.callback_query.register(object_pressed, F.data.startswith(publicity.OBJECT))
    r.callback_query.register(cancel_pressed, F.data == CANCEL)
    r.message.register(reason_typed, Objecting.reason, private, F.text & ~F.text.startswith("/"))
    r.message.register(list_command, Command("objections"))
    r.message.register(objection_command, Command("objection"))
    return r


async def _latest(ctx: Context) -> str | None:
    """Without a number: the community's latest 公示."""
    community_id = ctx.binding.community_id if ctx.binding else ctx.standing.community_id
    async with ctx.db.session() as s:
        vote_id = await s.scalar(
            select(Publicity.vote_id)
            .where(Publicity.community_id == community_id)
            .order_by(Publicity.id.desc())
            .limit(1)
        )
    return str(vote_id) if vote_id else None
