"""Grid workers and the chair around a running vote, through the sandbox: paper ballots recorded
with /offline (confirmed, marked offline, audited, locked against online changes unless
allowed), and /pending with its reminder button (only voters who can be messaged; the others
listed for a call; a second press reminds nobody twice)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from storage.models import AuditEvent, Ballot, Delegation
from storage.timestamps import utcnow
from tests import factories
from tests.driver import Chat, buttons
from tests.e2e.test_vote_chat import building_seven, result_and_chart


async def grid_worker(running, name: str, grid: str = "第一网格"):
    user = await running.world.user(name)
    member_id = await factories.member(running.app.db, user.id, name)
    place_id = await _place(running)
    await factories.grant(running.app.db, place_id, member_id, "grid_worker", place_id.grids[grid])
    return user, await user.private_chat(), member_id


async def _place(running) -> factories.Place:
    """The community building_seven made, as a Place (its grid ids by name)."""
    from storage.models import Scope

    async with running.app.db.session() as s:
        scopes = (await s.scalars(select(Scope))).all()
    root = next(x for x in scopes if x.kind == "community")
    place = factories.Place(root.community_id, root.id)
    place.grids = {x.name: x.id for x in scopes if x.kind == "grid"}
    place.buildings = {x.name: x.id for x in scopes if x.kind == "building"}
    return place


async def open_vote(group: Chat, chair, args: str = "门禁 | | 过半数 | 48小时 | 记名"):
    await group.send(f"/vote {args}", by=chair)
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    return ballot


async def ask(chat: Chat, text: str, by=None):
    await chat.send(text, by=by)
    [answer] = await chat.wait_bot_messages(1)
    return answer


async def test_a_grid_worker_records_paper_ballots_with_confirmation(running, world):
    db = running.app.db
    group, chair, wang, li, wang_son, outsider, supervisor = await building_seven(running, world)
    households = {h.code: h.id for h in await _households(running)}  # 7-1-101 … 7-1-106
    zhao = await world.user("赵敏")
    await factories.member(
        db, zhao.id, "赵敏", household_id=households["7-1-103"], representative=True
    )
    qian = await world.user("钱多")
    await factories.member(
        db, qian.id, "钱多", household_id=households["7-1-104"], representative=True
    )
    await group.set_member(zhao.id, "member")
    await group.set_member(qian.id, "member")
    worker, worker_dm, worker_id = await grid_worker(running, "张网格")
    _, other_dm, _ = await grid_worker(running, "刘网格", "第二网格")
    ballot = await open_vote(group, chair)
    await group.press(ballot, "同意", by=wang)

    for command, expected in [
        ("/offline", "请写明表决编号、户号和选择，例如 /offline 3 7-1-101 同意。"),
        ("/offline 9 7-1-103 同意", "本社区没有第9号表决"),
        ("/offline 1 9-9-999 同意", "你的社区没有“9-9-999”这一户"),
        (
            "/offline 1 7-1-103 赞成",
            "第1号表决没有“赞成”这个选项。可选：1 同意 / 2 不同意 / 3 弃权。",
        ),
        ("/offline 1 7-1-101 不同意", "7-1-101户已在线上投票（王芳投出），以线上选票为准。"),
    ]:
        answer = await ask(worker_dm, command)
        assert expected in answer["text"], (command, answer["text"])
    refused = await ask(other_dm, "/offline 1 7-1-103 同意")
    assert refused["text"] == "你只能在自己负责的范围内登记线下表决票。"
    refused = await ask(group, "/offline 1 7-1-103 同意", by=li)
    assert refused["text"] == "只有网格员才能登记线下表决票。"

    # Full-width digits and dashes, the option by its label.
    summary = await ask(worker_dm, "/offline １ ７－１－１０３ 同意")
    assert "登记这张纸质选票" in summary["text"] and "7-1-103（7栋" in summary["text"]
    assert "选择：同意" in summary["text"] and "第1号表决：门禁" in summary["text"]
    assert buttons(summary) == ["确认", "取消", "确认，并允许户代表线上改票"]
    await worker_dm.press(summary, "确认")
    done = await worker_dm.message(summary["message_id"])
    assert (
        done["text"] == "已登记7-1-103户在第1号表决中的纸质选票：同意。\n\n户代表不能在线上更改。"
    )
    assert not buttons(done)
    locked = await group.press(ballot, "不同意", by=zhao)
    assert locked["show_alert"] and "网格员已登记你户的纸质选票" in locked["text"]

    # The option by its number; the representative may replace it online.
    summary = await ask(worker_dm, "/offline #1 7-1-104 2")
    assert "选择：不同意" in summary["text"]
    await worker_dm.press(summary, "确认，并允许户代表线上改票")
    done = await worker_dm.message(summary["message_id"])
    assert "户代表可以在线上改票" in done["text"]
    replaced = await group.press(ballot, "同意", by=qian)
    assert replaced["text"] == "已改为“同意”，已记录。"

    # Cancelled: nothing stored.
    summary = await ask(worker_dm, "/offline 1 7-1-105 弃权")
    await worker_dm.press(summary, "取消")
    assert (await worker_dm.message(summary["message_id"]))["text"] == "未登记。"
    summary = await ask(worker_dm, "/offline 1 7-1-106 不同意")
    await worker_dm.press(summary, "确认")

    async with db.session() as s:
        ballots = {b.household_id: b for b in (await s.scalars(select(Ballot))).all()}
        events = (await s.scalars(select(AuditEvent).where(AuditEvent.subject == "vote:1"))).all()
    assert households["7-1-105"] not in ballots
    paper = ballots[households["7-1-103"]]
    assert paper.offline and paper.recorded_by_id == worker_id and paper.cast_by_id is None
    assert not ballots[households["7-1-104"]].offline  # replaced online, as allowed
    offline_events = [
        (e.action, json.loads(e.data)) for e in events if json.loads(e.data).get("offline")
    ]
    assert [(a, d["household"], d["option"]) for a, d in offline_events] == [
        ("vote.cast", households["7-1-103"], 0),
        ("vote.cast", households["7-1-104"], 1),
        ("vote.cast", households["7-1-106"], 1),
    ]
    assert all(e.actor_id == worker_id for e in events if json.loads(e.data).get("offline"))

    await group.send("/closevote 1", by=chair)
    result = await result_and_chart(group)
    assert "同意 3，不同意 1，弃权 0" in result["text"]
    assert "投票率：4/6户；其中线下（纸质）投票2户" in result["text"]
    late = await ask(worker_dm, "/offline 1 7-1-105 同意")
    assert late["text"] == "第1号表决已经结束。"


async def _households(running):
    from storage.models import Household

    async with running.app.db.session() as s:
        return (await s.scalars(select(Household).order_by(Household.code))).all()


async def test_pending_lists_the_rooms_and_reminds_only_reachable_voters(running, world):
    db = running.app.db
    group, chair, wang, li, wang_son, outsider, supervisor = await building_seven(running, world)
    households = {h.code: h.id for h in await _households(running)}
    # 7-1-104: its representative delegated the vote to a family member; both talk to the bot.
    zhao = await world.user("赵敏")
    zhao_id = await factories.member(
        db, zhao.id, "赵敏", household_id=households["7-1-104"], representative=True
    )
    zhao_jr = await world.user("赵小敏")
    zhao_jr_id = await factories.member(
        db, zhao_jr.id, "赵小敏", household_id=households["7-1-104"]
    )
    async with db.write() as s:
        s.add(
            Delegation(
                household_id=households["7-1-104"],
                from_member_id=zhao_id,
                to_member_id=zhao_jr_id,
                starts_at=utcnow() - timedelta(hours=1),
                ends_at=utcnow() + timedelta(days=3),
            )
        )
    wang_dm, zhao_dm, zhao_jr_dm = [await u.private_chat() for u in (wang, zhao, zhao_jr)]
    # 李强 (7-1-102) never opened a chat with the bot; 7-1-103/105/106 have no representative.
    _, worker_dm, _ = await grid_worker(running, "张网格")
    _, other_dm, _ = await grid_worker(running, "刘网格", "第二网格")
    ballot = await open_vote(group, chair)
    await group.press(ballot, "同意", by=wang)

    listing = await ask(group, "/pending 1", by=chair)
    assert "尚未投票：5户（有表决权的共6户，名单在发起时确定）" in listing["text"]
    assert "7栋（5户）：7-1-102、7-1-103、7-1-104、7-1-105、7-1-106" in listing["text"]
    assert buttons(listing) == ["提醒未投票户"]
    refused = await group.press(listing, "提醒未投票户", by=li)
    assert refused["show_alert"] and "网格员" in refused["text"]

    answer = await group.press(listing, "提醒未投票户", by=chair)
    assert answer["text"] == "正在发送2条提醒……"
    [report] = await group.wait_bot_messages(1)
    lines = report["text"].splitlines()
    assert lines[0] == "已私信提醒1户。"
    assert "以下住户无法联系到，请电话联系：" in report["text"]
    assert "7栋 7-1-102：户代表尚未与我私聊过" in report["text"]
    for code in ("7-1-103", "7-1-105", "7-1-106"):
        assert f"7栋 {code}：户代表尚未加入本机器人" in report["text"]
    assert "7-1-104" not in report["text"] and "7-1-101" not in report["text"]
    assert "户主" not in report["text"]  # roster names are not posted to the group
    [notice] = await zhao_jr_dm.wait_bot_messages(1)
    assert "提醒：你户（7-1-104）尚未在第1号表决“门禁”中投票。" in notice["text"]
    assert "7栋业主群" in notice["text"] and buttons(notice) == ["同意", "不同意", "弃权"]
    await zhao_dm.expect_silence(0.3)  # delegated: the delegate votes, so only they are told
    await wang_dm.expect_silence(0.3)  # voted already

    again = await group.press(listing, "提醒未投票户", by=chair)
    assert again["text"] == "正在发送0条提醒……"  # 李强's 403 marked him: not tried again
    [second] = await group.wait_bot_messages(1)
    assert second["text"].startswith("已私信提醒0户。\n\n1户已于")
    assert "每户每12小时最多提醒一次" in second["text"] and "7-1-102" in second["text"]
    await zhao_jr_dm.expect_silence(0.3)

    # The grid worker sees it privately, with the roster's names of those to call.
    listing = await ask(worker_dm, "/pending 1")
    assert "上次提醒时间" in listing["text"]
    await worker_dm.press(listing, "提醒未投票户")
    [private] = await worker_dm.wait_bot_messages(1)
    assert "7栋 7-1-103（户主2）：户代表尚未加入本机器人" in private["text"]
    refused = await ask(other_dm, "/pending 1")
    assert refused["text"] == "你只能在自己负责的范围内查看尚未投票的住户。"
    refused = await ask(group, "/pending 1", by=wang)
    assert "只有网格员、轮值主席或主持人才能查看尚未投票的住户" in refused["text"]
    assert "请写明表决编号" in (await ask(group, "/pending", by=chair))["text"]

    # The delegate votes from the reminder itself; the list shrinks.
    tapped = await zhao_jr_dm.press(notice, "不同意")
    assert tapped["text"] == "你户投票：“不同意”，已记录。"
    listing = await ask(group, "/pending 1", by=chair)
    assert "尚未投票：4户" in listing["text"] and "7-1-104" not in listing["text"]
    async with db.session() as s:
        reminders = (
            await s.scalars(select(AuditEvent.data).where(AuditEvent.action == "vote.remind"))
        ).all()
    assert [json.loads(d)["reminded"] for d in reminders] == [[households["7-1-104"]], [], []]
