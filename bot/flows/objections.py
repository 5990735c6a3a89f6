"""Objections to a decision in 公示: raised by residents of the scope during the window (or by a
supervisor on procedure, at any time), read by the whole scope (names only by moderators and
supervisors), decided by a moderator with a reason.

An upheld objection suspends the decision and puts its proposal back on next month's agenda
(a ``postponed`` agenda item, which the freeze carries first, and the proposal active again
with the objection as its reason). Each change and its audit event is one write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import render
from bot.flows import cycle_settings, households, proposals
from bot.flows.cycle_text import when
from bot.flows.inputs import Invalid, normalize
from bot.flows.results import Notify
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import (
    ActionItem,
    AgendaItem,
    Community,
    Member,
    Objection,
    Proposal,
    Publicity,
    Vote,
)

REASON_LIMIT = 1000
VERDICTS = {"reject": "rejected", "驳回": "rejected", "uphold": "upheld", "成立": "upheld"}
PROCEDURAL = ("procedural", "程序")
STATUS_NAMES = {
    "pending": t("pending"),
    "rejected": t("rejected"),
    "upheld": t("upheld"),
}


def clean_reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid(t("Give the reason in words."))
    if len(reason) > REASON_LIMIT:
        raise Invalid(
            t(
                "The reason has {n} characters; the limit is {limit}. Shorten it and send it "
                "again.",
                n=len(reason),
                limit=REASON_LIMIT,
            )
        )
    return reason


async def open_window(db: Database, publicity_id: int, now: datetime) -> Publicity:
    """The 公示 a resident may still object to; Invalid saying why not."""
    async with db.session() as s:
        return _accepting(await s.get(Publicity, publicity_id), now)


def _accepting(row: Publicity | None, now: datetime) -> Publicity:
    if row is None:
        raise Invalid(t("This 公示 no longer exists."))
    if row.status != "open" or now >= row.ends_at:
        raise Invalid(
            t("The 公示 of vote {id} is over: objections are no longer accepted.", id=row.vote_id)
        )
    return row


@dataclass(frozen=True)
class Raised:
    objection: Objection
    title: str
    notices: list[Notify]


async def _staff_notices(
    s: AsyncSession, community_id: int, said: tuple[Text, ...], skip: int | None = None
) -> list[Notify]:
    staff = await households.staff(s, community_id, "moderator")
    staff += await households.staff(s, community_id, "supervisor")
    ids = dict.fromkeys(m.tg_user_id for m in staff if m.id != skip)
    return [Notify(tg, said) for tg in ids]


async def raise_objection(
    db: Database,
    publicity_id: int,
    member: Member,
    reason: str,
    now: datetime,
    *,
    procedural: bool = False,
) -> Raised:
    """Store an objection; moderators and supervisors are told (with the name: they may see it)."""
    reason = clean_reason(reason)
    async with db.write() as s:
        row = await s.get(Publicity, publicity_id)
        if not (procedural and row is not None):  # procedure may be objected to at any time
            row = _accepting(row, now)
        objection = Objection(
            publicity_id=row.id,
            member_id=member.id,
            household_id=member.household_id,
            reason=reason,
            procedural=procedural,
            created_at=now,
        )
        s.add(objection)
        await s.flush()
        await audit.record(
            s,
            "objection.raised",
            actor_id=member.id,
            community_id=row.community_id,
            subject=f"vote:{row.vote_id}",
            data={"objection": objection.id, "procedural": procedural},
        )
        vote = await s.get(Vote, row.vote_id)
        kind = t("procedural objection") if procedural else t("objection")
        said = (
            t(
                "New {kind} No. {objection} to the decision on “{title}” (vote {id}) from "
                "{name}: {reason}",
                kind=kind,
                objection=objection.id,
                title=vote.title,
                id=vote.id,
                name=member.display_name,
                reason=reason,
            ),
            t(
                "Decide it with /objection {objection} reject <reason> or /objection "
                "{objection} uphold <reason>.",
                objection=objection.id,
            ),
        )
        notices = await _staff_notices(s, row.community_id, said, skip=member.id)
    return Raised(objection, vote.title, notices)


async def listing(db: Database, row: Publicity, *, with_names: bool) -> tuple[Text, ...]:
    """All objections to one 公示: texts for everyone, names for those who may see them."""
    async with db.session() as s:
        vote = await s.get(Vote, row.vote_id)
        found = (
            await s.scalars(
                select(Objection).where(Objection.publicity_id == row.id).order_by(Objection.id)
            )
        ).all()
        zone = ZoneInfo((await s.get(Community, row.community_id)).timezone)
        names = {}
        if with_names:
            for objection in found:
                member = await s.get(Member, objection.member_id) if objection.member_id else None
                names[objection.id] = member.display_name if member else "—"
    head = [
        t(
            "<b>Objections to the decision on “{title}” (vote {id})</b>",
            title=vote.title,
            id=vote.id,
        ),
        _window(row, zone),
    ]
    if not found:
        return (*head, t("No objections."))
    lines = []
    for objection in found:
        line = t(
            "No. {id} ({status}): {reason}",
            id=objection.id,
            status=STATUS_NAMES[objection.status],
            reason=objection.reason,
        )
        if objection.procedural:
            line = t("{line} [procedural]", line=line)
        if with_names:
            line = t("{line} — {name}", line=line, name=names[objection.id])
        if objection.decision_reason:
            line = t("{line} Decision: {reason}", line=line, reason=objection.decision_reason)
        lines.append(line)
    return (*head, *lines)


def _window(row: Publicity, zone: ZoneInfo) -> Text:
    if row.status == "open":
        return t("公示 open until {until}.", until=when(row.ends_at, zone))
    if row.status == "final":
        return t("公示 ended: the decision is final.")
    return t("The decision is suspended: an objection was upheld.")


@dataclass(frozen=True)
class Decided:
    objection: Objection
    publicity: Publicity
    title: str
    notices: list[Notify]  # the objector; the group and the proposer when suspended
    suspended: bool
    proposal_id: int | None = None  # back on the agenda: its card changed


def parse_decision(args: str | None) -> tuple[int, str, str]:
    """``ID reject|uphold reason`` → (id, verdict, reason); Invalid with an example."""
    words = (args or "").strip().split(maxsplit=2)
    if len(words) < 2 or not normalize(words[0]).lstrip("#").isdigit():
        raise Invalid(
            t(
                "Say which objection and how: /objection 3 reject the vote was fair, or "
                "/objection 3 uphold the notice was never posted."
            )
        )
    verdict = VERDICTS.get(normalize(words[1]).lower())
    if verdict is None:
        raise Invalid(t("Decide with “reject” or “uphold”, e.g. /objection 3 reject <reason>."))
    return (
        int(normalize(words[0]).lstrip("#")),
        verdict,
        clean_reason(words[2] if len(words) > 2 else ""),
    )


async def decide(
    db: Database,
    community_id: int,
    objection_id: int,
    verdict: str,
    reason: str,
    *,
    actor_id: int | None,
    now: datetime,
) -> Decided:
    async with db.write() as s:
        objection = await s.get(Objection, objection_id)
        row = await s.get(Publicity, objection.publicity_id) if objection else None
        if row is None or row.community_id != community_id:
            raise Invalid(t("There is no objection No. {id} in this community.", id=objection_id))
        if objection.status != "pending":
            raise Invalid(
                t(
                    "Objection No. {id} is already decided: {status}.",
                    id=objection.id,
                    status=STATUS_NAMES[objection.status],
                )
            )
        objection.status, objection.decided_at = verdict, now
        objection.decided_by_id, objection.decision_reason = actor_id, reason
        s.add(objection)
        await audit.record(
            s,
            f"objection.{verdict}",
            actor_id=actor_id,
            community_id=community_id,
            subject=f"vote:{row.vote_id}",
            data={"objection": objection.id, "reason": reason},
        )
        vote = await s.get(Vote, row.vote_id)
        verdict_name = STATUS_NAMES[verdict]
        notices = []
        objector = await s.get(Member, objection.member_id) if objection.member_id else None
        if objector is not None and objector.forgotten_at is None:
            notices.append(
                Notify(
                    objector.tg_user_id,
                    (
                        t(
                            "Your objection No. {id} to the decision on “{title}” was "
                            "{verdict}. Reason: {reason}",
                            id=objection.id,
                            title=vote.title,
                            verdict=verdict_name,
                            reason=reason,
                        ),
                    ),
                )
            )
        suspended = verdict == "upheld" and row.status != "suspended"
        proposal = None
        if suspended:
            proposal = await _suspend(s, row, vote, objection, actor_id=actor_id, now=now)
            if row.chat_id is not None:
                notices.append(Notify(row.chat_id, suspended_notice(vote, objection)))
            proposer = await s.get(Member, proposal.proposer_id) if proposal else None
            if proposer is not None and proposer.forgotten_at is None:
                notices.append(Notify(proposer.tg_user_id, (returned_notice(proposal, objection),)))
    return Decided(
        objection, row, vote.title, notices, suspended, proposal.id if proposal else None
    )


def returned_notice(proposal: Proposal, objection: Objection) -> Text:
    return t(
        "Your proposal No. {number} “{title}” returns to next month's agenda: objection No. "
        "{id} to its decision was upheld ({reason}).",
        number=proposal.number,
        title=proposal.title,
        id=objection.id,
        reason=objection.decision_reason,
    )


def suspended_notice(vote: Vote, objection: Objection) -> tuple[Text, ...]:
    return (
        t(
            "The decision on “{title}” (vote {id}) is suspended: objection No. {objection} was "
            "upheld. The item returns to next month's agenda with the objection attached.",
            title=vote.title,
            id=vote.id,
            objection=objection.id,
        ),
        t("Objection: {reason}", reason=objection.reason),
        t("Decision on the objection: {reason}", reason=objection.decision_reason),
    )


async def _suspend(
    s: AsyncSession,
    row: Publicity,
    vote: Vote,
    objection: Objection,
    *,
    actor_id: int | None,
    now: datetime,
) -> Proposal | None:
    """The decision is suspended; its proposal goes back onto next month's agenda. Its action
    items already started (a procedural objection can come after the decision became final)
    wait again: nobody is reminded of, or escalated for, a suspended decision's work."""
    row.status, row.ended_at = "suspended", now
    s.add(row)
    halted = await s.execute(
        update(ActionItem)
        .where(col(ActionItem.vote_id) == vote.id, col(ActionItem.status) == "open")
        .values(status="waiting")
        .returning(ActionItem.id)
    )
    await audit.record(
        s,
        "publicity.suspended",
        actor_id=actor_id,
        community_id=row.community_id,
        subject=f"vote:{vote.id}",
        data={
            "publicity": row.id,
            "objection": objection.id,
            "actions_halted": list(halted.scalars()),
        },
    )
    proposal = await s.get(Proposal, vote.proposal_id) if vote.proposal_id else None
    if proposal is None:
        return None
    item = await s.scalar(
        select(AgendaItem)
        .where(AgendaItem.proposal_id == proposal.id)
        .order_by(col(AgendaItem.month).desc())
        .limit(1)
    )
    if item is None:  # decided by a vote outside the cycle: give it an item to carry
        community = await s.get(Community, row.community_id)
        month = now.astimezone(ZoneInfo(community.timezone)).strftime("%Y-%m")
        last = await s.scalar(
            select(func.max(AgendaItem.position)).where(
                AgendaItem.community_id == row.community_id, AgendaItem.month == month
            )
        )
        item = AgendaItem(
            community_id=row.community_id,
            month=month,
            position=(last or 0) + 1,
            proposal_id=proposal.id,
            chat_id=row.chat_id,
        )
    item.status = "postponed"
    s.add(item)
    config = await cycle_settings.load(s, row.community_id)
    support = await proposals.support_count(s, proposal.id)
    community = await s.get(Community, row.community_id)
    reason = render.plain(
        community.language,
        t(
            "Back on the agenda: objection No. {id} upheld during the 公示 — {reason}",
            id=objection.id,
            reason=objection.reason,
        ),
    )[:500]
    status = "supported" if support >= config.support_threshold else "open"
    await proposals.set_status(
        s, proposal, status, actor_id=actor_id, reason=reason, now=now, objection=objection.id
    )
    return proposal


# -- privacy (/mydata, /forgetme) -------------------------------------------------------------


async def mydata_lines(s: AsyncSession, member_id: int, zone: str) -> list[Text]:
    found = (
        await s.scalars(
            select(Objection).where(Objection.member_id == member_id).order_by(Objection.id)
        )
    ).all()
    lines = []
    for objection in found:
        row = await s.get(Publicity, objection.publicity_id)
        lines.append(
            t(
                "Objection No. {id} of {when} to vote {vote} ({status}): {reason}",
                id=objection.id,
                when=when(objection.created_at, ZoneInfo(zone)),
                vote=row.vote_id,
                status=STATUS_NAMES[objection.status],
                reason=objection.reason,
            )
        )
    return lines


async def forget(s: AsyncSession, member_id: int) -> int:
    """The objections stay (the scope read them; decisions rest on them) without their author."""
    found = (await s.scalars(select(Objection).where(Objection.member_id == member_id))).all()
    for objection in found:
        objection.member_id, objection.household_id = None, None
        s.add(objection)
    return len(found)
