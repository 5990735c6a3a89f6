"""Moving a guided dialogue along: the one place a flow's :class:`~bot.flows.dialogue.Step`
becomes aiogram FSM state (stored in the database, so it survives a restart)."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State

from bot.flows.dialogue import KEEP, Step
from bot.flows.results import Notify
from bot.handlers.context import Context


async def run(
    ctx: Context, state: FSMContext, step: Step, *, states: Mapping[str, State]
) -> list[Notify]:
    """Move the dialogue to the step's state (``states`` names them), then show what it says."""
    if step.state is None:
        await state.clear()
    elif step.state != KEEP:
        await state.set_state(states[step.state])
        await state.set_data(step.data)
    return await ctx.show(step.outcomes)
