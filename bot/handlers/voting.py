"""Binding votes in a bound group: /vote (summary, then confirm), ballot buttons, /closevote,
/verifyvote; plus the runtime around them: the ballot writer, the throttled live ballot message,
and closing votes when their time comes (a sweep on the clock)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy import select

from bot import render
from bot.clock import Clock, VirtualClock
from bot.flows import ballot_writer, standing, vote_chart, vote_spec, votes
from bot.flows import vote_messages as say
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Toast, reply
from bot.handlers import vote_staff
from bot.handlers.context import Context
from bot.handlers.delivery import markup
from bot.handlers.vote_lookup import vote_by_number
from bot.i18n import t
from storage.engine import Database
from storage.models import Ballot, Community, Household, Member, Vote

log = logging.getLogger("xieshang.voting")
LIVE_INTERVAL = 3.0  # seconds between edits of one ballot message (Telegram: ~20/min/group)
REAL_SWEEP_INTERVAL = 5.0


@dataclass(frozen=True)
class VoteInfo:
    """What a tap needs to know, cached: votes do not change except by closing."""

    community_id: int
    path: tuple[int, ...]
    labels: tuple[str, ...]
    secret: bool


class Voting:
    """Per-dispatcher runtime: one writer, the live board, the closing sweep."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.writer = ballot_writer.BallotWriter(db, clock.now)
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
        if isinstance(self.clock, VirtualClock):
            self.clock.add_sweep(self)
        else:
            self._tasks.append(asyncio.create_task(self._real_sweep()))

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

    async def _real_sweep(self) -> None:
        while True:
            await asyncio.sleep(REAL_SWEEP_INTERVAL)
            try:
                await self.run(self.clock.now())
            except Exception:
                log.exception("closing due votes failed; retrying next sweep")

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
            community = await session.get(Community, vote.community_id)
        paragraphs, buttons = say.ballot(vote, voted, size, community.timezone, counts)
        rendered = render.message(community.language, paragraphs, buttons)
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

    async def post_ballot(self, vote: Vote, chat_id: int) -> None:
        async with self.db.session() as session:
            voted, size = await votes.turnout(session, vote.id)
            community = await session.get(Community, vote.community_id)
        paragraphs, buttons = say.ballot(vote, voted, size, community.timezone)
        rendered = render.message(community.language, paragraphs, buttons)
        sent = await self.bot.send_message(
            chat_id, rendered.chunks[0], reply_markup=markup(rendered.keyboard)
        )
        await votes.set_message(self.db, vote.id, chat_id, sent.message_id)
        self.closing[vote.id] = vote.closes_at

    async def publish(self, closed: votes.Closed) -> None:
        """Remove the buttons, post the result and its chart in the vote's group."""
        vote = closed.vote
        if vote.chat_id is None:
            return
        async with self.db.session() as session:
            community = await session.get(Community, vote.community_id)
        language = community.language
        if vote.message_id is not None:
            final = render.message(language, say.ballot_closed(vote, closed))
            with contextlib.suppress(TelegramBadRequest):
                await self.bot.edit_message_text(
                    final.chunks[0], chat_id=vote.chat_id, message_id=vote.message_id
                )
        for chunk in render.message(language, say.result(closed)).chunks:
            await self.bot.send_message(vote.chat_id, chunk)
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


def router(db: Database, clock: Clock) -> Router:
    r = Router(name="voting")
    voting = Voting(db, clock)
    r.startup.register(voting.startup)
    r.shutdown.register(voting.shutdown)

    async def open_command(
        message: Message, command: CommandObject, ctx: Context, state: FSMContext
    ) -> None:
        if ctx.binding is None:
            await ctx.show(
                reply(t("Open a vote in a group bound to the community, a grid or a building."))
            )
            return
        async with ctx.db.session() as session:
            paths = await standing.scope_paths(session, ctx.binding.community_id)
            community = await session.get(Community, ctx.binding.community_id)
            size = len(
                await votes.electorate_of_scope(
                    session, ctx.binding.community_id, ctx.binding.scope_id
                )
            )
        if not await ctx.require(Action.OPEN_ITEM, paths.get(ctx.binding.scope_id)):
            return
        try:
            spec = vote_spec.parse(command.args or "", community.language)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        if size == 0:
            await ctx.show(
                reply(t("No households live in this group's scope yet: import the roster first."))
            )
            return
        await state.update_data(vote_draft=command.args or "")
        paragraphs, buttons = say.summary(
            spec, size, ctx.clock.now() + spec.duration, community.timezone
        )
        await ctx.show(reply(*paragraphs, buttons=buttons))

    async def confirm(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        draft = (await state.get_data()).get("vote_draft")
        if draft is None or ctx.binding is None:
            await ctx.show(
                Toast(t("This summary is not yours, or it was already used."), alert=True)
            )
            return
        async with ctx.db.session() as session:
            paths = await standing.scope_paths(session, ctx.binding.community_id)
            community = await session.get(Community, ctx.binding.community_id)
        if not await ctx.require(Action.OPEN_ITEM, paths.get(ctx.binding.scope_id)):
            return
        await state.update_data(vote_draft=None)
        spec = vote_spec.parse(draft, community.language)
        vote = await votes.open_vote(
            ctx.db,
            ctx.binding.community_id,
            ctx.binding.scope_id,
            spec,
            opened_by_id=ctx.member.id if ctx.member else None,
            now=ctx.clock.now(),
            chat_id=ctx.binding.chat_id,
        )
        await ctx.show(EditOrigin((t("Vote {id} is open: {title}", id=vote.id, title=vote.title),)))
        await voting.post_ballot(vote, ctx.binding.chat_id)

    async def cancel(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        if (await state.get_data()).get("vote_draft") is None:
            await ctx.show(
                Toast(t("This summary is not yours, or it was already used."), alert=True)
            )
            return
        await state.update_data(vote_draft=None)
        await ctx.show(EditOrigin((t("Not opened."),)))

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

    async def verify_command(message: Message, command: CommandObject, ctx: Context) -> None:
        vote = await vote_by_number(ctx, command.args, "/verifyvote 3")
        if vote is None or not await ctx.require(Action.VERIFY_TALLY):
            return
        report = await votes.verify(ctx.db, vote.id)
        if report.ok:
            await ctx.show(
                reply(
                    t(
                        "Vote {id}: verified. The ballots, the result and the audit chain agree.",
                        id=vote.id,
                    )
                )
            )
        else:
            await ctx.show(
                reply(
                    t("Vote {id}: NOT verified.", id=vote.id),
                    *(t("• {problem}", problem=p) for p in report.problems),
                )
            )

    r.message.register(open_command, Command("vote"))
    r.message.register(close_command, Command("closevote"))
    r.message.register(verify_command, Command("verifyvote"))
    r.callback_query.register(confirm, F.data == say.CONFIRM)
    r.callback_query.register(cancel, F.data == say.CANCEL)
    r.callback_query.register(tap, F.data.startswith("vb:"))
    r.include_router(vote_staff.router(voting))
    return r
