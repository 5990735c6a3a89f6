"""Escalation (小事不出网格、大事不出社区、难事不出街道): a proposal goes one scope up.

The model: a proposal keeps its number, its supporters and its message; only ``scope_id``
changes (building → grid → community), and the audit event ``proposal.escalated`` records
from where to where and why. It stays open in the higher scope. Escalating beyond the
community (to the street above it) hands the matter out of the community: its status becomes
``escalated``, an answer in the indicators' sense.

The groups bound to the new scope see the proposal with its history (read back from the audit
log); the proposal's own group is told where it went.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import proposal_category as category
from bot.flows import proposals as pr
from bot.flows.proposal_messages import STATUS_NAMES
from bot.flows.results import Button
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import AuditEvent, ChatBinding, Community, Member, Proposal, Scope

ESCALATE = "ru:"  # callback data "ru:<proposal id>:<scope id it is in>"

MOVED = "moved"
TOP = "top"  # nothing above: the community has no street, or it went up to the street already
CLOSED = "closed"
STALE = "stale"  # it was moved since the button was shown
PRIVATE = "private"


@dataclass(frozen=True)
class Move:
    """What an escalation did; ``target`` is the scope above (or the top it is at)."""

    status: str
    proposal: Proposal
    source: Scope | None = None
    target: Scope | None = None


async def parent(session: AsyncSession, scope_id: int) -> Scope | None:
    scope = await session.get(Scope, scope_id)
    return await session.get(Scope, scope.parent_id) if scope and scope.parent_id else None


async def escalate(
    db: Database,
    proposal_id: int,
    *,
    actor_id: int | None,
    reason: str | None,
    now: datetime,
    from_scope_id: int | None = None,
) -> Move:
    """Move the proposal one scope up; ``from_scope_id`` (from a button) makes a second press
    of the same button a no-op."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        source = await session.get(Scope, proposal.scope_id)
        if proposal.status == "escalated":
            return Move(TOP, proposal, source, source)
        if proposal.status not in pr.ACTIVE:
            return Move(CLOSED, proposal, source)
        if from_scope_id is not None and proposal.scope_id != from_scope_id:
            return Move(STALE, proposal, source, source)
        if category.private(proposal):
            return Move(PRIVATE, proposal, source)
        target = await parent(session, source.id)
        if target is None:
            return Move(TOP, proposal, source, source)
        previous = proposal.status
        proposal.scope_id, proposal.updated_at = target.id, now
        if target.kind == "street":
            proposal.status = "escalated"
            proposal.reason = reason
        session.add(proposal)
        await audit.record(
            session,
            "proposal.escalated",
            actor_id=actor_id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={
                "from": source.id,
                "to": target.id,
                "reason": reason,
                "status": [previous, proposal.status],
            },
        )
        return Move(MOVED, proposal, source, target)


async def groups(session: AsyncSession, scope_id: int) -> list[ChatBinding]:
    """The active groups bound to a scope."""
    return list(
        (
            await session.scalars(
                select(ChatBinding).where(ChatBinding.scope_id == scope_id, ChatBinding.active)
            )
        ).all()
    )


def button(proposal: Proposal, above: Scope) -> Button:
    """[⬆ Escalate to X], offered under a confirmed 大事."""
    return Button(
        t("⬆ Escalate to {scope}", scope=above.name), f"{ESCALATE}{proposal.id}:{proposal.scope_id}"
    )


def answer(move: Move) -> Text:
    """What the person who escalated is told."""
    p = move.proposal
    if move.status == MOVED and move.target.kind == "street":
        return t(
            "No. {number} went up to {target}: it leaves the community and counts as answered "
            "here.",
            number=p.number,
            target=move.target.name,
        )
    if move.status == MOVED:
        return t(
            "No. {number} went up from {source} to {target}, with its supporters and history.",
            number=p.number,
            source=move.source.name,
            target=move.target.name,
        )
    if move.status == TOP and p.status == "escalated":
        return t(
            "No. {number} has already gone up to {scope}.", number=p.number, scope=move.target.name
        )
    if move.status == TOP:
        return t(
            "No. {number} is at {scope}, and no street is set up above it: it cannot go higher.",
            number=p.number,
            scope=move.target.name,
        )
    if move.status == STALE:
        return t(
            "No. {number} was already moved: it is now at {scope}.",
            number=p.number,
            scope=move.source.name,
        )
    if move.status == PRIVATE:
        return category.not_for_agenda(p)
    return t(
        "No. {number} is {status}: it can no longer be escalated.",
        number=p.number,
        status=STATUS_NAMES[p.status],
    )


def left(proposal: Proposal, source: Scope, target: Scope, reason: str | None) -> Text:
    """For the proposal's own group (and its proposer): where it went, and why."""
    went = t(
        "Proposal No. {number} “{title}” went up from {source} to {target}",
        number=proposal.number,
        title=proposal.title,
        source=source.name,
        target=target.name,
    )
    return (
        t("{event}: {reason}", event=went, reason=reason) if reason else t("{event}.", event=went)
    )


async def arrived(session: AsyncSession, proposal: Proposal, source: Scope) -> tuple[Text, ...]:
    """For the groups of the higher scope: the proposal with its history."""
    count = await pr.support_count(session, proposal.id)
    proposer = await session.get(Member, proposal.proposer_id) if proposal.proposer_id else None
    lines: list[Text] = [
        t(
            "<b>⬆ Proposal No. {number} came up from {source}: {title}</b>",
            number=proposal.number,
            source=source.name,
            title=proposal.title,
        )
    ]
    if proposal.details:
        lines.append(t("{details}", details=proposal.details))
    lines.append(
        t(
            "Raised by {name}; seconded by {n} households.",
            name=proposer.display_name if proposer else "—",
            n=count,
        )
    )
    found = category.line(proposal)
    if found is not None:
        lines.append(found)
    lines.append(t("<b>History</b>"))
    lines += await history(session, proposal)
    return tuple(lines)


async def history(session: AsyncSession, proposal: Proposal) -> list[Text]:
    """The proposal's path so far, from its audit events, in the community's time zone."""
    community = await session.get(Community, proposal.community_id)
    zone = ZoneInfo(community.timezone)
    names = dict(
        (
            await session.execute(
                select(Scope.id, Scope.name).where(Scope.community_id == proposal.community_id)
            )
        ).all()
    )
    events = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == f"proposal:{proposal.id}")
            .order_by(AuditEvent.id)
        )
    ).all()
    lines: list[Text] = []
    for event in events:
        data = json.loads(event.data)
        when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if event.action == "proposal.raised":
            text = t("raised in {scope}", scope=names.get(data.get("scope_id"), "—"))
        elif event.action == "proposal.routed":
            text = t(
                "routed: {route}, {scope}",
                route=category.KIND_NAMES[data["kind"]],
                scope=names.get(data["scope_id"], "—"),
            )
        elif event.action == "proposal.escalated":
            text = t(
                "escalated from {source} to {target}",
                source=names.get(data["from"], "—"),
                target=names.get(data["to"], "—"),
            )
            if data.get("reason"):
                text = t("{event}: {reason}", event=text, reason=data["reason"])
        else:
            continue
        lines.append(t("• {time} {event}", time=when, event=text))
    return lines
