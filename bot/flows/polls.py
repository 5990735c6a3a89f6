"""Informal opinion polls: Telegram's native polls, posted by a moderator or the month's chair.

They are never binding (design §5): a binding vote needs inline buttons so the bot sees which
household casts. A named poll's answers reach the bot as poll_answer updates and are kept, one
row per person (retracting deletes it); an anonymous poll's answers never reach the bot, so its
counts are the ones Telegram reports when the poll is stopped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.inputs import Invalid
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import Member, Poll, PollAnswer

QUESTION_LIMIT = 300  # Telegram's limits for a poll
OPTION_LIMIT = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
EXAMPLE = "/poll 周末大扫除定在哪天？ | 周六上午 / 周日上午 / 都可以"
_ANONYMOUS = {"匿名", "无记名", "不记名", "anonymous"}
_NAMED = {"记名", "实名", "named"}
_MULTIPLE = {"多选", "multiple"}
_NUMBER = re.compile(r"#?(\d{1,9})")


@dataclass(frozen=True)
class PollSpec:
    """What the moderator asked for, before it is posted."""

    question: str
    options: tuple[str, ...]
    anonymous: bool = False
    multiple: bool = False


@dataclass(frozen=True)
class Tally:
    """Answers per option; ``households`` is known only for named polls (members' households)."""

    counts: tuple[int, ...]
    people: int
    households: int | None = None


def number(args: str | None) -> int | None:
    """The poll number in ``/poll 3`` or ``/closepoll #3``, else None."""
    found = _NUMBER.fullmatch((args or "").strip())
    return int(found.group(1)) if found else None


def parse(args: str | None) -> PollSpec:
    """``问题 | 选项1 / 选项2 / … | 匿名 多选``; full-width ｜ and ／ separate too.

    Only the separators are normalised: the question and options keep the punctuation typed.
    """
    text = (args or "").replace("｜", "|").replace("／", "/")
    parts = [" ".join(part.split()) for part in text.split("|")]
    if len(parts) > 3:
        raise Invalid(t("Too many parts: /poll question | option / option | 匿名 多选."))
    question, options, flags = parts + [""] * (3 - len(parts))
    if not question:
        raise Invalid(
            t("Give the poll a question and its options, e.g. {example}", example=EXAMPLE)
        )
    if len(question) > QUESTION_LIMIT:
        raise Invalid(t("A question can have at most {limit} characters.", limit=QUESTION_LIMIT))
    anonymous, multiple = _flags(flags)
    return PollSpec(question, _options(options), anonymous, multiple)


def _options(text: str) -> tuple[str, ...]:
    labels = tuple(label.strip() for label in text.split("/")) if text else ()
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise Invalid(
            t(
                "A poll needs {low} to {high} options separated by /, e.g. {example}",
                low=MIN_OPTIONS,
                high=MAX_OPTIONS,
                example=EXAMPLE,
            )
        )
    if not all(labels):
        raise Invalid(t("An option cannot be empty: check for a / too many."))
    if too_long := next((label for label in labels if len(label) > OPTION_LIMIT), None):
        raise Invalid(
            t(
                "An option can have at most {limit} characters: “{option}…”",
                limit=OPTION_LIMIT,
                option=too_long[:20],
            )
        )
    if twice := next((label for i, label in enumerate(labels) if label in labels[:i]), None):
        raise Invalid(t("Each option must be different: “{option}” appears twice.", option=twice))
    return labels


def _flags(text: str) -> tuple[bool, bool]:
    """(anonymous, multiple answers) from words like 匿名 多选."""
    words = set(re.split(r"[\s、,，]+", unicodedata.normalize("NFKC", text).lower())) - {""}
    unknown = words - _ANONYMOUS - _NAMED - _MULTIPLE
    if unknown or (words & _ANONYMOUS and words & _NAMED):
        raise Invalid(
            t("After the options you may add 匿名 (anonymous) and 多选 (several answers allowed).")
        )
    return bool(words & _ANONYMOUS), bool(words & _MULTIPLE)


def options_of(poll: Poll) -> tuple[str, ...]:
    return tuple(json.loads(poll.options))


async def record(
    db: Database,
    community_id: int,
    spec: PollSpec,
    *,
    tg_poll_id: str,
    chat_id: int,
    message_id: int,
    thread_id: int | None,
    created_by_id: int | None,
    now: datetime,
) -> Poll:
    """Store a poll Telegram has just posted."""
    async with db.write() as session:
        poll = Poll(
            community_id=community_id,
            tg_poll_id=tg_poll_id,
            chat_id=chat_id,
            message_id=message_id,
            thread_id=thread_id,
            question=spec.question,
            options=json.dumps(spec.options, ensure_ascii=False),
            anonymous=spec.anonymous,
            multiple=spec.multiple,
            created_by_id=created_by_id,
            created_at=now,
        )
        session.add(poll)
        await session.flush()
        await audit.record(
            session,
            "poll.post",
            actor_id=created_by_id,
            community_id=community_id,
            subject=f"poll:{poll.id}",
            data={
                "question": spec.question,
                "options": list(spec.options),
                "anonymous": spec.anonymous,
                "multiple": spec.multiple,
            },
        )
    return poll


async def answer(
    db: Database,
    tg_poll_id: str,
    tg_user_id: int,
    option_ids: list[int],
    now: datetime,
) -> None:
    """Keep a person's current answer (none = retracted); polls that are not ours, anonymous
    or closed are left alone."""
    async with db.write() as session:
        poll = await session.scalar(select(Poll).where(Poll.tg_poll_id == tg_poll_id))
        if poll is None or poll.anonymous or poll.closed_at is not None:
            return
        chosen = sorted({i for i in option_ids if 0 <= i < len(options_of(poll))})
        member_id = await session.scalar(select(Member.id).where(Member.tg_user_id == tg_user_id))
        existing = await session.scalar(
            select(PollAnswer).where(
                PollAnswer.poll_id == poll.id, PollAnswer.tg_user_id == tg_user_id
            )
        )
        if not chosen:
            if existing is None:
                return
            await session.delete(existing)
        else:
            row = existing or PollAnswer(poll_id=poll.id, tg_user_id=tg_user_id, option_ids="")
            row.member_id, row.option_ids, row.answered_at = member_id, json.dumps(chosen), now
            session.add(row)
        await audit.record(
            session,
            "poll.answer" if chosen else "poll.retract",
            actor_id=member_id,
            community_id=poll.community_id,
            subject=f"poll:{poll.id}",
            data={"tg_user_id": tg_user_id, "option_ids": chosen},
        )


async def close(db: Database, poll_id: int, closed_by_id: int | None, now: datetime) -> Poll | None:
    """Mark the poll closed, once: None when it already was."""
    async with db.write() as session:
        done = await session.execute(
            update(Poll).where(Poll.id == poll_id, Poll.closed_at.is_(None)).values(closed_at=now)
        )
        if done.rowcount != 1:
            return None
        poll = await session.get(Poll, poll_id)
        await audit.record(
            session,
            "poll.close",
            actor_id=closed_by_id,
            community_id=poll.community_id,
            subject=f"poll:{poll.id}",
        )
    return poll


async def tally(session: AsyncSession, poll: Poll) -> Tally:
    """A named poll's stored answers, counted per option, per person and per household."""
    rows = (
        await session.execute(
            select(PollAnswer.option_ids, Member.household_id)
            .outerjoin(Member, Member.id == PollAnswer.member_id)
            .where(PollAnswer.poll_id == poll.id)
        )
    ).all()
    counts = [0] * len(options_of(poll))
    for option_ids, _ in rows:
        for index in json.loads(option_ids):
            counts[index] += 1
    households = {household for _, household in rows if household is not None}
    return Tally(tuple(counts), len(rows), len(households))


def posted(poll: Poll) -> tuple[Text, ...]:
    """The label under a new poll: what it is, and what it is not."""
    return (
        t(
            "☝️ Poll {id} is an informal opinion poll, not a binding vote.",
            id=poll.id,
        ),
        t("Answers are anonymous: nobody, the bot included, sees who chose what.")
        if poll.anonymous
        else t(
            "Answers are not anonymous: everyone sees who chose what, "
            "and the bot keeps the answers for the summary."
        ),
        t("A moderator or the chair closes it with /closepoll {id}.", id=poll.id),
    )


def summary(poll: Poll, found: Tally | None) -> tuple[Text, ...]:
    """Counts per option and who answered; ``found`` is None for an anonymous poll whose counts
    only Telegram knows."""
    head = (
        t("📊 Poll {id} closed: {question}", id=poll.id, question=poll.question)
        if poll.closed_at is not None
        else t("📊 Poll {id} so far: {question}", id=poll.id, question=poll.question)
    )
    lines: list[Text] = [head, t("An informal opinion poll, not a binding vote.")]
    if found is None:
        lines.append(t("This poll is anonymous: its counts are shown in the poll itself."))
        return tuple(lines)
    counts = [
        t("• {option}: {count}", option=option, count=count)
        for option, count in zip(options_of(poll), found.counts, strict=True)
    ]
    block = counts[0]
    for line in counts[1:]:  # one paragraph, a line per option
        block = t("{first}\n{second}", first=block, second=line)
    lines.append(block)
    if found.households is None:
        lines.append(t("People who answered: {people}.", people=found.people))
    else:
        lines.append(
            t(
                "People who answered: {people}, from {households} households.",
                people=found.people,
                households=found.households,
            )
        )
    if poll.multiple:
        lines.append(t("Several answers were allowed, so the counts can add up to more."))
    return tuple(lines)
