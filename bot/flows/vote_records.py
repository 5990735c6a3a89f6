"""Finding decisions later: /votes lists the votes of a group's scope (open first, then the
closed ones, newest first, each with its one-line result), /votes N shows one vote's result.

Only totals ever: the lines come from the stored tally, never from a household's ballot, so a
secret ballot shows here exactly what its result message showed.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import ballot_writer, standing, votes
from bot.flows import vote_messages as say
from bot.flows import vote_rules as rules
from bot.flows.results import Button, Reply, reply
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import Proposal, Vote

PAGE = "vl:"  # vl:{scope_id}:{page}
PAGE_SIZE = 8
SETTLED = ("decided", "rejected")


def page_data(scope_id: int, number: int) -> str:
    return f"{PAGE}{scope_id}:{number}"


def parse_page(data: str) -> tuple[int, int] | None:
    scope, _, number = data.removeprefix(PAGE).partition(":")
    return (int(scope), int(number)) if scope.isdigit() and number.isdigit() else None


async def listing(
    db: Database, community_id: int, scope_id: int, number: int, timezone: str
) -> Reply:
    """One page of the votes of ``scope_id`` and the scopes inside it."""
    async with db.session() as session:
        paths = await standing.scope_paths(session, community_id)
        target = paths.get(scope_id, ())
        inside = [s for s, path in paths.items() if target and path[: len(target)] == target]
        found = (
            await session.scalars(
                select(Vote).where(Vote.community_id == community_id, Vote.scope_id.in_(inside))
            )
        ).all()
        running = sorted((v for v in found if v.closed_at is None), key=lambda v: v.closes_at)
        done = sorted(
            (v for v in found if v.closed_at is not None), key=lambda v: v.closed_at, reverse=True
        )
        ordered = [*running, *done]
        if not ordered:
            return reply(t("No votes here yet."))
        pages = (len(ordered) + PAGE_SIZE - 1) // PAGE_SIZE
        number = max(0, min(number, pages - 1))
        shown = ordered[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        lines: list[Text] = [t("<b>Votes here ({n}), open ones first</b>", n=len(ordered))]
        for vote in shown:
            lines.append(await _line(session, vote, timezone))
    row: list[Button] = []
    if pages > 1:
        lines.append(t("Page {page} of {pages}. /votes N shows one.", page=number + 1, pages=pages))
        if number > 0:
            row.append(Button(t("◀ Previous"), page_data(scope_id, number - 1)))
        if number < pages - 1:
            row.append(Button(t("Next ▶"), page_data(scope_id, number + 1)))
    else:
        lines.append(t("/votes N shows one."))
    return reply(*lines, buttons=(tuple(row),) if row else ())


async def _line(session: AsyncSession, vote: Vote, timezone: str) -> Text:
    if vote.closed_at is None:
        voted, size = await votes.turnout(session, vote.id)
        return t(
            "Vote {id}: {title} — open until {time}; {voted} of {n} households voted",
            id=vote.id,
            title=vote.title,
            time=say.local(vote.closes_at, timezone),
            voted=voted,
            n=size,
        )
    stored = json.loads(vote.result or "{}")
    labels = votes.options_of(vote)
    counts = stored.get("counts", [0] * len(labels))
    return t(
        "Vote {id}: {title} — {verdict}: {counts}; {voted} of {n} households voted",
        id=vote.id,
        title=vote.title,
        verdict=t("passed") if stored.get("passed") else t("failed"),
        counts="，".join(f"{label} {count}" for label, count in zip(labels, counts, strict=True)),
        voted=stored.get("ballots", 0),
        n=stored.get("electorate", 0),
    )


async def one(db: Database, vote: Vote, timezone: str) -> Reply:
    """/votes N: a closed vote's result as it was posted (recomputed from the stored tally);
    an open vote's ballot text with its turnout (counts only if it shows them live)."""
    async with db.session() as session:
        if vote.closed_at is None:
            voted, size = await votes.turnout(session, vote.id)
            counts = None
            if not vote.results_hidden and not vote.secret:
                found = await ballot_writer.tally(session, vote.id, vote.secret)
                counts = [found.get(i, 0) for i in range(len(votes.options_of(vote)))]
            paragraphs, _ = say.ballot(vote, voted, size, timezone, counts)
            hidden = (t("Results are shown when it closes."),) if counts is None else ()
            return reply(*paragraphs[:-1], *hidden)
        proposal = await session.get(Proposal, vote.proposal_id) if vote.proposal_id else None
    stored = json.loads(vote.result or "{}")
    labels = votes.options_of(vote)
    counts = tuple(stored.get("counts", [0] * len(labels)))
    result = rules.evaluate(
        counts, stored.get("electorate", 0), votes.rule_of(vote), vote.kind, labels
    )
    settled = proposal if proposal is not None and proposal.status in SETTLED else None
    closed = votes.Closed(vote, counts, stored.get("offline", 0), result, settled)
    return reply(
        *say.result(closed), t("Closed at {time}", time=say.local(vote.closed_at, timezone))
    )
