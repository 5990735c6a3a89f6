"""Who is talking: the person behind an update, and what we remember about them.

A member row is created only when a person asks the bot to remember something (a language
choice now; household verification later), so a group's chatter leaves no personal data behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage import audit
from storage.engine import Database
from storage.models import Member


@dataclass(frozen=True)
class Person:
    """The sender of an update, as any runtime can describe them."""

    tg_user_id: int
    display_name: str
    language_code: str | None = None


async def find(session: AsyncSession, tg_user_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.tg_user_id == tg_user_id))


async def ensure(session: AsyncSession, person: Person, language: str | None = None) -> Member:
    """The person's member row, created (and audited) the first time they need one.

    ``language`` is remembered on a new row so that notices reach them in the language they
    were using, even before they chose one with /lang.
    """
    member = await find(session, person.tg_user_id)
    if member is None:
        member = Member(
            tg_user_id=person.tg_user_id, display_name=person.display_name, language=language
        )
        session.add(member)
        await session.flush()
        await audit.record(
            session, "member.created", actor_id=member.id, subject=f"member:{member.id}"
        )
    return member


async def remember_language(db: Database, person: Person, language: str) -> Member:
    async with db.write() as session:
        member = await ensure(session, person)
        previous = member.language
        member.language = language
        session.add(member)
        await audit.record(
            session,
            "member.language",
            actor_id=member.id,
            subject=f"member:{member.id}",
            data={"from": previous, "to": language},
        )
    return member
