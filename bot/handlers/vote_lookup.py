"""Finding votes: the vote a command names (``/closevote 3``, ``/pending 3``…), /votes (a
group's decisions, paged; /votes N one result) and the supervisors' /verify N.

Its router comes before membership's: ``/verify`` with a vote number (and not as a reply to
a person) is the tally check; ``/verify 7-1-101`` as a reply still binds a member."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.flows import standing, vote_records, votes
from bot.flows.policy import Action
from bot.flows.results import EditOrigin, Toast, reply
from bot.handlers.context import Context
from bot.i18n import t
from storage.models import Community, Vote


async def vote_by_number(
    ctx: Context, args: str | None, example: str, *, open_only: bool = False
) -> Vote | None:
    """The community's vote numbered in ``args``; tells the person what is wrong otherwise."""
    number = (args or "").strip().lstrip("#＃")
    if not number.isdigit():
        await ctx.show(reply(t("Give the vote's number, e.g. {example}.", example=example)))
        return None
    async with ctx.db.session() as session:
        vote = await session.get(Vote, int(number))
    community_id = ctx.binding.community_id if ctx.binding else ctx.standing.community_id
    if vote is None or vote.community_id != community_id:
        await ctx.show(reply(t("There is no vote {id} in this community.", id=number)))
        return None
    if open_only and vote.closed_at is not None:
        await ctx.show(reply(t("Vote {id} is already closed.", id=vote.id)))
        return None
    return vote


async def _timezone(ctx: Context, community_id: int) -> str:
    async with ctx.db.session() as session:
        community = await session.get(Community, community_id)
    return community.timezone


def _about_a_vote(message: Message, ctx: Context) -> bool:
    """/verify N (not replying to a person), or a bare /verify from someone who may check
    tallies but not bind members."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        return False
    args = (message.text or "").partition(" ")[2].strip().lstrip("#＃")
    if args.isdigit():
        return True
    return not args and not ctx.permits(Action.VERIFY_MEMBER) and ctx.permits(Action.VERIFY_TALLY)


async def verify_command(message: Message, command: CommandObject, ctx: Context) -> None:
    vote = await vote_by_number(ctx, command.args, "/verify 3")
    if vote is None or not await ctx.require(Action.VERIFY_TALLY):
        return
    report = await votes.verify(ctx.db, vote.id)
    if report.ok:
        await ctx.show(
            reply(
                t(
                    "Vote {id}: verified. The ballots, the result and the audit chain agree.",
                    id=vote.id,
                )
            )
        )
        return
    await ctx.show(
        reply(
            t("Vote {id}: NOT verified.", id=vote.id),
            *(t("• {problem}", problem=p) for p in report.problems),
        )
    )


async def votes_command(message: Message, command: CommandObject, ctx: Context) -> None:
    if (command.args or "").strip():
        vote = await vote_by_number(ctx, command.args, "/votes 3")
        if vote is not None:
            timezone = await _timezone(ctx, vote.community_id)
            await ctx.show(await vote_records.one(ctx.db, vote, timezone))
        return
    where = await _scope(ctx)
    if where is None:
        return
    community_id, scope_id = where
    timezone = await _timezone(ctx, community_id)
    await ctx.show(await vote_records.listing(ctx.db, community_id, scope_id, 0, timezone))


async def _scope(ctx: Context) -> tuple[int, int] | None:
    """A bound group's scope; in a private chat, the person's whole community."""
    if ctx.binding is not None:
        return ctx.binding.community_id, ctx.binding.scope_id
    if ctx.where == "private" and ctx.standing.community_id is not None:
        async with ctx.db.session() as session:
            paths = await standing.scope_paths(session, ctx.standing.community_id)
        root = next((s for s, path in paths.items() if len(path) == 1), None)
        if root is not None:
            return ctx.standing.community_id, root
    await ctx.show(reply(t("Use /votes in a group bound to the community, a grid or a building.")))
    return None


async def page_pressed(query: CallbackQuery, ctx: Context) -> None:
    parsed = vote_records.parse_page(query.data or "")
    where = await _scope(ctx)
    if parsed is None or where is None or where[1] != parsed[0]:
        await ctx.show(Toast(t("This list is out of date: send /votes again."), alert=True))
        return
    community_id, scope_id = where
    timezone = await _timezone(ctx, community_id)
    listed = await vote_records.listing(ctx.db, community_id, scope_id, parsed[1], timezone)
    await ctx.show(EditOrigin(listed.paragraphs, listed.buttons))


def router() -> Router:
    r = Router(name="vote_lookup")
    r.message.register(verify_command, Command("verify"), _about_a_vote)
    r.message.register(votes_command, Command("votes"))
    r.callback_query.register(page_pressed, F.data.startswith(vote_records.PAGE))
    return r
