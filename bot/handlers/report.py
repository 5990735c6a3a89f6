"""/report [YYYY-MM | YYYY-MM..YYYY-MM]: the community's indicators for moderators and
supervisors, in the group it is asked in or privately: a message, a chart and a CSV file."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot import render
from bot.flows import indicator_chart, indicator_csv, indicator_text, indicators
from bot.flows import scopes as scope_tree
from bot.flows.indicators import Report
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import reply
from bot.flows.vote_chart import FontMissing
from bot.handlers.context import Context
from bot.handlers.cycle import asked_about
from bot.handlers.delivery import send
from bot.i18n import Text

log = logging.getLogger("xieshang.report")


async def send_report(
    bot: Bot,
    chat_id: int,
    language: str,
    found: Report,
    note: tuple[Text, ...] = (),
    thread_id: int | None = None,
) -> None:
    """The summary, then the chart (left out without the CJK font), then the CSV."""
    said = render.message(language, (*indicator_text.summary(found, note), indicator_text.CSV_NOTE))
    await send(bot, chat_id, said, thread_id)
    name = f"indicators-{found.period.code.replace('..', '_')}"
    try:
        png = await asyncio.to_thread(indicator_chart.render_png, found, language)
    except FontMissing as missing:
        log.warning("indicator chart not drawn: %s", missing)
    else:
        await bot.send_photo(
            chat_id, BufferedInputFile(png, filename=f"{name}.png"), message_thread_id=thread_id
        )
    table = indicator_csv.to_csv(found, language)
    await bot.send_document(
        chat_id, BufferedInputFile(table, filename=f"{name}.csv"), message_thread_id=thread_id
    )


async def report(message: Message, command: CommandObject, ctx: Context) -> None:
    community_id = await asked_about(ctx)
    if community_id is None:
        return
    async with ctx.db.session() as session:
        root = await scope_tree.root(session, community_id)
    if not await ctx.require(Action.VIEW_REPORT, (root.id,)):
        return
    try:
        found = await indicators.asked(ctx.db, community_id, command.args or "", ctx.clock.now())
    except Invalid as problem:
        await ctx.show(reply(problem.text))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await send_report(ctx.bot, message.chat.id, ctx.language, found, thread_id=thread)


def router() -> Router:
    r = Router(name="report")
    r.message.register(report, Command("report"))
    return r
