"""群众测评 buttons: asking the affected households once an item is done, and their 1–5 presses —
privately or in the group (the groups' messages: bot.handlers.rating_board)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import CallbackQuery

from bot import render
from bot.flows import action_messages as say
from bot.flows import action_sweep, actions, ratings
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Notify, Toast
from bot.handlers.context import Context
from bot.handlers.delivery import send
from bot.handlers.rating_board import show_rating
from bot.i18n import t

if TYPE_CHECKING:
    from bot.handlers.action_runtime import ActionRuntime

log = logging.getLogger("xieshang.ratings")


async def ask_to_rate(ctx: Context, item: actions.Item, runtime: ActionRuntime) -> None:
    """Ask the representatives privately and post the buttons in the item's groups."""
    async with ctx.db.session() as session:
        people = await ratings.raters(session, item)
        chats = await action_sweep.item_groups(session, item)
        rated = await ratings.summary(session, item.id)
    said = say.rate_request(item, rated)
    buttons = ratings.buttons(item.id)
    await runtime.tell([Notify(m.tg_user_id, said, buttons) for m in people])
    for chat_id in chats:
        language = await ctx.language_of(chat_id)  # a group's: its community's
        try:
            sent = await send(ctx.bot, chat_id, render.message(language, said, buttons))
        except (TelegramBadRequest, TelegramForbiddenError) as refused:  # the group is gone
            log.info("rating buttons of item %s not posted in %s: %s", item.id, chat_id, refused)
            continue
        await ratings.posted(ctx.db, item, chat_id, sent[-1].message_id)


def router() -> Router:
    r = Router(name="ratings")

    async def pressed(query: CallbackQuery, ctx: Context) -> None:
        parsed = ratings.parse(query.data or "")
        now = ctx.clock.now()
        async with ctx.db.session() as session:
            item = await actions.load(session, parsed[0]) if parsed else None
        try:
            item = ratings.open_for_rating(item, now)
        except Invalid as problem:
            await ctx.show(Toast(problem.text, alert=True))
            return
        member = ctx.member
        if (
            member is None
            or member.household_id is None
            or ctx.standing.community_id != item.action.community_id
            or not ctx.permits(Action.RATE, item.path)
        ):
            if not await ctx.require(Action.RATE, item.path):
                return
            await ctx.show(
                Toast(t("Only residents of this community rate its outcomes."), alert=True)
            )
            return
        try:
            done = await ratings.rate(
                ctx.db, item.id, member.household_id, member.id, parsed[1], now
            )
        except Invalid as problem:
            await ctx.show(Toast(problem.text, alert=True))
            return
        answer = Toast(say.rated(done.status, done.score))
        if ctx.where == "private":
            said = (*say.rate_request(done.item, done.summary), say.rated(done.status, done.score))
            await ctx.show(EditOrigin(said, ratings.buttons(item.id)), answer)
        else:
            await ctx.show(answer)
        if done.status != ratings.SAME:
            await show_rating(ctx.bot, ctx.db, done.item, done.summary)

    r.callback_query.register(pressed, F.data.startswith(ratings.PREFIX))
    return r
