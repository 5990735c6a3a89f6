"""Find the vote a staff command names (``/closevote 3``, ``/pending 3``…), or say why not."""

from __future__ import annotations

from bot.flows.results import reply
from bot.handlers.context import Context
from bot.i18n import t
from storage.models import Vote


async def vote_by_number(
    ctx: Context, args: str | None, example: str, *, open_only: bool = False
) -> Vote | None:
    """The community's vote numbered in ``args``; tells the person what is wrong otherwise."""
    number = (args or "").strip().lstrip("#")
    if not number.isdigit():
        await ctx.show(reply(t("Give the vote's number, e.g. {example}.", example=example)))
        return None
    async with ctx.db.session() as session:
        vote = await session.get(Vote, int(number))
    if vote is None or vote.community_id != ctx.standing.community_id:
        await ctx.show(reply(t("There is no vote {id} in this community.", id=number)))
        return None
    if open_only and vote.closed_at is not None:
        await ctx.show(reply(t("Vote {id} is already closed.", id=vote.id)))
        return None
    return vote
