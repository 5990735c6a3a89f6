"""The 轮值主席 rotation: imported from a CSV as a whole, by household code.

The valid rows of the file become the rotation: positions missing from it are removed, so
importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import roster_csv
from bot.flows.policy import Standing
from bot.flows.roster_csv import ChairRow, ImportResult, Rejection, Sheet
from bot.i18n import t
from storage.models import ChairRotation, Household


@dataclass
class Plan:
    community_id: int
    rows: list[tuple[ChairRow, int]] = field(default_factory=list)  # with the household id
    current: dict[int, ChairRotation] = field(default_factory=dict)  # by position
    rejected: list[Rejection] = field(default_factory=list)

    def _changed(self) -> list[tuple[ChairRow, int]]:
        return [
            (row, household_id)
            for row, household_id in self.rows
            if (old := self.current.get(row.position)) is None
            or (old.household_id, old.name) != (household_id, row.name)
        ]

    def _removed(self) -> list[ChairRotation]:
        kept = {row.position for row, _ in self.rows}
        return [old for position, old in self.current.items() if position not in kept]

    @property
    def result(self) -> ImportResult:
        changed = self._changed()
        updated = sum(1 for row, _ in changed if row.position in self.current)
        return ImportResult(
            roster_csv.CHAIR_ROTATION,
            created=len(changed) - updated,
            updated=updated,
            unchanged=len(self.rows) - len(changed),
            removed=len(self._removed()),
            rejected=tuple(sorted(self.rejected, key=lambda r: r.line)),
        )

    async def apply(self, session: AsyncSession) -> dict[str, Any]:
        removed = self._removed()
        for old in removed:
            await session.delete(old)
        changed = self._changed()
        for row, household_id in changed:
            entry = self.current.get(row.position) or ChairRotation(
                community_id=self.community_id, position=row.position, household_id=household_id
            )
            entry.household_id, entry.name = household_id, row.name
            session.add(entry)
        return {
            "positions_set": sorted(row.position for row, _ in changed),
            "positions_removed": sorted(old.position for old in removed),
        }


async def plan(
    session: AsyncSession, community_id: int, sheet: Sheet, standing: Standing | None = None
) -> Plan:
    """What importing ``sheet`` would change (the policy was checked by the caller)."""
    rows, rejected = roster_csv.parse_chairs(sheet)
    households = dict(
        (
            await session.execute(
                select(Household.code, Household.id).where(Household.community_id == community_id)
            )
        ).all()
    )
    current = (
        await session.scalars(
            select(ChairRotation).where(ChairRotation.community_id == community_id)
        )
    ).all()
    result = Plan(community_id, current={c.position: c for c in current}, rejected=rejected)
    for row in rows:
        household_id = households.get(row.household)
        if household_id is None:
            reason = t("household {code} is not on this community's roster", code=row.household)
            result.rejected.append(Rejection(row.line, reason))
        else:
            result.rows.append((row, household_id))
    return result
