"""Importing a roster or a chair rotation file into a community, and the report about it.

The CLI and the chat both come here: a dry run only reads; an import writes every change and
ONE audit event (counts, the file's sha256, who) in the caller's write transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import chairs, roster
from bot.flows.policy import Action, Standing
from bot.flows.roster_csv import CHAIR_ROTATION, ROSTER, ImportResult, Sheet
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database

ACTIONS = {ROSTER: Action.IMPORT_ROSTER, CHAIR_ROTATION: Action.IMPORT_CHAIR_ROTATION}
LISTED = 500  # rejected lines shown in one report; more would flood the chat


class _Plan(Protocol):
    @property
    def result(self) -> ImportResult: ...

    async def apply(self, session: AsyncSession) -> dict[str, Any]: ...


_PLANNERS: dict[str, Callable[[AsyncSession, int, Sheet, Standing | None], Awaitable[_Plan]]] = {
    ROSTER: roster.plan,
    CHAIR_ROTATION: chairs.plan,
}


@dataclass(frozen=True)
class Source:
    """Where a file came from, as the audit log records it (never its content)."""

    filename: str
    sha256: str
    via: str  # "cli" | "chat"


async def dry_run(
    db: Database, community_id: int, sheet: Sheet, standing: Standing | None
) -> ImportResult:
    async with db.session() as session:
        return (await _PLANNERS[sheet.kind](session, community_id, sheet, standing)).result


async def apply(
    session: AsyncSession,
    community_id: int,
    sheet: Sheet,
    source: Source,
    *,
    actor_id: int | None,
    standing: Standing | None,
) -> ImportResult:
    """Import inside the caller's write transaction; ``standing`` None is an operator."""
    plan = await _PLANNERS[sheet.kind](session, community_id, sheet, standing)
    result = plan.result
    details = await plan.apply(session)
    await audit.record(
        session,
        f"{sheet.kind}.imported",
        actor_id=actor_id,
        community_id=community_id,
        subject=f"community:{community_id}",
        data={
            "file": source.filename,
            "sha256": source.sha256,
            "via": source.via,
            "imported": result.imported,
            "unchanged": result.unchanged,
            "rejected": len(result.rejected),
            **details,
        },
    )
    return result


async def run(
    db: Database,
    community_id: int,
    sheet: Sheet,
    source: Source,
    *,
    actor_id: int | None,
    standing: Standing | None,
) -> ImportResult:
    async with db.write() as session:
        return await apply(
            session, community_id, sheet, source, actor_id=actor_id, standing=standing
        )


# -- the report ------------------------------------------------------------------------------


def summary(result: ImportResult, filename: str, *, done: bool) -> list[Text]:
    """What the file holds (or held): a title and the counts."""
    if result.kind == ROSTER:
        title = (
            t("Roster <b>{file}</b> imported.", file=filename)
            if done
            else t("Roster <b>{file}</b> checked.", file=filename)
        )
    else:
        title = (
            t("Chair rotation <b>{file}</b> imported.", file=filename)
            if done
            else t("Chair rotation <b>{file}</b> checked.", file=filename)
        )
    counts = dict(
        imported=result.imported,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=len(result.rejected),
    )
    if done:
        count = t(
            "Imported: {imported} ({created} new, {updated} changed). "
            "Already up to date: {unchanged}. Not imported: {rejected}.",
            **counts,
        )
    else:
        count = t(
            "To import: {imported} ({created} new, {updated} changed). "
            "Already up to date: {unchanged}. With problems: {rejected}.",
            **counts,
        )
    paragraphs = [title, count]
    if result.new_buildings:
        paragraphs.append(t("New buildings: {names}", names="、".join(result.new_buildings)))
    if result.removed:
        paragraphs.append(t("Positions removed from the rotation: {n}", n=result.removed))
    return paragraphs


def problems(result: ImportResult) -> list[Text]:
    """Every rejected line with its reason, as one paragraph (the renderer splits it if long)."""
    if not result.rejected:
        return []
    listed = [
        t("Line {line}: {reason}", line=r.line, reason=r.reason) for r in result.rejected[:LISTED]
    ]
    if len(result.rejected) > LISTED:
        listed.append(t("… and {n} more lines with problems.", n=len(result.rejected) - LISTED))
    return [_lines([t("Lines with problems (they are not imported):"), *listed])]


def _lines(texts: list[Text]) -> Text:
    """Texts one per line, nested as a balanced tree so long lists stay shallow."""
    if len(texts) == 1:
        return texts[0]
    middle = len(texts) // 2
    return t("{first}\n{second}", first=_lines(texts[:middle]), second=_lines(texts[middle:]))
