"""Finding decisions later and checking them: /votes (the group's votes, open first, paged),
/votes N (one result; a secret ballot only in totals), the supervisors' /verify N beside the
staff's /verify CODE (as a reply), and ``xieshang audit verify --vote N`` as a process,
which — like /verify — notices a ballot row changed directly in the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import select, update

from bot.flows import vote_spec, votes
from storage.models import Ballot, Household, Member
from tests import factories
from tests.e2e.test_cli import XIESHANG, clean_env
from tests.e2e.test_vote_chat import building_seven, result_and_chart
from tests.e2e.test_vote_staff import _place


async def ask(chat, text: str, by) -> str:
    await chat.send(text, by=by)
    [answer] = await chat.wait_bot_messages(1)
    return answer["text"]


async def closed_vote(group, chair, kind: str, choices: list) -> None:
    """Vote 1 through the chat: opened, cast by each representative, closed by the chair."""
    await group.send(f"/vote 门禁 | | 多数 | 48小时 | {kind}", by=chair)
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    for voter, option in choices:
        await group.press(ballot, option, by=voter)
    await group.send("/closevote 1", by=chair)
    await result_and_chart(group)


async def test_votes_lists_a_groups_decisions_and_shows_one(running, world):
    db = running.app.db
    group, chair, wang, li, wang_son, landlord, supervisor = await building_seven(running, world)
    place = await _place(running)
    building = place.buildings["7栋"]

    # Vote 1, secret, through the chat: 王芳 agrees, 李强 disagrees.
    await closed_vote(group, chair, "无记名", [(wang, "同意"), (li, "不同意")])
    # Votes 2–10 straight through the flow: eight closed without ballots, the last open.
    now = running.app.clock.now()
    for number in range(2, 11):
        opened = await votes.open_vote(
            db,
            place.community_id,
            building,
            vote_spec.parse(f"事项{number} | | 过半数", "zh_CN"),
            opened_by_id=None,
            now=now + timedelta(minutes=number),
        )
        if number < 10:
            await votes.close_vote(db, opened.id, now=now + timedelta(hours=number))

    listing = await ask(group, "/votes", landlord)  # a member of the group, no household
    lines = [line for line in listing.splitlines() if line]
    assert lines[0] == "本群表决（共10项），进行中的在前"
    assert lines[1].startswith("第10号表决：事项10 — 进行中，截止") and "已投票 0/6户" in lines[1]
    assert lines[2].startswith("第9号表决：事项9 — 未通过：同意 0，不同意 0，弃权 0；投票 0/6户")
    assert "第1/2页" in listing and "第1号表决" not in listing
    message = (await group.transcript())[-1]
    await group.press(message, "下一页 ▶", by=landlord)
    second = await group.message(message["message_id"])
    assert "第1号表决：门禁 — 未通过：同意 1，不同意 1，弃权 0；投票 2/6户" in second["text"]
    assert "第2/2页" in second["text"]
    await group.press(second, "◀ 上一页", by=landlord)
    assert "第10号表决" in (await group.message(message["message_id"]))["text"]

    one = await ask(group, "/votes 1", landlord)
    assert "第1号表决结果：门禁" in one and "未通过。" in one
    assert "同意 1，不同意 1，弃权 0" in one and "投票率：2/6户" in one and "结束于" in one
    assert "王芳" not in one and "李强" not in one  # a secret ballot: totals only
    running_vote = await ask(group, "/votes 10", landlord)
    assert "已投票：0/6户" in running_vote and "结果在表决结束时公布。" in running_vote
    assert "请写明表决编号，例如 /votes 3。" in await ask(group, "/votes x", landlord)
    assert "本社区没有第99号表决。" in await ask(group, "/votes 99", landlord)

    english = await world.user("Tenant", language_code="en")
    await factories.member(db, english.id, "Tenant")
    await group.set_member(english.id, "member")
    text = await ask(group, "/votes 1", english)
    assert "Result of vote 1: 门禁" in text and "同意 1，不同意 1，弃权 0" in text
    listing = await ask(group, "/votes", english)
    assert listing.startswith("Votes here (10), open ones first")

    elsewhere = await world.group("闲聊群", [chair])
    assert "请在绑定到社区、网格或楼栋的群里使用 /votes" in await ask(elsewhere, "/votes", chair)


async def test_verify_in_chat_and_from_the_cli_notices_a_changed_ballot(
    running, world, tmp_path: Path
):
    db = running.app.db
    group, chair, wang, li, wang_son, newcomer, supervisor = await building_seven(running, world)
    await closed_vote(group, chair, "记名", [(wang, "同意"), (li, "同意")])

    assert "只有监事才能" in await ask(group, "/verify 1", chair)
    assert await ask(group, "/verify 1", supervisor) == (
        "第1号表决：核验通过。选票、结果与审计链一致。"
    )
    assert "请写明表决编号，例如 /verify 3。" in await ask(group, "/verify", supervisor)
    assert "本社区没有第99号表决。" in await ask(group, "/verify #99", supervisor)

    async def cli(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            *XIESHANG, "audit", "verify", "--db", running.app.settings.db, *args,
            cwd=tmp_path, env=clean_env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        return process.returncode, out.decode(), err.decode()

    code, out, _ = await cli("--vote", "1")
    assert code == 0 and out.startswith("verified: vote 1"), out
    code, _, err = await cli("--vote", "99")
    assert code == 2 and err.strip() == "xieshang: there is no vote 99"

    # Someone edits 王芳's ballot in the database: 同意 → 不同意.
    async with db.session() as s:
        household = await s.scalar(select(Household.id).where(Household.code == "7-1-101"))
    async with db.write() as s:
        await s.execute(update(Ballot).where(Ballot.household_id == household).values(option=1))
    code, out, _ = await cli("--vote", "1")
    assert code == 1 and out.startswith("NOT verified: vote 1")
    assert "- Household 7-1-101: the ballot says 不同意, the audit log says 同意." in out
    answer = await ask(group, "/verify 1", supervisor)
    assert answer.startswith("第1号表决：核验未通过。")
    assert "7-1-101户：选票记为“不同意”，审计日志记为“同意”。" in answer

    # /verify CODE as a reply to a person is still the staff's binding of a member.
    place = await _place(running)
    async with db.session() as s:
        chair_member = await s.scalar(select(Member).where(Member.tg_user_id == chair.id))
    await factories.grant(db, place, chair_member.id, "admin")
    said = await group.send("我是7-1-103的住户", by=newcomer)
    await group.reply(said, "/verify 7-1-103", by=chair)
    [bound] = await group.wait_bot_messages(1)
    assert "7-1-103" in bound["text"] and "核验" not in bound["text"]
    async with db.session() as s:
        member = await s.scalar(select(Member).where(Member.tg_user_id == newcomer.id))
    assert member is not None and member.household_id is not None
