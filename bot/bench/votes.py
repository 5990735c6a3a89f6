"""A binding vote of N households through the real bot, vs the same burst against a no-op bot.

The sandbox runs in this process without rate limits; the real ``BotApp`` polls it over HTTP
with a temporary SQLite file. N households with verified representatives are written in bulk
(this benchmark is about casting, not the roster), every representative is a sandbox user in
one bound supergroup, and the chair opens the vote with ``/vote`` and its confirm button, as
in a chat. Then all representatives press concurrently, in bounded waves: some tap twice at
once, some change their vote in a last wave. Every answer is awaited; the chair closes the
vote with ``/closevote``. The baseline is the same burst, by the same users in the same group,
against a bot whose only handler answers the callback (as in ``bench dispatch``).

``lost`` counts taps answered as stored whose household has no ballot; ``duplicated`` counts
households with more than one ballot row (the unique constraint makes it impossible: it is
counted from the table, not assumed); ``mismatched`` counts ballots whose option is not the
household's last answered choice. ``tally_ms`` is the tally the close runs, timed again on the
closed vote, against ``raw_group_by_ms``: the plain GROUP BY on the same table with sqlite3.
"""

from __future__ import annotations

import asyncio
import random
import resource
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import func, insert, select

from bot.bench.dispatch import noop_router
from bot.config import load_settings
from bot.flows import ballot_writer, vote_chart
from bot.flows import vote_messages as say
from sandbox.server import Sandbox
from sandbox.world import World
from storage.engine import Database
from storage.models import Ballot, ChatBinding, Community, Household, Member, RoleGrant, Scope
from storage.timestamps import utcnow

TOKEN = "1000000003:BENCH-VOTES"
PER_BUILDING = 120  # households per building (a 20-storey block of 6 per floor)
BUILDINGS_PER_GRID = 10
DOUBLE_TAP_SHARE = 0.05
CHANGE_SHARE = 0.05
WAVE = 1000  # presses in flight at once
ANSWER_TIMEOUT = 120.0  # seconds for one wave's answers
BOT_TIMEOUT = 60.0  # seconds for one of the bot's messages (e.g. the result, with its chart)
RAW_GROUP_BY = "SELECT option, count(*) FROM ballot WHERE vote_id = ? GROUP BY option"


@dataclass(frozen=True)
class Voter:
    tg_user_id: int
    household_id: int


@dataclass(frozen=True)
class Neighbourhood:
    """What :func:`populate` built: the bound group, its chair and the voters."""

    community_id: int
    chat_id: int
    chair_tg_id: int
    voters: list[Voter]


async def populate(db: Database, world: World, households: int) -> Neighbourhood:
    """A community of ``households`` households, each with a verified representative who is a
    sandbox user in the community's bound supergroup, plus a chair; written with bulk Core
    inserts. Must run before the bot polls: the members' join messages are dropped (they
    joined long ago)."""
    chair = world.create_user(first_name="主席")
    chat = world.create_chat("supergroup", title="小桃园社区业主群", user_id=chair["id"])
    group = world.chat(chat["id"])
    users = []
    for index in range(households):
        user = world.create_user(first_name=f"户代表{index + 1}")
        # world.set_member would also announce the whole member list each time: O(N²) at 12,081.
        resident = world.user(user["id"])
        world.change_member(group, resident, "member", resident)
        users.append(user)
    world.updates.drop_pending()

    now = utcnow()
    async with db.write() as session:
        community = Community(name="小桃园社区")
        session.add(community)
        await session.flush()

        async def scope(kind: str, name: str, parent_id: int | None = None) -> int:
            row = Scope(community_id=community.id, parent_id=parent_id, kind=kind, name=name)
            session.add(row)
            await session.flush()
            return row.id

        root = await scope("community", community.name)
        buildings: list[int] = []
        for number in range((households + PER_BUILDING - 1) // PER_BUILDING):
            grid, first = divmod(number, BUILDINGS_PER_GRID)
            if first == 0:
                grid_id = await scope("grid", f"第{grid + 1}网格", root)
            buildings.append(await scope("building", f"{number + 1}栋", grid_id))
        codes = []
        rows = []
        for index in range(households):
            number, place = divmod(index, PER_BUILDING)
            floor, door = divmod(place, 6)
            code = f"{number + 1}-1-{floor + 1}{door + 1:02d}"
            codes.append(code)
            rows.append(
                {
                    "community_id": community.id,
                    "building_scope_id": buildings[number],
                    "code": code,
                    "unit": "1",
                    "room": code.rsplit("-", 1)[1],
                    "representative_name": f"户代表{index + 1}",
                    "created_at": now,
                }
            )
        await session.execute(insert(Household), rows)
        ids = dict(
            (
                await session.execute(
                    select(Household.code, Household.id).where(
                        Household.community_id == community.id
                    )
                )
            ).all()
        )
        voters = [Voter(user["id"], ids[code]) for user, code in zip(users, codes, strict=True)]
        await session.execute(
            insert(Member),
            [
                {
                    "tg_user_id": voter.tg_user_id,
                    "display_name": user["first_name"],
                    "household_id": voter.household_id,
                    "verified_at": now,
                    "representative": True,
                    "created_at": now,
                }
                for voter, user in zip(voters, users, strict=True)
            ],
        )
        chair_member = Member(tg_user_id=chair["id"], display_name="主席")
        session.add(chair_member)
        await session.flush()
        session.add(RoleGrant(community_id=community.id, member_id=chair_member.id, role="chair"))
        session.add(
            ChatBinding(
                chat_id=chat["id"], community_id=community.id, scope_id=root, title=chat["title"]
            )
        )
    return Neighbourhood(community.id, chat["id"], chair["id"], voters)


def _buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button.get("callback_data", "") for row in rows for button in row]


async def bot_message(world: World, chat_id: int, after: int, wanted) -> dict[str, Any]:
    """The first message from the bot in the chat after message ``after`` that ``wanted``
    accepts; waits on the sandbox's change signal, at most BOT_TIMEOUT seconds."""
    chat = world.chat(chat_id)
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        for message_id in range(after + 1, chat.next_message_id):
            message = chat.messages.get(message_id)
            if message and message.sender_id == world.bot.id and wanted(message.data):
                found.append(message.data)
                return True
        return False

    if not await world.events.changed.wait_for(arrived, BOT_TIMEOUT):
        raise TimeoutError(f"the bot did not post the expected message in chat {chat_id}")
    return found[0]


async def open_vote(world: World, chat_id: int, chair_tg_id: int, command: str) -> dict[str, Any]:
    """The chair sends ``/vote …`` and confirms the summary; returns the ballot message."""
    sent = world.send_user_message(chat_id, chair_tg_id, command)
    summary = await bot_message(
        world, chat_id, sent["message_id"], lambda m: say.CONFIRM in _buttons(m)
    )
    await asyncio.wait_for(
        world.press_button(chat_id, summary["message_id"], chair_tg_id, say.CONFIRM), BOT_TIMEOUT
    )
    return await bot_message(
        world,
        chat_id,
        summary["message_id"],
        lambda m: any(data.startswith("vb:") for data in _buttons(m)),
    )


@dataclass(frozen=True)
class Press:
    voter: Voter
    option: int
    data: str  # the button's callback data


@dataclass
class Burst:
    """What came of the presses: each press with its answer (None: none in time), in order."""

    answers: list[tuple[Press, dict[str, Any] | None]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def per_s(self) -> float:
        return len(self.answers) / self.elapsed_s if self.elapsed_s else 0.0


def plan(voters: list[Voter], vote_id: int, options: int, seed: int = 6) -> list[list[Press]]:
    """Every voter presses once, in random order; some press twice at once (a double tap);
    some change to another option in the last waves."""
    rng = random.Random(seed)
    shuffled = list(voters)
    rng.shuffle(shuffled)
    first: list[Press] = []
    changes: list[Press] = []
    for voter in shuffled:
        choice = rng.randrange(options)
        first.append(Press(voter, choice, say.cast_data(vote_id, choice)))
        if rng.random() < DOUBLE_TAP_SHARE:
            first.append(first[-1])
        if rng.random() < CHANGE_SHARE:
            other = (choice + 1 + rng.randrange(options - 1)) % options
            changes.append(Press(voter, other, say.cast_data(vote_id, other)))
    waves = [first[i : i + WAVE] for i in range(0, len(first), WAVE)]
    return waves + [changes[i : i + WAVE] for i in range(0, len(changes), WAVE)]


async def press_all(world: World, chat_id: int, message_id: int, waves: list[list[Press]]) -> Burst:
    """Press wave by wave, each wave at once; time every press to its answer."""
    burst = Burst()
    started = time.perf_counter()
    for wave in waves:
        futures = []
        for press in wave:
            future = world.press_button(chat_id, message_id, press.voter.tg_user_id, press.data)
            future.add_done_callback(_timer(burst.latencies_ms))
            futures.append(future)
        done, _ = await asyncio.wait(futures, timeout=ANSWER_TIMEOUT)
        for press, future in zip(wave, futures, strict=True):
            burst.answers.append((press, future.result() if future in done else None))
    burst.elapsed_s = time.perf_counter() - started
    return burst


def _timer(latencies_ms: list[float]):
    pressed = time.perf_counter()

    def answered(future: asyncio.Future) -> None:
        if not future.cancelled():
            latencies_ms.append((time.perf_counter() - pressed) * 1000)

    return answered


def stored(answer: dict[str, Any] | None) -> bool:
    """The bot answered that the ballot is recorded: a toast, not an alert (refusals alert)."""
    return answer is not None and bool(answer.get("text")) and not answer.get("show_alert")


@dataclass(frozen=True)
class Check:
    lost: int  # answered as stored, but the household has no ballot
    duplicated: int  # households with more than one ballot row
    mismatched: int  # ballots whose option is not the household's last answered choice
    ballots: int


def check(db_path: Path, vote_id: int, answers: list[tuple[Press, dict[str, Any] | None]]) -> Check:
    """Compare what the voters were told with the ballot table (read with plain sqlite3)."""
    with sqlite3.connect(db_path) as connection:
        ballots = dict(
            connection.execute(
                "SELECT household_id, option FROM ballot WHERE vote_id = ?", (vote_id,)
            ).fetchall()
        )
        duplicated = connection.execute(
            "SELECT count(*) FROM (SELECT household_id FROM ballot WHERE vote_id = ? "
            "GROUP BY household_id HAVING count(*) > 1)",
            (vote_id,),
        ).fetchone()[0]
    told: dict[int, int] = {}
    lost = 0
    for press, answer in answers:
        if stored(answer):
            told[press.voter.household_id] = press.option
            lost += press.voter.household_id not in ballots
    mismatched = sum(1 for h, option in told.items() if h in ballots and ballots[h] != option)
    return Check(lost, duplicated, mismatched, len(ballots))


async def _timed_ms(call, repeat: int = 7) -> float:
    """Median of ``repeat`` timings of ``await call()``, after one untimed warm-up."""
    await call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _tally_timings(db: Database, db_path: Path, vote_id: int) -> tuple[float, float]:
    """(the close's tally, a raw GROUP BY), each a median in ms, on the closed vote."""
    async with db.session() as session:
        await session.execute(select(func.count()).select_from(Ballot))  # hold a connection
        tally_ms = await _timed_ms(lambda: ballot_writer.tally(session, vote_id, False))
    with sqlite3.connect(db_path) as connection:

        async def raw() -> None:
            connection.execute(RAW_GROUP_BY, (vote_id,)).fetchall()

        raw_ms = await _timed_ms(raw)
    return tally_ms, raw_ms


async def _baseline(
    sandbox: Sandbox, chat_id: int, keyboard: dict[str, Any], warm_up_by: int, waves
) -> Burst:
    """The same presses in the same group, against a bot that only answers them."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
    sent = await bot.send_message(
        chat_id, "基准", reply_markup=InlineKeyboardMarkup.model_validate(keyboard)
    )
    dispatcher = Dispatcher()
    dispatcher.include_router(noop_router(answer=True))
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        data = waves[0][0].data
        await asyncio.wait_for(
            sandbox.world.press_button(chat_id, sent.message_id, warm_up_by, data), BOT_TIMEOUT
        )
        return await press_all(sandbox.world, chat_id, sent.message_id, waves)
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()


async def run(households: int = 12081, config: Path | None = None) -> dict[str, Any]:
    from bot.app import BotApp  # the whole bot: imported only when this benchmark runs

    with tempfile.TemporaryDirectory(prefix="xieshang-bench-votes-") as tmp:
        db_path = Path(tmp) / "votes.db"
        async with Sandbox(bot_token=TOKEN, port=0, limits=None) as sandbox:
            world = sandbox.world
            settings = load_settings(
                config,
                db=f"sqlite+aiosqlite:///{db_path}",
                log_level="WARNING",
                **{
                    "telegram.token": TOKEN,
                    "telegram.api_base": sandbox.url,
                    "telegram.mode": "polling",
                },
            )
            app = BotApp(settings)
            started = time.perf_counter()
            await app.db.upgrade()
            place = await populate(app.db, world, households)
            setup_s = time.perf_counter() - started
            await app.start()
            try:
                ballot = await open_vote(
                    world, place.chat_id, place.chair_tg_id, "/vote 加装电梯（基准测试） | | 过半数"
                )
                cast = [say.parse_cast(data) for data in _buttons(ballot)]
                vote_id = cast[0][0]
                waves = plan(place.voters, vote_id, len(cast))
                # Warm up: the chair has no household, so this tap is refused (and stores nothing).
                await asyncio.wait_for(
                    world.press_button(
                        place.chat_id, ballot["message_id"], place.chair_tg_id, waves[0][0].data
                    ),
                    BOT_TIMEOUT,
                )
                burst = await press_all(world, place.chat_id, ballot["message_id"], waves)
                closing = time.perf_counter()
                sent = world.send_user_message(
                    place.chat_id, place.chair_tg_id, f"/closevote {vote_id}"
                )
                result = await bot_message(
                    world, place.chat_id, sent["message_id"], lambda m: "text" in m
                )
                close_ms = (time.perf_counter() - closing) * 1000
                if _has_chart_font():  # let the chart be posted before the bot stops
                    await bot_message(
                        world, place.chat_id, result["message_id"], lambda m: "photo" in m
                    )
                tally_ms, raw_ms = await _tally_timings(app.db, db_path, vote_id)
            finally:
                await app.stop()
            baseline = await _baseline(
                sandbox, place.chat_id, ballot["reply_markup"], place.chair_tg_id, waves
            )
        found = check(db_path, vote_id, burst.answers)
    unanswered = sum(1 for _, answer in burst.answers if answer is None)
    return {
        "bench": "votes",
        "households": households,
        "presses": len(burst.answers),
        "votes_per_s": round(burst.per_s, 1),
        "baseline_per_s": round(baseline.per_s, 1),
        "ratio": round(burst.per_s / baseline.per_s, 4) if baseline.per_s else 0.0,
        "p50_ms": round(_percentile(burst.latencies_ms, 0.50), 1),
        "p99_ms": round(_percentile(burst.latencies_ms, 0.99), 1),
        "baseline_p50_ms": round(_percentile(baseline.latencies_ms, 0.50), 1),
        "baseline_p99_ms": round(_percentile(baseline.latencies_ms, 0.99), 1),
        "unanswered": unanswered,
        "ballots": found.ballots,
        "lost": found.lost,
        "duplicated": found.duplicated,
        "mismatched": found.mismatched,
        "tally_ms": round(tally_ms, 3),
        "raw_group_by_ms": round(raw_ms, 3),
        "tally_ratio": round(tally_ms / raw_ms, 2) if raw_ms else 0.0,
        "close_ms": round(close_ms, 1),
        "setup_s": round(setup_s, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _has_chart_font() -> bool:
    try:
        vote_chart.cjk_font()
    except vote_chart.FontMissing:
        return False
    return True


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0
