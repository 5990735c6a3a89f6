"""督办 in chat: /action add (create an item of a decided vote), /progress, /actions (open items
of the chat's scope, or one item's history) and /done (then the households are asked to rate:
bot.handlers.ratings)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.flows import action_input, actions, ratings, scopes
from bot.flows import action_messages as say
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import reply
from bot.handlers.action_runtime import ActionRuntime
from bot.handlers.context import Context
from bot.handlers.cycle import asked_about
from bot.handlers.ratings import ask_to_rate
from bot.i18n import t
from storage.models import Scope


async def refuse_update(ctx: Context, item: actions.Item, action: Action) -> None:
    """Neither responsible for it nor staff who may: say who may."""
    name = item.assignee.display_name if item.assignee else "—"
    decision = ctx.permits(action, item.path)
    await ctx.show(
        reply(
            t(
                "Action item #{id} is the responsibility of {name}. Besides them:",
                name=name,
                id=item.id,
            ),
            *([decision.reason] if decision.reason else []),
        )
    )


def router(runtime: ActionRuntime) -> Router:
    r = Router(name="actions")

    async def add(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await asked_about(ctx)
        if community_id is None:
            return
        now = ctx.clock.now()
        try:
            draft = await actions.prepare(ctx.db, community_id, command.args, now)
            if not await ctx.require(Action.CREATE_ACTION_ITEM, draft.path):
                return
            item = await actions.create(ctx.db, draft, actor_id=ctx.standing.member_id, now=now)
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        await ctx.show(reply(*say.created(item)))
        await runtime.run(now)  # a decision already final starts its item at once

    async def progress(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await asked_about(ctx)
        if community_id is None:
            return
        try:
            change = action_input.parse_progress(command.args)
            item = await actions.find(ctx.db, community_id, change.action_id)
            if not actions.may_update(item, ctx.standing):
                await refuse_update(ctx, item, Action.UPDATE_ACTION_ITEM)
                return
            item = await actions.progress(
                ctx.db, item, change, actor_id=ctx.standing.member_id, now=ctx.clock.now()
            )
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        await ctx.show(reply(say.progress_saved(item)))

    async def listing(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await asked_about(ctx)
        if community_id is None:
            return
        now = ctx.clock.now()
        if (command.args or "").strip():
            try:
                action_id = action_input.parse_id(command.args, "/actions 2")
                item = await actions.find(ctx.db, community_id, action_id)
            except Invalid as problem:
                await ctx.show(reply(problem.text))
                return
            await ctx.show(reply(*await _details(ctx, item, now)))
            return
        async with ctx.db.session() as session:
            scope = (
                await session.get(Scope, ctx.binding.scope_id)
                if ctx.binding
                else await scopes.root(session, community_id)
            )
            items = await actions.in_scope(session, community_id, scope.id)
        await ctx.show(reply(*say.listing(items, scope.name, now)))

    async def _details(ctx: Context, item: actions.Item, now: datetime):
        async with ctx.db.session() as session:
            updates = await actions.history(session, item.id)
            rated = await ratings.summary(session, item.id)
        return say.details(item, updates, rated, now)

    async def done(message: Message, command: CommandObject, ctx: Context) -> None:
        community_id = await asked_about(ctx)
        if community_id is None:
            return
        try:
            action_id = action_input.parse_id(command.args, "/done 2")
            item = await actions.find(ctx.db, community_id, action_id)
            if not actions.may_finish(item, ctx.standing):
                await refuse_update(ctx, item, Action.FINISH_ACTION_ITEM)
                return
            item = await actions.finish(
                ctx.db, item, actor_id=ctx.standing.member_id, now=ctx.clock.now()
            )
        except Invalid as problem:
            await ctx.show(reply(problem.text))
            return
        await ctx.show(reply(say.done(item)))
        await ask_to_rate(ctx, item, runtime)

    r.message.register(add, Command("action"))
    r.message.register(progress, Command("progress"))
    r.message.register(listing, Command("actions"))
    r.message.register(done, Command("done"))
    return r
