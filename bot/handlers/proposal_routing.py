"""三事分流 in chat: /route N and its panel, /answer N for a 私事, /escalate N and the
[⬆ Escalate] button. Grid workers of the proposal's scope and moderators only (policy
ROUTE_PROPOSAL and ESCALATE); everyone else is told who can."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import render
from bot.flows import proposal_escalation as escalation
from bot.flows import proposal_messages as say
from bot.flows import proposal_routing as routing
from bot.flows import proposals as pr
from bot.flows import standing
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Toast, reply
from bot.handlers import proposal_lookup as lookup
from bot.handlers.context import Context
from bot.handlers.delivery import notify, send
from bot.handlers.proposal_notices import tell_proposer
from bot.i18n import Text, t
from storage.models import Community, Proposal, Scope

if TYPE_CHECKING:
    from bot.handlers.proposals import Proposals

log = logging.getLogger("xieshang.proposals")
REASON_MAX = 500  # characters of an escalation's reason


def _split(args: str | None) -> tuple[int | None, str]:
    """“３ 请联系物业” → (3, "请联系物业"): the number, then the rest (any spaces between)."""
    parts = (args or "").split(maxsplit=1)
    if not parts:
        return None, ""
    return say.number_of(parts[0]), parts[1].strip() if len(parts) > 1 else ""


def _too_long(text: str, limit: int) -> Text:
    return t(
        "That is {n} characters long; at most {max} fit. Shorten it and send it again.",
        n=len(text),
        max=limit,
    )


async def ask_routers(ctx: Context, proposal: Proposal) -> None:
    """Send a new proposal's routing panel to the grid workers (or moderators) who route it;
    one who never opened a chat with the bot finds it with /route N."""
    for notice in await routing.asks(ctx.db, proposal):
        await notify(ctx.bot, notice, await ctx.language_of(notice.chat_id))


def router(runtime: Proposals) -> Router:
    r = Router(name="proposal_routing")

    async def answer_with(ctx: Context, text: Text) -> None:
        """A refusal: an alert under a button, a message after a command."""
        await ctx.show(
            Toast(text, alert=True) if isinstance(ctx.event, CallbackQuery) else reply(text)
        )

    async def announce(
        ctx: Context, chat_id: int, thread: int | None, paragraphs: tuple[Text, ...]
    ) -> None:
        """A message in another group, in its community's language; a group the bot left is
        skipped (and logged), the change itself stands."""
        if ctx.chat is not None and chat_id == ctx.chat.id:
            return
        async with ctx.db.session() as session:
            binding = await standing.community_of_chat(session, chat_id)
            community = await session.get(Community, binding.community_id) if binding else None
        language = community.language if community else ctx.language
        try:
            await send(ctx.bot, chat_id, render.message(language, paragraphs), thread)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            log.info("notice to group %s not delivered: %s", chat_id, exc.message)

    async def moved(
        ctx: Context, proposal: Proposal, source: Scope, target: Scope, reason: str | None
    ) -> None:
        """After a change of scope: the groups of the new scope see the proposal with its
        history, its own group and its proposer are told where it went."""
        async with ctx.db.session() as session:
            arrived = await escalation.arrived(session, proposal, source)
            groups = await escalation.groups(session, target.id)
        for group in groups:
            await announce(ctx, group.chat_id, None, arrived)
        left = escalation.left(proposal, source, target, reason)
        if proposal.chat_id is not None:
            await announce(ctx, proposal.chat_id, proposal.thread_id, (left,))
        await tell_proposer(ctx, proposal, left)

    # -- routing ----------------------------------------------------------------------------

    async def route_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number = say.number_of(command.args)
        if number is None:
            await ctx.show(reply(t("Give the proposal's number, e.g. /route 3.")))
            return
        proposal, path = await lookup.load(ctx, number=number)
        if proposal is None or not await ctx.require(Action.ROUTE_PROPOSAL, path):
            return
        if proposal.status not in pr.ACTIVE:
            await ctx.show(reply(routing.closed(proposal)))
            return
        async with ctx.db.session() as session:
            choice = await routing.suggested(session, proposal)
            paragraphs, buttons = await routing.panel(session, proposal, choice)
        await ctx.show(reply(*paragraphs, buttons=buttons))

    async def pressed(query: CallbackQuery, ctx: Context, prefix: str):
        """The panel button's proposal and choice, if the presser may route it."""
        parsed = routing.parse(query.data or "", prefix)
        if parsed is None:
            await ctx.show(Toast(routing.STALE_PANEL, alert=True))
            return None, None
        proposal, path = await lookup.load(ctx, proposal_id=parsed[0])
        if proposal is None or not await ctx.require(Action.ROUTE_PROPOSAL, path):
            return None, None
        return proposal, parsed[1]

    async def pick(query: CallbackQuery, ctx: Context) -> None:
        proposal, choice = await pressed(query, ctx, routing.PICK)
        if proposal is None:
            return
        if proposal.status not in pr.ACTIVE:
            text = routing.closed(proposal)
            await ctx.show(Toast(text, alert=True), EditOrigin((text,)))
            return
        async with ctx.db.session() as session:
            paragraphs, buttons = await routing.panel(session, proposal, choice)
        await ctx.show(EditOrigin(paragraphs, buttons))

    async def confirm(query: CallbackQuery, ctx: Context) -> None:
        proposal, choice = await pressed(query, ctx, routing.CONFIRM)
        if proposal is None:
            return
        result = await routing.confirm(
            ctx.db, proposal.id, choice, actor_id=ctx.standing.member_id, now=ctx.clock.now()
        )
        proposal = result.proposal
        async with ctx.db.session() as session:
            above = await escalation.parent(session, proposal.scope_id)
            paths = await standing.scope_paths(session, proposal.community_id)
        path = paths[proposal.scope_id]
        if not ctx.permits(Action.ESCALATE, path):
            above = None  # [⬆ Escalate] only for who may press it
        paragraphs, buttons = routing.routed(result, above)
        if result.status != routing.ROUTED:
            await ctx.show(Toast(paragraphs[0], alert=True), EditOrigin(paragraphs, buttons))
            return
        await ctx.show(EditOrigin(paragraphs, buttons))
        runtime.cards.touch(proposal.id)
        went_up = len(path) < len(paths[result.source.id])  # a building named: it stays here
        if went_up:
            await moved(ctx, proposal, result.source, result.target, None)
        await tell_proposer(ctx, proposal, routing.told(proposal, result.target))

    # -- 私事 answers --------------------------------------------------------------------------

    async def answer_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number, text = _split(command.args)
        if number is None or not text:
            await ctx.show(
                reply(t("Give the number and your answer, e.g. /answer 3 已联系物业上门查看。"))
            )
            return
        if len(text) > routing.ANSWER_MAX:
            await ctx.show(reply(_too_long(text, routing.ANSWER_MAX)))
            return
        proposal, path = await lookup.load(ctx, number=number)
        if proposal is None or not await ctx.require(Action.ROUTE_PROPOSAL, path):
            return
        result = await routing.answer(
            ctx.db, proposal.id, text, actor_id=ctx.standing.member_id, now=ctx.clock.now()
        )
        proposal = result.proposal
        if result.status == routing.NOT_PRIVATE:
            await ctx.show(reply(routing.not_private(proposal)))
            return
        if result.status == routing.CLOSED:
            await ctx.show(reply(say.already(proposal)))
            return
        await runtime.indexed(proposal)
        runtime.cards.touch(proposal.id)
        await ctx.show(reply(say.closed_notice(proposal)))
        name = ctx.member.display_name if ctx.member else ctx.person.display_name
        await tell_proposer(ctx, proposal, routing.answered(proposal, name))

    # -- escalation ---------------------------------------------------------------------------

    async def escalate(
        ctx: Context,
        proposal: Proposal,
        path: tuple[int, ...],
        reason: str | None,
        scope: int | None,
    ) -> escalation.Move | None:
        if not await ctx.require(Action.ESCALATE, path):
            return None
        move = await escalation.escalate(
            ctx.db,
            proposal.id,
            actor_id=ctx.standing.member_id,
            reason=reason,
            now=ctx.clock.now(),
            from_scope_id=scope,
        )
        if move.status == escalation.MOVED:
            await runtime.indexed(move.proposal)
            runtime.cards.touch(move.proposal.id)
        return move

    async def escalate_command(message: Message, command: CommandObject, ctx: Context) -> None:
        number, reason = _split(command.args)
        reason = " ".join(reason.split())
        if number is None:
            await ctx.show(
                reply(t("Give the proposal's number and why, e.g. /escalate 3 网格内无法解决."))
            )
            return
        if len(reason) > REASON_MAX:
            await ctx.show(reply(_too_long(reason, REASON_MAX)))
            return
        proposal, path = await lookup.load(ctx, number=number)
        if proposal is None:
            return
        move = await escalate(ctx, proposal, path, reason or None, None)
        if move is None:
            return
        await ctx.show(reply(escalation.answer(move)))
        if move.status == escalation.MOVED:
            await moved(ctx, move.proposal, move.source, move.target, reason or None)

    async def escalate_button(query: CallbackQuery, ctx: Context) -> None:
        found = say.ids(query.data or "", escalation.ESCALATE)
        if len(found) != 2:
            await ctx.show(Toast(t("This button is out of date."), alert=True))
            return
        proposal, path = await lookup.load(ctx, proposal_id=found[0])
        if proposal is None:
            return
        move = await escalate(ctx, proposal, path, None, found[1])
        if move is None:
            return
        if move.status != escalation.MOVED:
            await ctx.show(Toast(escalation.answer(move), alert=True))
            return
        await ctx.show(EditOrigin((escalation.answer(move),)))
        await moved(ctx, move.proposal, move.source, move.target, None)

    r.message.register(route_command, Command("route"))
    r.message.register(answer_command, Command("answer"))
    r.message.register(escalate_command, Command("escalate"))
    r.callback_query.register(pick, F.data.startswith(routing.PICK))
    r.callback_query.register(confirm, F.data.startswith(routing.CONFIRM))
    r.callback_query.register(escalate_button, F.data.startswith(escalation.ESCALATE))
    return r
