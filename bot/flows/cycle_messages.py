"""What ``/cycle`` and ``/cycle set`` say: the next time of every phase in the community's zone,
the numbers that govern the agenda, and the announcement of a change to the bound groups."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.flows import cycle_settings
from bot.flows.cycle_rules import Phase, upcoming
from bot.flows.cycle_settings import Change, CycleConfig
from bot.flows.cycle_text import PHASE_NAMES, clock, describe, when
from bot.flows.policy import ROLE_NAMES, Role
from bot.flows.results import Notify, Reply, reply
from bot.i18n import Text, t
from storage.engine import Database
from storage.models import ChatBinding

OPENER_NAMES = {"chair": ROLE_NAMES[Role.CHAIR], "moderator": ROLE_NAMES[Role.MODERATOR]}
FIELD_NAMES: dict[str, Text] = {
    "day": t("the 协商日"),
    "reminder1": PHASE_NAMES[Phase.REMINDER_1],
    "reminder2": PHASE_NAMES[Phase.REMINDER_2],
    "freeze": PHASE_NAMES[Phase.FREEZE],
    "vote": PHASE_NAMES[Phase.VOTE_OPEN],
    "hours": t("how long votes stay open"),
    "publicity": t("the 公示 period"),
    "threshold": t("the support threshold"),
    "agenda": t("the agenda size"),
    "opener": t("who opens votes"),
    "quiet": t("the quiet hours"),
}
assert set(FIELD_NAMES) == set(cycle_settings.FIELDS)


def _rule_of(config: CycleConfig, phase: Phase) -> Text:
    if phase is Phase.DELIBERATION:
        assert config.day is not None
        return describe(config.day)
    if phase is Phase.VOTE_CLOSE:
        if config.vote_hours == 1:
            return t("an hour after voting opens")
        return t("{n} hours after voting opens", n=config.vote_hours)
    return describe(config.phases[phase])


def schedule(config: CycleConfig, now: datetime) -> tuple[Text, ...]:
    """The 协商日 rule and the next time of each phase, soonest first."""
    calendar = config.calendar()
    if calendar is None:
        return (
            t(
                "No 协商日 is set yet. A moderator sets it with /cycle set day 每月11日 19:00.",
            ),
        )
    lines = [t("协商日: {rule} ({zone})", rule=describe(config.day), zone=config.timezone)]
    lines += [
        t(
            "{phase}: {when} · {rule}",
            phase=PHASE_NAMES[phase],
            when=when(moment, calendar.zone),
            rule=_rule_of(config, phase),
        )
        for phase, moment in upcoming(calendar, now).items()
    ]
    return tuple(lines)


def numbers(config: CycleConfig) -> Text:
    quiet = (
        t("{start}–{end}", start=clock(config.quiet[0]), end=clock(config.quiet[1]))
        if config.quiet
        else t("none")
    )
    return t(
        "Support threshold: {threshold} households · agenda: at most {agenda} items · votes "
        "opened by the {opener} · 公示: {publicity} days after a decision · quiet hours for "
        "reminders: {quiet}",
        threshold=config.support_threshold,
        agenda=config.agenda_size,
        opener=OPENER_NAMES[config.vote_opener],
        publicity=config.publicity_days,
        quiet=quiet,
    )


async def show(db: Database, community_id: int, now: datetime, *, editable: bool) -> Reply:
    async with db.session() as session:
        config = await cycle_settings.load(session, community_id)
    title = t("<b>The 协商日 cycle of {community}</b>", community=config.community)
    hint = (cycle_settings.usage(),) if editable else ()
    return reply(title, *schedule(config, now), numbers(config), *hint)


def _what_changed(change: Change) -> Text:
    if not change.changed:
        return t("That is already the setting; nothing changed.")
    return t("Changed {field}. The cycle now:", field=FIELD_NAMES[change.field])


def changed(change: Change, now: datetime) -> Reply:
    return reply(_what_changed(change), *schedule(change.after, now), numbers(change.after))


async def announcements(
    db: Database, community_id: int, change: Change, now: datetime, *, besides: int | None
) -> list[Notify]:
    """The new dates, to every group bound to the community but the one that asked."""
    if not change.changed:
        return []
    async with db.session() as session:
        chats = (
            await session.scalars(
                select(ChatBinding.chat_id).where(
                    ChatBinding.community_id == community_id, ChatBinding.active
                )
            )
        ).all()
    said = (
        t("<b>The 协商日 schedule of {community} changed</b>", community=change.after.community),
        *schedule(change.after, now),
    )
    return [Notify(chat_id, said) for chat_id in chats if chat_id != besides]
