"""Whom the bot can reach: a person who blocked it (or never started it) cannot get private
messages, and a group that removed it gets nothing.

Telegram answers 403 to such a send. The person is marked unreachable (audited) so that
reminders skip them and the grid worker's /pending lists their household to call instead of
the bot trying again; writing to the bot (or unblocking it) clears the mark. A group's binding
is deactivated (bindings.unbind, audited).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from storage import audit
from storage.engine import Database
from storage.models import Member


async def unreachable(db: Database, tg_user_id: int, reason: str, now: datetime) -> bool:
    """Mark the person unreachable privately; False when unknown or already marked."""
    async with db.write() as s:
        member = await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        if member is None or member.unreachable_at is not None:
            return False
        member.unreachable_at = now
        s.add(member)
        await audit.record(
            s, "member.unreachable", subject=f"member:{member.id}", data={"reason": reason}
        )
    return True


async def reachable(db: Database, tg_user_id: int) -> bool:
    """They wrote to the bot or unblocked it: private messages reach them again."""
    async with db.write() as s:
        member = await s.scalar(select(Member).where(Member.tg_user_id == tg_user_id))
        if member is None or member.unreachable_at is None:
            return False
        member.unreachable_at = None
        s.add(member)
        await audit.record(s, "member.reachable", actor_id=member.id, subject=f"member:{member.id}")
    return True
