"""Minutes after a vote: the "minutes" sweep drafts them and sends the draft to the chair; the
chair edits the summary (a private dialogue) and publishes — with the button or /minutes N —
into the item's thread and the group, with the printable copy, opening the 公示."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyParameters

from bot import render
from bot.clock import Clock
from bot.flows import minutes, minutes_document, minutes_drafts, publicity, standing
from bot.flows.cycle_text import when
from bot.flows.inputs import Invalid, normalize
from bot.flows.minutes_drafts import Draft
from bot.flows.policy import Action
from bot.flows.results import Button, EditOrigin, Notify, Toast, reply
from bot.handlers import rights
from bot.handlers.context import Context, reader_language
from bot.handlers.delivery import markup, notify
from bot.handlers.vote_lookup import vote_by_number
from bot.i18n import t
from bot.scheduler import Scheduler
from storage.engine import Database
from storage.models import Publicity

log = logging.getLogger("xieshang.minutes")
SOON = timedelta(microseconds=1)
WATCHED = ("vote",)  # a vote closing may need minutes


class Editing(StatesGroup):
    summary = State()


class MinutesRuntime:
    """The "minutes" sweep (due whenever votes changed) and posting published minutes."""

    def __init__(self, db: Database, clock: Clock, scheduler: Scheduler) -> None:
        self.db = db
        self.clock = clock
        self.bot: Bot | None = None
        self._seen = -1
        scheduler.add("minutes", self)

    async def startup(self, bot: Bot) -> None:
        self.bot = bot

    def next_due(self, after: datetime) -> datetime | None:
        return after + SOON if self.db.changes.version(WATCHED) != self._seen else None

    async def run(self, at: datetime) -> None:
        self._seen = self.db.changes.version(WATCHED)
        for vote_id in await minutes_drafts.undrafted(self.db, at):
            minutes_id = await minutes_drafts.claim(self.db, vote_id, at)
            if minutes_id is None:
                continue
            try:
                await self.send_draft(minutes_id)
            except Exception:  # the row stays: /minutes N publishes it still
                log.exception("the draft minutes of vote %s were not sent", vote_id)

    async def send_draft(self, minutes_id: int) -> None:
        assert self.bot is not None
        draft = await minutes_drafts.load(self.db, minutes_id)
        said, buttons = minutes_drafts.panel(draft)
        for tg_user_id in await minutes_drafts.recipients(self.db, draft):
            language = await reader_language(self.db, tg_user_id, draft.language)
            if await notify(self.bot, Notify(tg_user_id, said, buttons), language):
                return
        log.warning("nobody could be sent the draft minutes of vote %s", draft.vote.id)

    async def post(self, draft: Draft, row: Publicity) -> None:
        """The minutes in the item's thread and the group, the printable copy, the pinned 公示."""
        assert self.bot is not None
        bot, language, chat_id = self.bot, draft.language, row.chat_id
        if chat_id is None:
            return
        chunks = render.message(language, minutes.paragraphs(draft.minutes)).chunks
        item = draft.item
        places: list[tuple[int | None, int | None]] = [(None, None)]  # (topic, reply to)
        if item is not None and item.chat_id == chat_id and item.thread_id:
            places.insert(0, (item.thread_id, None))
        elif item is not None and item.chat_id == chat_id and item.anchor_message_id:
            places = [(None, item.anchor_message_id)]
        for topic, anchor in places:
            replying = (
                ReplyParameters(message_id=anchor, allow_sending_without_reply=True)
                if anchor
                else None
            )
            try:
                for chunk in chunks:
                    await bot.send_message(
                        chat_id, chunk, message_thread_id=topic, reply_parameters=replying
                    )
            except TelegramAPIError as refused:  # a closed topic: the group still gets them
                log.info("minutes of vote %s not posted in %s: %s", row.vote_id, topic, refused)
        document = minutes_document.html_document(draft.minutes, language)
        await bot.send_document(
            chat_id,
            BufferedInputFile(
                document.encode(), filename=minutes_document.filename(draft.minutes, language)
            ),
        )
        async with self.db.session() as s:
            zone = await publicity.zone_of(s, row.community_id)
        said, buttons = publicity.notice(row, draft.minutes.title, zone)
        rendered = render.message(language, said, buttons)
        sent = await bot.send_message(
            chat_id, rendered.chunks[0], reply_markup=markup(rendered.keyboard)
        )
        await publicity.set_notice(self.db, row.id, sent.message_id)
        await rights.pin(bot, self.db, chat_id, sent.message_id)


async def _path(ctx: Context, draft: Draft) -> tuple[int, ...]:
    async with ctx.db.session() as s:
        paths = await standing.scope_paths(s, draft.vote.community_id)
    return paths.get(draft.vote.scope_id, ())


def router(runtime: MinutesRuntime) -> Router:
    r = Router(name="minutes")
    r.startup.register(runtime.startup)
    private = F.chat.type == "private"

    async def draft_for(ctx: Context, data: str, prefix: str) -> Draft | None:
        number = data.removeprefix(prefix)
        draft = await minutes_drafts.load(ctx.db, int(number)) if number.isdigit() else None
        if draft is None:
            await ctx.show(Toast(t("These minutes no longer exist."), alert=True))
        return draft

    async def publish(ctx: Context, draft: Draft) -> None:
        if not await ctx.require(Action.PUBLISH_MINUTES, await _path(ctx, draft)):
            return
        member_id = ctx.member.id if ctx.member else None
        try:
            row = await minutes_drafts.publish(
                ctx.db, draft.record.id, actor_id=member_id, now=ctx.clock.now()
            )
        except Invalid as refused:
            await _refuse(ctx, refused)
            return
        await runtime.post(draft, row)
        async with ctx.db.session() as s:
            zone = await publicity.zone_of(s, row.community_id)
        done = t(
            "The minutes of vote {id} are published in the group; the 公示 runs until {until}.",
            id=draft.vote.id,
            until=when(row.ends_at, zone),
        )
        if isinstance(ctx.event, CallbackQuery):  # the draft's buttons go: it is done
            await ctx.show(EditOrigin((done,)), Toast(done))
        else:
            await ctx.show(reply(done))

    async def publish_pressed(query: CallbackQuery, ctx: Context) -> None:
        draft = await draft_for(ctx, query.data or "", minutes_drafts.PUBLISH)
        if draft is not None:
            await publish(ctx, draft)

    async def minutes_command(message: Message, command: CommandObject, ctx: Context) -> None:
        vote = await vote_by_number(ctx, normalize(command.args or ""), "/minutes 3")
        if vote is None:
            return
        minutes_id = await minutes_drafts.of_vote(ctx.db, vote.id)
        if minutes_id is None:
            await ctx.show(
                reply(
                    t("Vote {id} has no minutes yet: they are drafted when it closes.", id=vote.id)
                )
            )
            return
        await publish(ctx, await minutes_drafts.load(ctx.db, minutes_id))

    async def edit_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        draft = await draft_for(ctx, query.data or "", minutes_drafts.EDIT)
        if draft is None or not await ctx.require(Action.PUBLISH_MINUTES, await _path(ctx, draft)):
            return
        if draft.record.status == "published":
            await ctx.show(Toast(minutes_drafts.already_published(draft.vote.id), alert=True))
            return
        await state.set_state(Editing.summary)
        await state.set_data({"minutes": draft.record.id})
        cancel = ((Button(t("Cancel"), minutes_drafts.CANCEL),),)
        await ctx.show(reply(*minutes_drafts.editing_prompt(draft), buttons=cancel))

    async def cancel_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        active = await state.get_state() == Editing.summary.state
        await state.clear()
        said = (
            t("Cancelled: the summary stays as it was.")
            if active
            else t("There is nothing to cancel.")
        )
        await ctx.show(EditOrigin((said,)))

    async def summary_typed(message: Message, ctx: Context, state: FSMContext) -> None:
        minutes_id = (await state.get_data()).get("minutes")
        try:
            await minutes_drafts.set_summary(
                ctx.db,
                minutes_id,
                message.text or "",
                actor_id=ctx.member.id if ctx.member else None,
                now=ctx.clock.now(),
            )
        except minutes_drafts.TooLong as refused:
            await ctx.show(reply(refused.text))  # the dialogue waits for a shorter text
            return
        except Invalid as refused:
            await state.clear()
            await ctx.show(reply(refused.text))
            return
        await state.clear()
        draft = await minutes_drafts.load(ctx.db, minutes_id)
        said, buttons = minutes_drafts.panel(draft)
        await ctx.show(reply(t("Summary saved."), *said, buttons=buttons))

    r.callback_query.register(publish_pressed, F.data.startswith(minutes_drafts.PUBLISH))
    r.callback_query.register(edit_pressed, F.data.startswith(minutes_drafts.EDIT))
    r.callback_query.register(cancel_pressed, F.data == minutes_drafts.CANCEL)
    r.message.register(minutes_command, Command("minutes"))
    r.message.register(summary_typed, Editing.summary, private, F.text & ~F.text.startswith("/"))
    return r


async def _refuse(ctx: Context, refused: Invalid) -> None:
    if isinstance(ctx.event, CallbackQuery):
        await ctx.show(Toast(refused.text, alert=True))
    else:
        await ctx.show(reply(refused.text))
