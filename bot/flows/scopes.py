"""A community's scope tree: grids under the community, buildings under grids.

Admins create grids (in chat or ``xieshang grid create``); buildings are created by an admin or
by a roster import, so adding a building that exists is a friendly no-op, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows.inputs import Invalid, clean_name, listing, normalize
from bot.flows.results import Reply, reply
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Scope


async def root(session: AsyncSession, community_id: int) -> Scope:
    found = await session.scalar(
        select(Scope).where(Scope.community_id == community_id, Scope.kind == "community")
    )
    assert found is not None, f"community {community_id} has no root scope"
    return found


async def children(session: AsyncSession, community_id: int, kind: str) -> list[Scope]:
    return list(
        (
            await session.scalars(
                select(Scope)
                .where(Scope.community_id == community_id, Scope.kind == kind)
                .order_by(Scope.id)
            )
        ).all()
    )


async def find_grid(session: AsyncSession, community_id: int, name: str) -> Scope:
    """The grid called ``name``; an unknown name is refused with the list of grids."""
    grids = await children(session, community_id, "grid")
    wanted = normalize(name)
    for grid in grids:
        if grid.name == wanted:
            return grid
    raise Invalid(
        t(
            "There is no grid “{name}”. Grids: {grids}.",
            name=name,
            grids=listing([g.name for g in grids]),
        )
    )


def describe(scope: Scope, grid: Scope | None = None) -> Text:
    """How a scope is named to people: its kind and name (a building with its grid)."""
    if scope.kind == "grid":
        return t("grid {name}", name=scope.name)
    if scope.kind == "building":
        return t("building {name} in {grid}", name=scope.name, grid=grid.name if grid else "—")
    return t("community {name}", name=scope.name)


async def add_grid(
    db: Database, community_id: int, name: str, *, actor_id: int | None, via: str
) -> tuple[Scope, bool]:
    """Create a grid; returns it and whether it is new (an existing grid is left as it is)."""
    name = clean_name(name)
    async with db.write() as s:
        for grid in await children(s, community_id, "grid"):
            if grid.name == name:
                return grid, False
        parent = await root(s, community_id)
        return await _create(s, community_id, parent, "grid", name, actor_id, via), True


async def add_building(
    db: Database, community_id: int, grid_name: str, name: str, *, actor_id: int | None, via: str
) -> tuple[Scope, bool]:
    name = clean_name(name)
    async with db.write() as s:
        grid = await find_grid(s, community_id, grid_name)
        for building in await children(s, community_id, "building"):
            if building.name == name:
                if building.parent_id != grid.id:
                    other = await s.get(Scope, building.parent_id)
                    raise Invalid(
                        t(
                            "Building {name} already belongs to {grid}.",
                            name=name,
                            grid=other.name if other else "—",
                        )
                    )
                return building, False
        return await _create(s, community_id, grid, "building", name, actor_id, via), True


async def _create(
    s: AsyncSession,
    community_id: int,
    parent: Scope,
    kind: str,
    name: str,
    actor_id: int | None,
    via: str,
) -> Scope:
    scope = Scope(community_id=community_id, parent_id=parent.id, kind=kind, name=name)
    s.add(scope)
    await s.flush()
    await audit.record(
        s,
        "scope.created",
        actor_id=actor_id,
        community_id=community_id,
        subject=f"scope:{scope.id}",
        data={"kind": kind, "name": name, "parent": parent.name, "via": via},
    )
    return scope


@dataclass(frozen=True)
class Tree:
    community: Scope
    grids: list[tuple[Scope, list[Scope]]]  # each grid with its buildings, in creation order


async def tree(session: AsyncSession, community_id: int) -> Tree:
    buildings = await children(session, community_id, "building")
    return Tree(
        await root(session, community_id),
        [
            (grid, [b for b in buildings if b.parent_id == grid.id])
            for grid in await children(session, community_id, "grid")
        ],
    )


# -- chat commands ---------------------------------------------------------------------------

ADD_WORDS = {"add", "new", "create", "添加", "新增", "新建"}
LIST_WORDS = {"", "list", "ls", "列表", "查看"}


async def listing_reply(db: Database, community_id: int) -> Reply:
    async with db.session() as s:
        found = await tree(s, community_id)
    if not found.grids:
        return reply(t("There are no grids yet. Add one with /grid add 第一网格."))
    lines = [
        t("{grid}: {buildings}", grid=grid.name, buildings=listing([b.name for b in buildings]))
        for grid, buildings in found.grids
    ]
    return reply(t("<b>Grids and buildings of {name}</b>", name=found.community.name), *lines)


async def grid_command(db: Database, community_id: int, actor_id: int | None, args: str) -> Reply:
    """``/grid`` or ``/grid list`` lists; ``/grid add NAME`` creates a grid."""
    verb, _, rest = normalize(args).partition(" ")
    if verb.lower() in LIST_WORDS and not rest:
        return await listing_reply(db, community_id)
    if verb.lower() not in ADD_WORDS or not rest:
        raise Invalid(t("Use /grid add NAME to add a grid, or /grid list to see them."))
    grid, created = await add_grid(db, community_id, rest, actor_id=actor_id, via="chat")
    if created:
        return reply(t("Grid {name} added.", name=grid.name))
    return reply(t("Grid {name} already exists; nothing changed.", name=grid.name))


async def building_command(
    db: Database, community_id: int, actor_id: int | None, args: str
) -> Reply:
    """``/building add GRID NAME`` creates a building in a grid; ``/building list`` lists."""
    words = normalize(args).split(" ", 2)
    if words[0].lower() in LIST_WORDS and len(words) == 1:
        return await listing_reply(db, community_id)
    if words[0].lower() not in ADD_WORDS or len(words) < 3:
        raise Invalid(t("Use /building add GRID NAME, for example /building add 第一网格 9栋."))
    building, created = await add_building(
        db, community_id, words[1], words[2], actor_id=actor_id, via="chat"
    )
    if created:
        return reply(t("Building {name} added to {grid}.", name=building.name, grid=words[1]))
    return reply(
        t(
            "Building {name} is already in {grid}; nothing changed.",
            name=building.name,
            grid=words[1],
        )
    )
