"""Numbers that govern proposals, in one place.

The support threshold is a per-community cycle setting (``/cycle set threshold 5``; stored in
``cycle_settings``, default 5 households: design §4 and scenario 01); callers ask
:func:`support_threshold`.
"""

from __future__ import annotations

from sqlmodel import select

from storage.engine import Database
from storage.models import CycleSettings

PAGE_SIZE = 10  # proposals per page of /proposals
SIMILAR_SHOWN = 3  # similar open proposals offered to a proposer


async def support_threshold(db: Database, community_id: int) -> int:
    """Households whose support makes a proposal "supported" (eligible for the agenda)."""
    async with db.session() as session:
        stored = await session.scalar(
            select(CycleSettings.support_threshold).where(
                CycleSettings.community_id == community_id
            )
        )
    return stored if stored is not None else CycleSettings().support_threshold
