"""The reminders before the 协商日 (D−7 and D−1 by default): the leading proposals and the
support each still needs, to every group bound to the community."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.flows import agenda, cycle_notices, cycle_phases
from bot.flows.cycle_phases import Due
from bot.flows.cycle_settings import CycleConfig
from bot.flows.results import Notify
from storage.engine import Database


@dataclass(frozen=True)
class Said:
    """Notices to the community's groups, in the community's language."""

    language: str
    notices: list[Notify]


async def remind(db: Database, due: Due, now: datetime, config: CycleConfig) -> Said:
    """Run one reminder (AlreadyRan if it ran); ``config``: the community's cycle settings."""
    async with db.write() as s:
        run = await cycle_phases.claim(s, due, now)
        leading = await agenda.ranked(s, due.community_id)
        chats = await agenda.bound_chats(s, due.community_id)
    said = cycle_notices.reminder(run, config, leading)
    return Said(config.language, [Notify(chat.chat_id, said) for chat in chats])
