"""Joining a household: the guided /join dialogue, the grid worker's decision, direct binding.

The dialogue asks for the building, the room and the last four digits of the phone on the
roster. The digits are compared and forgotten, never stored; wrong ones are counted in the
audit log (three per household at most), so restarting the dialogue does not buy more tries.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import households, policy, standing, unbinding
from bot.flows.dialogue import KEEP, Step, said
from bot.flows.households import Located
from bot.flows.inputs import normalize
from bot.flows.members import Person, ensure
from bot.flows.policy import Action
from bot.flows.results import Button, EditOrigin, Notify, Outcome, Reply, Toast, reply
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import AuditEvent, Household, JoinRequest, Member, Scope

MAX_TAIL_TRIES = 3
REASON_LIMIT = 500
PREFIX = "join:"  # the member's dialogue buttons
DECIDE = "jr:"  # the staff's buttons on a request

STATUS_NAMES: dict[str, Text] = {
    "pending": t("waiting for the grid worker"),
    "approved": t("approved"),
    "rejected": t("rejected"),
    "cancelled": t("cancelled"),
}
PRESET_REASON = t("the details do not match the roster")


def join_hint() -> Text:
    return t(
        "You are not verified yet. To join your household, send /join to me in a private chat."
    )


def _nav(step: str, *, back: bool = True) -> tuple[Button, ...]:
    cancel = Button(t("Cancel"), f"{PREFIX}cancel")
    return (Button(t("‹ Back"), f"{PREFIX}back:{step}"), cancel) if back else (cancel,)


def _rows(buttons: list[Button], width: int = 3) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --- the member's dialogue ---------------------------------------------------------------


async def start(db: Database, member: Member | None) -> Step:
    async with db.session() as s:
        if member is not None and member.verified_at is not None and member.household_id:
            located = await households.by_id(s, member.household_id)
            assert located is not None
            return Step(
                [
                    reply(
                        t(
                            "You are already a verified member of household {household}.",
                            household=located.describe(),
                        ),
                        t(
                            "If you moved, send /moveout and then /join again. If this is "
                            "wrong, ask your grid worker to change it."
                        ),
                    )
                ]
            )
        found = await households.communities(s)
    if not found:
        return Step(
            [reply(t("No community has been set up with me yet, so there is nothing to join."))]
        )
    if len(found) == 1:
        return await ask_building(db, {"community": found[0].id}, from_button=False)
    buttons = [Button(t("{name}", name=c.name), f"{PREFIX}c:{c.id}") for c in found]
    prompt = reply(
        t("Which community do you live in?"), buttons=(*_rows(buttons, 2), _nav("", back=False))
    )
    return Step([prompt], "community", {"many": 1})


async def ask_building(db: Database, data: dict, *, from_button: bool) -> Step:
    async with db.session() as s:
        found = await households.buildings(s, data["community"])
    if not found:
        return Step([reply(t("Your community has no buildings yet. Ask your grid worker."))])
    buttons = [Button(t("{name}", name=b.name), f"{PREFIX}b:{b.id}") for b in found]
    prompt = reply(
        t("Which building do you live in?"),
        buttons=(*_rows(buttons), _nav("building", back=bool(data.get("many")))),
    )
    return Step([said(prompt, from_button=from_button)], "building", data)


async def choose_community(db: Database, data: dict, community_id: int) -> Step:
    return await ask_building(db, {**data, "community": community_id}, from_button=True)


async def choose_building(db: Database, data: dict, building_id: int) -> Step:
    async with db.session() as s:
        building = await s.get(Scope, building_id)
    if building is None or building.community_id != data.get("community"):
        return stale()
    data = {**data, "building": building_id}
    return Step([_ask_room(building.name, from_button=True)], "room", data)


def _ask_room(building: str, *, from_button: bool) -> Outcome:
    prompt = reply(
        t(
            "Building {building}. Type your room, for example 101, 1-101 or 1单元101.",
            building=building,
        ),
        buttons=(_nav("room"),),
    )
    return said(prompt, from_button=from_button)


async def room_typed(db: Database, member: Member | None, data: dict, typed: str) -> Step:
    async with db.session() as s:
        building = await s.get(Scope, data["building"])
        assert building is not None
        found = await households.in_building(s, building.id, typed)
        if len(found) == 1:
            located = await households.locate(s, found[0])
            locked = (
                member is not None and await _tries(s, member.id, found[0].id) >= MAX_TAIL_TRIES
            )
    retry = (_nav("room"),)
    if not found:
        text = t(
            "I can't find room “{room}” in building {building}. Check it and type it again "
            "(for example 101 or 1-101), or go back and choose another building.",
            room=typed,
            building=building.name,
        )
        return Step([reply(text, buttons=retry)], "room", data)
    if len(found) > 1:
        units = "、".join(households.describe_unit(h) for h in found)
        text = t(
            "Building {building} has room “{room}” in several units ({units}). Type it with the "
            "unit, for example 1-101.",
            building=building.name,
            room=typed,
            units=units,
        )
        return Step([reply(text, buttons=retry)], "room", data)
    if locked:
        return Step([reply(_too_many_tries())])
    data = {**data, "household": found[0].id}
    return Step([_ask_tail(located, from_button=False)], "tail", data)


def _ask_tail(located: Located, *, from_button: bool) -> Outcome:
    prompt = reply(
        t("Household {household}.", household=located.describe()),
        t("Now type the last 4 digits of the phone number on the roster for this household."),
        buttons=(_nav("tail"),),
    )
    return said(prompt, from_button=from_button)


def _too_many_tries() -> Text:
    return t(
        "The phone digits did not match {n} times, so I stopped here. Please contact your grid "
        "worker: they can check your details and verify you in person.",
        n=MAX_TAIL_TRIES,
    )


async def _tries(s: AsyncSession, member_id: int, household_id: int) -> int:
    return await s.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "join.tail_mismatch",
            AuditEvent.actor_id == member_id,
            AuditEvent.subject == f"household:{household_id}",
        )
    )


async def tail_typed(
    db: Database, person: Person, language: str, data: dict, typed: str, now: datetime
) -> Step:
    tail = normalize(typed)
    if not re.fullmatch(r"[0-9]{4}", tail):
        text = t("Type exactly 4 digits, for example 0123.")
        return Step([reply(text, buttons=(_nav("tail"),))], "tail", data)
    async with db.write() as s:
        member = await ensure(s, person, language)
        household = await s.get(Household, data["household"])
        assert household is not None
        tries = await _tries(s, member.id, household.id)
        if tries < MAX_TAIL_TRIES and household.phone_tail not in (None, tail):
            await audit.record(
                s,
                "join.tail_mismatch",
                actor_id=member.id,
                community_id=household.community_id,
                subject=f"household:{household.id}",
            )
            tries += 1
            if tries < MAX_TAIL_TRIES:
                text = t(
                    "These digits do not match the roster. Check them and type them again "
                    "({left} tries left).",
                    left=MAX_TAIL_TRIES - tries,
                )
                return Step([reply(text, buttons=(_nav("tail"),))], "tail", data)
        if tries >= MAX_TAIL_TRIES:
            return Step([reply(_too_many_tries())])
        request = await _open_request(s, member, household, now)
        located = await households.locate(s, household)
        workers = await households.staff(s, household.community_id, "grid_worker", located.grid_id)
        card = await _card(s, request, located)
    done = reply(
        t(
            "Your request to join household {household} has been sent to your grid worker.",
            household=located.describe(),
        ),
        t("I will tell you here when they have decided."),
    )
    notices = [Notify(w.tg_user_id, card.paragraphs, card.buttons) for w in workers]
    return Step([done, *notices], None, {"request": request.id})


async def _open_request(
    s: AsyncSession, member: Member, household: Household, now: datetime
) -> JoinRequest:
    """A new pending request; the member's earlier pending ones are superseded."""
    for earlier in await _pending(s, member.id):
        earlier.status, earlier.decided_at = "cancelled", now
        s.add(earlier)
    request = JoinRequest(
        community_id=household.community_id,
        member_id=member.id,
        household_id=household.id,
        created_at=now,
    )
    s.add(request)
    await s.flush()
    await audit.record(
        s,
        "join.requested",
        actor_id=member.id,
        community_id=household.community_id,
        subject=f"join_request:{request.id}",
        data={"household_id": household.id, "tail_matched": household.phone_tail is not None},
    )
    return request


async def _pending(s: AsyncSession, member_id: int) -> list[JoinRequest]:
    return list(
        (
            await s.scalars(
                select(JoinRequest).where(
                    JoinRequest.member_id == member_id, JoinRequest.status == "pending"
                )
            )
        ).all()
    )


async def nobody_reached(db: Database, request_id: int) -> list[Outcome]:
    """No grid worker could be told: the member hears so, and the community's admins get it."""
    async with db.session() as s:
        request = await s.get(JoinRequest, request_id)
        assert request is not None
        located = await households.by_id(s, request.household_id)
        assert located is not None
        admins = await households.staff(s, request.community_id, "admin")
        card = await _card(s, request, located)
    told = reply(
        t(
            "I could not reach a grid worker for your building, so I passed your request to the "
            "community's admins."
        )
    )
    return [told, *(Notify(a.tg_user_id, card.paragraphs, card.buttons) for a in admins)]


async def back(db: Database, data: dict, step: str) -> Step:
    """One step back: from the digits to the room, the room to the building, and so on."""
    if step == "tail":
        async with db.session() as s:
            building = await s.get(Scope, data["building"])
        assert building is not None
        data = {k: v for k, v in data.items() if k != "household"}
        return Step([_ask_room(building.name, from_button=True)], "room", data)
    if step == "room":
        return await ask_building(
            db, {k: v for k, v in data.items() if k != "building"}, from_button=True
        )
    started = await start(db, None)
    started.outcomes = [
        said(o, from_button=True) if isinstance(o, Reply) else o for o in started.outcomes
    ]
    return started


def cancelled(*, from_button: bool) -> Step:
    done = reply(t("Cancelled. Nothing was sent. Send /join to start again."))
    return Step([said(done, from_button=from_button)])


def stale() -> Step:
    return Step([Toast(t("That button is from an earlier step."), alert=True)], KEEP)


# --- the grid worker's decision ----------------------------------------------------------


async def _card(s: AsyncSession, request: JoinRequest, located: Located) -> Reply:
    member = await s.get(Member, request.member_id)
    assert member is not None
    tail = (
        t("Phone digits: they match the roster.")
        if located.household.phone_tail is not None
        else t("Phone digits: the roster has none for this household; please check in person.")
    )
    return reply(
        t("<b>Request to join a household</b>"),
        t(
            "{name} (Telegram id {id}) asks to join household {household}.",
            name=member.display_name,
            id=member.tg_user_id,
            household=located.describe(),
        ),
        tail,
        buttons=(
            (
                Button(t("Approve"), f"{DECIDE}ok:{request.id}"),
                Button(t("Reject"), f"{DECIDE}no:{request.id}"),
            ),
        ),
    )


async def _decidable(
    s: AsyncSession, request_id: int, actor: Member | None, now: datetime
) -> tuple[JoinRequest, Located] | Toast:
    """The pending request and its household, or the alert saying why this press does nothing."""
    request = await s.get(JoinRequest, request_id)
    if request is None:
        return Toast(t("This request no longer exists."), alert=True)
    located = await households.by_id(s, request.household_id)
    assert located is not None
    held = await standing.load(s, actor, request.community_id, now)
    decision = policy.decide(held, Action.VERIFY_MEMBER, located.path)
    if not decision:
        assert decision.reason is not None
        return Toast(decision.reason, alert=True)
    if request.status != "pending":
        return Toast(
            t("This request was already {status}.", status=STATUS_NAMES[request.status]),
            alert=True,
        )
    return request, located


async def approve(db: Database, request_id: int, actor: Member | None, now: datetime) -> Step:
    async with db.write() as s:
        found = await _decidable(s, request_id, actor, now)
        if isinstance(found, Toast):
            return Step([found])
        request, located = found
        assert actor is not None
        card = await _card(s, request, located)
        member = await s.get(Member, request.member_id)
        assert member is not None
        await bind(s, member, located, actor, now, request=request)
        news = await _welcome(s, located, t("Your grid worker approved your request."))
    done = t("Approved by {name}.", name=actor.display_name)
    return Step(
        [
            EditOrigin((*card.paragraphs, done)),
            Toast(done),
            Notify(member.tg_user_id, news),
        ]
    )


async def ask_reason(db: Database, request_id: int, actor: Member | None, now: datetime) -> Step:
    async with db.session() as s:
        found = await _decidable(s, request_id, actor, now)
        if isinstance(found, Toast):
            return Step([found])
        card = await _card(s, *found)
    prompt = EditOrigin(
        (*card.paragraphs, t("Why do you reject it? Type the reason, or choose:")),
        (
            (
                Button(t("Details don't match"), f"{DECIDE}preset:{request_id}"),
                Button(t("‹ Back"), f"{DECIDE}back:{request_id}"),
            ),
        ),
    )
    return Step([prompt], "reason", {"request": request_id})


async def back_to_card(db: Database, request_id: int, actor: Member | None, now: datetime) -> Step:
    async with db.session() as s:
        found = await _decidable(s, request_id, actor, now)
        if isinstance(found, Toast):
            return Step([found])
        card = await _card(s, *found)
    return Step([EditOrigin(card.paragraphs, card.buttons)])


async def reject(
    db: Database,
    request_id: int,
    actor: Member | None,
    reason: str | None,
    now: datetime,
    *,
    from_button: bool,
) -> Step:
    """Reject with the worker's reason (None: the preset “details don't match”)."""
    if reason is not None:
        reason = reason.strip()
        if not reason or len(reason) > REASON_LIMIT:
            text = t("Type a reason of at most {limit} characters.", limit=REASON_LIMIT)
            return Step([reply(text)], "reason", {"request": request_id})
    async with db.write() as s:
        found = await _decidable(s, request_id, actor, now)
        if isinstance(found, Toast):
            return Step([found] if from_button else [reply(found.text)])
        request, located = found
        assert actor is not None
        card = await _card(s, request, located)
        request.status, request.decided_at, request.decided_by_id = "rejected", now, actor.id
        request.reason = reason
        s.add(request)
        await audit.record(
            s,
            "join.rejected",
            actor_id=actor.id,
            community_id=request.community_id,
            subject=f"join_request:{request.id}",
            data={"household_id": located.household.id, "preset": reason is None},
        )
        member = await s.get(Member, request.member_id)
        assert member is not None
    why = reason if reason is not None else PRESET_REASON
    done = t("Rejected by {name}. Reason: {reason}", name=actor.display_name, reason=why)
    news = (
        t(
            "Your request to join household {household} was rejected. Reason: {reason}",
            household=located.describe(),
            reason=why,
        ),
        t("If you think this is a mistake, talk to your grid worker, or send /join to try again."),
    )
    told = Notify(member.tg_user_id, news)
    if from_button:
        return Step([EditOrigin((*card.paragraphs, done)), Toast(done), told])
    return Step([reply(done), told])


# --- binding -----------------------------------------------------------------------------


async def bind(
    s: AsyncSession,
    member: Member,
    located: Located,
    actor: Member,
    now: datetime,
    *,
    request: JoinRequest | None = None,
) -> None:
    """Bind ``member`` to the household (audited); their open requests are settled."""
    if member.household_id not in (None, located.household.id):
        await unbinding.release(s, member, now)
    member.household_id, member.verified_at = located.household.id, now
    s.add(member)
    for pending in await _pending(s, member.id):
        approved = pending.id == (request.id if request else None) or (
            pending.household_id == located.household.id
        )
        pending.status = "approved" if approved else "cancelled"
        pending.decided_at, pending.decided_by_id = now, actor.id
        s.add(pending)
    await audit.record(
        s,
        "member.verified",
        actor_id=actor.id,
        community_id=located.household.community_id,
        subject=f"member:{member.id}",
        data={
            "household_id": located.household.id,
            "join_request_id": request.id if request else None,
        },
    )


async def _welcome(s: AsyncSession, located: Located, how: Text) -> tuple[Text, ...]:
    """What a newly verified member is told, with how to get a representative if none."""
    news: tuple[Text, ...] = (
        how,
        t("You are now a verified member of household {household}.", household=located.describe()),
    )
    if await households.representative(s, located.household.id) is None:
        news += (
            t(
                "Your household has no representative (户代表) yet. Send /rep me to become it, "
                "or ask your grid worker to set one."
            ),
        )
    return news


async def verify_directly(
    db: Database,
    actor: Member,
    person: Person,
    language: str | None,
    household_id: int,
    now: datetime,
) -> list[Outcome]:
    """A grid worker binds someone to a household without a request (already checked by policy)."""
    async with db.write() as s:
        located = await households.by_id(s, household_id)
        assert located is not None
        member = await ensure(s, person, language)
        if member.household_id == household_id and member.verified_at is not None:
            return [
                reply(
                    t(
                        "{name} is already a verified member of household {household}.",
                        name=member.display_name,
                        household=located.describe(),
                    )
                )
            ]
        await bind(s, member, located, actor, now)
        news = await _welcome(s, located, t("{name} verified you.", name=actor.display_name))
    done = t(
        "{name} is now a verified member of household {household}.",
        name=member.display_name,
        household=located.describe(),
    )
    return [reply(done), Notify(member.tg_user_id, news)]


def verify_usage() -> Reply:
    return reply(
        t(
            "To verify a member, reply to their message in the group with /verify 7-1-101, or "
            "send me /verify TELEGRAM_ID 7-1-101 in a private chat."
        )
    )
