"""三事分流 and 4335 names, and the suggestion a new proposal gets (bot.text.categories).

The suggestion is stored in ``Proposal.kind``/``Proposal.area`` until a grid worker or a
moderator confirms or changes it (``category_confirmed_by_id``). The words behind it are not
stored: ``suggest`` is deterministic, so the proposal's message recomputes them when shown.
"""

from __future__ import annotations

import asyncio

from bot.flows.inputs import listing
from bot.i18n import Text, t
from bot.text.categories import Suggestion, suggest
from storage.models import Proposal

KIND_NAMES: dict[str, Text] = {
    "small": t("small matter"),
    "big": t("major matter"),
    "private": t("private matter"),
}
ROUTES: dict[str, Text] = {
    "small": t("the residents decide it here"),
    "big": t("the community takes it to the government side"),
    "private": t("the household's own: the grid worker answers it, it is never voted on"),
}
AREA_NAMES: dict[str, Text] = {  # the 4335 categories
    "development": t("development"),
    "management": t("management"),
    "supervision": t("supervision"),
    "election": t("election"),
}


def _text(title: str, details: str | None) -> str:
    return f"{title}\n{details}" if details else title


async def suggestion(title: str, details: str | None) -> Suggestion:
    """The suggested kind, area and scope of a new proposal (jieba runs off the event loop)."""
    return await asyncio.to_thread(suggest, _text(title, details))


def of(proposal: Proposal) -> Suggestion:
    """The suggestion a proposal got when it was raised (recomputed: ``suggest`` is pure)."""
    return suggest(_text(proposal.title, proposal.details))


def words(found: Suggestion) -> list[str]:
    """The words that led to the suggestion, each once."""
    return list(dict.fromkeys([*found.kind_words, *found.area_words, *found.scope_words]))


def private(proposal: Proposal) -> bool:
    """A confirmed 私事: answered by the grid worker, never seconded to the agenda or voted."""
    return proposal.kind == "private" and proposal.category_confirmed_by_id is not None


def not_for_agenda(proposal: Proposal) -> Text:
    return t(
        "No. {number} is a private matter: the grid worker answers it; it is not seconded "
        "or voted on.",
        number=proposal.number,
    )


def route(kind: str) -> Text:
    """“小事 (the residents decide it here)”."""
    return t("{kind} ({route})", kind=KIND_NAMES[kind], route=ROUTES[kind])


def area(code: str) -> Text:
    return t("4335 area: {area}", area=AREA_NAMES[code])


def line(proposal: Proposal) -> Text | None:
    """The category line of the proposal's message: the suggestion with its words, or the
    confirmed route; None for proposals raised before categories existed."""
    if proposal.kind is None or proposal.area is None:
        return None
    if proposal.category_confirmed_by_id is not None:
        return t(
            "Route: {route} · {area} (confirmed).",
            route=route(proposal.kind),
            area=area(proposal.area),
        )
    found = of(proposal)
    if found.kind != proposal.kind or not words(found):
        return t(
            "Suggested: {route} · {area}. The grid worker confirms or changes it.",
            route=route(proposal.kind),
            area=area(proposal.area),
        )
    return t(
        "Suggested: {route} · {area}, from the words {words}. The grid worker confirms or "
        "changes it.",
        route=route(proposal.kind),
        area=area(proposal.area),
        words=listing(words(found)),
    )
