"""Scenario 04 (shared/scenarios/04-sixty-percent.md): "60 %以上" includes 60 %, "过半数" is
strict, ties fail, and the electorate is fixed when the vote opens — over the 120 households of
roster-xiaotaoyuan.csv.

Votes are opened and closed, and results posted, by the bot through the sandbox; a few ballots
are tapped there too, the bulk go through the same ballot writer the bot uses (a second writer
on its database), so each file of 70-odd ballots stays fast."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import func, select

from bot.flows import imports, roster_csv
from bot.flows.ballot_writer import BallotWriter, Cast
from storage.models import ChatBinding, Household, Scope, Vote, VoteElector
from tests import factories
from tests.driver import Chat
from tests.e2e.test_vote_chat import result_and_chart

ROSTER = (Path(__file__).resolve().parents[1] / "data" / "roster-xiaotaoyuan.csv").read_bytes()
AGREE, DISAGREE, ABSTAIN = 0, 1, 2


async def estate(running):
    """小桃园: 120 households imported; the community group and building 7's group bound; a chair."""
    db, world = running.app.db, running.world
    place = await factories.community(db)
    source = imports.Source("roster-xiaotaoyuan.csv", roster_csv.sha256(ROSTER), "cli")
    await imports.run(
        db, place.community_id, roster_csv.read(ROSTER), source, actor_id=None, standing=None
    )
    async with db.session() as s:
        seven = await s.scalar(select(Scope.id).where(Scope.name == "7栋"))
    place.buildings["7栋"] = seven
    chair = await world.user("陈主席")
    await factories.grant(db, place, await factories.member(db, chair.id, "陈主席"), "chair")
    groups = {}
    for title, scope in (("小桃园社区群", place.root_id), ("7栋业主群", seven)):
        group = await world.group(title, [chair])
        async with db.write() as s:
            s.add(
                ChatBinding(
                    chat_id=group.id, community_id=place.community_id, scope_id=scope, title=title
                )
            )
        groups[title] = group
    return place, chair, groups["小桃园社区群"], groups["7栋业主群"]


async def open_vote(running, group: Chat, chair, args: str) -> tuple[int, dict, list[int]]:
    """Open through the bot; returns the vote id, its ballot message and its electorate."""
    await group.send(f"/vote {args}", by=chair)
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    async with running.app.db.session() as s:
        vote_id = await s.scalar(select(func.max(Vote.id)))
        electors = (
            await s.scalars(
                select(VoteElector.household_id)
                .where(VoteElector.vote_id == vote_id)
                .order_by(VoteElector.household_id)
            )
        ).all()
    return vote_id, ballot, list(electors)


async def cast(running, vote_id: int, households: list[int], *counts: int) -> None:
    """``counts[i]`` ballots for option i, from the first households in order."""
    writer = BallotWriter(running.app.db, running.app.clock.now)
    choices = [option for option, n in enumerate(counts) for _ in range(n)]
    outcomes = [
        await writer.cast(Cast(vote_id, household, option, None))
        for household, option in zip(households, choices, strict=False)
    ]
    await writer.stop()
    assert all(o.status == "new" for o in outcomes)


async def close(group: Chat, chair, vote_id: int) -> str:
    await group.send(f"/closevote {vote_id}", by=chair)
    return (await result_and_chart(group))["text"]


async def test_sixty_percent_counts_every_household_and_includes_sixty(running):
    place, chair, community, _ = await estate(running)
    rule = "小区环境整治 | 同意/不同意/弃权 | 60%以上 | 48小时 | 记名"

    # 1. 70 agree, 10 disagree, 5 abstain, 35 do not vote: 58.3 % of all households — fails.
    vote_id, ballot, electorate = await open_vote(running, community, chair, rule)
    assert len(electorate) == 120 and "已投票：0/120户" in ballot["text"]
    rep = await running.world.user("秦国梅")  # 1-1-101's representative taps in the group
    await factories.member(
        running.app.db, rep.id, "秦国梅", household_id=electorate[0], representative=True
    )
    await community.set_member(rep.id, "member")
    assert (await community.press(ballot, "同意", by=rep))["text"] == "你户投票：“同意”，已记录。"
    await cast(running, vote_id, electorate[1:], 69, 10, 5)
    text = await close(community, chair, vote_id)
    assert "未通过。" in text
    assert "120户中70户同意，占58.3%，须达到60%以上：未通过（尽管85张选票中有70张同意）" in text
    assert "同意 70，不同意 10，弃权 5" in text and "投票率：85/120户" in text

    # 2. Exactly 72 (60.0 %) passes: 以上 includes the number. 71 (59.2 %) fails.
    for agree, expected in (
        (72, "120户中72户同意，占60.0%，须达到60%以上：通过"),
        (71, "120户中71户同意，占59.2%，须达到60%以上：未通过"),
    ):
        vote_id, _, electorate = await open_vote(running, community, chair, rule)
        await cast(running, vote_id, electorate, agree, 20)
        text = await close(community, chair, vote_id)
        assert expected in text, text


async def test_more_than_half_is_strict_and_a_tie_fails(running):
    _, chair, _, building = await estate(running)
    for agree, expected in (
        (12, "24户中12户同意，占50.0%，须过半数：未通过"),
        (13, "24户中13户同意，占54.2%，须过半数：通过"),
    ):
        vote_id, _, electorate = await open_vote(
            running, building, chair, "7栋安装门禁系统 | 同意/不同意/弃权 | 过半数"
        )
        assert len(electorate) == 24
        await cast(running, vote_id, electorate, agree, 24 - agree - 2, 2)
        text = await close(building, chair, vote_id)
        assert expected in text, text

    vote_id, _, electorate = await open_vote(running, building, chair, "换物业 | | 多数")
    await cast(running, vote_id, electorate, 8, 8)
    text = await close(building, chair, vote_id)
    assert "16张选票中8张同意，占50.0%，须过半数：未通过（票数相同）" in text, text


async def test_a_household_added_while_the_vote_is_open_does_not_vote(running):
    place, chair, community, _ = await estate(running)
    vote_id, ballot, electorate = await open_vote(
        running, community, chair, "小区环境整治 | | 60%以上"
    )
    assert "已投票：0/120户" in ballot["text"]
    new_home = await factories.household(running.app.db, place, "7栋", "7-3-101", unit="3")
    newcomer = await running.world.user("新住户")
    await factories.member(
        running.app.db, newcomer.id, "新住户", household_id=new_home, representative=True
    )
    await community.set_member(newcomer.id, "member")
    refused = await community.press(ballot, "同意", by=newcomer)
    assert refused["show_alert"] and "不在本次表决" in refused["text"], refused
    async with running.app.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Household)) == 121
    await cast(running, vote_id, electorate, 72)
    text = await close(community, chair, vote_id)
    assert "120户中72户同意，占60.0%，须达到60%以上：通过" in text
    assert "投票率：72/120户" in text
