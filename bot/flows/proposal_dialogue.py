"""The guided private dialogue for raising a proposal: scope, title, details, confirm.

A resident who would rather not type ``/propose 标题`` into a busy group is walked through it in
a private chat. Every step has back and cancel; the step and what was typed so far live in the
FSM data (stored in the database), so a restart of the bot does not lose them. The title and
details meet the same limits, with the same messages, as the group command (``parse_draft``);
creating the proposal is the handler's job, through the same path as the group command.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import standing
from bot.flows.dialogue import KEEP, Step, said
from bot.flows.inputs import Invalid
from bot.flows.proposal_text import DETAILS_MAX, TITLE_MAX, TITLE_MIN, Draft, parse_draft
from bot.flows.results import Button, Outcome, Toast, reply
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import ChatBinding, Household, Member, Scope

PREFIX = "pd:"
SCOPE, BACK, CANCEL, SKIP, CREATE = "pd:s:", "pd:back:", "pd:cancel", "pd:skip", "pd:ok"


def _scope_label(scope: Scope) -> Text:
    if scope.kind == "building":
        return t("{name} (building)", name=scope.name)
    if scope.kind == "grid":
        return t("{name} (grid)", name=scope.name)
    return t("{name} (community)", name=scope.name)


def _nav(step: str) -> tuple[Button, ...]:
    cancel = Button(t("Cancel"), CANCEL)
    return (Button(t("‹ Back"), f"{BACK}{step}"), cancel) if step != "scope" else (cancel,)


async def scopes_of(session: AsyncSession, member: Member | None) -> list[Scope]:
    """Where the person may raise a proposal: their household's building, grid and community
    (smallest first); someone without a verified household, their home community only."""
    if member is None or member.forgotten_at is not None:
        return []
    household = await session.get(Household, member.household_id) if member.household_id else None
    if household is not None and member.verified_at is not None and household.moved_out_at is None:
        found: list[Scope] = []
        node = await session.get(Scope, household.building_scope_id)
        while node is not None and node.kind != "street":
            found.append(node)
            node = await session.get(Scope, node.parent_id) if node.parent_id else None
        return found
    community_id = await standing.home_community(session, member)
    if community_id is None:
        return []
    paths = await standing.scope_paths(session, community_id)
    roots = [scope_id for scope_id, path in paths.items() if len(path) == 1]
    return [await session.get(Scope, scope_id) for scope_id in roots]


async def group_of(session: AsyncSession, scope_id: int) -> ChatBinding | None:
    """The group bound to exactly this scope (the first bound, if there are several)."""
    return await session.scalar(
        select(ChatBinding)
        .where(ChatBinding.scope_id == scope_id, ChatBinding.active)
        .order_by(ChatBinding.id)
    )


async def start(
    db: Database, member: Member | None, typed: str = "", *, from_button: bool = False
) -> Step:
    """The scope question; what followed ``/propose`` (``typed``) is taken as the title and
    details once the scope is chosen."""
    async with db.session() as session:
        scopes = await scopes_of(session, member)
    if not scopes:
        return Step(
            [
                reply(
                    t(
                        "I don't know where you live yet, so I can't tell which building, grid or "
                        "community a proposal of yours is for. Send /join to join your household "
                        "first, or raise it in your group with /propose and the title."
                    )
                )
            ]
        )
    buttons = tuple((Button(_scope_label(s), f"{SCOPE}{s.id}"),) for s in scopes)
    prompt = reply(
        t("<b>New proposal</b>"),
        t("Which scope is it for? The households there can second it and vote on it."),
        buttons=(*buttons, _nav("scope")),
    )
    return Step([said(prompt, from_button=from_button)], "scope", {"typed": typed} if typed else {})


async def choose_scope(db: Database, member: Member | None, data: dict, scope_id: int) -> Step:
    async with db.session() as session:
        allowed = {s.id: s for s in await scopes_of(session, member)}
    if scope_id not in allowed:
        return stale()
    scope = allowed[scope_id]
    typed = data.get("typed")
    data = {"scope": scope.id, "community": scope.community_id, "scope_name": scope.name}
    if typed:
        return await title_typed(db, data, typed)
    return Step([_ask_title(data, from_button=True)], "title", data)


def _ask_title(data: dict, *, from_button: bool) -> Outcome:
    prompt = reply(
        t("Scope: {scope}.", scope=data["scope_name"]),
        t(
            "Type the title of your proposal ({min}–{max} characters). Details can follow on the "
            "next lines, or come in the next step.",
            min=TITLE_MIN,
            max=TITLE_MAX,
        ),
        buttons=(_nav("title"),),
    )
    return said(prompt, from_button=from_button)


def _ask_details(data: dict, *, from_button: bool) -> Outcome:
    prompt = reply(
        t("Title: {title}", title=data["title"]),
        t(
            "Now type the details: what is wrong, where, what you suggest (at most {max} "
            "characters). Or skip them.",
            max=DETAILS_MAX,
        ),
        buttons=((Button(t("Skip the details"), SKIP),), _nav("details")),
    )
    return said(prompt, from_button=from_button)


async def _confirm(db: Database, data: dict, *, from_button: bool) -> Step:
    async with db.session() as session:
        group = await group_of(session, data["scope"])
    lines: list[Text] = [
        t("<b>Your proposal: {title}</b>", title=data["title"]),
    ]
    if data.get("details"):
        lines.append(t("{details}", details=data["details"]))
    lines.append(t("Scope: {scope}.", scope=data["scope_name"]))
    if group is not None:
        lines.append(t("It will be posted in the group “{group}”.", group=group.title))
    else:
        lines.append(no_group(data["scope_name"]))
    prompt = reply(*lines, buttons=((Button(t("Raise it"), CREATE),), _nav("confirm")))
    return Step([said(prompt, from_button=from_button)], "confirm", data)


def no_group(scope: str) -> Text:
    return t(
        "{scope} has no group bound to me yet, so it will not be posted in a group; it is listed "
        "under /proposals. Ask your grid worker to bind the group.",
        scope=scope,
    )


async def title_typed(db: Database, data: dict, typed: str) -> Step:
    """A title, perhaps with details on the next lines (then the details step is skipped)."""
    try:
        draft = parse_draft(typed)
    except Invalid as problem:
        return Step([reply(problem.text, buttons=(_nav("title"),))], "title", data)
    data = {**data, "title": draft.title, "details": draft.details}
    if draft.details is not None:
        return await _confirm(db, data, from_button=False)
    return Step([_ask_details(data, from_button=False)], "details", data)


async def details_typed(db: Database, data: dict, typed: str) -> Step:
    try:
        draft = parse_draft(f"{data['title']}\n{typed}")
    except Invalid as problem:
        return Step([reply(problem.text, buttons=(_nav("details"),))], "details", data)
    return await _confirm(db, {**data, "details": draft.details}, from_button=False)


async def skip_details(db: Database, data: dict) -> Step:
    return await _confirm(db, {**data, "details": None}, from_button=True)


async def back(db: Database, member: Member | None, data: dict, step: str) -> Step:
    """One step back: confirm → details → title → scope."""
    if step == "confirm":
        return Step([_ask_details(data, from_button=True)], "details", data)
    if step == "details":
        return Step([_ask_title(data, from_button=True)], "title", data)
    return await start(db, member, from_button=True)


def draft_of(data: dict) -> Draft:
    return Draft(data["title"], data.get("details"))


def creating(data: dict) -> Step:
    """The confirm message loses its buttons; the proposal (or the similar offer) follows."""
    lines: list[Text] = [t("<b>Your proposal: {title}</b>", title=data["title"])]
    if data.get("details"):
        lines.append(t("{details}", details=data["details"]))
    return Step([said(reply(*lines), from_button=True)])


def cancelled() -> Step:
    done = reply(t("Cancelled. Nothing was raised. Send /propose to start again."))
    return Step([said(done, from_button=True)])


def stale() -> Step:
    return Step([Toast(t("That button is from an earlier step."), alert=True)], KEEP)
