"""Binding votes in a bound group: ballot buttons and /closevote (opening: vote_opening; staff:
vote_staff; lookups and /verify: vote_lookup); plus the runtime around them: the ballot writer, the throttled live ballot message,
and closing votes when their time comes (a sweep on the clock)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyParameters
from sqlalchemy import select

from bot import render
from bot.clock import Clock
from bot.flows import ballot_writer, standing, vote_chart, votes
from bot.flows import vote_messages as say
from bot.flows.locales import Locales
from bot.flows.policy import Action
from bot.flows.results import Toast, reply
from bot.handlers import vote_opening, vote_staff
from bot.handlers.context import Context
from bot.handlers.delivery import markup
from bot.handlers.vote_lookup import vote_by_number
from bot.i18n import t
from bot.scheduler import Scheduler
from storage.engine import Database
from storage.models import Ballot, Household, Member, Proposal, Vote

log = logging.getLogger("xieshang.voting")
LIVE_INTERVAL = 3.0  # seconds between edits of one ballot message (Telegram: ~20/min/group)


@dataclass(frozen=True)
class VoteInfo:
    """What a tap needs to know, cached: votes do not change except by closing."""

    community_id: int
    path: tuple[int, ...]
    labels: tuple[str, ...]
    secret: bool


class Voting:
    """Per-dispatcher runtime: one writer, the live board, the closing sweep."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        proposal_changed: Callable[[Proposal], Awaitable[None]],
    ) -> None:
        self.db = db
        self.clock = clock
        self.proposal_changed = proposal_changed  # its card shows it, its proposer is told
        scheduler.add("votes", self)  # closes votes whose time has come
        self.writer = ballot_writer.BallotWriter(db, clock.now)
        self.locales = Locales(db)  # the cycle's runtime reads them here too
        self.bot: Bot | None = None
        self.dirty: set[int] = set()
        self.info: dict[int, VoteInfo] = {}
        self.closing: dict[int, datetime] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def startup(self, bot: Bot) -> None:
        """Start without delaying polling: what needs the database runs in the background."""
        self.bot = bot
        await self.writer.start()
        self._tasks.append(asyncio.create_task(self._live_loop()))
        self._tasks.append(asyncio.create_task(self._resume()))

    async def _resume(self) -> None:
        """Learn the open votes' close times; close those past it while we were down, once."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(Vote.id, Vote.closes_at).where(Vote.closed_at.is_(None))
            )
            self.closing.update(rows.all())
        await self.run(self.clock.now())

    async def shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.writer.stop()

    # -- the Sweep protocol (bot.clock) ---------------------------------------------------------

    def next_due(self, after: datetime) -> datetime | None:
        return min((at for at in self.closing.values() if at > after), default=None)

    async def run(self, at: datetime) -> None:
        for vote_id in await votes.due(self.db, at):
            closed = await votes.close_vote(self.db, vote_id, now=at)
            self.closing.pop(vote_id, None)
            if closed is not None:
                await self.publish(closed)

    # -- live ballot message -----------------------------------------------------------------

    async def _live_loop(self) -> None:
        while True:
            await asyncio.sleep(LIVE_INTERVAL)
            pending, self.dirty = self.dirty, set()
            for vote_id in pending:
                try:
                    await self.refresh(vote_id)
                except Exception:
                    log.exception("refreshing the ballot of vote %s failed", vote_id)

    async def refresh(self, vote_id: int) -> None:
        async with self.db.session() as session:
            vote = await session.get(Vote, vote_id)
            if vote is None or vote.closed_at is not None or vote.message_id is None:
                return
            voted, size = await votes.turnout(session, vote_id)
            counts = None
            if not vote.results_hidden:
                found = await ballot_writer.tally(session, vote_id, vote.secret)
                counts = [found.get(i, 0) for i in range(len(votes.options_of(vote)))]
        locale = await self.locales.of(vote.community_id)
        paragraphs, buttons = say.ballot(vote, voted, size, locale.timezone, counts)
        rendered = render.message(locale.language, paragraphs, buttons)
        with contextlib.suppress(TelegramBadRequest):  # unchanged text: nothing to do
            await self.bot.edit_message_text(
                rendered.chunks[0],
                chat_id=vote.chat_id,
                message_id=vote.message_id,
                reply_markup=markup(rendered.keyboard),
            )

    async def vote_info(self, vote_id: int) -> VoteInfo | None:
        if vote_id not in self.info:
            async with self.db.session() as session:
                vote = await session.get(Vote, vote_id)
                if vote is None:
                    return None
                paths = await standing.scope_paths(session, vote.community_id)
            self.info[vote_id] = VoteInfo(
                vote.community_id, paths.get(vote.scope_id, ()), votes.options_of(vote), vote.secret
            )
        return self.info[vote_id]

    # -- opening and closing -----------------------------------------------------------------

    async def post_ballot(
        self, vote: Vote, chat_id: int, thread_id: int | None = None, anchor_id: int | None = None
    ) -> None:
        """Post the ballot in the group, inside an agenda item's thread when it has one: its
        forum topic (``thread_id``) or as a reply to its pinned anchor (``anchor_id``)."""
        message_id = await self.send_ballot(vote, chat_id, thread_id, anchor_id)
        await votes.set_message(self.db, vote.id, chat_id, message_id)
        self.track(vote)

    def track(self, vote: Vote) -> None:
        """Its ballot is posted and stored: close it when its time comes."""
        self.closing[vote.id] = vote.closes_at

    async def send_ballot(
        self,
        vote: Vote,
        chat_id: int,
        thread_id: int | None = None,
        anchor_id: int | None = None,
        turnout: tuple[int, int] | None = None,
    ) -> int:
        """:meth:`post_ballot` without storing where: returns the message's id, which the
        caller stores (the 协商日 stores its items' ballots with the end of its phase).
        ``turnout`` (voted, electorate) when the caller knows it: a vote it just opened."""
        if turnout is None:
            async with self.db.session() as session:
                turnout = await votes.turnout(session, vote.id)
        voted, size = turnout
        locale = await self.locales.of(vote.community_id)
        paragraphs, buttons = say.ballot(vote, voted, size, locale.timezone)
        rendered = render.message(locale.language, paragraphs, buttons)
        send = partial(
            self.bot.send_message,
            chat_id,
            rendered.chunks[0],
            reply_markup=markup(rendered.keyboard),
        )
        try:
            sent = await send(
                message_thread_id=thread_id,
                reply_parameters=(
                    ReplyParameters(message_id=anchor_id, allow_sending_without_reply=True)
                    if anchor_id
                    else None
                ),
            )
        except TelegramBadRequest:
            if thread_id is None:
                raise
            sent = await send()  # the item's topic is gone: the ballot goes in the group itself
        return sent.message_id

    async def publish(self, closed: votes.Closed) -> None:
        """Remove the buttons; post the result and, when anyone voted, its chart in the group."""
        vote = closed.vote
        if vote.chat_id is None:
            return
        language = (await self.locales.of(vote.community_id)).language
        if vote.message_id is not None:
            final = render.message(language, say.ballot_closed(vote, closed))
            with contextlib.suppress(TelegramBadRequest):
                await self.bot.edit_message_text(
                    final.chunks[0], chat_id=vote.chat_id, message_id=vote.message_id
                )
        for chunk in render.message(language, say.result(closed)).chunks:
            await self.bot.send_message(vote.chat_id, chunk)
        if closed.proposal is not None:
            await self.proposal_changed(closed.proposal)
        if closed.result.ballots == 0:
            return  # the result says nobody voted; a chart of one "did not vote" bar adds nothing
        try:
            png = await asyncio.to_thread(
                vote_chart.render_png,
                vote.title,
                list(votes.options_of(vote)),
                list(closed.counts),
                closed.result.electorate - closed.result.ballots,
                render.plain(language, t("did not vote")),
            )
        except vote_chart.FontMissing as missing:
            log.warning("result chart of vote %s not drawn: %s", vote.id, missing)
            return
        await self.bot.send_photo(
            vote.chat_id, BufferedInputFile(png, filename=f"vote-{vote.id}.png")
        )


def taps(voting: Voting) -> Router:
    """Ballot taps, on a router of their own that build_dispatcher puts near the front: in a
    burst every tap would otherwise pass through every router before this one."""
    r = Router(name="ballot_taps")

    async def tap(query: CallbackQuery, ctx: Context) -> None:
        parsed = say.parse_cast(query.data or "")
        info = await voting.vote_info(parsed[0]) if parsed else None
        if parsed is None or info is None:
            await ctx.show(Toast(t("This vote no longer exists."), alert=True))
            return
        vote_id, option = parsed
        member = ctx.member
        if (
            member is None
            or member.household_id is None
            or ctx.standing.community_id != info.community_id
            or not ctx.permits(Action.VOTE, info.path)
        ):
            await explain_refusal(ctx, vote_id, info)
            return
        outcome = await voting.writer.cast(
            ballot_writer.Cast(vote_id, member.household_id, option, member.id)
        )
        await ctx.show(say.answer(outcome, info.labels))
        if outcome.status in (ballot_writer.NEW, ballot_writer.CHANGED):
            voting.dirty.add(vote_id)

    async def explain_refusal(ctx: Context, vote_id: int, info: VoteInfo) -> None:
        member = ctx.member
        if (
            member is None
            or member.household_id is None
            or ctx.standing.community_id != info.community_id
        ):
            await ctx.require(Action.VOTE, info.path)
            return
        async with ctx.db.session() as session:
            household = await session.get(Household, member.household_id)
            ballot = await session.scalar(
                select(Ballot).where(
                    Ballot.vote_id == vote_id, Ballot.household_id == member.household_id
                )
            )
            by = (
                await session.get(Member, ballot.cast_by_id)
                if ballot and ballot.cast_by_id
                else None
            )
        name = (
            by.display_name
            if by
            else (household.representative_name if ballot and ballot.offline else None)
        )
        await ctx.show(
            say.not_representative(household.code, name, ballot is not None, info.secret)
        )

    r.callback_query.register(tap, F.data.startswith("vb:"))
    return r


def router(voting: Voting) -> Router:
    """``voting`` is built by build_dispatcher: the cycle's runtime posts ballots through it."""
    r = Router(name="voting")
    r.startup.register(voting.startup)
    r.shutdown.register(voting.shutdown)

    async def close_command(message: Message, command: CommandObject, ctx: Context) -> None:
        vote = await vote_by_number(ctx, command.args, "/closevote 3")
        if vote is None:
            return
        info = await voting.vote_info(vote.id)
        if not await ctx.require(Action.OPEN_ITEM, info.path):
            return
        closed = await votes.close_vote(
            ctx.db, vote.id, now=ctx.clock.now(), closed_by_id=ctx.member.id
        )
        voting.closing.pop(vote.id, None)
        if closed is None:
            await ctx.show(reply(t("Vote {id} is already closed.", id=vote.id)))
            return
        await voting.publish(closed)
        if vote.chat_id != (ctx.chat.id if ctx.chat else None):
            await ctx.show(
                reply(t("Vote {id} is closed; the result is posted in its group.", id=vote.id))
            )

    r.message.register(close_command, Command("closevote"))
    r.include_router(vote_opening.router(voting))
    r.include_router(vote_staff.router(voting))
    return r
