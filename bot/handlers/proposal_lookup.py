"""Find the proposal a command or button names, in the asker's community, or say why not."""

from __future__ import annotations

from aiogram.types import CallbackQuery

from bot.flows import proposals as pr
from bot.flows import standing
from bot.flows.results import Toast, reply
from bot.handlers.context import Context
from bot.i18n import t
from storage.models import Proposal


def community(ctx: Context) -> int | None:
    """The group's community; in a private chat the asker's own."""
    return ctx.binding.community_id if ctx.binding is not None else ctx.standing.community_id


async def load(
    ctx: Context, proposal_id: int | None = None, number: int | None = None
) -> tuple[Proposal | None, tuple[int, ...]]:
    """The proposal, by id or by number in the asker's community, with its scope's path;
    tells the asker when there is none."""
    async with ctx.db.session() as session:
        if proposal_id is not None:
            proposal = await session.get(Proposal, proposal_id)
        elif community(ctx) is not None and number is not None:
            proposal = await pr.find(session, community(ctx), number)
        else:
            proposal = None
        if proposal is None or proposal.community_id != community(ctx):
            text = t("There is no proposal No. {number} here.", number=number or "?")
            await ctx.show(
                Toast(text, alert=True) if isinstance(ctx.event, CallbackQuery) else reply(text)
            )
            return None, ()
        paths = await standing.scope_paths(session, proposal.community_id)
    return proposal, paths.get(proposal.scope_id, ())
