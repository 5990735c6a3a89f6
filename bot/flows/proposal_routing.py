"""三事分流 routing: a grid worker or a moderator confirms or changes a proposal's kind, 4335
area and scope, and answers 私事.

The routing panel keeps its choice in the buttons' callback data ("rt:" to pick, "rc:" to
confirm, each carrying proposal id, kind, area and scope), so nothing is stored until
[Confirm] and a panel survives a restart. Confirming writes ``proposal.routed`` with the
before and after; confirming the same route again is answered, not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import proposal_category as category
from bot.flows import proposal_escalation as escalation
from bot.flows import proposals as pr
from bot.flows import standing
from bot.flows.inputs import listing
from bot.flows.policy import Role
from bot.flows.proposal_messages import STATUS_NAMES
from bot.flows.results import Button, Notify
from bot.i18n import Text, t
from bot.text.categories import AREAS, KINDS
from bot.text.normalize import normalize
from storage import audit
from storage.engine import Database
from storage.models import Member, Proposal, RoleGrant, Scope

PICK, CONFIRM = "rt:", "rc:"
ANSWER_MAX = 1000  # characters of a 私事 answer

_KIND_CODE = {kind: kind[0] for kind in KINDS}  # s, b, p
_AREA_CODE = {area: area[0] for area in AREAS}  # d, m, s, e
_KIND_OF = {code: kind for kind, code in _KIND_CODE.items()}
_AREA_OF = {code: area for area, code in _AREA_CODE.items()}

ROUTED, SAME, CLOSED, STALE = "routed", "same", "closed", "stale"
STALE_PANEL = t("This panel is out of date: send /route N again.")
ANSWERED, NOT_PRIVATE = "answered", "not_private"


@dataclass(frozen=True)
class Choice:
    kind: str
    area: str
    scope_id: int

    def data(self, prefix: str, proposal_id: int) -> str:
        return (
            f"{prefix}{proposal_id}:{_KIND_CODE[self.kind]}:{_AREA_CODE[self.area]}:{self.scope_id}"
        )


def parse(data: str, prefix: str) -> tuple[int, Choice] | None:
    """The proposal id and choice of a panel button; None when the data is malformed."""
    parts = data.removeprefix(prefix).split(":")
    if len(parts) != 4 or not (parts[0].isdigit() and parts[3].isdigit()):
        return None
    if parts[1] not in _KIND_OF or parts[2] not in _AREA_OF:
        return None
    return int(parts[0]), Choice(_KIND_OF[parts[1]], _AREA_OF[parts[2]], int(parts[3]))


async def options(session: AsyncSession, proposal: Proposal) -> list[Scope]:
    """Scopes the proposal may be routed to: its own and those above it up to the community,
    and a building its text names below it (“7栋…” raised in a grid group)."""
    paths = await standing.scope_paths(session, proposal.community_id)
    found = [await session.get(Scope, scope_id) for scope_id in paths[proposal.scope_id]]
    named = category.of(proposal).buildings
    if named:
        top = paths[proposal.scope_id]
        for scope in (
            await session.scalars(
                select(Scope).where(
                    Scope.community_id == proposal.community_id, Scope.kind == "building"
                )
            )
        ).all():
            below = paths[scope.id][: len(top)] == top and scope.id != proposal.scope_id
            if below and normalize(scope.name) in named:
                found.append(scope)
    return found


async def suggested(session: AsyncSession, proposal: Proposal) -> Choice:
    """The panel's first choice: what is stored, and for an unconfirmed proposal the scope its
    words hint at (大事 → the community, a named building → that building)."""
    kind, area = proposal.kind or "small", proposal.area or "management"
    if proposal.category_confirmed_by_id is not None:
        return Choice(kind, area, proposal.scope_id)
    scopes = await options(session, proposal)
    hint = category.of(proposal).scope_hint
    if hint == "community":
        return Choice(kind, area, scopes[0].id)
    if hint == "building" and scopes[-1].kind == "building":
        return Choice(kind, area, scopes[-1].id)
    return Choice(kind, area, proposal.scope_id)


async def panel(
    session: AsyncSession, proposal: Proposal, choice: Choice
) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """The routing panel: the proposal, the current choice, buttons to change it, [Confirm]."""
    scopes = await options(session, proposal)
    scope = next((s for s in scopes if s.id == choice.scope_id), scopes[-1])
    choice = replace(choice, scope_id=scope.id)
    lines: list[Text] = [
        t("<b>Route No. {number}: {title}</b>", number=proposal.number, title=proposal.title)
    ]
    if proposal.category_confirmed_by_id is not None:
        by = await session.get(Member, proposal.category_confirmed_by_id)
        lines.append(t("Confirmed by {name}.", name=by.display_name if by else "—"))
    else:
        words = category.words(category.of(proposal))
        if words:
            lines.append(t("Suggested from the words {words}.", words=listing(words)))
    lines += [
        category.route(choice.kind),
        category.area(choice.area),
        t("Scope: {scope}", scope=scope.name),
        t("Change what is wrong, then confirm."),
    ]

    def pick(label: Text, chosen: bool, changed: Choice) -> Button:
        return Button(
            t("✓ {choice}", choice=label) if chosen else label, changed.data(PICK, proposal.id)
        )

    rows = (
        tuple(
            pick(category.KIND_NAMES[k], k == choice.kind, replace(choice, kind=k)) for k in KINDS
        ),
        tuple(
            pick(category.AREA_NAMES[a], a == choice.area, replace(choice, area=a)) for a in AREAS
        ),
        tuple(
            pick(t("{name}", name=s.name), s.id == choice.scope_id, replace(choice, scope_id=s.id))
            for s in scopes
        ),
        (Button(t("Confirm"), choice.data(CONFIRM, proposal.id)),),
    )
    return tuple(lines), rows


@dataclass(frozen=True)
class Routed:
    status: str
    proposal: Proposal
    source: Scope | None = None  # the scope before
    target: Scope | None = None  # the scope after


async def confirm(
    db: Database, proposal_id: int, choice: Choice, *, actor_id: int | None, now: datetime
) -> Routed:
    """Store the route. A 私事 leaves the agenda's way (its status goes back to open)."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        if proposal.status not in pr.ACTIVE:
            return Routed(CLOSED, proposal)
        source = await session.get(Scope, proposal.scope_id)
        allowed = {s.id: s for s in await options(session, proposal)}
        if choice.scope_id not in allowed:
            return Routed(STALE, proposal, source, source)
        target = allowed[choice.scope_id]
        before = {"kind": proposal.kind, "area": proposal.area, "scope_id": proposal.scope_id}
        if proposal.category_confirmed_by_id is not None and before == {
            "kind": choice.kind,
            "area": choice.area,
            "scope_id": choice.scope_id,
        }:
            return Routed(SAME, proposal, source, target)
        proposal.kind, proposal.area, proposal.scope_id = choice.kind, choice.area, target.id
        proposal.category_confirmed_by_id = actor_id
        if choice.kind == "private" and proposal.status == "supported":
            proposal.status = "open"
        proposal.updated_at = now
        session.add(proposal)
        await audit.record(
            session,
            "proposal.routed",
            actor_id=actor_id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={
                "from": before,
                "kind": choice.kind,
                "area": choice.area,
                "scope_id": target.id,
            },
        )
        return Routed(ROUTED, proposal, source, target)


def routed(result: Routed, escalate_to: Scope | None) -> tuple[tuple[Text, ...], tuple]:
    """What the panel becomes once confirmed; a 大事 is offered [⬆ Escalate]."""
    p = result.proposal
    if result.status == CLOSED:
        return (closed(p),), ()
    if result.status == STALE:
        return (STALE_PANEL,), ()
    lines = [
        t(
            "No. {number} is routed: {route} · {area}, in {scope}.",
            number=p.number,
            route=category.route(p.kind),
            area=category.area(p.area),
            scope=result.target.name,
        )
    ]
    if result.status == SAME:
        lines = [t("This route was already confirmed."), *lines]
    if p.kind == "private":
        lines.append(t("Answer it with /answer {number} and your reply.", number=p.number))
    buttons: tuple = ()
    if p.kind == "big" and escalate_to is not None:
        buttons = ((escalation.button(p, escalate_to),),)
    return tuple(lines), buttons


def closed(proposal: Proposal) -> Text:
    return t(
        "No. {number} is {status}: its route can no longer change.",
        number=proposal.number,
        status=STATUS_NAMES[proposal.status],
    )


def told(proposal: Proposal, scope: Scope) -> Text:
    """The proposer's notice of the route."""
    return t(
        "Your proposal No. {number} “{title}” is routed as {route}, in {scope}.",
        number=proposal.number,
        title=proposal.title,
        route=category.route(proposal.kind),
        scope=scope.name,
    )


async def asks(db: Database, proposal: Proposal) -> list[Notify]:
    """A new proposal's routing panel, for the grid workers (or moderators) who route it."""
    async with db.session() as session:
        proposal = await session.get(Proposal, proposal.id)
        people = await _routers(session, proposal)
        if not people:
            return []
        paragraphs, buttons = await panel(session, proposal, await suggested(session, proposal))
    asked = (t("A new proposal needs routing."), *paragraphs)
    return [Notify(member.tg_user_id, asked, buttons) for member in people]


async def _routers(session: AsyncSession, proposal: Proposal) -> list[Member]:
    """Who is asked to route a new proposal: the grid workers whose grid holds it, else the
    community's moderators."""
    paths = await standing.scope_paths(session, proposal.community_id)
    target = paths.get(proposal.scope_id, ())
    grants = (
        await session.scalars(
            select(RoleGrant).where(
                RoleGrant.community_id == proposal.community_id,
                RoleGrant.revoked_at.is_(None),
                RoleGrant.role.in_((Role.GRID_WORKER, Role.MODERATOR)),
            )
        )
    ).all()
    workers = [
        g.member_id
        for g in grants
        if g.role == Role.GRID_WORKER
        and g.scope_id is not None
        and target[: len(paths.get(g.scope_id, ()))] == paths.get(g.scope_id, ())
    ]
    chosen = workers or [g.member_id for g in grants if g.role == Role.MODERATOR]
    found = [await session.get(Member, member_id) for member_id in dict.fromkeys(chosen)]
    return [m for m in found if m is not None and m.forgotten_at is None]


@dataclass(frozen=True)
class Answer:
    status: str
    proposal: Proposal


async def answer(
    db: Database, proposal_id: int, text: str, *, actor_id: int | None, now: datetime
) -> Answer:
    """Answer a 私事: it is done (``answered``) and the reply is kept as its reason."""
    async with db.write() as session:
        proposal = await session.get(Proposal, proposal_id)
        if proposal.status not in pr.ACTIVE:
            return Answer(CLOSED, proposal)
        if proposal.kind != "private":
            return Answer(NOT_PRIVATE, proposal)
        previous = proposal.status
        proposal.status, proposal.reason, proposal.updated_at = "answered", text, now
        if proposal.category_confirmed_by_id is None:
            proposal.category_confirmed_by_id = actor_id  # answering a suggested 私事 confirms it
        session.add(proposal)
        await audit.record(
            session,
            "proposal.answered",
            actor_id=actor_id,
            community_id=proposal.community_id,
            subject=f"proposal:{proposal.id}",
            data={"from": previous, "reason": text},
        )
        return Answer(ANSWERED, proposal)


def not_private(proposal: Proposal) -> Text:
    return t(
        "No. {number} is routed as {route}: only a private matter is answered this way. "
        "Route it as a private matter first with /route {number}.",
        number=proposal.number,
        route=category.route(proposal.kind or "small"),
    )


def answered(proposal: Proposal, name: str) -> Text:
    """The proposer's notice of the answer."""
    return t(
        "{name} answered your proposal No. {number} “{title}”: {reply}",
        name=name,
        number=proposal.number,
        title=proposal.title,
        reply=proposal.reason,
    )
