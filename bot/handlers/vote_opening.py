"""Opening a vote in a bound group: /vote (one line, or a guided dialogue for what is missing;
``/vote #3`` for proposal No. 3), the dialogue's steps, and the summary's Open / Back / Cancel.

The dialogue's step is an FSM state per person and group, kept in the database."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.flows import standing, threads, vote_dialogue, vote_spec, votes
from bot.flows import vote_messages as say
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Toast, reply
from bot.flows.vote_spec import Draft
from bot.handlers import dialogue_steps
from bot.handlers.context import Context
from bot.i18n import t
from storage.models import Community, Proposal

if TYPE_CHECKING:
    from bot.handlers.voting import Voting


class VoteDraft(StatesGroup):
    title = State()
    options = State()
    rule = State()
    share = State()
    quorum = State()
    ballot = State()
    duration = State()
    confirm = State()


STATES = {name: getattr(VoteDraft, name) for name in vote_dialogue.STEPS}
NAMES = {state.state: name for name, state in STATES.items()}


_run = partial(dialogue_steps.run, states=STATES)


async def _status_of(ctx: Context, proposal_id: int | None) -> str | None:
    if proposal_id is None:
        return None
    async with ctx.db.session() as session:
        proposal = await session.get(Proposal, proposal_id)
    return proposal.status if proposal else None


async def _place(ctx: Context) -> vote_dialogue.Place | None:
    """The group's community and scope, when the person may open votes here (else says why)."""
    if ctx.binding is None:
        await ctx.show(
            reply(t("Open a vote in a group bound to the community, a grid or a building."))
        )
        return None
    async with ctx.db.session() as session:
        paths = await standing.scope_paths(session, ctx.binding.community_id)
        community = await session.get(Community, ctx.binding.community_id)
    if not await ctx.require(Action.OPEN_ITEM, paths.get(ctx.binding.scope_id)):
        return None
    return vote_dialogue.Place(
        ctx.binding.community_id,
        ctx.binding.scope_id,
        community.language,
        community.timezone,
        ctx.clock.now(),
    )


def router(voting: Voting) -> Router:
    r = Router(name="vote_opening")
    confirming: defaultdict[tuple[int, int], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def open_command(
        message: Message, command: CommandObject, ctx: Context, state: FSMContext
    ) -> None:
        place = await _place(ctx)
        if place is None:
            return
        try:
            request = vote_spec.read(command.args or "")
            step = await vote_dialogue.begin(ctx.db, place, request)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        await _run(ctx, state, step)

    async def typed(message: Message, ctx: Context, state: FSMContext) -> None:
        place = await _place(ctx)
        if place is None:
            return
        step = NAMES.get(await state.get_state() or "", "")
        await _run(
            ctx,
            state,
            await vote_dialogue.answer(
                ctx.db, place, await state.get_data(), step, message.text or "", from_button=False
            ),
        )

    async def pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        step, value = vote_dialogue.parse(query.data or "")
        current = NAMES.get(await state.get_state() or "")
        if current is None or (current != step and value != "cancel"):
            await _run(ctx, state, vote_dialogue.stale())
            return
        if value == "cancel":
            await _run(ctx, state, vote_dialogue.cancelled())
            return
        place = await _place(ctx)
        if place is None:
            return
        data = await state.get_data()
        if value == "back":
            found = await vote_dialogue.back(ctx.db, place, data)
        else:
            found = await vote_dialogue.answer(ctx.db, place, data, step, value, from_button=True)
        await _run(ctx, state, found)

    async def summary_back(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        place = await _place(ctx) if await state.get_state() == VoteDraft.confirm.state else None
        if place is None:
            await _run(ctx, state, vote_dialogue.stale())
            return
        await _run(ctx, state, await vote_dialogue.back(ctx.db, place, await state.get_data()))

    async def confirm(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        assert query.message is not None and ctx.person is not None
        async with confirming[(query.message.chat.id, ctx.person.tg_user_id)]:  # a double tap
            data = await state.get_data()
            if await state.get_state() != VoteDraft.confirm.state or "draft" not in data:
                await ctx.show(
                    Toast(t("This summary is not yours, or it was already used."), alert=True)
                )
                return
            place = await _place(ctx)
            if place is None:
                return
            draft = Draft.from_data(data["draft"])
            before = await _status_of(ctx, draft.proposal)
            try:
                spec = vote_spec.build(draft, place.language)
                vote = await votes.open_vote(
                    ctx.db,
                    place.community_id,
                    draft.scope or place.scope_id,
                    spec,
                    opened_by_id=ctx.member.id if ctx.member else None,
                    now=ctx.clock.now(),
                    chat_id=ctx.binding.chat_id,
                    proposal_id=draft.proposal,
                )
            except Invalid as problem:  # the proposal was closed meanwhile
                await state.clear()
                await ctx.show(EditOrigin((problem.text,)))
                return
            await state.clear()
        await ctx.show(EditOrigin((t("Vote {id} is open: {title}", id=vote.id, title=vote.title),)))
        item = draft.proposal and await threads.of_proposal(ctx.db, draft.proposal, vote.chat_id)
        where = (item.thread_id, item.anchor_message_id) if item else ()
        await voting.post_ballot(vote, vote.chat_id, *where)
        if draft.proposal is not None:
            async with ctx.db.session() as session:
                proposal = await session.get(Proposal, draft.proposal)
            if proposal is not None and proposal.status != before:  # put on the agenda by it
                await voting.proposal_changed(proposal)

    async def cancel(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        if await state.get_state() != VoteDraft.confirm.state:
            await ctx.show(
                Toast(t("This summary is not yours, or it was already used."), alert=True)
            )
            return
        await _run(ctx, state, vote_dialogue.cancelled())

    answering = F.text & ~F.text.startswith("/")
    r.message.register(open_command, Command("vote"))
    r.message.register(typed, StateFilter(VoteDraft), answering)
    r.callback_query.register(pressed, F.data.startswith(vote_dialogue.PREFIX))
    r.callback_query.register(summary_back, F.data == say.BACK)
    r.callback_query.register(confirm, F.data == say.CONFIRM)
    r.callback_query.register(cancel, F.data == say.CANCEL)
    return r
