"""Paper and show-of-hands ballots, recorded by the household's grid worker.

``/offline 3 7-1-101 同意`` reads the vote, the household and the choice (by label or number,
full-width characters too), checks what can be checked before anyone confirms, and returns a
summary with the buttons that carry the whole request, so a confirmation needs no stored state
and a stale or repeated press ends like the first one. The ballot itself goes through the ballot
writer, marked offline and audited there; a representative can replace it online only when the
grid worker said so (``online_may_replace``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import ballot_writer as bw
from bot.flows import households
from bot.flows.households import Located
from bot.flows.inputs import Invalid, normalize
from bot.flows.results import Button, EditOrigin, Reply, reply
from bot.flows.votes import options_of
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import Ballot, Member, Vote, VoteElector

PREFIX = "vf:"
CANCEL = "vf:no"
USAGE = "/offline 3 7-1-101 同意"


@dataclass(frozen=True)
class Request:
    """A confirmed or to-be-confirmed offline ballot; also what the buttons carry."""

    vote_id: int
    household_id: int
    option: int
    allow_online: bool = False

    def data(self, allow_online: bool) -> str:
        return f"{PREFIX}{self.vote_id}:{self.household_id}:{self.option}:{int(allow_online)}"


def parse_data(data: str) -> Request | None:
    parts = data.removeprefix(PREFIX).split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    vote_id, household_id, option, allow = (int(p) for p in parts)
    return Request(vote_id, household_id, option, bool(allow))


@dataclass(frozen=True)
class Draft:
    """What the grid worker asked for, checked: shown to them before it is stored."""

    vote: Vote
    located: Located
    request: Request
    replaces_paper: bool


def split(args: str | None) -> tuple[str, str, str]:
    """``3 7-1-101 同意`` → vote number, household code, choice."""
    parts = normalize(args or "").split(" ", 2)
    if len(parts) != 3 or not parts[0].lstrip("#").isdigit():
        raise Invalid(
            t(
                "Give the vote's number, the household and the choice, e.g. {example}.",
                example=USAGE,
            )
        )
    return parts[0].lstrip("#"), parts[1], parts[2]


def choice(labels: tuple[str, ...], typed: str) -> int | None:
    """An option by its label (any case) or its number counted from 1."""
    wanted = typed.strip().lower()
    for index, label in enumerate(labels):
        if normalize(label).lower() == wanted:
            return index
    if wanted.isdigit() and 1 <= int(wanted) <= len(labels):
        return int(wanted) - 1
    return None


async def open_vote(session: AsyncSession, community_id: int | None, number: str) -> Vote:
    """The vote, when it exists in this community and is still open."""
    vote = await session.get(Vote, int(number)) if number.isdigit() else None
    if vote is None or vote.community_id != community_id:
        raise Invalid(t("There is no vote {id} in this community.", id=number))
    if vote.closed_at is not None:
        raise Invalid(t("Vote {id} is already closed.", id=vote.id))
    return vote


async def draft(db: Database, community_id: int | None, args: str | None) -> Draft:
    number, code, typed = split(args)
    async with db.session() as session:
        vote = await open_vote(session, community_id, number)
        located = await households.by_code(session, vote.community_id, code)
        if located is None:
            raise Invalid(households.unknown(code))
        labels = options_of(vote)
        option = choice(labels, typed)
        if option is None:
            raise Invalid(
                t(
                    "Vote {id} has no option “{option}”. Its options: {options}.",
                    id=vote.id,
                    option=typed,
                    options=" / ".join(f"{i + 1} {label}" for i, label in enumerate(labels)),
                )
            )
        household = located.household
        if not await _is_elector(session, vote.id, household.id):
            raise Invalid(not_elector(household.code))
        ballot = await session.scalar(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.household_id == household.id)
        )
        if ballot is not None and not ballot.offline:
            by = await session.get(Member, ballot.cast_by_id) if ballot.cast_by_id else None
            raise Invalid(voted_online(household.code, by.display_name if by else None))
    return Draft(
        vote, located, Request(vote.id, household.id, option), ballot is not None and ballot.offline
    )


async def _is_elector(session: AsyncSession, vote_id: int, household_id: int) -> bool:
    found = await session.scalar(
        select(VoteElector.household_id).where(
            VoteElector.vote_id == vote_id, VoteElector.household_id == household_id
        )
    )
    return found is not None


def not_elector(code: str) -> Text:
    return t("Household {code} is not in this vote's electorate (fixed when it opened).", code=code)


def voted_online(code: str, name: str | None) -> Text:
    if name:
        return t(
            "Household {code} already voted online ({name}); its online ballot stands.",
            code=code,
            name=name,
        )
    return t("Household {code} already voted online; its online ballot stands.", code=code)


def secret_in_group() -> Text:
    return t(
        "This is a secret ballot: record paper ballots in a private chat with me, "
        "so nobody else sees the choice."
    )


def confirmation(d: Draft) -> Reply:
    label = options_of(d.vote)[d.request.option]
    paragraphs = [
        t("<b>Record this paper ballot?</b>"),
        t("Vote {id}: {title}", id=d.vote.id, title=d.vote.title),
        t("Household: {household}", household=d.located.describe()),
        t("Choice: {option}", option=label),
        t(
            "It is marked offline (paper or show of hands). The representative cannot change it "
            "online unless you allow it."
        ),
    ]
    if d.replaces_paper:
        paragraphs.append(t("It replaces the paper ballot recorded earlier."))
    buttons = (
        (Button(t("Confirm"), d.request.data(False)), Button(t("Cancel"), CANCEL)),
        (Button(t("Confirm, and allow an online change"), d.request.data(True)),),
    )
    return reply(*paragraphs, buttons=buttons)


def recorded(outcome: bw.Outcome, vote: Vote, code: str, allow_online: bool) -> EditOrigin:
    """The summary once confirmed: what was stored, or why nothing was. A secret ballot's
    choice is not repeated."""
    if outcome.stored:
        if vote.secret:
            text = t(
                "Recorded household {code}'s paper ballot in vote {id}. "
                "The choice is secret and is not shown again.",
                code=code,
                id=vote.id,
            )
        else:
            text = t(
                "Recorded household {code}'s paper ballot in vote {id}: {option}.",
                code=code,
                id=vote.id,
                option=options_of(vote)[outcome.option],
            )
        rule = (
            t("The representative may replace it online.")
            if allow_online
            else t("The representative cannot change it online.")
        )
        return EditOrigin((text, rule))
    reasons = {
        bw.CLOSED: t("Vote {id} is already closed.", id=vote.id),
        bw.NOT_ELECTOR: not_elector(code),
        bw.VOTED_ONLINE: voted_online(code, None),
        bw.NO_VOTE: t("There is no vote {id} in this community.", id=vote.id),
        bw.NO_OPTION: t("There is no vote {id} in this community.", id=vote.id),
    }
    return EditOrigin((t("Not recorded."), reasons[outcome.status]))
