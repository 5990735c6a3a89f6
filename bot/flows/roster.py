"""Roster import over storage: which rows create, change or leave households, and doing it.

``plan`` only reads, so the same code answers a dry run and the real import (which calls
``Plan.apply`` inside its write transaction). An import creates buildings inside existing grids,
never grids; a grid worker's rows are limited to their own grids by the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import roster_csv
from bot.flows.policy import Action, Standing, decide
from bot.flows.roster_csv import ImportResult, Rejection, RosterRow, Sheet, combine
from bot.flows.standing import scope_paths
from bot.i18n import Text, t
from storage.models import Household, Scope

# A building that exists (its scope id), or one the import creates: (grid scope id, name).
BuildingRef = int | tuple[int, str]


@dataclass
class Plan:
    community_id: int
    creates: list[tuple[RosterRow, BuildingRef]] = field(default_factory=list)
    # The household, its new row, its building, and the names of the fields that change.
    updates: list[tuple[Household, RosterRow, BuildingRef, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_buildings: dict[tuple[int, str], None] = field(default_factory=dict)  # ordered set

    @property
    def result(self) -> ImportResult:
        return ImportResult(
            roster_csv.ROSTER,
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            rejected=tuple(sorted(self.rejected, key=lambda r: r.line)),
            new_buildings=tuple(name for _, name in self.new_buildings),
        )

    async def apply(self, session: AsyncSession) -> dict[str, Any]:
        """Write the planned changes; returns what the audit event records about them."""
        building_ids: dict[tuple[int, str], int] = {}
        for grid_id, name in self.new_buildings:
            scope = Scope(
                community_id=self.community_id, parent_id=grid_id, kind="building", name=name
            )
            session.add(scope)
            await session.flush()
            building_ids[(grid_id, name)] = scope.id

        def resolve(building: BuildingRef) -> int:
            return building if isinstance(building, int) else building_ids[building]

        for row, building in self.creates:
            values = _values(row, resolve(building))
            session.add(Household(community_id=self.community_id, code=row.household, **values))
        for household, row, building, _ in self.updates:
            for name, value in _values(row, resolve(building)).items():
                setattr(household, name, value)
            session.add(household)
        return {
            "buildings_created": [name for _, name in self.new_buildings],
            "households_created": [row.household for row, _ in self.creates],
            "households_updated": {
                household.code: changed for household, _, _, changed in self.updates
            },
        }


def _values(row: RosterRow, building_id: int | None) -> dict[str, Any]:
    return {
        "building_scope_id": building_id,
        "unit": row.unit,
        "room": row.room,
        "representative_name": row.representative,
        "phone_tail": row.phone_tail,
    }


async def plan(
    session: AsyncSession, community_id: int, sheet: Sheet, standing: Standing | None
) -> Plan:
    """What importing ``sheet`` would change. ``standing`` None: an operator (every grid)."""
    rows, rejected = roster_csv.parse_roster(sheet)
    result = Plan(community_id, rejected=rejected)
    scopes = (await session.scalars(select(Scope).where(Scope.community_id == community_id))).all()
    by_id = {s.id: s for s in scopes}
    grids = {s.name: s for s in scopes if s.kind == "grid"}
    buildings = {s.name: s for s in scopes if s.kind == "building"}
    households = {
        h.code: h
        for h in (
            await session.scalars(select(Household).where(Household.community_id == community_id))
        ).all()
    }
    permitted = await _permission(session, community_id, standing)
    for row in rows:
        problems: list[Text] = []
        grid = grids.get(row.grid)
        building = buildings.get(row.building)
        existing = households.get(row.household)
        if grid is None:
            problems.append(
                t(
                    "grid {grid} does not exist in this community "
                    "(an admin creates grids; an import does not)",
                    grid=row.grid,
                )
            )
        elif not permitted(grid.id):
            problems.append(
                t("grid {grid} is not yours: you may import only your own grids", grid=row.grid)
            )
        elif building is not None and building.parent_id != grid.id:
            problems.append(
                t(
                    "building {building} is in {other}, not in {grid}",
                    building=row.building,
                    other=by_id[building.parent_id].name,
                    grid=row.grid,
                )
            )
        if existing is not None and not permitted(existing.building_scope_id):
            problems.append(
                t(
                    "household {code} is registered in a grid that is not yours",
                    code=row.household,
                )
            )
        if problems:
            result.rejected.append(Rejection(row.line, combine(problems)))
            continue
        assert grid is not None
        target: BuildingRef = building.id if building else (grid.id, row.building)
        if building is None:
            result.new_buildings[(grid.id, row.building)] = None
        if existing is None:
            result.creates.append((row, target))
            continue
        values = _values(row, building.id if building else None)
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        if changed:
            result.updates.append((existing, row, target, changed))
        else:
            result.unchanged += 1
    return result


async def _permission(
    session: AsyncSession, community_id: int, standing: Standing | None
) -> Callable[[int], bool]:
    """Whether the importer may import into a scope (a grid, or a household's building)."""
    if standing is None:
        return lambda scope_id: True
    paths = await scope_paths(session, community_id)
    return lambda scope_id: (
        scope_id in paths and bool(decide(standing, Action.IMPORT_ROSTER, paths[scope_id]))
    )
