"""The cycle's phases beyond the scenarios: a community in a zone with daylight saving whose 协商日
falls in the skipped hour; forum topics as item threads; the moderators' commands and their
bad inputs (/postpone, /skipmonth, /freeze now)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.flows.cycle_rules import Phase, cycle
from storage.models import (
    AgendaItem,
    ChatBinding,
    Community,
    CycleRun,
    CycleSettings,
    ItemMessage,
    Member,
    Proposal,
    RoleGrant,
    Vote,
)
from tests.conftest import start_bot
from tests.e2e.cycle_estate import (
    at,
    calendar_of,
    configure,
    fast_virtual,
    move_to,
    next_cycle,
    raise_with_support,
    rotation,
    skip_said,
    until,
)
from tests.e2e.proposals_estate import estate


async def test_a_berlin_day_in_the_skipped_hour_opens_at_three(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        place = await estate(running, running.world)
        async with running.app.db.write() as s:
            (await s.get(Community, place.place.community_id)).timezone = "Europe/Berlin"
        # The last Sunday of March at 02:30: on the spring-forward day that hour does not exist.
        await configure(running, place, day="每月最后一个周日 02:30", threshold="1", quiet="off")
        now = running.app.clock.now()
        year = now.year + (now.month >= 3)
        found = cycle(await calendar_of(running, place), year, 3)
        local = at(found, Phase.DELIBERATION).astimezone(ZoneInfo("Europe/Berlin"))
        assert (local.strftime("%H:%M %Z"), local.weekday()) == ("03:00 CEST", 6)
        await move_to(running.world, at(found, Phase.FREEZE) - timedelta(hours=1))
        await skip_said(place.group)
        await place.group.send("/propose 春季绿化", by=place.people["zhao"])
        await place.group.wait_bot_messages(1)
        await move_to(running.world, at(found, Phase.FREEZE))
        said = [
            m["text"] for m in await place.group.transcript() if "议程已确定" in m.get("text", "")
        ]
        assert said and "（周日）03:00协商日的议程已确定" in said[-1]
        await skip_said(place.group)
        await move_to(running.world, at(found, Phase.DELIBERATION))
        opening = [
            m
            for m in await place.group.transcript()
            if m["message_id"] > place.group.cursor and "协商日开始了" in m.get("text", "")
        ]
        assert [m["date"] for m in opening] == [int(at(found, Phase.DELIBERATION).timestamp())]
        async with running.app.db.session() as s:
            late = (await s.scalars(select(CycleRun.late))).all()
        assert not any(late)


async def test_items_get_forum_topics_and_their_messages_are_kept(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world, forum=True)
        group = place.group
        await group.set_member(
            await world.bot_id(),
            "administrator",
            rights={"can_manage_topics": True, "can_pin_messages": True},
        )
        [thanks] = await group.wait_bot_messages(1)
        assert "开设话题" in thanks["text"]
        async with running.app.db.session() as s:
            assert (await s.scalar(select(ChatBinding))).bot_is_admin
        await configure(running, place, day="每月11日 19:00", threshold="2")
        await raise_with_support(place, "楼道堆物清理", "sun", ["zhao"])
        month = await next_cycle(running, place)
        await move_to(world, at(month, Phase.FREEZE))
        async with running.app.db.session() as s:
            [item] = (await s.scalars(select(AgendaItem))).all()
        assert item.thread_id is not None and item.anchor_message_id is None
        topic_first = [
            m for m in await group.transcript() if m.get("message_thread_id") == item.thread_id
        ]
        assert any("议题1：第1号 楼道堆物清理" in m.get("text", "") for m in topic_first)
        await group.send("东西太多了，消防通道被堵", by=place.people["li"], thread=item.thread_id)
        await group.send("和议题无关的闲聊", by=place.people["li"])

        async def kept(db=running.app.db):
            async with db.session() as s:
                return (await s.scalars(select(ItemMessage.text))).all()

        await until(kept, ["东西太多了，消防通道被堵"])
        await move_to(world, at(month, Phase.DELIBERATION))
        prompts = [
            m
            for m in await group.transcript()
            if m.get("message_thread_id") == item.thread_id and "请" in m.get("text", "")
        ]
        assert any("/vote #1" in m["text"] for m in prompts)
        await move_to(world, at(month, Phase.VOTE_OPEN))
        async with running.app.db.session() as s:
            vote = await s.scalar(select(Vote))
        [ballot] = [m for m in await group.transcript() if m["message_id"] == vote.message_id]
        assert ballot.get("message_thread_id") == item.thread_id, "the ballot is in the topic"
        assert ballot.get("reply_markup"), "with its buttons"


async def test_moderator_commands_and_their_bad_inputs(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world)
        group, people = place.group, place.people
        moderator = people["moderator"]

        await group.send("/freeze now", by=moderator)  # no 协商日 yet
        [answer] = await group.wait_bot_messages(1)
        assert "还没有设置协商日" in answer["text"] or "协商日" in answer["text"]

        await configure(running, place, day="每月11日 19:00", threshold="2", agenda="2")
        await raise_with_support(place, "增设电动车充电桩", "zhao", ["qian"])
        await raise_with_support(place, "楼道堆物清理", "sun", ["zhou"])
        month = await next_cycle(running, place)

        for text, by, expected in (
            ("/freeze now", people["li"], "只有主持人才能设置议程"),
            ("/freeze later", moderator, "/freeze now"),
            ("/postpone", moderator, "/postpone 2"),
            ("/postpone abc", moderator, "/postpone 2"),
            ("/postpone 1", moderator, "当前议程中没有议题1"),
        ):
            await group.send(text, by=by)
            [answer] = await group.wait_bot_messages(1)
            assert expected in answer["text"], (text, answer["text"])

        # /freeze now: the agenda at once; the scheduled freeze does not run again.
        await group.send("/freeze now", by=moderator)
        [agenda, *_anchors] = await group.wait_bot_messages(3)
        assert "议程已确定" in agenda["text"] and "议题2：第2号 楼道堆物清理" in agenda["text"]
        await group.send("/freeze now", by=moderator)
        [again] = await group.wait_bot_messages(1)
        assert "议程已经确定" in again["text"]

        # /postpone: full-width digits are fine; twice is refused; out of range is refused.
        await group.send("/postpone ２", by=moderator)
        [postponed] = await group.wait_bot_messages(1)
        assert "议题2（第2号 楼道堆物清理）已推迟" in postponed["text"]
        for text, expected in (("/postpone 2", "议题2已经推迟了"), ("/postpone 9", "没有议题9")):
            await group.send(text, by=moderator)
            [answer] = await group.wait_bot_messages(1)
            assert expected in answer["text"]
        async with running.app.db.session() as s:
            statuses = dict((await s.execute(select(Proposal.number, Proposal.status))).all())
        assert statuses == {1: "on_agenda", 2: "supported"}

        await move_to(world, at(month, Phase.FREEZE) + timedelta(minutes=1))
        await skip_said(group)
        async with running.app.db.session() as s:
            freezes = (
                (await s.execute(select(CycleRun.outcome).where(CycleRun.phase == "freeze")))
                .scalars()
                .all()
            )
        assert freezes == ["manual"]

        # /skipmonth: the coming 协商日 is skipped (announced), its items carried over; once.
        await group.send("/skipmonth", by=moderator)
        [skipped] = await group.wait_bot_messages(1)
        assert "的协商日暂停一次" in skipped["text"]
        await group.send("/skipmonth", by=moderator)
        [answer] = await group.wait_bot_messages(1)
        assert "已经暂停了" in answer["text"]
        await move_to(world, at(month, Phase.VOTE_CLOSE))
        said = [
            m.get("text", "") for m in await group.transcript() if m["message_id"] > group.cursor
        ]
        assert not any("协商日开始了" in text for text in said)

        # Next month: the postponed items come first, in their old order.
        nxt = cycle(await calendar_of(running, place), *divmod_month(month.year, month.month + 1))
        await move_to(world, at(nxt, Phase.FREEZE))
        agenda = [m["text"] for m in await group.transcript() if "议程已确定" in m.get("text", "")][
            -1
        ]
        assert "议题1：第1号" in agenda and "议题2：第2号" in agenda


def divmod_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 13 else (year, month)


async def test_a_moderator_names_the_chair_and_the_rotation_waits(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world = running.world
        place = await estate(running, world)
        group, people = place.group, place.people
        await configure(running, place, day="每月11日 19:00", threshold="1")
        await rotation(running, place)
        for text, by, expected in (
            ("/chair", people["moderator"], "/chair 7-1-101"),
            ("/chair 9-9-999", people["moderator"], "本社区没有9-9-999这一户"),
            ("/chair 3-1-102", people["moderator"], "3-1-102户还没有人使用本机器人"),
            ("/chair 7-1-102", people["wang"], "只有主持人才能设置议程"),
        ):
            await group.send(text, by=by)
            [answer] = await group.wait_bot_messages(1)
            assert expected in answer["text"], (text, answer["text"])
        await group.send("/chair ７-1-102", by=people["moderator"])  # full-width digit
        [named] = await group.wait_bot_messages(1)
        assert "协商日的轮值主席：李强（由主持人指定）" in named["text"]

        await raise_with_support(place, "楼道堆物清理", "sun", [])
        month = await next_cycle(running, place)
        await move_to(world, at(month, Phase.FREEZE))
        agenda = [m["text"] for m in await group.transcript() if "议程已确定" in m.get("text", "")]
        assert "本月轮值主席：李强" in agenda[-1]

        await raise_with_support(place, "增设电动车充电桩", "zhao", [])
        nxt = cycle(await calendar_of(running, place), *divmod_month(month.year, month.month + 1))
        await move_to(world, at(nxt, Phase.FREEZE))
        agenda = [m["text"] for m in await group.transcript() if "议程已确定" in m.get("text", "")]
        assert "本月轮值主席：赵敏" in agenda[-1]  # the rotation's first: its turn waited
        async with running.app.db.session() as s:
            holders = (
                (
                    await s.execute(
                        select(Member.display_name)
                        .join(RoleGrant, RoleGrant.member_id == Member.id)
                        .where(RoleGrant.role == "chair", RoleGrant.revoked_at.is_(None))
                    )
                )
                .scalars()
                .all()
            )
        assert holders == ["赵敏"]


async def test_under_the_real_clock_the_scheduler_catches_up_late(running, world):
    """APScheduler's first sweep runs what came due while the bot was down, saying so."""
    place = await estate(running, world)
    await configure(running, place, day="每月11日 19:00", quiet="off")
    async with running.app.db.write() as s:  # as if the 协商日 had been set a month ago
        settings = await s.scalar(select(CycleSettings))
        settings.updated_at = running.app.clock.now() - timedelta(days=31)
        s.add(settings)
    agenda = await place.group.wait_bot_messages(1, within=8)  # the next 5-second sweep
    said = [m["text"] for m in await place.group.transcript() if "议程" in m.get("text", "")]
    assert agenda and any("（因系统停机延迟执行）" in text for text in said)
    async with running.app.db.session() as s:
        runs = (await s.execute(select(CycleRun.phase, CycleRun.late))).all()
    assert runs and all(late for _, late in runs)
    assert len({phase for phase, _ in runs}) == len(runs)
