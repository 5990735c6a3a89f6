"""/mydata and /forgetme: a member sees everything stored about them, and can be forgotten.

Forgetting pseudonymises rather than deletes: the audit log is append-only and past ballots must
still add up, so the row stays under its id with nothing that points back to the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import or_, select

from bot.flows import action_privacy, households, objections, standing, unbinding
from bot.flows.joining import PRESET_REASON, STATUS_NAMES
from bot.flows.policy import Role
from bot.flows.results import Button, EditOrigin, Outcome, Reply, reply
from bot.flows.roles import role_label
from bot.flows.whoami import timezone_of
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import (
    AuditEvent,
    Delegation,
    JoinRequest,
    Member,
    PollAnswer,
    RoleGrant,
    Scope,
)

PREFIX = "forget:"
NOTHING = t("I store nothing about you.")


def in_private(command: str) -> Reply:
    """A command that shows personal data is answered only in a private chat."""
    return reply(
        t("Send /{command} to me in a private chat: the answer is personal.", command=command)
    )


def placeholder(member_id: int) -> str:
    """What a forgotten member is called from then on: no name, just the row's number."""
    return f"#{member_id}"


async def mydata(db: Database, member: Member | None) -> Reply:
    if member is None:
        return reply(
            NOTHING, t("I keep a record only once you choose a language or join a household.")
        )
    async with db.session() as s:
        community_id = await standing.home_community(s, member)
        zone = await timezone_of(s, community_id) if community_id else "Asia/Shanghai"

        def when(moment: datetime) -> str:
            return households.shown(moment, zone)

        lines: list[Text] = [
            t("<b>What I store about you</b>"),
            t("Name: {name}", name=member.display_name),
            t("Telegram id: {id}", id=member.tg_user_id),
            t("Language: {language}", language=member.language or t("as set in Telegram")),
            t("First seen: {when}", when=when(member.created_at)),
        ]
        located = await households.by_id(s, member.household_id) if member.household_id else None
        if located is not None and member.verified_at is not None:
            lines.append(
                t(
                    "Household: {household}, verified on {when}.",
                    household=located.describe(),
                    when=when(member.verified_at),
                )
            )
            if member.representative:
                lines.append(t("You are its representative (户代表)."))
        else:
            lines.append(t("Household: none."))
        grants = (
            await s.scalars(
                select(RoleGrant).where(RoleGrant.member_id == member.id).order_by(RoleGrant.id)
            )
        ).all()
        for grant in grants:
            scope = await s.get(Scope, grant.scope_id) if grant.scope_id else None
            label = role_label(Role(grant.role), scope.name if scope else None)
            if grant.revoked_at is None:
                lines.append(
                    t("Role: {role}, since {start}.", role=label, start=when(grant.granted_at))
                )
            else:
                lines.append(
                    t(
                        "Role: {role}, from {start} to {end}.",
                        role=label,
                        start=when(grant.granted_at),
                        end=when(grant.revoked_at),
                    )
                )
        requests = (
            await s.scalars(
                select(JoinRequest)
                .where(JoinRequest.member_id == member.id)
                .order_by(JoinRequest.id)
            )
        ).all()
        for request in requests:
            asked = await households.by_id(s, request.household_id)
            line = t(
                "Join request of {when} for household {code}: {status}.",
                when=when(request.created_at),
                code=asked.household.code if asked else "—",
                status=STATUS_NAMES[request.status],
            )
            if request.status == "rejected":
                line = t(
                    "{line} Reason: {reason}", line=line, reason=request.reason or PRESET_REASON
                )
            lines.append(line)
        delegations = (
            await s.scalars(
                select(Delegation)
                .where(
                    or_(
                        Delegation.from_member_id == member.id,
                        Delegation.to_member_id == member.id,
                    )
                )
                .order_by(Delegation.id)
            )
        ).all()
        for delegation in delegations:
            giver = await s.get(Member, delegation.from_member_id)
            taker = await s.get(Member, delegation.to_member_id)
            lines.append(
                t(
                    "Delegation from {giver} to {taker}: {start} to {end}.",
                    giver=giver.display_name if giver else "—",
                    taker=taker.display_name if taker else "—",
                    start=when(delegation.starts_at),
                    end=when(min(delegation.ends_at, delegation.revoked_at or delegation.ends_at)),
                )
            )
        answers = await s.scalar(
            select(func.count())
            .select_from(PollAnswer)
            .where(PollAnswer.tg_user_id == member.tg_user_id)
        )
        if answers:
            lines.append(t("Answers to informal opinion polls: {n}.", n=answers))
        lines += await objections.mydata_lines(s, member.id, zone)
        lines += await action_privacy.mydata(s, member.id, when)
        events = await s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                or_(AuditEvent.actor_id == member.id, AuditEvent.subject == f"member:{member.id}")
            )
        )
    lines.append(t("Audit log entries naming you (by number, not by name): {n}.", n=events))
    lines.append(
        t(
            "A phone number is never stored: only its last 4 digits, on the household roster. "
            "Send /forgetme to have me forget you."
        )
    )
    return reply(*lines)


def confirm_forget(member: Member | None) -> Reply:
    if member is None:
        return reply(NOTHING)
    return reply(
        t(
            "Forget you? Your name, Telegram id and language are erased, you leave your "
            "household and any roles, and pending requests are withdrawn. Past votes and the "
            "audit log keep only an anonymous number. This cannot be undone."
        ),
        buttons=(
            (
                Button(t("Yes, forget me"), f"{PREFIX}yes"),
                Button(t("No, keep my data"), f"{PREFIX}no"),
            ),
        ),
    )


async def forget(db: Database, member: Member | None, now: datetime) -> list[Outcome]:
    if member is None:
        return [EditOrigin((NOTHING,))]
    async with db.write() as s:
        fresh = await s.get(Member, member.id)
        assert fresh is not None
        await unbinding.release(s, fresh, now)
        fresh.household_id, fresh.verified_at = None, None
        fresh.display_name = placeholder(fresh.id)
        await s.execute(  # poll counts stay right; the answers no longer name a Telegram user
            update(PollAnswer)
            .where(PollAnswer.tg_user_id == fresh.tg_user_id)
            .values(tg_user_id=-fresh.id, member_id=fresh.id)
        )
        fresh.tg_user_id = -fresh.id  # Telegram user ids are positive: this one never matches
        await objections.forget(s, fresh.id)
        await action_privacy.forget(s, fresh.id)
        fresh.language = None
        fresh.forgotten_at = now
        s.add(fresh)
        pending = await s.scalars(
            select(JoinRequest).where(
                JoinRequest.member_id == fresh.id, JoinRequest.status == "pending"
            )
        )
        for request in pending.all():
            request.status, request.decided_at = "cancelled", now
            s.add(request)
        grants = await s.scalars(
            select(RoleGrant).where(RoleGrant.member_id == fresh.id, RoleGrant.revoked_at.is_(None))
        )
        revoked = 0
        for grant in grants.all():
            grant.revoked_at = now
            s.add(grant)
            revoked += 1
        await audit.record(
            s,
            "member.forgotten",
            actor_id=fresh.id,
            subject=f"member:{fresh.id}",
            data={"roles_revoked": revoked},
        )
    return [
        EditOrigin((t("Done: I have forgotten you. To use the bot again later, just start over."),))
    ]


def keep() -> list[Outcome]:
    return [EditOrigin((t("Nothing changed: your data stays as it was."),))]
