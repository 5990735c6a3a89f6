"""What proposals say: the proposal's message with its buttons, the similar-proposals offer,
answers to seconding, the list and the detail view. Only Text and Buttons here."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo

from bot.flows import proposal_category as category
from bot.flows import proposals as pr
from bot.flows.results import Button, EditOrigin, Outcome, Reply, Toast, reply
from bot.i18n import Text, t
from storage.models import Proposal

# Callback data: "pp:<what>:<proposal id>[:…]".
SECOND, DETAILS, INSTEAD, WITHDRAW, KEEP, PAGE = (
    "pp:s:",
    "pp:d:",
    "pp:i:",
    "pp:u:",
    "pp:k:",
    "pp:l:",
)
CREATE = "pp:new"
CARD_DETAILS = 200  # characters of details on the proposal's message; the rest under 详情

STATUS_NAMES: dict[str, Text] = {
    "open": t("collecting seconds"),
    "supported": t("enough support for the agenda"),
    "on_agenda": t("on the agenda"),
    "decided": t("decided"),
    "rejected": t("rejected"),
    "merged": t("merged"),
    "withdrawn": t("withdrawn"),
    "answered": t("answered"),
    "escalated": t("escalated"),
}


def ids(data: str, prefix: str) -> list[int]:
    """The numbers after ``prefix`` in callback data; [] when it is malformed."""
    parts = data.removeprefix(prefix).split(":")
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else []


def number_of(args: str | None) -> int | None:
    """A proposal number as people write it: 3, #3, No. 3, 第3号, ３."""
    found = re.search(r"\d+", unicodedata.normalize("NFKC", args or ""))
    return int(found.group()) if found else None


def _support_line(count: int, threshold: int) -> Text:
    if count >= threshold:
        return t("Seconded by {n} households: enough for the agenda.", n=count)
    return t(
        "Seconded by {n} households; {needed} more needed for the agenda.",
        n=count,
        needed=threshold - count,
    )


def _proposer(proposal: Proposal, name: str) -> Text:
    if proposal.unverified_proposer:
        return t("Raised by {name} (not a verified resident)", name=name)
    return t("Raised by {name}", name=name)


def card(
    proposal: Proposal, count: int, threshold: int, proposer: str, into: int | None = None
) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """The proposal's message in its group: live support while active, the outcome after
    (``into``: the number of the proposal a merged one went into)."""
    paragraphs: list[Text] = [
        t("<b>Proposal No. {number}: {title}</b>", number=proposal.number, title=proposal.title)
    ]
    if proposal.details:
        shown = proposal.details
        if len(shown) > CARD_DETAILS:
            shown = shown[:CARD_DETAILS] + "…"
        paragraphs.append(t("{details}", details=shown))
    paragraphs.append(_proposer(proposal, proposer))
    if proposal.status in pr.ACTIVE and category.private(proposal):
        paragraphs.append(category.line(proposal))  # answered, never seconded: no support
        return tuple(paragraphs), ((Button(t("Details"), f"{DETAILS}{proposal.id}"),),)
    if proposal.status in pr.ACTIVE:
        paragraphs += [line for line in (category.line(proposal),) if line is not None]
        paragraphs.append(_support_line(count, threshold))
        buttons = (
            (
                Button(t("Second ({n} households)", n=count), f"{SECOND}{proposal.id}"),
                Button(t("Details"), f"{DETAILS}{proposal.id}"),
            ),
        )
        return tuple(paragraphs), buttons
    paragraphs.append(_status(proposal, into))
    return tuple(paragraphs), ((Button(t("Details"), f"{DETAILS}{proposal.id}"),),)


def _status(proposal: Proposal, into: int | None = None) -> Text:
    if proposal.status == "merged" and into is not None:
        return t("Status: merged into No. {into}; second that one instead.", into=into)
    name = STATUS_NAMES[proposal.status]
    if proposal.reason:
        return t("Status: {status} ({reason})", status=name, reason=proposal.reason)
    return t("Status: {status}", status=name)


def similar_offer(found: list[tuple[Proposal, int]]) -> Reply:
    lines = [t("<b>Similar proposals are already open:</b>")]
    lines += [
        t("No. {number}: {title} ({n} households)", number=p.number, title=p.title, n=n)
        for p, n in found
    ]
    lines.append(t("Second one of them instead, or create yours anyway."))
    rows = tuple(
        (Button(t("Second No. {number} instead", number=p.number), f"{INSTEAD}{p.id}"),)
        for p, _ in found
    )
    return reply(*lines, buttons=(*rows, (Button(t("Create anyway"), CREATE),)))


def seconded(result: pr.Support, *, from_button: bool) -> Outcome:
    """The answer to a second that counted, was already counted, or came too late."""
    p = result.proposal
    if result.status == pr.NEW:
        text = t("Seconded: No. {number} now has {n} households.", number=p.number, n=result.count)
    elif result.status == pr.CLOSED:
        text = t(
            "No. {number} is {status}: it no longer takes support.",
            number=p.number,
            status=STATUS_NAMES[p.status],
        )
    elif result.status == pr.PRIVATE:
        text = category.not_for_agenda(p)
    elif result.by_name:
        text = t(
            "Household {code} already supports No. {number} ({name} seconded it): "
            "support is counted per household, so yours adds nothing.",
            code=result.household_code,
            number=p.number,
            name=result.by_name,
        )
    else:
        text = t(
            "Household {code} already supports No. {number}.",
            code=result.household_code,
            number=p.number,
        )
    if from_button:
        return Toast(text, alert=result.status != pr.NEW)
    return reply(text)


def confirm_withdraw(proposal: Proposal, member_id: int, name: str) -> Reply:
    return reply(
        t(
            "{name}, your household already supports No. {number}. Withdraw its support?",
            name=name,
            number=proposal.number,
        ),
        buttons=(
            (
                Button(t("Withdraw support"), f"{WITHDRAW}{proposal.id}:{member_id}"),
                Button(t("Keep it"), f"{KEEP}{proposal.id}:{member_id}"),
            ),
        ),
    )


def unseconded(result: pr.Support) -> Text:
    p = result.proposal
    if result.status == pr.WITHDRAWN:
        return t(
            "Your household's support of No. {number} is withdrawn; {n} households support it now.",
            number=p.number,
            n=result.count,
        )
    if result.status == pr.CLOSED:
        return t(
            "No. {number} is {status}: its support can no longer change.",
            number=p.number,
            status=STATUS_NAMES[p.status],
        )
    if result.status == pr.NOT_YOURS:
        return t(
            "{name} seconded No. {number} for household {code}: only they or the household "
            "representative can withdraw it.",
            name=result.by_name or "—",
            number=p.number,
            code=result.household_code,
        )
    return t("Your household does not support No. {number}.", number=p.number)


def kept(proposal: Proposal) -> EditOrigin:
    return EditOrigin((t("Your household still supports No. {number}.", number=proposal.number),))


def reached(proposal: Proposal, count: int) -> Text:
    return t(
        "Your proposal No. {number} “{title}” is seconded by {n} households: it can go on the "
        "agenda of the next deliberation day.",
        number=proposal.number,
        title=proposal.title,
        n=count,
    )


def already(proposal: Proposal) -> Text:
    """The answer to closing (withdrawing, rejecting, answering…) what is closed already."""
    return t(
        "No. {number} is already {status}.",
        number=proposal.number,
        status=STATUS_NAMES[proposal.status],
    )


def closed_notice(proposal: Proposal) -> Text:
    if proposal.reason:
        return t(
            "Proposal No. {number} “{title}” is {status}: {reason}",
            number=proposal.number,
            title=proposal.title,
            status=STATUS_NAMES[proposal.status],
            reason=proposal.reason,
        )
    return t(
        "Proposal No. {number} “{title}” is {status}.",
        number=proposal.number,
        title=proposal.title,
        status=STATUS_NAMES[proposal.status],
    )


def detail(
    proposal: Proposal,
    count: int,
    threshold: int,
    proposer: str,
    by_building: list[tuple[str, int]],
    timezone: str,
) -> Reply:
    """/proposal N: everything about one proposal, with support per building."""
    raised = proposal.created_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    lines: list[Text] = [
        t("<b>Proposal No. {number}: {title}</b>", number=proposal.number, title=proposal.title)
    ]
    if proposal.details:
        lines.append(t("{details}", details=proposal.details))
    lines += [
        t("{who}, {time}", who=_proposer(proposal, proposer), time=raised),
        _status(proposal),
        _support_line(count, threshold)
        if proposal.status in pr.ACTIVE
        else t("Seconded by {n} households.", n=count),
    ]
    lines += [t("• {building}: {n} households", building=b, n=n) for b, n in by_building]
    if proposal.status in pr.ACTIVE:
        lines += [line for line in (category.line(proposal),) if line is not None]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if proposal.status in pr.ACTIVE and not category.private(proposal):
        buttons = ((Button(t("Second ({n} households)", n=count), f"{SECOND}{proposal.id}"),),)
    return reply(*lines, buttons=buttons)


def page(
    found: list[tuple[Proposal, int]], scope_id: int, number: int, size: int, threshold: int
) -> tuple[tuple[Text, ...], tuple[tuple[Button, ...], ...]]:
    """One page of /proposals, with buttons to the neighbouring pages."""
    if not found:
        return (
            t("No open proposals here yet. Raise one with /propose followed by its title."),
        ), ()
    pages = (len(found) + size - 1) // size
    number = max(0, min(number, pages - 1))
    lines: list[Text] = [t("<b>Open proposals, most supported first ({n})</b>", n=len(found))]
    for p, n in found[number * size : (number + 1) * size]:
        lines.append(
            t(
                "No. {number}: {title} — {n}/{threshold} households",
                number=p.number,
                title=p.title,
                n=n,
                threshold=threshold,
            )
        )
    row: list[Button] = []
    if pages > 1:
        lines.append(
            t("Page {page} of {pages}. /proposal N shows one.", page=number + 1, pages=pages)
        )
        if number > 0:
            row.append(Button(t("◀ Previous"), f"{PAGE}{scope_id}:{number - 1}"))
        if number < pages - 1:
            row.append(Button(t("Next ▶"), f"{PAGE}{scope_id}:{number + 1}"))
    else:
        lines.append(t("/proposal N shows one."))
    return tuple(lines), (tuple(row),) if row else ()
