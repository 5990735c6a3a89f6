"""What the cycle's phases say in the community's groups: reminders, the agenda, the 协商日.

Every announcement of a phase that ran late ends with the reason (cycle_phases.late_note).
"""

from __future__ import annotations

from datetime import datetime

from bot.flows.agenda import Entry, Frozen
from bot.flows.agenda_changes import Postponed
from bot.flows.cycle_phases import late_note
from bot.flows.cycle_rules import Calendar, Phase, cycle
from bot.flows.cycle_settings import CycleConfig
from bot.flows.cycle_text import when
from bot.i18n import Text, t
from storage.models import CycleChair, CycleRun, Proposal

LEADING = 5  # proposals a reminder lists


def _times(config: CycleConfig, month: str) -> dict[Phase, datetime]:
    calendar = config.calendar()
    assert calendar is not None
    year, number = (int(part) for part in month.split("-"))
    return dict(cycle(calendar, year, number).times)


def _when(calendar: Calendar | None, moment: datetime) -> Text:
    assert calendar is not None
    return when(moment, calendar.zone)


def _support_line(proposal: Proposal, support: int, threshold: int) -> Text:
    if support >= threshold:
        return t(
            "No. {number} {title}: {n} households, enough for the agenda",
            number=proposal.number,
            title=proposal.title,
            n=support,
        )
    return t(
        "No. {number} {title}: {n} households, {needed} more needed",
        number=proposal.number,
        title=proposal.title,
        n=support,
        needed=threshold - support,
    )


def reminder(
    run: CycleRun, config: CycleConfig, leading: list[tuple[Proposal, int]]
) -> tuple[Text, ...]:
    times = _times(config, run.month)
    calendar = config.calendar()
    said = [
        t(
            "<b>Reminder: the 协商日 of {community} is {when}</b>",
            community=config.community,
            when=_when(calendar, times[Phase.DELIBERATION]),
        ),
        t(
            "The agenda is fixed {when}: proposals with at least {threshold} households of "
            "support go on it, at most {agenda}.",
            when=_when(calendar, times[Phase.FREEZE]),
            threshold=config.support_threshold,
            agenda=config.agenda_size,
        ),
    ]
    if times[Phase.FREEZE] <= run.due_at:
        said.pop()  # the agenda is already fixed
    if leading:
        said.append(t("<b>Leading proposals</b>"))
        said += [_support_line(p, n, config.support_threshold) for p, n in leading[:LEADING]]
    else:
        said.append(t("No proposals are open yet: raise one with /propose or #提案."))
    return (*said, *late_note(run))


def agenda(frozen: Frozen) -> tuple[Text, ...]:
    config = frozen.config
    times = _times(config, frozen.run.month)
    d = _when(config.calendar(), times[Phase.DELIBERATION])
    if not frozen.entries:
        return (
            t(
                "<b>No agenda for the 协商日 of {when}</b>: no proposal reached {threshold} "
                "households of support. Open proposals carry on to next month.",
                when=d,
                threshold=config.support_threshold,
            ),
            *late_note(frozen.run),
        )
    said = [
        t("<b>The agenda of the 协商日 {when} is fixed</b>", when=d),
        chair_line(frozen.chair),
    ]
    for entry in frozen.entries:
        said.append(item_line(entry))
        if entry.proposal.reason:  # e.g. back after an objection upheld in its 公示
            said.append(t("<i>{reason}</i>", reason=entry.proposal.reason))
    said.append(t("Each item has its own thread: discuss it there."))
    if frozen.below:
        said.append(
            t(
                "Proposals staying open for next month: {n}.",
                n=len(frozen.below),
            )
        )
    return (*said, *late_note(frozen.run))


def chair_line(chair: CycleChair | None) -> Text:
    if chair is None:
        return t("No chair this month: the rotation is empty. A moderator chairs.")
    return t("This month's chair: {name}", name=chair.name)


def item_line(entry: Entry) -> Text:
    return t(
        "Item {position}: No. {number} {title} ({n} households)",
        position=entry.item.position,
        number=entry.proposal.number,
        title=entry.proposal.title,
        n=entry.support,
    )


def topic_name(entry: Entry) -> Text:
    return t("Item {position}: {title}", position=entry.item.position, title=entry.proposal.title)


def anchor(entry: Entry) -> tuple[Text, ...]:
    return (
        t("<b>{item}</b>", item=item_line(entry)),
        t("Reply to this message to discuss the item; replies are kept for the minutes."),
    )


def opening(run: CycleRun, config: CycleConfig, chair: CycleChair | None) -> tuple[Text, ...]:
    times = _times(config, run.month)
    return (
        t("<b>The 协商日 of {community} begins</b>", community=config.community),
        chair_line(chair),
        t(
            "Votes open {when} for {hours} hours.",
            when=_when(config.calendar(), times[Phase.VOTE_OPEN]),
            hours=config.vote_hours,
        ),
        *late_note(run),
    )


def prompt(entry: Entry, chair: CycleChair | None) -> tuple[Text, ...]:
    who = chair.name if chair else t("the moderator")
    return (
        t("<b>{item}</b>", item=item_line(entry)),
        t(
            "{chair}, please open the discussion of this item. When it is ripe, open its vote "
            "with /vote #{number}.",
            chair=who,
            number=entry.proposal.number,
        ),
    )


def vote_opened(entry: Entry, vote_id: int, closes: datetime, config: CycleConfig) -> Text:
    return t(
        "Vote {id} on item {position} is open until {when}.",
        id=vote_id,
        position=entry.item.position,
        when=_when(config.calendar(), closes),
    )


def postponed(done: Postponed) -> Text:
    return t(
        "Item {position} (No. {number} {title}) is postponed: it comes first on next month's "
        "agenda.",
        position=done.position,
        number=done.proposal.number,
        title=done.proposal.title,
    )


def skipped(skipped_when: Text, next_when: Text, moved: list[Postponed]) -> tuple[Text, ...]:
    said = [
        t(
            "<b>The 协商日 {when} is skipped.</b> Proposals stay open; the next 协商日 is {next}.",
            when=skipped_when,
            next=next_when,
        )
    ]
    return (*said, *(postponed(done) for done in moved))
