"""Roster and chair-rotation files sent in a private chat, /import, and the import buttons.

Only private chats import: in a group the bot does not react to documents at all.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.flows import roster_upload
from bot.flows.policy import Action
from bot.handlers.context import Context

PRIVATE = F.chat.type == "private"


async def _download(ctx: Context, file_id: str) -> bytes:
    file = await ctx.bot.get_file(file_id)
    assert file.file_path is not None
    downloaded = await ctx.bot.download_file(file.file_path)
    assert downloaded is not None
    return downloaded.read()


def _may_import(ctx: Context) -> bool:
    return bool(ctx.permits(Action.IMPORT_ROSTER) or ctx.permits(Action.IMPORT_CHAIR_ROTATION))


async def how_to(message: Message, ctx: Context) -> None:
    if _may_import(ctx) or await ctx.require(Action.IMPORT_ROSTER):
        await ctx.show(roster_upload.how_to())


async def document(message: Message, ctx: Context) -> None:
    doc = message.document
    assert doc is not None
    if not _may_import(ctx):
        await ctx.require(Action.IMPORT_ROSTER)  # says who can
        return
    if refusal := roster_upload.unsuitable(doc.file_name, doc.mime_type, doc.file_size):
        await ctx.show(refusal)
        return
    data = await _download(ctx, doc.file_id)
    await ctx.show(
        await roster_upload.received(
            ctx.db, ctx.member, ctx.standing, doc.file_id, doc.file_name or "roster.csv", data
        )
    )


async def pressed(query: CallbackQuery, ctx: Context) -> None:
    parsed = roster_upload.parse(query.data)
    if parsed is None:
        await query.answer()
        return
    verb, upload_id = parsed
    if verb == "discard":
        await ctx.show(await roster_upload.discard(ctx.db, upload_id, ctx.member))
        return
    file_id, settled = await roster_upload.to_fetch(ctx.db, upload_id)
    if file_id is None:
        await ctx.show(settled)
        return
    data = await _download(ctx, file_id)
    await ctx.show(
        await roster_upload.confirm(ctx.db, upload_id, ctx.member, data, ctx.clock.now())
    )


def router() -> Router:
    r = Router(name="roster")
    r.message.register(how_to, Command("import"), PRIVATE)
    r.message.register(document, F.document, PRIVATE)
    r.callback_query.register(pressed, F.data.startswith(roster_upload.PREFIX))
    return r
