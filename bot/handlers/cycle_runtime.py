"""The monthly cycle running by itself: the "cycle" sweep that runs each community's due phases
(reminders, agenda freeze, the 协商日, votes opening) and says so in its groups; the items'
threads (forum topics or pinned anchors) and the messages said in them.

What is due comes from bot.flows.cycle_phases; this module only talks to Telegram. The
communities' calendars are cached and reloaded when the cycle settings or communities change
(storage.changes), or after a minute (the CLI writes from another process).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import Message, ReplyParameters

from bot import render
from bot.clock import Clock
from bot.flows import (
    agenda,
    cycle_notices,
    cycle_phases,
    deliberation,
    reminders,
    threads,
)
from bot.flows.agenda import Entry
from bot.flows.cycle_phases import AlreadyRan, Due, Plan
from bot.flows.cycle_rules import Phase
from bot.flows.cycle_settings import CycleConfig
from bot.flows.results import Notify
from bot.handlers import cycle_commands, rights
from bot.handlers.context import Context
from bot.handlers.delivery import everyone_in, notify_all
from bot.handlers.voting import Voting
from bot.i18n import Text
from bot.scheduler import Scheduler
from storage.engine import Database
from storage.models import AgendaItem, ChatBinding

log = logging.getLogger("xieshang.cycle")
WATCHED = ("cycle_settings", "community")  # their changes move the calendars
THREADS = ("agenda_item",)
MAX_AGE = 60.0  # seconds (wall clock) a cached calendar is trusted without a local change
SOON = timedelta(microseconds=1)

TelegramRefused = (TelegramBadRequest, TelegramForbiddenError)


class CycleRuntime:
    def __init__(self, db: Database, clock: Clock, scheduler: Scheduler, voting: Voting) -> None:
        self.db = db
        self.clock = clock
        self.voting = voting
        scheduler.add("cycle", self)
        self.bot: Bot | None = None
        self.plans: dict[int, Plan] | None = None
        self._version = -1
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        self._threads: threads.Index | None = None
        self._threads_version = -1

    async def startup(self, bot: Bot) -> None:
        """Nothing runs here: the first sweep (APScheduler's at once, or the virtual clock's
        first move) catches up with what came due while the bot was down."""
        self.bot = bot

    # -- the Sweep protocol (bot.clock) ---------------------------------------------------------

    def _stale(self) -> bool:
        return self.plans is None or self.db.changes.version(WATCHED) != self._version

    def next_due(self, after: datetime) -> datetime | None:
        if self._stale():
            return after + SOON  # run() reloads first
        assert self.plans is not None
        return min(
            (at for plan in self.plans.values() if (at := plan.next_after(after)) is not None),
            default=None,
        )

    def forget(self) -> None:
        """A command changed what ran: reload before the next decision."""
        self._version = -1

    async def reload(self, now: datetime) -> None:
        self._version = self.db.changes.version(WATCHED)
        self._loaded_at = time.monotonic()
        async with self.db.session() as session:
            self.plans = await cycle_phases.plans(session, now)

    async def run(self, at: datetime) -> None:
        async with self._lock:
            if self._stale() or time.monotonic() - self._loaded_at > MAX_AGE:
                await self.reload(at)
            assert self.plans is not None
            for plan in list(self.plans.values()):
                for due in plan.due(at):
                    try:
                        await self.run_phase(due, at, plan.config)
                    except AlreadyRan:
                        pass
                    except Exception:
                        log.exception("cycle phase %s failed; it is tried again", due)
                        continue
                    plan.ran(due.month, due.phase.value)

    async def run_phase(self, due: Due, at: datetime, config: CycleConfig) -> None:
        """``config``: the settings the plan was read from (the freeze reads its own)."""
        if due.phase in (Phase.REMINDER_1, Phase.REMINDER_2):
            said = await reminders.remind(self.db, due, at, config)
            await self.tell(said.language, said.notices)
        elif due.phase is Phase.FREEZE:
            await self.announce_agenda(await agenda.freeze(self.db, due, at))
        elif due.phase is Phase.DELIBERATION:
            await self.open_day(await deliberation.open_day(self.db, due, at, config))
        elif due.phase is Phase.VOTE_OPEN:
            await self.open_votes(due, at, config)

    # -- saying it ------------------------------------------------------------------------------

    async def tell(self, language: str, notices: list[Notify]) -> None:
        assert self.bot is not None
        await notify_all(self.bot, notices, everyone_in(language))

    async def announce_agenda(self, frozen: agenda.Frozen) -> None:
        language = frozen.config.language
        said = cycle_notices.agenda(frozen)
        await self.tell(language, [Notify(chat.chat_id, said) for chat in frozen.chats])
        for entry in frozen.entries:
            await self.voting.proposal_changed(entry.proposal)
        await self.open_threads(frozen.entries, frozen.chats, language)

    async def open_threads(
        self, entries: list[Entry], chats: list[ChatBinding], language: str
    ) -> None:
        """A forum topic per item where the bot may open one, else a pinned anchor message.
        Where each went is stored once all are open (or one failed: the others stay known,
        so the 协商日 does not open them twice)."""
        opened: list[AgendaItem] = []
        try:
            await self._open_threads(entries, {b.chat_id: b for b in chats}, language, opened)
        finally:
            await threads.set_threads(self.db, opened)

    async def _open_threads(
        self,
        entries: list[Entry],
        bindings: dict[int, ChatBinding],
        language: str,
        opened: list[AgendaItem],
    ) -> None:
        assert self.bot is not None
        for entry in entries:
            item = entry.item
            if item.chat_id is None or item.thread_id or item.anchor_message_id:
                continue
            binding = bindings.get(item.chat_id)
            first = render.message(language, cycle_notices.anchor(entry)).chunks[0]
            try:
                topic = None
                if binding is not None and binding.has_topics and binding.bot_is_admin:
                    name = render.plain(language, cycle_notices.topic_name(entry))[:128]
                    topic = await rights.open_topic(self.bot, self.db, item.chat_id, name)
                if topic is not None:
                    await self.bot.send_message(
                        item.chat_id, first, message_thread_id=topic.message_thread_id
                    )
                    item.thread_id = topic.message_thread_id
                else:
                    sent = await self.bot.send_message(item.chat_id, first)
                    await rights.pin(self.bot, self.db, item.chat_id, sent.message_id)
                    item.anchor_message_id = sent.message_id  # unpinned when it may not pin
                opened.append(item)
            except TelegramRefused as refused:
                log.warning("no thread for agenda item %s: %s", item.id, refused)

    async def say_in_thread(self, entry: Entry, language: str, said: tuple[Text, ...]) -> None:
        assert self.bot is not None
        item = entry.item
        reply = (
            ReplyParameters(message_id=item.anchor_message_id, allow_sending_without_reply=True)
            if item.anchor_message_id
            else None
        )
        for chunk in render.message(language, said).chunks:
            try:
                await self.bot.send_message(
                    item.chat_id, chunk, message_thread_id=item.thread_id, reply_parameters=reply
                )
            except TelegramRefused as refused:  # the topic is gone: say it in the group
                log.info("thread of item %s refused a message: %s", item.id, refused)
                await self.bot.send_message(item.chat_id, chunk)

    async def open_day(self, day: deliberation.Day) -> None:
        said = cycle_notices.opening(day.run, day.config, day.chair)
        language = day.config.language
        if day.entries:
            await self.tell(language, [Notify(chat.chat_id, said) for chat in day.chats])
        await self.open_threads(day.entries, day.chats, language)  # any the freeze could not
        for entry in day.entries:
            await self.say_in_thread(entry, language, cycle_notices.prompt(entry, day.chair))

    async def open_votes(self, due: Due, at: datetime, config: CycleConfig) -> None:
        """Open the items' votes and post their ballots; where each went is stored with the
        phase's end (or, when one failed, without it: those posted are not posted again)."""
        opened = await deliberation.open_votes(self.db, due, at, config)
        posted: list[tuple[int, int, int]] = []
        try:
            for each in opened:
                item, vote = each.entry.item, each.vote
                known = (0, each.electorate) if each.electorate is not None else None
                message_id = await self.voting.send_ballot(
                    vote, item.chat_id, item.thread_id, item.anchor_message_id, known
                )
                posted.append((vote.id, item.chat_id, message_id))
                said = cycle_notices.vote_opened(each.entry, vote.id, vote.closes_at, config)
                await self.say_in_thread(each.entry, config.language, (said,))
        except Exception:
            await deliberation.finish_votes(self.db, due, at, posted, finished=False)
            raise
        await deliberation.finish_votes(self.db, due, at, posted)
        for each in opened:
            self.voting.track(each.vote)

    # -- threads --------------------------------------------------------------------------------

    async def item_of(self, message: Message) -> int | None:
        version = self.db.changes.version(THREADS)
        if self._threads is None or version != self._threads_version:
            # The version is noted once loaded: a message meanwhile loads too, not the old copy.
            self._threads = await threads.index(self.db, self.clock.now())
            self._threads_version = version
        reply_to = message.reply_to_message.message_id if message.reply_to_message else None
        thread = message.message_thread_id if message.is_topic_message else None
        return self._threads.item_of(message.chat.id, thread, reply_to)

    def remember(self, chat_id: int, message_id: int, item_id: int) -> None:
        """A reply to this message stays in the item's thread."""
        if self._threads is not None:
            self._threads.replies[(chat_id, message_id)] = item_id


def router(runtime: CycleRuntime) -> Router:
    r = Router(name="cycle_runtime")
    r.startup.register(runtime.startup)

    async def in_thread(message: Message, ctx: Context) -> None:
        """Keep what is said in an item's thread, then let the other handlers see it too."""
        item_id = await runtime.item_of(message)
        if item_id is not None and message.text:
            member_id = ctx.member.id if ctx.member else None
            await threads.record(
                ctx.db, item_id, message.message_id, member_id, message.text, ctx.clock.now()
            )
            runtime.remember(message.chat.id, message.message_id, item_id)
        raise SkipHandler

    r.message.register(in_thread, F.chat.type.in_({"group", "supergroup"}), F.text)
    r.include_router(cycle_commands.router(runtime))
    return r
