"""/mydata and /forgetme for 督办 and 测评: the progress updates a member posted and the ratings
they gave for their household.

Forgetting keeps both: a progress note is the public work record of an item (it stays under
the forgotten member's placeholder), a rating is the household's and keeps the average right;
the rating no longer names who gave it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.i18n import Text, t
from storage.models import ActionItem, ActionProgress, Rating


async def mydata(
    session: AsyncSession, member_id: int, when: Callable[[datetime], str]
) -> list[Text]:
    lines: list[Text] = []
    updates = await session.execute(
        select(ActionProgress, ActionItem.what)
        .join(ActionItem, ActionItem.id == ActionProgress.action_id)
        .where(ActionProgress.member_id == member_id)
        .order_by(ActionProgress.id)
    )
    for progress, what in updates.all():
        line = t(
            "Progress on action item #{id} “{what}” on {when}: {percent}%.",
            id=progress.action_id,
            what=what,
            when=when(progress.at),
            percent=progress.percent,
        )
        lines.append(
            t("{line} Note: {note}", line=line, note=progress.note) if progress.note else line
        )
    rated = await session.execute(
        select(Rating, ActionItem.what)
        .join(ActionItem, ActionItem.id == Rating.action_id)
        .where(Rating.member_id == member_id)
        .order_by(Rating.id)
    )
    for rating, what in rated.all():
        lines.append(
            t(
                "Rating of action item #{id} “{what}” for your household on {when}: {score}.",
                id=rating.action_id,
                what=what,
                when=when(rating.rated_at),
                score=rating.score,
            )
        )
    return lines


async def forget(session: AsyncSession, member_id: int) -> int:
    """Unlink the member's ratings; returns how many."""
    unlinked = await session.execute(
        update(Rating).where(Rating.member_id == member_id).values(member_id=None)
    )
    return unlinked.rowcount or 0
