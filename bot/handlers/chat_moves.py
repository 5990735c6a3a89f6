"""Following a group upgraded to a supergroup, from whichever Telegram says first: the service
messages (``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id`` in the new one) or
the 400 with ``migrate_to_chat_id`` answering any call to the old id — the bot's requests pass
through :class:`ChatMoves`, which follows the group and repeats the call at the new id.

Once followed, running votes and active proposals are posted again in the new chat: their old
messages stay behind in the old group, where nobody can press a button any more.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramMigrateToChat
from aiogram.types import Message

from bot.flows import chat_moves
from bot.handlers.proposals import Proposals
from bot.handlers.requests import Again, ChatRefusals, install
from bot.handlers.voting import Voting
from storage.engine import Database
from storage.models import Proposal, Vote

log = logging.getLogger("xieshang.chat_moves")


class ChatMoves(ChatRefusals):
    refusal = TelegramMigrateToChat

    def __init__(self, db: Database, voting: Voting, proposals: Proposals) -> None:
        self.db = db
        self.voting = voting
        self.proposals = proposals
        self._lock = asyncio.Lock()

    async def refused(self, bot: Bot, chat_id: int, refused: TelegramAPIError, again: Again) -> Any:
        """Follow the group, then make the same call at its new id."""
        assert isinstance(refused, TelegramMigrateToChat)
        await self.follow(bot, chat_id, refused.migrate_to_chat_id, learnt_from="error")
        return await again(refused.migrate_to_chat_id)

    async def follow(self, bot: Bot, old: int, new: int, *, learnt_from: str) -> None:
        async with self._lock:  # the service message and an error may race
            moved = await chat_moves.follow(self.db, old, new, learnt_from=learnt_from)
        if moved is None:
            return
        log.info("chat %s moved to %s (%s)", old, new, learnt_from)
        async with self.db.session() as session:
            votes = [await session.get(Vote, vote_id) for vote_id in moved.open_votes]
            proposals = [await session.get(Proposal, p) for p in moved.active_proposals]
        for proposal in proposals:
            await self._again(self.proposals.post(proposal, new, None), "proposal", proposal.id)
        for vote in votes:
            await self._again(self.voting.post_ballot(vote, new), "vote", vote.id)

    @staticmethod
    async def _again(posting, what: str, key: int) -> None:
        """Post one message again; a refusal loses nothing stored, so it is only logged."""
        try:
            await posting
        except TelegramAPIError as refused:
            log.warning("could not post %s %s in its new chat: %s", what, key, refused)


def router(moves: ChatMoves) -> Router:
    r = Router(name="chat_moves")

    async def startup(bot: Bot) -> None:
        install(bot, moves)

    async def upgraded(message: Message, bot: Bot) -> None:
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        else:
            old, new = message.migrate_from_chat_id, message.chat.id
        await moves.follow(bot, old, new, learnt_from="service message")

    r.startup.register(startup)
    r.message.register(upgraded, F.migrate_to_chat_id | F.migrate_from_chat_id)
    return r
