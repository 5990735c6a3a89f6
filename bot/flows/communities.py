"""Communities: created by an operator, listed, and their defaults (timezone, language) changed.

A community is born with its root scope (kind "community"), and with a street scope above it
when the operator names the street, so every later scope hangs off the root.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import language
from bot.flows.inputs import Invalid, clean_name, listing, normalize
from bot.flows.results import Reply, reply
from bot.i18n import LANGUAGES, t
from storage import audit
from storage.engine import Database
from storage.models import Community, Household, Member, Scope


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


def check_timezone(value: str) -> str:
    """An IANA zone name, matched case-insensitively (``asia/shanghai`` → ``Asia/Shanghai``)."""
    zone = _zones().get(normalize(value).lower())
    if zone is None:
        raise Invalid(
            t("“{value}” is not a time zone. Use a name like Asia/Shanghai.", value=value)
        )
    return zone


def check_language(value: str) -> str:
    chosen = language.parse(value)
    if chosen is None:
        raise Invalid(
            t(
                "“{value}” is not a language I speak. Choose one of: {languages}.",
                value=value,
                languages=", ".join(LANGUAGES),
            )
        )
    return chosen


async def create(
    db: Database,
    name: str,
    *,
    street: str | None = None,
    timezone: str = "Asia/Shanghai",
    language: str = "zh_CN",
    actor_id: int | None = None,
    via: str = "cli",
) -> Community:
    name = clean_name(name)
    street = clean_name(street) if street is not None else None
    timezone, language = check_timezone(timezone), check_language(language)
    async with db.write() as s:
        if await s.scalar(select(Community.id).where(Community.name == name)) is not None:
            raise Invalid(t("A community named “{name}” already exists.", name=name))
        community = Community(name=name, street=street, timezone=timezone, language=language)
        s.add(community)
        await s.flush()
        parent_id = None
        if street is not None:
            top = Scope(community_id=community.id, kind="street", name=street)
            s.add(top)
            await s.flush()
            parent_id = top.id
        s.add(Scope(community_id=community.id, parent_id=parent_id, kind="community", name=name))
        await audit.record(
            s,
            "community.created",
            actor_id=actor_id,
            community_id=community.id,
            subject=f"community:{community.id}",
            data={
                "name": name,
                "street": street,
                "timezone": timezone,
                "language": language,
                "via": via,
            },
        )
    return community


async def by_name(session: AsyncSession, name: str) -> Community:
    wanted = normalize(name)
    community = await session.scalar(select(Community).where(Community.name == wanted))
    if community is None:
        known = list((await session.scalars(select(Community.name).order_by(Community.id))).all())
        raise Invalid(
            t(
                "There is no community “{name}”. Communities: {known}.",
                name=name,
                known=listing(known),
            )
        )
    return community


@dataclass(frozen=True)
class Summary:
    name: str
    street: str | None
    timezone: str
    language: str
    grids: int
    buildings: int
    households: int
    members: int


async def summaries(session: AsyncSession) -> list[Summary]:
    def scopes(kind: str):
        return (
            select(func.count())
            .where(Scope.community_id == Community.id, Scope.kind == kind)
            .scalar_subquery()
        )

    households = (
        select(func.count())
        .where(Household.community_id == Community.id, Household.moved_out_at.is_(None))
        .scalar_subquery()
    )
    members = (
        select(func.count(Member.id))
        .join(Household, Member.household_id == Household.id)
        .where(Household.community_id == Community.id, Member.forgotten_at.is_(None))
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Community.name,
            Community.street,
            Community.timezone,
            Community.language,
            scopes("grid"),
            scopes("building"),
            households,
            members,
        ).order_by(Community.id)
    )
    return [Summary(*row) for row in rows.all()]


async def show_settings(db: Database, community_id: int) -> Reply:
    async with db.session() as s:
        community = await s.get(Community, community_id)
    assert community is not None
    return reply(
        t("<b>Settings of {name}</b>", name=community.name),
        t("Street: {street}", street=community.street or "—"),
        t("Time zone: {timezone}", timezone=community.timezone),
        t("Language: {language}", language=language.NAMES[community.language]),
        t("Change them with /settings timezone Asia/Shanghai or /settings language en."),
    )


SETTING_KEYS = {
    "timezone": "timezone",
    "tz": "timezone",
    "时区": "timezone",
    "language": "language",
    "lang": "language",
    "语言": "language",
}


async def settings_command(
    db: Database, community_id: int, actor_id: int | None, args: str
) -> Reply:
    """``/settings`` shows; ``/settings timezone X`` and ``/settings language X`` change."""
    words = normalize(args).split(maxsplit=1)
    if not words:
        return await show_settings(db, community_id)
    key = SETTING_KEYS.get(words[0].lower())
    if key is None or len(words) < 2:
        raise Invalid(
            t(
                "Use /settings to see the settings, /settings timezone Asia/Shanghai or "
                "/settings language en to change one."
            )
        )
    value = check_timezone(words[1]) if key == "timezone" else check_language(words[1])
    async with db.write() as s:
        community = await s.get(Community, community_id)
        assert community is not None
        previous = getattr(community, key)
        if previous != value:
            setattr(community, key, value)
            s.add(community)
            await audit.record(
                s,
                "community.settings",
                actor_id=actor_id,
                community_id=community_id,
                subject=f"community:{community_id}",
                data={"setting": key, "from": previous, "to": value, "via": "chat"},
            )
    shown = language.NAMES[value] if key == "language" else value
    if key == "timezone":
        return reply(t("The community's time zone is now {value}.", value=shown))
    return reply(t("The community's language is now {value}.", value=shown))
