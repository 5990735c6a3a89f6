"""What a vote says: the summary to confirm, the ballot with its buttons, taps' answers, the
result. Only Text and Buttons here; times in the community's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows import ballot_writer as bw
from bot.flows import vote_rules as rules
from bot.flows.proposal_messages import closed_notice
from bot.flows.results import Button, Toast
from bot.flows.votes import Closed, Spec, options_of, rule_of
from bot.i18n import Text, t
from storage.models import Proposal, Vote

CONFIRM, CANCEL, BACK = "vo:ok", "vo:no", "vo:back"


def cast_data(vote_id: int, option: int) -> str:
    return f"vb:{vote_id}:{option}"


def parse_cast(data: str) -> tuple[int, int] | None:
    _, vote_id, option = (data.split(":") + ["", ""])[:3]
    return (int(vote_id), int(option)) if vote_id.isdigit() and option.isdigit() else None


def _ballot_type(secret: bool) -> Text:
    return t("secret ballot (only totals are shown)") if secret else t("named ballot (签字表决)")


def local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def summary(
    spec: Spec,
    electorate: int,
    closes_at: datetime,
    timezone: str,
    *,
    proposal: Proposal | None = None,
    back: bool = False,
):
    """The summary confirmed before a vote opens; ``back`` when a guided dialogue led here."""
    decides = (t("It decides proposal No. {number}.", number=proposal.number),) if proposal else ()
    paragraphs = (
        t("<b>Open this vote?</b>"),
        t("<b>{title}</b>", title=spec.title),
        *decides,
        t("Options: {options}", options=" / ".join(spec.options)),
        t("Rule: {rule}", rule=rules.describe(spec.rule)),
        t("Electorate: {n} households (fixed now)", n=electorate),
        t("Ballot: {type}", type=_ballot_type(spec.secret)),
        t("Closes at {time}", time=local(closes_at, timezone)),
    )
    buttons = ((Button(t("Open the vote"), CONFIRM), Button(t("Cancel"), CANCEL)),)
    if back:
        buttons = ((Button(t("‹ Back"), BACK),), *buttons)
    return paragraphs, buttons


def ballot(vote: Vote, voted: int, electorate: int, timezone: str, counts=None):
    """The ballot message: live turnout; running counts only when results are not hidden."""
    labels = options_of(vote)
    paragraphs = [
        t("<b>Vote {id}: {title}</b>", id=vote.id, title=vote.title),
        t("Rule: {rule}", rule=rules.describe(rule_of(vote))),
        t("Ballot: {type}", type=_ballot_type(vote.secret)),
        t("Closes at {time}", time=local(vote.closes_at, timezone)),
        t("Voted: {voted} of {n} households", voted=voted, n=electorate),
    ]
    if counts is not None and not vote.results_hidden:
        paragraphs.append(counts_line(labels, counts))
    paragraphs.append(t("Only each household's representative (or delegate) can vote."))
    buttons = tuple(
        (Button(t("{label}", label=label), cast_data(vote.id, i)),)
        for i, label in enumerate(labels)
    )
    return tuple(paragraphs), buttons


def ballot_closed(vote: Vote, closed: Closed):
    return (
        t("<b>Vote {id}: {title}</b>", id=vote.id, title=vote.title),
        t(
            "Closed. Voted: {voted} of {n} households",
            voted=closed.result.ballots,
            n=closed.result.electorate,
        ),
    )


def result(closed: Closed) -> tuple[Text, ...]:
    vote = closed.vote
    labels = options_of(vote)
    verdict = t("<b>Passed.</b>") if closed.result.passed else t("<b>Not passed.</b>")
    return (
        t("<b>Result of vote {id}: {title}</b>", id=vote.id, title=vote.title),
        verdict,
        closed.result.reason,
        counts_line(labels, closed.counts),
        t(
            "Turnout: {voted} of {n} households; {offline} offline (paper) ballots",
            voted=closed.result.ballots,
            n=closed.result.electorate,
            offline=closed.offline,
        ),
        *((closed_notice(closed.proposal),) if closed.proposal else ()),
    )


def counts_line(labels: tuple[str, ...], counts) -> Text:
    return t(
        "{counts}",
        counts="，".join(f"{label} {count}" for label, count in zip(labels, counts, strict=True)),
    )


def answer(outcome: bw.Outcome, labels: tuple[str, ...]) -> Toast:
    """The toast for a representative's tap."""
    label = labels[outcome.option] if outcome.option is not None else ""
    messages = {
        bw.NEW: t("Your household's vote: {option}. Recorded.", option=label),
        bw.CHANGED: t("Changed to {option}. Recorded.", option=label),
        bw.SAME: t("Your household's vote {option} is already recorded.", option=label),
        bw.CLOSED: t("This vote is closed."),
        bw.NOT_ELECTOR: t(
            "Your household is not in this vote's electorate (fixed when it opened)."
        ),
        bw.OFFLINE_LOCKED: t(
            "Your grid worker recorded your household's paper ballot; ask them to change it."
        ),
        bw.NO_VOTE: t("This vote no longer exists."),
        bw.NO_OPTION: t("This vote no longer exists."),
    }
    return Toast(messages[outcome.status], alert=not outcome.stored)


def not_representative(code: str, voted_by: str | None, voted: bool, secret: bool) -> Toast:
    """Why someone who is not the household's voter cannot vote, and whether it already did."""
    if voted and voted_by and not secret:
        text = t(
            "Only your household's representative votes. Household {code} already voted: {name} cast it.",
            code=code,
            name=voted_by,
        )
    elif voted:
        text = t(
            "Only your household's representative votes. Household {code} already voted.", code=code
        )
    else:
        text = t(
            "Only your household's representative (or their delegate) votes for household {code}.",
            code=code,
        )
    return Toast(text, alert=True)
