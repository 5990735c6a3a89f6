"""Informal opinion polls: /poll posts a native Telegram poll in a bound group, labelled as not
binding, in the forum topic it was asked in; poll_answer updates keep named answers; /closepoll
stops the poll and posts the summary under it; /poll N shows the counts so far."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import InputPollOption, Message, ReplyParameters, Update
from aiogram.types import Poll as TelegramPoll
from aiogram.types import PollAnswer as TelegramPollAnswer

from bot import render
from bot.flows import polls, standing
from bot.flows.inputs import Invalid
from bot.flows.policy import Action
from bot.flows.results import reply
from bot.handlers.context import Context
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import Community, Poll

log = logging.getLogger("xieshang.polls")
REMEMBERED = 10_000  # (poll, person) pairs whose last update number is kept


class AnswerOrder:
    """Keeps a person's newer answer from being overwritten by an older one.

    Updates are handled as concurrent tasks, so an answer and its retraction a moment later can
    reach the database in either order. Telegram numbers updates: only the newest per person and
    poll is written, one write at a time.
    """

    def __init__(self) -> None:
        self.newest: OrderedDict[tuple[str, int], int] = OrderedDict()
        self.lock = asyncio.Lock()

    def arrived(self, key: tuple[str, int], update_id: int) -> None:
        if update_id > self.newest.get(key, -1):
            self.newest[key] = update_id
            self.newest.move_to_end(key)
            if len(self.newest) > REMEMBERED:
                self.newest.popitem(last=False)

    def is_newest(self, key: tuple[str, int], update_id: int) -> bool:
        return self.newest.get(key, update_id) <= update_id


async def post_command(message: Message, command: CommandObject, ctx: Context) -> None:
    wanted = polls.number(command.args)
    if wanted is not None:
        poll = await poll_by_number(ctx, wanted)
        if poll is not None:
            await ctx.show(reply(*polls.summary(poll, await named_tally(ctx.db, poll))))
        return
    if ctx.binding is None:
        await ctx.show(
            reply(t("Post a poll in a group bound to the community, a grid or a building."))
        )
        return
    if not await ctx.require(Action.POST_POLL, await chat_scope(ctx.db, ctx.binding.chat_id)):
        return
    try:
        spec = polls.parse(command.args)
    except Invalid as problem:
        await ctx.show(reply(problem.text))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    try:
        sent = await ctx.bot.send_poll(
            message.chat.id,
            question=spec.question,
            question_parse_mode=None,  # what people typed is shown as typed, <b> included
            options=[InputPollOption(text=o, text_parse_mode=None) for o in spec.options],
            is_anonymous=spec.anonymous,
            allows_multiple_answers=spec.multiple,
            message_thread_id=thread,
        )
    except TelegramBadRequest as refused:
        await ctx.show(
            reply(t("Telegram did not accept the poll: {reason}", reason=refused.message))
        )
        return
    assert sent.poll is not None
    poll = await polls.record(
        ctx.db,
        ctx.binding.community_id,
        spec,
        tg_poll_id=sent.poll.id,
        chat_id=sent.chat.id,
        message_id=sent.message_id,
        thread_id=thread,
        created_by_id=ctx.member.id if ctx.member else None,
        now=ctx.clock.now(),
    )
    await post_under(ctx.bot, ctx.db, poll, polls.posted(poll))


async def close_command(message: Message, command: CommandObject, ctx: Context) -> None:
    wanted = polls.number(command.args)
    if wanted is None:
        await ctx.show(reply(t("Give the poll's number, e.g. {example}.", example="/closepoll 3")))
        return
    poll = await poll_by_number(ctx, wanted)
    if poll is None or not await ctx.require(
        Action.POST_POLL, await chat_scope(ctx.db, poll.chat_id)
    ):
        return
    stopped = None
    if poll.closed_at is None:
        try:
            stopped = await ctx.bot.stop_poll(poll.chat_id, poll.message_id)
        except TelegramBadRequest as refused:  # deleted, or stopped a moment ago
            log.info("stopping poll %s: %s", poll.id, refused.message)
    closed = await polls.close(
        ctx.db, poll.id, ctx.member.id if ctx.member else None, ctx.clock.now()
    )
    if closed is None:
        await ctx.show(reply(t("Poll {id} is already closed.", id=poll.id)))
        return
    found = await named_tally(ctx.db, closed) if not closed.anonymous else telegram_tally(stopped)
    await post_under(ctx.bot, ctx.db, closed, polls.summary(closed, found))
    if ctx.chat is None or ctx.chat.id != closed.chat_id:
        await ctx.show(
            reply(t("Poll {id} is closed; the summary is posted in its group.", id=closed.id))
        )


async def poll_by_number(ctx: Context, number: int) -> Poll | None:
    """The community's poll with that number; tells the person when there is none."""
    community_id = ctx.binding.community_id if ctx.binding else ctx.standing.community_id
    async with ctx.db.session() as session:
        poll = await session.get(Poll, number)
    if poll is None or poll.community_id != community_id:
        await ctx.show(reply(t("There is no poll {id} in this community.", id=number)))
        return None
    return poll


async def chat_scope(db: Database, chat_id: int) -> tuple[int, ...] | None:
    """The path of the scope the group is bound to: whose moderators and chairs run its polls."""
    async with db.session() as session:
        binding = await standing.community_of_chat(session, chat_id)
        if binding is None:
            return None
        return (await standing.scope_paths(session, binding.community_id)).get(binding.scope_id)


async def named_tally(db: Database, poll: Poll) -> polls.Tally | None:
    if poll.anonymous:
        return None
    async with db.session() as session:
        return await polls.tally(session, poll)


def telegram_tally(stopped: TelegramPoll | None) -> polls.Tally | None:
    """An anonymous poll's final counts, as Telegram reported them when it stopped."""
    if stopped is None:
        return None
    return polls.Tally(tuple(o.voter_count for o in stopped.options), stopped.total_voter_count)


async def post_under(bot: Bot, db: Database, poll: Poll, paragraphs: tuple[Text, ...]) -> None:
    """Reply to the poll message, in its topic, in the community's language."""
    async with db.session() as session:
        language = (await session.get(Community, poll.community_id)).language
    for chunk in render.message(language, paragraphs).chunks:
        await bot.send_message(
            poll.chat_id,
            chunk,
            message_thread_id=poll.thread_id,
            reply_parameters=ReplyParameters(
                message_id=poll.message_id, allow_sending_without_reply=True
            ),
        )


def router() -> Router:
    r = Router(name="polls")
    order = AnswerOrder()

    async def answered(answer: TelegramPollAnswer, ctx: Context, event_update: Update) -> None:
        """Someone answered, changed or retracted (no options) a named poll; polls that are not
        ours, and anonymous admins answering as the group (no user), are ignored."""
        if answer.user is None:
            return
        key = (answer.poll_id, answer.user.id)
        order.arrived(key, event_update.update_id)
        async with order.lock:
            if order.is_newest(key, event_update.update_id):
                await polls.answer(
                    ctx.db, answer.poll_id, answer.user.id, list(answer.option_ids), ctx.clock.now()
                )

    r.message.register(post_command, Command("poll"))
    r.message.register(close_command, Command("closepoll"))
    r.poll_answer.register(answered)
    return r
