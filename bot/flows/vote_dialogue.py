"""The guided dialogue that opens a vote: /vote without ``|`` asks for what is missing.

Steps: title → options → rule (→ share of all households, when the rule is one) → quorum →
ballot type → close time → the summary to confirm (the same summary the one-line form shows).
Every step offers buttons for the usual answers and takes a typed answer too; typed answers
meet the same parsers, with the same messages, as the one-line form (bot.flows.vote_spec).
Each prompt has back and cancel. The step, the parts chosen so far (a vote_spec.Draft) and the
way back live in the FSM data — stored in the database, so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.flows import vote_messages as say
from bot.flows import vote_proposals, vote_spec, votes
from bot.flows.dialogue import KEEP, Step, said, use_buttons
from bot.flows.inputs import Invalid
from bot.flows.results import Button, EditOrigin, Reply, Toast, reply
from bot.flows.vote_spec import Draft, Request
from bot.i18n import t
from storage.engine import Database
from storage.models import Proposal

PREFIX = "vd:"
STEPS = ("title", "options", "rule", "share", "quorum", "ballot", "duration", "confirm")
AT_LEAST, MORE_THAN = "at_least", "more_than"
SHARES = ("50", "60", "75")
BALLOTS = {"named": "记名", "live": "记名 实时", "secret": "无记名"}
DURATIONS = ("48h", "24h", "7d")


@dataclass(frozen=True)
class Place:
    """Where the vote will open: the bound group's community and scope, and their settings."""

    community_id: int
    scope_id: int
    language: str  # the community's: default option labels are in it
    timezone: str
    now: datetime


def data(step: str) -> str:
    """Callback data of a dialogue button: the step it answers, then the value."""
    return f"{PREFIX}{step}"


def parse(callback: str) -> tuple[str, str]:
    step, _, value = callback.removeprefix(PREFIX).partition(":")
    return step, value


async def begin(db: Database, place: Place, request: Request) -> Step:
    """/vote's arguments read: straight to the summary (one-line form) or the first question."""
    draft = request.draft
    async with db.session() as session:
        if request.proposal_number is not None:
            proposal = await vote_proposals.votable(
                session, place.community_id, request.proposal_number, place.scope_id
            )
            draft.title, draft.proposal, draft.scope = (
                proposal.title,
                proposal.id,
                proposal.scope_id,
            )
        size = len(
            await votes.electorate_of_scope(
                session, place.community_id, draft.scope or place.scope_id
            )
        )
    if size == 0:
        return Step(
            [reply(t("No households live in this group's scope yet: import the roster first."))]
        )
    state: dict[str, Any] = {"draft": draft.as_data(), "trail": []}
    if request.complete:
        vote_spec.build(draft, place.language)  # every part checked before the summary
        return await _show(db, place, state, "confirm", from_button=False)
    return await _show(db, place, state, "options" if draft.title else "title", from_button=False)


async def answer(
    db: Database, place: Place, state: dict[str, Any], step: str, value: str, *, from_button: bool
) -> Step:
    """A typed answer or a button's value for ``step`` (the step the dialogue is at)."""
    draft = Draft.from_data(state["draft"])
    try:
        if step == "title":
            draft.title = vote_spec.title(" ".join(vote_spec.normalized(value).split()))
        elif step == "options":
            draft.options = "" if from_button else " ".join(vote_spec.normalized(value).split())
            vote_spec.options(draft.options, place.language)
        elif step == "rule":
            state["comparator"] = value if from_button and value in (AT_LEAST, MORE_THAN) else None
            if from_button and state["comparator"] is None:
                state["base_rule"] = {"majority": "多数", "two_thirds": "三分之二"}[value]
            elif not from_button:
                state["base_rule"] = vote_spec.normalized(value).strip()
                vote_spec.rule(state["base_rule"])
            draft.rule = state.get("base_rule", "")
        elif step == "share":
            share = vote_spec.percent(value)
            more = state.get("comparator") == MORE_THAN
            state["base_rule"] = f"超过{share}%" if more else f"{share}%以上"
            draft.rule = state["base_rule"]
        elif step == "quorum":
            quorum = None if from_button and value == "none" else vote_spec.percent(value)
            draft.rule = state["base_rule"] + (f" 法定{quorum}%" if quorum else "")
        elif step == "ballot":
            draft.kind = BALLOTS[value] if from_button else vote_spec.normalized(value).strip()
            vote_spec.ballot_type(draft.kind)
        elif step == "duration":
            draft.duration = value if from_button else vote_spec.normalized(value).strip()
            vote_spec.duration(draft.duration)
        else:
            return use_buttons()
    except Invalid as problem:
        return Step([reply(problem.text)], KEEP)
    except KeyError:  # a button of another version of the bot
        return stale()
    state["draft"] = draft.as_data()
    state["trail"] = [*state["trail"], step]
    return await _show(db, place, state, _after(step, state, draft), from_button=from_button)


async def back(db: Database, place: Place, state: dict[str, Any]) -> Step:
    if not state.get("trail"):
        return stale()
    *trail, previous = state["trail"]
    return await _show(db, place, {**state, "trail": trail}, previous, from_button=True)


def cancelled() -> Step:
    return Step([EditOrigin((t("Not opened."),))])


def stale() -> Step:
    return Step(
        [Toast(t("This question is not yours, or the dialogue is already over."), alert=True)],
        KEEP,
    )


def _after(step: str, state: dict[str, Any], draft: Draft) -> str:
    if step == "rule" and state.get("comparator"):
        return "share"
    if step == "rule" and vote_spec.has_quorum(draft.rule):
        return "ballot"  # the typed rule named its quorum already
    return STEPS[STEPS.index(step) + 1 + (step == "rule")]


async def _show(
    db: Database, place: Place, state: dict[str, Any], step: str, *, from_button: bool
) -> Step:
    if step == "confirm":
        prompt = await _summary(db, place, state)
    else:
        prompt = _prompt(step, state, place.language)
    return Step([said(prompt, from_button=from_button)], step, state)


async def _summary(db: Database, place: Place, state: dict[str, Any]) -> Reply:
    draft = Draft.from_data(state["draft"])
    spec = vote_spec.build(draft, place.language)
    async with db.session() as session:
        size = len(
            await votes.electorate_of_scope(
                session, place.community_id, draft.scope or place.scope_id
            )
        )
        proposal = await session.get(Proposal, draft.proposal) if draft.proposal else None
    paragraphs, buttons = say.summary(
        spec,
        size,
        place.now + spec.duration,
        place.timezone,
        proposal=proposal,
        back=bool(state["trail"]),
    )
    return reply(*paragraphs, buttons=buttons)


def _prompt(step: str, state: dict[str, Any], language: str) -> Reply:
    draft = Draft.from_data(state["draft"])
    nav = (Button(t("‹ Back"), data(f"{step}:back")),) if state["trail"] else ()
    nav += (Button(t("Cancel"), data(f"{step}:cancel")),)

    def row(*pairs: tuple[Any, str]) -> tuple[Button, ...]:
        return tuple(Button(label, data(f"{step}:{value}")) for label, value in pairs)

    if step == "title":
        return reply(
            t("<b>New vote.</b> What is it about? Send its title, e.g. 7栋安装门禁系统."),
            buttons=(nav,),
        )
    if step == "options":
        labels = " / ".join(vote_spec.APPROVAL_LABELS.get(language, ("同意", "不同意", "弃权")))
        return reply(
            t("<b>{title}</b>", title=draft.title),
            t(
                "Which options? Press the button, or send your own separated by /, "
                "e.g. 方案A/方案B/方案C."
            ),
            buttons=(row((t("{label}", label=labels), "approval")), nav),
        )
    if step == "rule":
        return reply(
            t(
                "Which rule decides it? Abstentions count as ballots but not as agreement; a "
                "tie fails. Or send a rule such as 过半数, 60%以上, 超过50% (add 法定50% to "
                "require a quorum)."
            ),
            buttons=(
                row((t("More than half of the ballots"), "majority")),
                row((t("Two thirds of the ballots"), "two_thirds")),
                row((t("A share of all households, at least (以上)"), AT_LEAST)),
                row((t("A share of all households, more than (超过)"), MORE_THAN)),
                nav,
            ),
        )
    if step == "share":
        question = (
            t(
                "More than what share of all households must agree? 超过 does not include the "
                "number itself: 超过50%, the same as 过半数. Press one or send a percentage."
            )
            if state.get("comparator") == MORE_THAN
            else t(
                "At least what share of all households must agree? 以上 includes the number "
                "itself: 60%以上 passes with exactly 60 %. Press one or send a percentage."
            )
        )
        shares = row(*((t("{percent} %", percent=p), p) for p in SHARES))
        return reply(question, buttons=(shares, nav))
    if step == "quorum":
        return reply(
            t(
                "Require a quorum, a share of all households that must vote for the result to "
                "count? Press No quorum, or send a percentage, e.g. 50."
            ),
            buttons=(row((t("No quorum"), "none"), (t("{percent} %", percent="50"), "50")), nav),
        )
    if step == "ballot":
        return reply(
            t(
                "Named ballot (签字表决: anyone can see who voted what) or secret ballot (only "
                "totals)? Results are shown when the vote closes, unless you choose live results."
            ),
            buttons=(
                row((t("Named, results at close"), "named")),
                row((t("Named, live results"), "live")),
                row((t("Secret, results at close"), "secret")),
                nav,
            ),
        )
    return reply(
        t("How long does it stay open? Press one, or send a duration like 3天 or 36小时."),
        buttons=(
            row(
                (t("48 hours (default)"), "48h"),
                (t("24 hours"), "24h"),
                (t("7 days"), "7d"),
            ),
            nav,
        ),
    )
