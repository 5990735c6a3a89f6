"""A roster or chair-rotation file sent to the bot in a private chat: check, then import or not.

The first answer is a dry run with every problem listed and two buttons. Between the check and
the choice only Telegram's file id and the file's sha256 are kept (a ``RosterUpload`` row); the
file is fetched again to import, and must still have the same hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import imports, roster_csv, standing
from bot.flows.inputs import Invalid
from bot.flows.policy import Standing, decide
from bot.flows.results import Button, EditOrigin, Outcome, Reply, Toast, reply
from bot.flows.roster_csv import MAX_BYTES
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Member, RosterUpload

PREFIX = "roster:"
_CSV_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "text/comma-separated-values",
    "application/vnd.ms-excel",  # what Windows calls a .csv
}


def how_to() -> Reply:
    """/import: what to send."""
    return reply(
        t("To import a roster or the chair rotation, send me the CSV file here."),
        t(
            "Roster header: <code>网格,楼栋,单元,房号,户号,户代表,手机尾号</code> "
            "(or <code>grid,building,unit,room,household,representative,phone_tail</code>). "
            "Only the last 4 digits of a phone number, never the whole number."
        ),
        t(
            "Chair rotation header: <code>顺序,户号,姓名</code> "
            "(or <code>position,household,name</code>)."
        ),
        t("I check the file first and show every problem; nothing is stored until you choose."),
    )


def unsuitable(filename: str | None, mime_type: str | None, size: int | None) -> Reply | None:
    """Why a document cannot be a roster before downloading it, or None."""
    name = (filename or "").lower()
    is_csv = name.endswith((".csv", ".txt")) if "." in name else mime_type in _CSV_TYPES
    if not is_csv:
        return reply(
            t("Please send the roster as a CSV file (.csv). In Excel or WPS: File → Save As → CSV.")
        )
    if size is not None and size > MAX_BYTES:
        return reply(roster_csv.too_big())
    return None


def parse(data: str | None) -> tuple[str, int] | None:
    """``roster:import:12`` → ("import", 12)."""
    verb, _, number = (data or "").removeprefix(PREFIX).partition(":")
    return (verb, int(number)) if number.isdigit() else None


async def received(
    db: Database,
    member: Member | None,
    where: Standing,
    file_id: str,
    filename: str,
    data: bytes,
) -> list[Outcome]:
    """The dry run of a file just sent; keeps a pending upload when there is something to import."""
    try:
        sheet = roster_csv.read(data)
    except Invalid as problem:
        return [reply(problem.text)]
    decision = decide(where, imports.ACTIONS[sheet.kind])
    if not decision:
        assert decision.reason is not None
        return [reply(decision.reason)]
    assert member is not None and where.community_id is not None, "staff have both"
    result = await imports.dry_run(db, where.community_id, sheet, where)
    report = [*imports.summary(result, filename, done=False), *imports.problems(result)]
    if result.imported == 0:
        report.append(
            t("Nothing to import: every valid row is already up to date.")
            if result.valid
            else t("Nothing can be imported. Correct the file and send it again.")
        )
        return [reply(*report)]
    async with db.write() as session:
        upload = RosterUpload(
            community_id=where.community_id,
            uploader_id=member.id,
            kind=sheet.kind,
            file_id=file_id,
            sha256=roster_csv.sha256(data),
            filename=filename[:255],
        )
        session.add(upload)
        await session.flush()
        await _record(session, upload, "checked", actor_id=member.id)
    report.append(t("Import the valid rows now? Lines with problems are left out."))
    buttons = (
        (
            Button(
                t("Import the valid row")
                if result.valid == 1
                else t("Import the {n} valid rows", n=result.valid),
                f"{PREFIX}import:{upload.id}",
            ),
            Button(t("Import nothing"), f"{PREFIX}discard:{upload.id}"),
        ),
    )
    return [reply(*report, buttons=buttons)]


async def to_fetch(db: Database, upload_id: int) -> tuple[str | None, list[Outcome]]:
    """The file id to download again for an import, or the answer when there is nothing to do."""
    async with db.session() as session:
        upload = await session.get(RosterUpload, upload_id)
        if upload is None or upload.status != "pending":
            return None, _settled(upload)
        return upload.file_id, []


async def confirm(
    db: Database, upload_id: int, member: Member | None, data: bytes, now: datetime
) -> list[Outcome]:
    """Import the valid rows of a checked file, once; a second press changes nothing."""
    async with db.write() as session:
        upload = await session.get(RosterUpload, upload_id)
        if upload is None or upload.status != "pending" or member is None:
            return _settled(upload)
        mine = await standing.load(session, member, upload.community_id, now)
        decision = decide(mine, imports.ACTIONS[upload.kind])
        if not decision:
            assert decision.reason is not None
            return [Toast(decision.reason, alert=True)]
        if roster_csv.sha256(data) != upload.sha256:
            upload.status = "discarded"
            session.add(upload)
            await _record(session, upload, "changed", actor_id=member.id)
            changed = t(
                "The file changed since it was checked; nothing was imported. Send it again."
            )
            return [EditOrigin((changed,)), Toast(changed, alert=True)]
        sheet = roster_csv.read(data)
        source = imports.Source(upload.filename, upload.sha256, "chat")
        result = await imports.apply(
            session, upload.community_id, sheet, source, actor_id=member.id, standing=mine
        )
        upload.status = "imported"
        session.add(upload)
    done = imports.summary(result, upload.filename, done=True)
    return [EditOrigin(tuple(done)), Toast(t("Imported."))]


async def discard(db: Database, upload_id: int, member: Member | None) -> list[Outcome]:
    async with db.write() as session:
        upload = await session.get(RosterUpload, upload_id)
        if upload is None or upload.status != "pending":
            return _settled(upload)
        upload.status = "discarded"
        session.add(upload)
        await _record(session, upload, "discarded", actor_id=member.id if member else None)
    nothing = t("Nothing was imported from {file}.", file=upload.filename)
    return [EditOrigin((nothing,)), Toast(nothing)]


def _settled(upload: RosterUpload | None) -> list[Outcome]:
    said: Text
    if upload is not None and upload.status == "imported":
        said = t("This file was already imported; nothing changed.")
    elif upload is not None and upload.status == "discarded":
        said = t("This file was already set aside; nothing was imported.")
    else:
        said = t("This file is no longer known; send it again.")
    return [Toast(said, alert=True)]


async def _record(
    session: AsyncSession, upload: RosterUpload, what: str, actor_id: int | None
) -> None:
    await audit.record(
        session,
        f"upload.{what}",
        actor_id=actor_id,
        community_id=upload.community_id,
        subject=f"upload:{upload.id}",
        data={"kind": upload.kind, "file": upload.filename, "sha256": upload.sha256},
    )
