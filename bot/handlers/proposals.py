"""Proposals in bound groups: /propose and #提案 (one flow), the similar-proposals offer,
附议 by button or /second, withdrawing support, /proposals, /proposal N, /withdraw, /reject;
plus the runtime around them: the similarity index and the throttled proposal messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import render
from bot.flows import proposal_messages as say
from bot.flows import proposal_settings as settings
from bot.flows import proposals as pr
from bot.flows import standing
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.proposal_status import notice as status_notice
from bot.flows.proposal_text import parse_draft, strip_tag
from bot.flows.results import EditOrigin, Notify, Toast, reply
from bot.handlers import proposal_raising as raising
from bot.handlers.context import Context
from bot.handlers.delivery import markup, notify
from bot.handlers.proposal_lookup import community as _community
from bot.handlers.proposal_lookup import load
from bot.handlers.proposal_notices import tell_proposer
from bot.i18n import t
from bot.text.similar import Indexes
from storage.engine import Database
from storage.models import Community, Member, Proposal

log = logging.getLogger("xieshang.proposals")
EDIT_INTERVAL = 3.0  # seconds between edits of one proposal message (Telegram: ~20/min/group)


class Throttle:
    """Edits of one message at most every ``interval`` seconds; the first goes at once, later
    touches within the interval collapse into one edit at its end (which reads the latest)."""

    def __init__(self, interval: float, edit: Callable[[int], Awaitable[None]]) -> None:
        self.interval = interval
        self.edit = edit
        self.last: dict[int, float] = {}
        self.pending: dict[int, asyncio.Task[None]] = {}

    def touch(self, key: int) -> None:
        if key in self.pending:
            return
        now = asyncio.get_running_loop().time()
        wait = max(0.0, self.last.get(key, -math.inf) + self.interval - now)
        self.pending[key] = asyncio.create_task(self._later(key, wait))

    async def _later(self, key: int, wait: float) -> None:
        if wait:
            await asyncio.sleep(wait)
        del self.pending[key]  # a touch during the edit schedules the next one
        self.last[key] = asyncio.get_running_loop().time()
        try:
            await self.edit(key)
        except Exception:
            log.exception("refreshing proposal message %s failed", key)

    async def stop(self) -> None:
        for task in list(self.pending.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.pending.clear()


class Proposals:
    """Per-dispatcher runtime: the similarity index per community, the proposal messages."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.bot: Bot | None = None
        self.indexes = Indexes()
        self.cards = Throttle(EDIT_INTERVAL, self.refresh)
        self.taps = raising.Taps()  # against double taps on the buttons that create a proposal
        self._loaded: asyncio.Task[None] | None = None

    async def startup(self, bot: Bot) -> None:
        """Index the open proposals in the background (jieba loads from BotApp.start): the bot
        answers meanwhile, and a lookup waits for the index."""
        self.bot = bot
        self._loaded = asyncio.create_task(self._load())

    async def _load(self) -> None:
        async with self.db.session() as session:
            rows = await pr.active_titles(session)

        def build() -> None:
            for community_id, proposal_id, title in rows:
                self.indexes.get(community_id).add(proposal_id, title)

        await asyncio.to_thread(build)

    async def shutdown(self) -> None:
        await self.cards.stop()
        if self._loaded is not None:
            self._loaded.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loaded

    async def similar(self, community_id: int, title: str) -> list[tuple[Proposal, int]]:
        """Active proposals of the community like ``title``, closest first, with support."""
        if self._loaded is not None:
            await asyncio.shield(self._loaded)
        index = self.indexes.get(community_id)
        matches = await asyncio.to_thread(index.similar, title, settings.SIMILAR_SHOWN)
        if not matches:
            return []
        async with self.db.session() as session:
            found = [await session.get(Proposal, m.id) for m in matches]
            found = [p for p in found if p is not None and p.status in pr.ACTIVE]
            support = await pr.counts(session, [p.id for p in found])
        return [(p, support[p.id]) for p in found]

    async def indexed(self, proposal: Proposal) -> None:
        """Keep the index to the active proposals: add, or forget a closed one."""
        index = self.indexes.get(proposal.community_id)
        if proposal.status in pr.ACTIVE:
            await asyncio.to_thread(index.add, proposal.id, proposal.title)
        else:
            index.remove(proposal.id)

    async def _card(self, proposal: Proposal) -> tuple[render.Rendered, Proposal]:
        async with self.db.session() as session:
            proposal = await session.get(Proposal, proposal.id)
            count = await pr.support_count(session, proposal.id)
            community = await session.get(Community, proposal.community_id)
            proposer = await session.get(Member, proposal.proposer_id)
            into = (
                await session.get(Proposal, proposal.merged_into_id)
                if proposal.merged_into_id
                else None
            )
        paragraphs, buttons = say.card(
            proposal,
            count,
            await settings.support_threshold(self.db, proposal.community_id),
            proposer.display_name,
            into.number if into else None,
        )
        return render.message(community.language, paragraphs, buttons), proposal

    async def post(self, proposal: Proposal, chat_id: int, thread_id: int | None) -> None:
        rendered, proposal = await self._card(proposal)
        sent = await self.bot.send_message(
            chat_id,
            rendered.chunks[0],
            message_thread_id=thread_id,
            reply_markup=markup(rendered.keyboard),
        )
        await pr.set_message(self.db, proposal.id, chat_id, sent.message_id, thread_id)

    async def changed(self, proposal: Proposal) -> None:
        """A change made by the bot's own runtime (a vote, the agenda freeze), not in a chat:
        the card shows it, and the proposer is told privately in their language."""
        if proposal.message_id is not None:  # as just changed: a card to show it on
            await self.refresh(proposal.id)
        async with self.db.session() as session:
            proposer = await pr.proposer_reach(session, proposal)
        if proposer is not None:
            tg_user_id, language = proposer
            await notify(self.bot, Notify(tg_user_id, (status_notice(proposal),)), language)

    async def refresh(self, proposal_id: int) -> None:
        async with self.db.session() as session:
            proposal = await session.get(Proposal, proposal_id)
        if proposal is None or proposal.message_id is None:
            return
        rendered, proposal = await self._card(proposal)
        with contextlib.suppress(TelegramBadRequest):  # unchanged, or deleted by an admin
            await self.bot.edit_message_text(
                rendered.chunks[0],
                chat_id=proposal.chat_id,
                message_id=proposal.message_id,
                reply_markup=markup(rendered.keyboard),
            )


def _thread(message: Message | None) -> int | None:
    return message.message_thread_id if message and message.is_topic_message else None


def router(runtime: Proposals) -> Router:
    """The group commands and buttons; ``runtime`` is shared with the private dialogue and the
    editing commands (bot.handlers.__init__ builds it)."""
    r = Router(name="proposals")
    r.startup.register(runtime.startup)
    r.shutdown.register(runtime.shutdown)

    # -- raising ----------------------------------------------------------------------------

    async def propose_command(
        message: Message, command: CommandObject, ctx: Context, state: FSMContext
    ) -> None:
        await raise_from(ctx, state, message, command.args or "")

    async def hashtag(message: Message, ctx: Context, state: FSMContext) -> None:
        await raise_from(ctx, state, message, strip_tag(message.text or "") or "")

    async def raise_from(ctx: Context, state: FSMContext, message: Message, text: str) -> None:
        if ctx.binding is None:
            await ctx.show(
                reply(
                    t(
                        "Raise proposals in a group bound to the community, a grid or a building: "
                        "send /propose and the title there."
                    )
                )
            )
            return
        try:
            draft = parse_draft(text)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        binding = ctx.binding
        target = raising.Target(
            binding.community_id,
            binding.scope_id,
            binding.chat_id,
            _thread(message),
            message.message_id,
        )
        await ctx.show(await raising.offer_or_create(runtime, ctx, state, draft, target))

    async def create_anyway(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        await raising.create_anyway(runtime, ctx, state)

    async def instead(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        """[附议第N号]: second the existing proposal; the presser's waiting draft is dropped."""
        result = await support(ctx, pr.second, (say.ids(query.data or "", say.INSTEAD) or [0])[0])
        if result is None:
            return
        data = await state.get_data()
        if data.get(raising.DRAFT) is not None and result.status != pr.CLOSED:
            await state.update_data(**{raising.DRAFT: None})
            await ctx.show(EditOrigin((say.seconded(result, from_button=False).paragraphs[0],)))
        else:
            await ctx.show(say.seconded(result, from_button=True))

    # -- seconding --------------------------------------------------------------------------

    async def support(
        ctx: Context, change: Any, proposal_id: int | None = None, number: int | None = None
    ) -> pr.Support | None:
        """Second (``pr.second``) or withdraw (``pr.unsecond``) for the asker's household, if
        the policy lets them; the proposal's message follows, the proposer hears of the threshold."""
        proposal, path = await load(ctx, proposal_id, number)
        if proposal is None or not await ctx.require(Action.SECOND, path):
            return None
        result = await change(
            ctx.db,
            proposal.id,
            ctx.member,
            await settings.support_threshold(ctx.db, proposal.community_id),
            ctx.clock.now(),
        )
        if result.status in (pr.NEW, pr.WITHDRAWN):
            runtime.cards.touch(proposal.id)
        if result.reached or result.dropped:
            notice = status_notice(
                result.proposal,
                count=result.count,
                threshold=await settings.support_threshold(ctx.db, proposal.community_id),
            )
            await tell_proposer(ctx, result.proposal, notice)
        return result

    async def second_button(query: CallbackQuery, ctx: Context) -> None:
        result = await support(ctx, pr.second, (say.ids(query.data or "", say.SECOND) or [0])[0])
        if result is None:
            return
        if result.status == pr.ALREADY and result.by_name is None:
            await ctx.show(
                Toast(t("Your household already supports it.")),
                say.confirm_withdraw(result.proposal, ctx.member.id, ctx.member.display_name),
            )
            return
        await ctx.show(say.seconded(result, from_button=True))

    async def second_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number = say.number_of(command.args)
        if number is None:
            await ctx.show(reply(t("Give the proposal's number, e.g. /second 3.")))
            return
        result = await support(ctx, pr.second, number=number)
        if result is not None:
            await ctx.show(say.seconded(result, from_button=False))

    async def unsecond_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number = say.number_of(command.args)
        if number is None:
            await ctx.show(reply(t("Give the proposal's number, e.g. /unsecond 3.")))
            return
        result = await support(ctx, pr.unsecond, number=number)
        if result is not None:
            await ctx.show(reply(say.unseconded(result)))

    def mine(query: CallbackQuery, ctx: Context, prefix: str) -> int | None:
        """The proposal id of a confirm button, if the presser is the one it asked."""
        found = say.ids(query.data or "", prefix)
        if len(found) == 2 and ctx.member is not None and ctx.member.id == found[1]:
            return found[0]
        return None

    async def withdraw_button(query: CallbackQuery, ctx: Context) -> None:
        proposal_id = mine(query, ctx, say.WITHDRAW)
        if proposal_id is None:
            await ctx.show(Toast(t("This question was not for you."), alert=True))
            return
        result = await support(ctx, pr.unsecond, proposal_id)
        if result is not None:
            await ctx.show(EditOrigin((say.unseconded(result),)))

    async def keep_button(query: CallbackQuery, ctx: Context) -> None:
        proposal_id = mine(query, ctx, say.KEEP)
        if proposal_id is None:
            await ctx.show(Toast(t("This question was not for you."), alert=True))
            return
        proposal, _ = await load(ctx, proposal_id)
        if proposal is not None:
            await ctx.show(say.kept(proposal))

    # -- reading ----------------------------------------------------------------------------

    async def show_detail(ctx: Context, proposal: Proposal) -> None:
        async with ctx.db.session() as session:
            count = await pr.support_count(session, proposal.id)
            by_building = await pr.support_by_building(session, proposal.id)
            proposer = await session.get(Member, proposal.proposer_id)
            community = await session.get(Community, proposal.community_id)
        await ctx.show(
            say.detail(
                proposal,
                count,
                await settings.support_threshold(ctx.db, proposal.community_id),
                proposer.display_name,
                by_building,
                community.timezone,
            )
        )

    async def details_button(query: CallbackQuery, ctx: Context) -> None:
        proposal_id = (say.ids(query.data or "", say.DETAILS) or [0])[0]
        async with ctx.db.session() as session:
            proposal = await session.get(Proposal, proposal_id)
        if proposal is None:
            await ctx.show(Toast(t("This proposal no longer exists."), alert=True))
            return
        await show_detail(ctx, proposal)

    async def proposal_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number = say.number_of(command.args)
        if number is None:
            await ctx.show(reply(t("Give the proposal's number, e.g. /proposal 3.")))
            return
        proposal, _ = await load(ctx, number=number)
        if proposal is not None:
            await show_detail(ctx, proposal)

    async def listing(ctx: Context, scope_id: int, page: int):
        community_id = _community(ctx)
        async with ctx.db.session() as session:
            found = await pr.active_in_scope(session, community_id, scope_id)
        return say.page(
            found,
            scope_id,
            page,
            settings.PAGE_SIZE,
            await settings.support_threshold(ctx.db, community_id),
        )

    async def proposals_command(message: Message, ctx: Context) -> None:
        scope_id = await home_scope(ctx)
        if scope_id is None:
            await ctx.show(
                reply(t("Ask in a group bound to the community, or join your household first."))
            )
            return
        paragraphs, buttons = await listing(ctx, scope_id, 0)
        await ctx.show(reply(*paragraphs, buttons=buttons))

    async def home_scope(ctx: Context) -> int | None:
        """The group's scope; in a private chat the whole home community."""
        if ctx.binding is not None:
            return ctx.binding.scope_id
        if _community(ctx) is None:
            return None
        async with ctx.db.session() as session:
            paths = await standing.scope_paths(session, _community(ctx))
        return next((path[0] for path in paths.values() if len(path) == 1), None)

    async def page_button(query: CallbackQuery, ctx: Context) -> None:
        found = say.ids(query.data or "", say.PAGE)
        if len(found) != 2 or _community(ctx) is None:
            await ctx.show(Toast(t("This list is out of date: send /proposals again.")))
            return
        paragraphs, buttons = await listing(ctx, found[0], found[1])
        await ctx.show(EditOrigin(paragraphs, buttons))

    # -- closing ----------------------------------------------------------------------------

    async def withdraw_command(message: Message, command: CommandObject, ctx: Context) -> None:
        """/withdraw N: the proposer takes back their proposal while it is open."""
        number = say.number_of(command.args)
        if number is None:
            await ctx.show(reply(t("Give the proposal's number, e.g. /withdraw 3.")))
            return
        proposal, _ = await load(ctx, number=number)
        if proposal is None:
            return
        if ctx.member is None or ctx.member.id != proposal.proposer_id:
            await ctx.show(reply(t("Only its proposer can withdraw a proposal.")))
            return
        await end(ctx, proposal, "withdrawn", None)

    async def reject_command(message: Message, command: CommandObject, ctx: Context) -> None:
        """/reject N reason: a moderator turns a proposal down, saying why."""
        number_text, _, reason = (command.args or "").strip().partition(" ")
        number = say.number_of(number_text)
        reason = " ".join(reason.split())
        if number is None or not reason:
            await ctx.show(
                reply(t("Give the number and the reason, e.g. /reject 3 不属于本小区事务."))
            )
            return
        proposal, path = await load(ctx, number=number)
        if proposal is None or not await ctx.require(Action.MERGE_REJECT, path):
            return
        await end(ctx, proposal, "rejected", reason[:500])

    async def end(ctx: Context, proposal: Proposal, status: str, reason: str | None) -> None:
        closed = await pr.close(
            ctx.db,
            proposal.id,
            status,
            actor_id=ctx.member.id if ctx.member else None,
            reason=reason,
            now=ctx.clock.now(),
        )
        if closed is None:
            await ctx.show(reply(say.already(proposal)))
            return
        await runtime.indexed(closed)
        runtime.cards.touch(closed.id)
        await ctx.show(reply(say.closed_notice(closed)))
        await tell_proposer(ctx, closed, status_notice(closed))

    in_group = F.chat.type.in_({"group", "supergroup"})
    r.message.register(propose_command, Command("propose"))
    r.message.register(hashtag, in_group, F.text.regexp(r"^\s*[#＃]提案"))
    r.message.register(second_command, Command("second"))
    r.message.register(unsecond_command, Command("unsecond"))
    r.message.register(proposals_command, Command("proposals"))
    r.message.register(proposal_command, Command("proposal"))
    r.message.register(withdraw_command, Command("withdraw"))
    r.message.register(reject_command, Command("reject"))
    r.callback_query.register(create_anyway, F.data == say.CREATE)
    r.callback_query.register(instead, F.data.startswith(say.INSTEAD))
    r.callback_query.register(second_button, F.data.startswith(say.SECOND))
    r.callback_query.register(withdraw_button, F.data.startswith(say.WITHDRAW))
    r.callback_query.register(keep_button, F.data.startswith(say.KEEP))
    r.callback_query.register(details_button, F.data.startswith(say.DETAILS))
    r.callback_query.register(page_button, F.data.startswith(say.PAGE))
    return r
