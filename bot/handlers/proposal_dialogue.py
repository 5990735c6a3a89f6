"""``/propose`` in a private chat: the guided dialogue (bot.flows.proposal_dialogue), ending in
the same path as the group command (bot.handlers.proposal_raising)."""

from __future__ import annotations

from functools import partial

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.flows import proposal_dialogue as flow
from bot.flows.dialogue import use_buttons
from bot.handlers import dialogue_steps
from bot.handlers import proposal_raising as raising
from bot.handlers.context import Context
from bot.handlers.proposals import Proposals


class Proposing(StatesGroup):
    scope = State()
    title = State()
    details = State()
    confirm = State()


STATES = {
    "scope": Proposing.scope,
    "title": Proposing.title,
    "details": Proposing.details,
    "confirm": Proposing.confirm,
}


run = partial(dialogue_steps.run, states=STATES)


def router(runtime: Proposals) -> Router:
    r = Router(name="proposal_dialogue")
    private = F.chat.type == "private"
    typed = F.text & ~F.text.startswith("/")

    async def start(
        message: Message, command: CommandObject, ctx: Context, state: FSMContext
    ) -> None:
        await run(ctx, state, await flow.start(ctx.db, ctx.member, command.args or ""))

    async def pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
        current = await state.get_state()
        data = await state.get_data()
        value = query.data or ""
        step_of = {s.state: name for name, s in STATES.items()}.get(current)
        if step_of is None:
            step = flow.stale()  # the dialogue is over (finished, cancelled) or another runs
        elif value == flow.CANCEL:
            step = flow.cancelled()
        elif value.startswith(flow.BACK) and value.removeprefix(flow.BACK) == step_of:
            step = await flow.back(ctx.db, ctx.member, data, step_of)
        elif value.startswith(flow.SCOPE) and step_of == "scope":
            chosen = value.removeprefix(flow.SCOPE)
            step = (
                await flow.choose_scope(ctx.db, ctx.member, data, int(chosen))
                if chosen.isdigit()
                else flow.stale()
            )
        elif value == flow.SKIP and step_of == "details":
            step = await flow.skip_details(ctx.db, data)
        elif value == flow.CREATE and step_of == "confirm":
            await confirm(ctx, state, data)
            return
        else:
            step = flow.stale()
        await run(ctx, state, step)

    async def confirm(ctx: Context, state: FSMContext, data: dict) -> None:
        """[Raise it]: the dialogue ends, and the draft goes the group command's way."""
        with runtime.taps.first(ctx.person.tg_user_id) as first:
            if not first or await state.get_state() != Proposing.confirm.state:  # a double tap
                await run(ctx, state, flow.stale())
                return
            await state.clear()
            target = raising.Target(data["community"], data["scope"])
            said = await raising.offer_or_create(runtime, ctx, state, flow.draft_of(data), target)
        await ctx.show(flow.creating(data).outcomes, said)

    async def title_typed(message: Message, ctx: Context, state: FSMContext) -> None:
        await run(ctx, state, await flow.title_typed(ctx.db, await state.get_data(), message.text))

    async def details_typed(message: Message, ctx: Context, state: FSMContext) -> None:
        data = await state.get_data()
        await run(ctx, state, await flow.details_typed(ctx.db, data, message.text))

    async def choose_with_buttons(message: Message, ctx: Context, state: FSMContext) -> None:
        await run(ctx, state, use_buttons())

    r.message.register(start, private, Command("propose"))
    r.callback_query.register(pressed, F.data.startswith(flow.PREFIX))
    r.message.register(title_typed, Proposing.title, private, typed)
    r.message.register(details_typed, Proposing.details, private, typed)
    r.message.register(choose_with_buttons, Proposing.scope, private, typed)
    r.message.register(choose_with_buttons, Proposing.confirm, private, typed)
    return r
