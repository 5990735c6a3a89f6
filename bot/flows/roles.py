"""Granting and revoking roles (admin, moderator, supervisor, grid worker, chair) in a community.

Roles live in the bot's database only. A grid worker holds their role for one grid; every other
role holds for the whole community. A role can be granted to a Telegram id the bot has never
seen: a placeholder member is created and gets its name when the person is next seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.inputs import Invalid, normalize
from bot.flows.members import Person
from bot.flows.policy import ROLE_NAMES, Role
from bot.flows.results import Reply, reply
from bot.flows.scopes import find_grid
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Community, Member, RoleGrant, Scope
from storage.timestamps import utcnow

GRANTABLE = (Role.ADMIN, Role.MODERATOR, Role.SUPERVISOR, Role.GRID_WORKER, Role.CHAIR)
ALIASES: dict[str, Role] = {
    **{role.value: role for role in GRANTABLE},
    "grid-worker": Role.GRID_WORKER,
    "gridworker": Role.GRID_WORKER,
    "管理员": Role.ADMIN,
    "主持人": Role.MODERATOR,
    "监事": Role.SUPERVISOR,
    "网格员": Role.GRID_WORKER,
    "轮值主席": Role.CHAIR,
    "主席": Role.CHAIR,
}


def placeholder_name(tg_user_id: int) -> str:
    """A neutral name for someone granted a role before the bot has seen them."""
    return f"#{tg_user_id}"


def parse_role(word: str) -> Role:
    role = ALIASES.get(normalize(word).lower())
    if role is None:
        raise Invalid(t("“{word}” is not a role. Roles: {roles}.", word=word, roles=role_choices()))
    return role


def role_choices() -> Text:
    """``admin (管理员), moderator (主持人), …`` in the reader's language."""
    items = [t("{code} ({name})", code=r.value, name=ROLE_NAMES[r]) for r in GRANTABLE]
    joined = items[-1]
    for item in reversed(items[:-1]):
        joined = t("{first}, {rest}", first=item, rest=joined)
    return joined


def parse_user_id(word: str) -> int:
    value = normalize(word)
    if not value.isdigit() or not 0 < int(value) < 2**53:
        raise Invalid(t("“{word}” is not a Telegram user id (a number).", word=word))
    return int(value)


def role_label(role: Role, grid: str | None) -> Text:
    if grid is None:
        return ROLE_NAMES[role]
    return t("{role} of {grid}", role=ROLE_NAMES[role], grid=grid)


@dataclass(frozen=True)
class Change:
    """What a grant or revoke did: ``changed`` is False when it was already so."""

    changed: bool
    text: Text


async def _member(session: AsyncSession, tg_user_id: int, name: str | None) -> Member:
    member = await session.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
    if member is None:
        member = Member(tg_user_id=tg_user_id, display_name=name or placeholder_name(tg_user_id))
        session.add(member)
        await session.flush()
        await audit.record(session, "member.created", subject=f"member:{member.id}")
    elif name and member.display_name == placeholder_name(tg_user_id):
        member.display_name = name
        session.add(member)
    return member


async def _scope_for(
    session: AsyncSession, community_id: int, role: Role, grid: str | None
) -> Scope | None:
    if role is Role.GRID_WORKER:
        if not grid:
            raise Invalid(
                t(
                    "A grid worker is named for a grid: add its name after the role, e.g. grid_worker 第一网格."
                )
            )
        return await find_grid(session, community_id, grid)
    if grid:
        raise Invalid(
            t(
                "Only grid workers are named for a grid; {role} holds for the whole community.",
                role=ROLE_NAMES[role],
            )
        )
    return None


def _active(community_id: int, member_id: int, role: Role, scope: Scope | None):
    query = select(RoleGrant).where(
        RoleGrant.community_id == community_id,
        RoleGrant.member_id == member_id,
        RoleGrant.role == role.value,
        RoleGrant.revoked_at.is_(None),
    )
    if scope is None:
        return query.where(RoleGrant.scope_id.is_(None))
    return query.where(RoleGrant.scope_id == scope.id)


async def grant(
    db: Database,
    community_id: int,
    person: Person,
    role: Role,
    grid: str | None,
    *,
    actor_id: int | None,
    via: str,
) -> Change:
    async with db.write() as s:
        scope = await _scope_for(s, community_id, role, grid)
        member = await _member(s, person.tg_user_id, person.display_name or None)
        label = role_label(role, scope.name if scope else None)
        if await s.scalar(_active(community_id, member.id, role, scope)) is not None:
            return Change(
                False,
                t(
                    "{name} already is {role}; nothing changed.",
                    name=member.display_name,
                    role=label,
                ),
            )
        s.add(
            RoleGrant(
                community_id=community_id,
                member_id=member.id,
                role=role.value,
                scope_id=scope.id if scope else None,
                granted_by_id=actor_id,
            )
        )
        await audit.record(
            s,
            "role.granted",
            actor_id=actor_id,
            community_id=community_id,
            subject=f"member:{member.id}",
            data={"role": role.value, "scope_id": scope.id if scope else None, "via": via},
        )
    return Change(True, t("{name} is now {role}.", name=member.display_name, role=label))


async def revoke(
    db: Database,
    community_id: int,
    person: Person,
    role: Role,
    grid: str | None,
    *,
    actor_id: int | None,
    via: str,
) -> Change:
    async with db.write() as s:
        scope = await _scope_for(s, community_id, role, grid)
        member = await s.scalar(select(Member).where(Member.tg_user_id == person.tg_user_id))
        name = member.display_name if member else placeholder_name(person.tg_user_id)
        label = role_label(role, scope.name if scope else None)
        held = await s.scalar(_active(community_id, member.id, role, scope)) if member else None
        if held is None:
            return Change(False, t("{name} is not {role}; nothing changed.", name=name, role=label))
        if role is Role.ADMIN and len(await _holders(s, community_id, Role.ADMIN)) == 1:
            raise Invalid(
                t(
                    "{name} is the community's only admin: grant the role to someone else first.",
                    name=name,
                )
            )
        held.revoked_at = utcnow()
        s.add(held)
        await audit.record(
            s,
            "role.revoked",
            actor_id=actor_id,
            community_id=community_id,
            subject=f"member:{held.member_id}",
            data={"role": role.value, "scope_id": held.scope_id, "via": via},
        )
    return Change(True, t("{name} is no longer {role}.", name=name, role=label))


@dataclass(frozen=True)
class Holder:
    role: Role
    grid: str | None
    name: str
    tg_user_id: int


async def _holders(s: AsyncSession, community_id: int, role: Role | None = None) -> list[Holder]:
    query = (
        select(RoleGrant.role, Scope.name, Member.display_name, Member.tg_user_id)
        .join(Member, RoleGrant.member_id == Member.id)
        .outerjoin(Scope, RoleGrant.scope_id == Scope.id)
        .where(RoleGrant.community_id == community_id, RoleGrant.revoked_at.is_(None))
        .order_by(RoleGrant.id)
    )
    if role is not None:
        query = query.where(RoleGrant.role == role.value)
    return [Holder(Role(r), grid, name, tg) for r, grid, name, tg in (await s.execute(query)).all()]


async def holders(db: Database, community_id: int) -> list[Holder]:
    """Who holds which role, in the order of ``GRANTABLE`` then of granting."""
    async with db.session() as s:
        found = await _holders(s, community_id)
    return sorted(found, key=lambda h: GRANTABLE.index(h.role))


# -- chat commands ---------------------------------------------------------------------------

GRANT_WORDS = {"grant", "add", "授予", "任命"}
REVOKE_WORDS = {"revoke", "remove", "撤销", "取消"}


def _usage() -> Invalid:
    return Invalid(
        t(
            "Reply to someone's message with /role grant ROLE, or send "
            "/role grant TELEGRAM_ID ROLE [GRID]; /role revoke works the same way. Roles: {roles}.",
            roles=role_choices(),
        )
    )


async def role_command(
    db: Database, community_id: int, actor_id: int | None, args: str, target: Person | None
) -> Reply:
    """``/role grant|revoke [TELEGRAM_ID] ROLE [GRID]``; the person is the replied-to one."""
    words = normalize(args).split()
    if not words or words[0].lower() not in GRANT_WORDS | REVOKE_WORDS:
        raise _usage()
    verb, rest = words[0].lower(), words[1:]
    if target is None:
        if not rest:
            raise _usage()
        target = Person(parse_user_id(rest[0]), "")
        rest = rest[1:]
    if not rest:
        raise _usage()
    role, grid = parse_role(rest[0]), " ".join(rest[1:]) or None
    change = grant if verb in GRANT_WORDS else revoke
    done = await change(db, community_id, target, role, grid, actor_id=actor_id, via="chat")
    return reply(done.text)


def no_community() -> Reply:
    return reply(t("You are not part of a community yet, so there are no roles to show."))


async def roles_reply(db: Database, community_id: int) -> Reply:
    async with db.session() as s:
        community = await s.get(Community, community_id)
    assert community is not None
    found = await holders(db, community_id)
    if not found:
        return reply(t("Nobody holds a role in {name} yet.", name=community.name))
    grouped: dict[tuple[Role, str | None], list[str]] = {}
    for h in found:
        grouped.setdefault((h.role, h.grid), []).append(h.name)
    lines = [
        t("{role}: {names}", role=role_label(role, grid), names="、".join(names))
        for (role, grid), names in grouped.items()
    ]
    return reply(t("<b>Roles in {name}</b>", name=community.name), *lines)
