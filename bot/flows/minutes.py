"""Minutes (会议纪要) of an agenda item, drafted when its vote closes.

``draft`` gathers what the minutes say — the item and its proposer, date and chair, how many
took part, the extractive summary of the thread (:mod:`bot.text.summary`), the vote and the
decision, action items — into a plain ``Minutes``. The chair may replace the summary with their
own wording (``edit_summary``) before publishing. ``paragraphs`` turns it into ``Text``:
``bot.render.message`` splits it under Telegram's limit at paragraph boundaries, and
``bot.flows.minutes_document`` makes the printable copy from the same paragraphs.

Pure: no storage, no Telegram. The vote's sentence is the one the vote's result used
(``vote_rules.evaluate``), so the minutes and the result never word it differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.flows import vote_rules as rules
from bot.flows.cycle_text import when
from bot.flows.vote_messages import counts_line
from bot.flows.votes import Closed, options_of, rule_of
from bot.i18n import Text, t
from bot.text import segment
from bot.text.summary import Message, Point, Summary, summarize

__all__ = [
    "ActionItem",
    "Minutes",
    "VoteTally",
    "draft",
    "edit_summary",
    "paragraphs",
    "summary_text",
]


@dataclass(frozen=True)
class VoteTally:
    """A closed vote as the minutes report it."""

    labels: tuple[str, ...]
    counts: tuple[int, ...]
    rule: rules.Rule
    result: rules.Result
    offline: int = 0

    @classmethod
    def of(cls, closed: Closed) -> VoteTally:
        vote = closed.vote
        return cls(options_of(vote), closed.counts, rule_of(vote), closed.result, closed.offline)


@dataclass(frozen=True)
class ActionItem:
    what: str
    assignee: str  # a member's name or room, or an outside party
    due: date | None = None


@dataclass(frozen=True)
class Minutes:
    title: str
    proposer: str
    chair: str
    held_at: datetime  # when the deliberation opened
    timezone: str
    participants: int
    messages: int
    summary: Summary
    vote: VoteTally | None = None
    decision: str = ""  # the chair's wording; empty: said from the vote's result
    actions: tuple[ActionItem, ...] = ()
    edited_summary: str | None = None  # the chair's text instead of the extractive summary
    captured: bool = True  # False: the bot could not read the group (privacy mode)


def draft(
    *,
    title: str,
    proposer: str,
    chair: str,
    held_at: datetime,
    timezone: str,
    thread: Sequence[Message],
    vote: VoteTally | None = None,
    decision: str = "",
    actions: Sequence[ActionItem] = (),
    segmenter: segment.Segmenter | None = None,
    captured: bool = True,
) -> Minutes:
    """The draft the chair receives; calls jieba (off the event loop: ``asyncio.to_thread``)."""
    return Minutes(
        title=title,
        proposer=proposer,
        chair=chair,
        held_at=held_at,
        timezone=timezone,
        participants=len({m.speaker for m in thread}),
        messages=len(thread),
        summary=summarize(thread, segmenter=segmenter),
        vote=vote,
        decision=decision.strip(),
        actions=tuple(actions),
        captured=captured,
    )


def edit_summary(minutes: Minutes, text: str) -> Minutes:
    """The chair's own summary; blank text goes back to the extractive one."""
    return replace(minutes, edited_summary=text.strip() or None)


def summary_text(summary: Summary) -> str:
    """The extractive summary as plain lines ("speaker：sentence"), for the chair to edit."""
    return "\n".join(f"{p.speaker}：{p.text}" for p in summary.chosen)


def _point(point: Point) -> Text:
    return t("• {speaker}: {text}", speaker=point.speaker, text=point.text)


def _summary(minutes: Minutes) -> list[Text]:
    if minutes.edited_summary:
        return [
            t("<b>Summary of the discussion</b>"),
            t("{summary}", summary=minutes.edited_summary),
        ]
    summary = minutes.summary
    if not minutes.captured:
        return [
            t("<b>Summary of the discussion</b>"),
            t(
                "The discussion was not captured: the bot could not read the group's messages. "
                "The chair may write the summary."
            ),
        ]
    if not summary.chosen:
        return [t("<b>Summary of the discussion</b>"), t("Nothing in the thread to quote.")]
    out = [t("<b>Main points of the discussion</b>"), *map(_point, summary.points)]
    if summary.pros:
        out += [t("<b>Views for</b>"), *map(_point, summary.pros)]
    if summary.cons:
        out += [t("<b>Views against and concerns</b>"), *map(_point, summary.cons)]
    return out


def _vote(vote: VoteTally | None) -> list[Text]:
    if vote is None:
        return [t("<b>Vote</b>"), t("No vote was held on this item.")]
    result = vote.result
    return [
        t("<b>Vote</b>"),
        t("Rule: {rule}", rule=rules.describe(vote.rule)),
        counts_line(vote.labels, vote.counts),
        t(
            "Turnout: {voted} of {n} households; {offline} offline (paper) ballots",
            voted=result.ballots,
            n=result.electorate,
            offline=vote.offline,
        ),
        t("Result: {sentence}", sentence=result.reason),
    ]


def _decision(minutes: Minutes) -> Text:
    if minutes.decision:
        return t("Decision: {decision}", decision=minutes.decision)
    if minutes.vote is None:
        return t("Decision: none yet.")
    if minutes.vote.result.passed:
        return t("Decision: “{title}” is adopted.", title=minutes.title)
    return t("Decision: “{title}” is not adopted.", title=minutes.title)


def _action(item: ActionItem) -> Text:
    if item.due is None:
        return t("• {what} — {assignee}", what=item.what, assignee=item.assignee)
    return t(
        "• {what} — {assignee}, due {due}",
        what=item.what,
        assignee=item.assignee,
        due=item.due.isoformat(),
    )


def paragraphs(minutes: Minutes) -> tuple[Text, ...]:
    """The minutes as paragraphs; each short enough to stay whole when the message is split."""
    actions = [t("<b>Action items</b>"), *map(_action, minutes.actions)] if minutes.actions else []
    return (
        t("<b>Minutes: {title}</b>", title=minutes.title),
        t("Proposed by: {proposer}", proposer=minutes.proposer),
        t("Chair: {chair}", chair=minutes.chair),
        t("Date: {date}", date=when(minutes.held_at, ZoneInfo(minutes.timezone))),
        t(
            "Discussion: {messages} messages from {participants} participants",
            messages=minutes.messages,
            participants=minutes.participants,
        ),
        *_summary(minutes),
        *_vote(minutes.vote),
        _decision(minutes),
        *actions,
    )
