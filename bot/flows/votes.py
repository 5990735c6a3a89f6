"""Binding votes: open one over a scope's households, close it once, verify its tally.

Casting goes through :mod:`bot.flows.ballot_writer` (the hot path); everything here is a cold
path and uses ORM sessions. The electorate is fixed at opening (``vote_elector``), so a
household added to the roster later does not change the vote's denominator.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import ballot_writer, standing, vote_proposals
from bot.flows import vote_rules as rules
from bot.flows.vote_rules import Rule
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import (
    AuditEvent,
    Ballot,
    Household,
    Proposal,
    SecretBallot,
    Vote,
    VoteElector,
)

DEFAULT_DURATION = timedelta(hours=48)


@dataclass(frozen=True)
class Spec:
    """What the chair asked for, before it is opened."""

    title: str
    kind: str
    options: tuple[str, ...]
    rule: Rule
    secret: bool = False
    results_hidden: bool = True
    duration: timedelta = DEFAULT_DURATION


@dataclass(frozen=True)
class Closed:
    """A vote's result as computed at close (also stored as JSON on the vote)."""

    vote: Vote
    counts: tuple[int, ...]
    offline: int
    result: rules.Result
    proposal: Proposal | None = None  # the proposal this vote decided, now decided or rejected


def rule_of(vote: Vote) -> Rule:
    quorum = (
        Fraction(vote.quorum_num, vote.quorum_den) if vote.quorum_num and vote.quorum_den else None
    )
    return Rule(
        vote.rule, Fraction(vote.threshold_num, vote.threshold_den), vote.comparator, quorum
    )


def options_of(vote: Vote) -> tuple[str, ...]:
    return tuple(json.loads(vote.options))


async def electorate_of_scope(session: AsyncSession, community_id: int, scope_id: int) -> list[int]:
    """Households living in the scope or below it, now."""
    paths = await standing.scope_paths(session, community_id)
    target = paths.get(scope_id)
    if target is None:
        return []
    inside = [s for s, path in paths.items() if path[: len(target)] == target]
    rows = await session.scalars(
        select(Household.id).where(
            Household.community_id == community_id,
            Household.building_scope_id.in_(inside),
            Household.moved_out_at.is_(None),
        )
    )
    return sorted(rows.all())


async def open_vote(
    db: Database,
    community_id: int,
    scope_id: int,
    spec: Spec,
    *,
    opened_by_id: int | None,
    now: datetime,
    chat_id: int | None = None,
    proposal_id: int | None = None,
) -> Vote:
    """Open it with its electorate fixed now; a proposal it decides goes on the agenda in the
    same transaction (Invalid when that proposal can no longer be voted on)."""
    async with db.write() as session:
        return await open_in(
            session,
            community_id,
            scope_id,
            spec,
            opened_by_id=opened_by_id,
            now=now,
            chat_id=chat_id,
            proposal_id=proposal_id,
        )


async def open_in(
    session: AsyncSession,
    community_id: int,
    scope_id: int,
    spec: Spec,
    *,
    opened_by_id: int | None,
    now: datetime,
    chat_id: int | None = None,
    proposal_id: int | None = None,
    electorates: dict[int, list[int]] | None = None,
) -> Vote:
    """:func:`open_vote` inside the caller's write transaction (the 协商日 opens all its items'
    votes in one); Invalid is raised before anything is written. ``electorates`` keeps each
    scope's households across the openings of one transaction."""
    proposal = (
        await vote_proposals.put_on_agenda(session, proposal_id, actor_id=opened_by_id, now=now)
        if proposal_id
        else None
    )
    electorates = {} if electorates is None else electorates
    if scope_id not in electorates:
        electorates[scope_id] = await electorate_of_scope(session, community_id, scope_id)
    households = electorates[scope_id]
    quorum = spec.rule.quorum
    vote = Vote(
        community_id=community_id,
        scope_id=scope_id,
        title=spec.title,
        kind=spec.kind,
        options=json.dumps(list(spec.options), ensure_ascii=False),
        rule=spec.rule.kind,
        threshold_num=spec.rule.threshold.numerator,
        threshold_den=spec.rule.threshold.denominator,
        comparator=spec.rule.comparator,
        quorum_num=quorum.numerator if quorum else None,
        quorum_den=quorum.denominator if quorum else None,
        secret=spec.secret,
        results_hidden=spec.results_hidden,
        opened_by_id=opened_by_id,
        opened_at=now,
        closes_at=now + spec.duration,
        chat_id=chat_id,
        seal=ballot_writer.new_seal() if spec.secret else None,
        proposal_id=proposal_id,
    )
    session.add(vote)
    await session.flush()
    if households:
        await session.execute(
            insert(VoteElector), [{"vote_id": vote.id, "household_id": h} for h in households]
        )
    await audit.record(
        session,
        "vote.open",
        actor_id=opened_by_id,
        community_id=community_id,
        subject=f"vote:{vote.id}",
        data={
            "title": spec.title,
            "options": list(spec.options),
            "rule": spec.rule.kind,
            "threshold": str(spec.rule.threshold),
            "comparator": spec.rule.comparator,
            "quorum": str(quorum) if quorum else None,
            "secret": spec.secret,
            "electorate": len(households),
            "households": households,
            "closes_at": vote.closes_at.isoformat(),
            "proposal": proposal.number if proposal else None,
        },
    )
    return vote


async def set_message(db: Database, vote_id: int, chat_id: int, message_id: int) -> None:
    async with db.write() as session:
        await place(session, vote_id, chat_id, message_id)


async def place(session: AsyncSession, vote_id: int, chat_id: int, message_id: int) -> None:
    """Where the vote's ballot message is, inside the caller's write transaction."""
    await session.execute(
        update(Vote).where(Vote.id == vote_id).values(chat_id=chat_id, message_id=message_id)
    )


async def turnout(session: AsyncSession, vote_id: int) -> tuple[int, int]:
    """(households that voted, electorate), in one statement."""
    voted = select(func.count()).where(Ballot.vote_id == vote_id).scalar_subquery()
    size = select(func.count()).where(VoteElector.vote_id == vote_id).scalar_subquery()
    found = (await session.execute(select(voted, size))).one()
    return found[0] or 0, found[1] or 0


async def due(db: Database, now: datetime) -> list[int]:
    """Open votes whose close time has come (after a restart too)."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Vote.id).where(Vote.closed_at.is_(None), Vote.closes_at <= now)
        )
        return list(rows.all())


async def next_close(db: Database) -> datetime | None:
    async with db.session() as session:
        return await session.scalar(
            select(func.min(Vote.closes_at)).where(Vote.closed_at.is_(None))
        )


async def close_vote(
    db: Database, vote_id: int, *, now: datetime, closed_by_id: int | None = None
) -> Closed | None:
    """Close once: None when it was closed already. Tally in SQL, result stored, seal erased."""
    async with db.write() as session, audit.batched(session):
        claimed = await session.execute(
            update(Vote)
            .where(Vote.id == vote_id, Vote.closed_at.is_(None))
            .values(closed_at=now, closed_by_id=closed_by_id)
        )
        if claimed.rowcount != 1:
            return None
        vote = await session.get(Vote, vote_id)  # a new session: read after the update
        assert vote is not None
        labels = options_of(vote)
        found = await ballot_writer.tally(session, vote_id, vote.secret)
        counts = tuple(found.get(i, 0) for i in range(len(labels)))
        _, size = await turnout(session, vote_id)
        offline = await session.scalar(
            select(func.count()).where(Ballot.vote_id == vote_id, Ballot.offline)
        )
        result = rules.evaluate(counts, size, rule_of(vote), vote.kind, labels)
        stored = {
            "counts": list(counts),
            "ballots": result.ballots,
            "electorate": size,
            "offline": offline or 0,
            "passed": result.passed,
            "winner": result.winner,
        }
        if vote.secret:
            box = await session.execute(
                select(SecretBallot.receipt, SecretBallot.option).where(
                    SecretBallot.vote_id == vote_id
                )
            )
            stored["box_digest"] = ballot_writer.box_digest([tuple(r) for r in box.all()])
        vote.result = json.dumps(stored)
        vote.seal = None
        await audit.record(
            session,
            "vote.close",
            actor_id=closed_by_id,
            community_id=vote.community_id,
            subject=f"vote:{vote_id}",
            data=stored,
        )
        proposal = await vote_proposals.settle(
            session, vote, result, actor_id=closed_by_id, now=now
        )
    return Closed(vote, counts, offline or 0, result, proposal)


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: list[Text]


async def verify(db: Database, vote_id: int) -> Verification:
    """Recompute the vote from its audit events and compare with the ballots and the result;
    check the audit chain too. Problems are named in plain words (for supervisors and the CLI),
    never a secret ballot's choice."""
    async with db.session() as session:
        vote = await session.get(Vote, vote_id)
        if vote is None:
            return Verification(False, [t("Vote {id} does not exist.", id=vote_id)])
        chain = await audit.verify(session)
        problems = [t("The audit chain: {problem}", problem=p) for p in chain.problems]
        events = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject == f"vote:{vote_id}")
                .order_by(AuditEvent.id)
            )
        ).all()
        last: dict[int, dict] = {}
        close_data: dict | None = None
        for event in events:
            data = json.loads(event.data)
            if event.action in ("vote.cast", "vote.change"):
                last[data["household"]] = data
            elif event.action == "vote.close":
                close_data = data
        ballots = {
            b.household_id: b
            for b in (await session.scalars(select(Ballot).where(Ballot.vote_id == vote_id))).all()
        }
        codes = dict(
            (
                await session.execute(
                    select(Household.id, Household.code).where(
                        Household.id.in_(set(ballots) | set(last))
                    )
                )
            ).all()
        )
        for household in sorted(set(last) - set(ballots)):
            problems.append(
                t(
                    "Household {code}: the audit log has a ballot, the ballot table has none.",
                    code=codes.get(household),
                )
            )
        for household in sorted(set(ballots) - set(last)):
            problems.append(
                t("Household {code}: a ballot with no audit event.", code=codes.get(household))
            )
        labels = options_of(vote)
        if vote.secret:
            problems += await _verify_secret(session, vote, last, close_data, codes)
        else:
            for household, data in sorted(last.items()):
                ballot = ballots.get(household)
                if ballot is not None and ballot.option != data["option"]:
                    problems.append(
                        t(
                            "Household {code}: the ballot says {stored}, the audit log says "
                            "{logged}.",
                            code=codes.get(household),
                            stored=_label(labels, ballot.option),
                            logged=_label(labels, data["option"]),
                        )
                    )
            if close_data is not None:
                replayed = Counter(d["option"] for d in last.values())
                counts = [replayed.get(i, 0) for i in range(len(labels))]
                if counts != close_data["counts"]:
                    problems.append(
                        t(
                            "The result says {stored}, the audit log adds up to {logged}.",
                            stored=close_data["counts"],
                            logged=counts,
                        )
                    )
        stored = json.loads(vote.result) if vote.result else None
        if close_data is not None and stored != close_data:
            problems.append(t("The stored result differs from the one recorded at the close."))
    return Verification(not problems, problems)


async def _verify_secret(
    session: AsyncSession,
    vote: Vote,
    last: dict[int, dict],
    close_data: dict | None,
    codes: dict[int, str],
) -> list[Text]:
    problems: list[Text] = []
    box = (
        await session.execute(
            select(SecretBallot.receipt, SecretBallot.option).where(SecretBallot.vote_id == vote.id)
        )
    ).all()
    if len(box) != len(last):
        problems.append(
            t(
                "{ballots} secret ballots for {households} households that voted.",
                ballots=len(box),
                households=len(last),
            )
        )
    if vote.seal is not None:  # open: the seal still opens each household's commitment
        options = dict(box)
        for household, data in sorted(last.items()):
            token = ballot_writer.receipt(vote.seal, vote.id, household)
            option = options.get(token)
            if option is None or ballot_writer.commitment(
                vote.seal, vote.id, household, option
            ) != data.get("sealed"):
                problems.append(
                    t("Household {code}: its secret ballot was altered.", code=codes.get(household))
                )
    elif close_data is not None:
        counts = Counter(option for _, option in box)
        recount = [counts.get(i, 0) for i in range(len(options_of(vote)))]
        if recount != close_data["counts"]:
            problems.append(
                t(
                    "The result says {stored}, the secret ballots add up to {logged}.",
                    stored=close_data["counts"],
                    logged=recount,
                )
            )
        if ballot_writer.box_digest([tuple(r) for r in box]) != close_data.get("box_digest"):
            problems.append(t("The secret ballots changed after the close."))
    return problems


def _label(labels: tuple[str, ...], option: int | None) -> str:
    return labels[option] if option is not None and 0 <= option < len(labels) else str(option)
