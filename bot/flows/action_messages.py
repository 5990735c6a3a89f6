"""What is said about action items and their ratings: cards, lists, history and notices."""

from __future__ import annotations

from datetime import datetime

from bot.flows.actions import Item
from bot.flows.households import shown
from bot.flows.ratings import Summary
from bot.i18n import Text, t
from storage.models import ActionProgress

STATUS: dict[str, Text] = {
    "waiting": t("waiting for the decision to be final"),
    "open": t("open"),
    "done": t("done"),
}


def who(item: Item) -> Text:
    name = item.assignee.display_name if item.assignee else "—"
    if item.action.outside_party:
        return t("{party} (responsible: {name})", party=item.action.outside_party, name=name)
    return t("{name}", name=name)


def _when(item: Item, moment: datetime) -> str:
    return shown(moment, item.zone.key)


def overdue(item: Item, now: datetime) -> bool:
    return item.action.status != "done" and now > item.action.due_at


def line(item: Item, now: datetime) -> Text:
    """One item in a list: number, what, who, percent, due."""
    text = t(
        "<b>#{id}</b> {what} — {who}, {percent}%, due {due}",
        id=item.id,
        what=item.action.what,
        who=who(item),
        percent=item.action.percent,
        due=item.due_day(),
    )
    if item.action.status == "waiting":
        return t("{line} (starts when the decision is final)", line=text)
    if overdue(item, now):
        return t("{line} <b>overdue</b>", line=text)
    return text


def created(item: Item) -> tuple[Text, ...]:
    return (
        t(
            "Action item #{id} of decision {vote} “{title}”: {what}",
            id=item.id,
            vote=item.vote.id,
            title=item.vote.title,
            what=item.action.what,
        ),
        t("Assigned to {who}. Due: {due}.", who=who(item), due=item.due_day()),
        t(
            "It starts once the decision's public notice (公示) is final; then {who} is told "
            "and updates progress with /progress {id} PERCENT NOTE.",
            who=who(item),
            id=item.id,
        ),
    )


def listing(items: list[Item], scope: str, now: datetime) -> tuple[Text, ...]:
    if not items:
        return (t("No action items are open in {scope}.", scope=scope),)
    return (
        t("<b>Action items in {scope}</b>", scope=scope),
        *(line(item, now) for item in items),
        t("/actions N shows one item's history."),
    )


def details(
    item: Item, updates: list[tuple[ActionProgress, str]], rated: Summary, now: datetime
) -> tuple[Text, ...]:
    a = item.action
    lines: list[Text] = [
        t("<b>Action item #{id}: {what}</b>", id=item.id, what=a.what),
        t("Decision {vote}: {title}", vote=item.vote.id, title=item.vote.title),
        t("Assigned to {who}. Due: {due}.", who=who(item), due=item.due_day()),
        t("Status: {status}; progress: {percent}%.", status=STATUS[a.status], percent=a.percent),
    ]
    if overdue(item, now):
        lines.append(t("<b>Overdue.</b>"))
    lines.append(t("• {time} created", time=_when(item, a.created_at)))
    if a.started_at:
        lines.append(t("• {time} started: the decision is final", time=_when(item, a.started_at)))
    for update, name in updates:
        text = t(
            "• {time} {percent}% by {name}",
            time=_when(item, update.at),
            percent=update.percent,
            name=name,
        )
        lines.append(t("{line}: {note}", line=text, note=update.note) if update.note else text)
    if a.reminded_at:
        lines.append(t("• {time} reminded before the due date", time=_when(item, a.reminded_at)))
    if a.escalated_at:
        lines.append(t("• {time} overdue: escalated", time=_when(item, a.escalated_at)))
    if a.done_at:
        lines.append(t("• {time} done", time=_when(item, a.done_at)))
        lines.append(average(rated))
    return tuple(lines)


def progress_saved(item: Item) -> Text:
    return t(
        "Progress of #{id} saved: {percent}%. /actions {id} shows its history.",
        id=item.id,
        percent=item.action.percent,
    )


def opened_private(item: Item) -> tuple[Text, ...]:
    return (
        t(
            "<b>Action item #{id} is yours</b>: decision {vote} “{title}” is final.",
            id=item.id,
            vote=item.vote.id,
            title=item.vote.title,
        ),
        t("To do: {what}. Due: {due}.", what=item.action.what, due=item.due_day()),
        t(
            "Post progress with /progress {id} PERCENT NOTE, and /done {id} when it is done.",
            id=item.id,
        ),
    )


def opened_group(item: Item) -> tuple[Text, ...]:
    return (
        t(
            "<b>Action item #{id} started</b>: decision {vote} “{title}” is final.",
            id=item.id,
            vote=item.vote.id,
            title=item.vote.title,
        ),
        t("{what} — {who}, due {due}.", what=item.action.what, who=who(item), due=item.due_day()),
        t("/actions shows progress."),
    )


def reminder(item: Item) -> tuple[Text, ...]:
    return (
        t(
            "<b>Reminder</b>: action item #{id} “{what}” is due on {due}, in 3 days. "
            "Progress so far: {percent}%.",
            id=item.id,
            what=item.action.what,
            due=item.due_day(),
            percent=item.action.percent,
        ),
        t("Post progress with /progress {id} PERCENT NOTE, or /done {id}.", id=item.id),
    )


def escalated(item: Item, source: str) -> tuple[Text, ...]:
    return (
        t(
            "<b>⬆ Overdue action item #{id} from {source}</b>: {what}",
            id=item.id,
            source=source,
            what=item.action.what,
        ),
        t(
            "Assigned to {who}. It was due on {due}; progress: {percent}%.",
            who=who(item),
            due=item.due_day(),
            percent=item.action.percent,
        ),
        t(
            "Decision {vote}: {title}. /actions {id} shows its history.",
            vote=item.vote.id,
            title=item.vote.title,
            id=item.id,
        ),
    )


def escalated_supervisor(item: Item, source: str) -> tuple[Text, ...]:
    return (
        t("For the supervisors: action item #{id} is overdue.", id=item.id),
        *escalated(item, source),
    )


def escalated_assignee(item: Item) -> tuple[Text, ...]:
    return (
        t(
            "Action item #{id} “{what}” is overdue (due {due}): it went one scope up and the "
            "supervisors were told. Post progress with /progress {id} PERCENT NOTE.",
            id=item.id,
            what=item.action.what,
            due=item.due_day(),
        ),
    )


def average(rated: Summary) -> Text:
    if not rated.count:
        return t("No ratings yet.")
    return t(
        "Rating: {average} of 5; households that rated: {count}.",
        average=f"{rated.average:.1f}",
        count=rated.count,
    )


def rate_request(item: Item, rated: Summary, *, closed: bool = False) -> tuple[Text, ...]:
    """The message with the 1–5 buttons, in the group and privately; once ``closed``, the
    group's keeps the result."""
    until = _when(item, item.action.rating_until)
    return (
        t(
            "<b>Action item #{id} is done: how satisfied are you with the outcome?</b>",
            id=item.id,
        ),
        t(
            "{what} — decision {vote} “{title}”, by {who}.",
            what=item.action.what,
            vote=item.vote.id,
            title=item.vote.title,
            who=who(item),
        ),
        t("Rating closed on {until}.", until=until)
        if closed
        else t(
            "1 = very dissatisfied, 5 = very satisfied. One rating per household, changeable "
            "until {until}.",
            until=until,
        ),
        average(rated),
    )


def done(item: Item) -> Text:
    return t(
        "Action item #{id} is done. The households concerned are asked to rate it.", id=item.id
    )


def rated(status: str, score: int) -> Text:
    if status == "same":
        return t("Your household's rating of {score} was already recorded.", score=score)
    if status == "changed":
        return t("Your household's rating is now {score}.", score=score)
    return t("Thank you: your household rated {score}.", score=score)
