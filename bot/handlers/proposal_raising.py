"""The one path from a draft to a proposal, whichever way it was raised (``/propose`` or ``#提案``
in a group, the private dialogue): the similar-proposals offer, then the proposal, its message
in the scope's group, and what the proposer is told.

A draft waiting on the offer is kept in the FSM data (stored in the database) with where it
goes, so [Create anyway] still works after a restart of the bot. The functions return what to
say rather than saying it: a button press is answered once, with everything together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext

from bot.flows import proposal_dialogue as dialogue
from bot.flows import proposal_messages as say
from bot.flows import proposals as pr
from bot.flows.policy import Role
from bot.flows.proposal_text import Draft
from bot.flows.results import EditOrigin, Outcome, Toast, reply
from bot.handlers.context import Context
from bot.handlers.proposal_routing import ask_routers
from bot.i18n import t
from storage.models import Proposal, Scope

if TYPE_CHECKING:
    from bot.handlers.proposals import Proposals

log = logging.getLogger("xieshang.proposals")
DRAFT = "proposal_draft"  # FSM key of a draft waiting on the similar-proposals offer


class Taps:
    """Presses being carried out, per person: a double tap on [Create anyway] or [Raise it]
    arrives as two updates handled at once, and only the first may create a proposal."""

    def __init__(self) -> None:
        self.busy: set[int] = set()

    @contextmanager
    def first(self, tg_user_id: int) -> Iterator[bool]:
        if tg_user_id in self.busy:
            yield False
            return
        self.busy.add(tg_user_id)
        try:
            yield True
        finally:
            self.busy.discard(tg_user_id)


@dataclass(frozen=True)
class Target:
    """Where a proposal goes: its community and scope, and the group its message is posted in
    (``chat`` None: the scope's bound group, looked up when it is created)."""

    community: int
    scope: int
    chat: int | None = None
    thread: int | None = None
    source: int | None = None  # the message it was raised with: editing it edits the proposal


async def offer_or_create(
    runtime: Proposals, ctx: Context, state: FSMContext, draft: Draft, target: Target
) -> list[Outcome]:
    """Similar open proposals first (the draft waits for the choice), else the proposal."""
    found = await runtime.similar(target.community, draft.title)
    if found:
        await state.update_data(
            **{DRAFT: {"title": draft.title, "details": draft.details, **asdict(target)}}
        )
        return [say.similar_offer(found)]
    return await create(runtime, ctx, draft, target)


async def create_anyway(runtime: Proposals, ctx: Context, state: FSMContext) -> None:
    """[Create anyway] under the offer: the waiting draft becomes a proposal, once."""
    with runtime.taps.first(ctx.person.tg_user_id) as first:
        waiting = (await state.get_data()).get(DRAFT) if first else None
        if waiting is None:
            used = t("This offer is not yours, or it was already used.")
            await ctx.show(Toast(used, alert=True))
            return
        await state.update_data(**{DRAFT: None})
        target = Target(
            waiting["community"],
            waiting["scope"],
            waiting["chat"],
            waiting["thread"],
            waiting.get("source"),
        )
        said = await create(runtime, ctx, Draft(waiting["title"], waiting["details"]), target)
    await ctx.show(EditOrigin((t("Creating your proposal as a new one."),)), said)


async def create(runtime: Proposals, ctx: Context, draft: Draft, target: Target) -> list[Outcome]:
    """The proposal, indexed and posted; a verified proposer's household is its first supporter.
    Returns what the proposer is told besides (nothing when the message in their group is it)."""
    verified = ctx.member is not None and ctx.standing.holds(Role.RESIDENT)
    proposal, _ = await pr.create(
        ctx.db,
        community_id=target.community,
        scope_id=target.scope,
        draft=draft,
        person=ctx.person,
        language=ctx.language,
        household_id=ctx.member.household_id if verified else None,
        now=ctx.clock.now(),
        source_message_id=target.source,
    )
    await runtime.indexed(proposal)
    said: list[Outcome] = []
    if target.chat is not None:
        await runtime.post(proposal, target.chat, target.thread)
    else:
        said.append(await _post_in_scope_group(runtime, ctx, proposal))
    await ask_routers(ctx, proposal)  # 三事分流: the grid worker confirms the route
    if not verified:
        said.append(
            reply(
                t(
                    "No. {number} is recorded, marked as raised by an unverified member. "
                    "To second proposals and count as a household, send /join to me in a "
                    "private chat.",
                    number=proposal.number,
                )
            )
        )
    return said


async def _post_in_scope_group(runtime: Proposals, ctx: Context, proposal: Proposal) -> Outcome:
    """Raised in private: posted in the group bound to its scope; the proposer is told where."""
    async with ctx.db.session() as session:
        group = await dialogue.group_of(session, proposal.scope_id)
        scope = await session.get(Scope, proposal.scope_id)
    if group is None:
        raised = t("Proposal No. {number} is raised.", number=proposal.number)
        return reply(raised, dialogue.no_group(scope.name))
    try:
        await runtime.post(proposal, group.chat_id, None)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.info("proposal %s not posted in chat %s: %s", proposal.id, group.chat_id, exc.message)
        return reply(
            t(
                "Proposal No. {number} is raised, but I could not post it in “{group}” (am I "
                "still in that group?). It is listed under /proposals.",
                number=proposal.number,
                group=group.title,
            )
        )
    return reply(
        t(
            "Proposal No. {number} is raised and posted in “{group}”, where residents can "
            "second it.",
            number=proposal.number,
            group=group.title,
        )
    )
