"""/edit by the proposer until another household seconds, audited; /merge by staff of the
scope, supporters combined without counting a household twice; both proposers told."""

from __future__ import annotations

import json

from sqlalchemy import func
from sqlmodel import select

from bot.flows import proposal_merge, proposals
from bot.flows.members import Person
from bot.flows.proposal_text import Draft
from storage.models import AuditEvent, Proposal, ProposalSupport
from tests import factories
from tests.driver import buttons
from tests.e2e.proposals_estate import estate, eventually


async def audited(db, action: str) -> list[dict]:
    async with db.session() as s:
        rows = await s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [json.loads(e.data) if isinstance(e.data, str) else e.data for e in rows]


async def answer(chat, text: str) -> dict:
    """The bot's answer to ``text``; staff may get a new proposal's routing panel meanwhile."""
    await chat.send(text)
    while True:
        [got] = await chat.wait_bot_messages(1)
        if not got["text"].startswith("有新提案需要分流"):
            return got


async def raise_in(group, text: str, by) -> dict:
    """/propose …; when a similar one is offered, create it anyway. Returns its message."""
    await group.send(f"/propose {text}", by=by)
    [got] = await group.wait_bot_messages(1)
    if "仍然新建" in buttons(got):
        await group.press(got, "仍然新建", by=by)
        [got] = await group.wait_bot_messages(1)
    return got


async def test_the_proposer_edits_until_another_household_seconds(running, world):
    place = await estate(running, world)
    group, p = place.group, place.people
    card = await raise_in(group, "电动车充电桩\n车棚旁边加装", p["zhao"])
    zhao, li = await p["zhao"].private_chat(), await p["li"].private_chat()  # /edit works there
    for text, chat, expected in [  # too (the group's 20 messages a minute are precious)
        ("/edit", zhao, "请写明提案编号和新标题"),
        ("/edit 1", zhao, "请写明提案编号和新标题"),
        ("/edit 电动车充电桩", zhao, "请写明提案编号和新标题"),
        ("/edit 42 新的标题写在这里", zhao, "这里没有第42号提案。"),
        ("/edit １ 车棚加装电动车充电桩", li, "只有提案人可以修改提案。"),
        ("/edit 1 充电", zhao, "标题太短"),
    ]:
        await chat.send(text)
        [answer] = await chat.wait_bot_messages(1)
        assert expected in answer["text"], (text, answer["text"])

    await group.send("/edit １ <i>车棚</i>加装电动车充电桩", by=p["zhao"])  # full-width number
    [edited] = await group.wait_bot_messages(1)
    assert edited["text"] == "第1号提案已修改为：<i>车棚</i>加装电动车充电桩"
    await eventually(
        group,
        card["message_id"],
        lambda m: m["text"].startswith("第1号提案：<i>车棚</i>加装电动车充电桩\n\n车棚旁边加装"),
    )
    await zhao.send("/edit 1 <i>车棚</i>加装电动车充电桩")
    [same] = await zhao.wait_bot_messages(1)
    assert same["text"] == "第1号提案内容与此相同，没有改动。"
    await zhao.send("/edit 1 车棚加装充电桩\n每栋两个")
    await zhao.wait_bot_messages(1)
    [first, second] = await audited(running.app.db, "proposal.edited")
    assert first["old"] == {"title": "电动车充电桩", "details": "车棚旁边加装"}
    assert first["new"] == {"title": "<i>车棚</i>加装电动车充电桩", "details": "车棚旁边加装"}
    assert second["new"] == {"title": "车棚加装充电桩", "details": "每栋两个"}

    # Another household seconds: no more edits, even after it withdraws.
    for chat, command in [(li, "/second 1"), (li, "/unsecond 1")]:
        await chat.send(command)
        await chat.wait_bot_messages(1)
    await zhao.send("/edit 1 车棚加装快充充电桩")
    [refused] = await zhao.wait_bot_messages(1)
    assert refused["text"].startswith("第1号提案已有其他户附议")
    await zhao.send("/withdraw 1")
    await zhao.wait_bot_messages(1)
    await zhao.send("/edit 1 车棚加装快充充电桩")
    [closed] = await zhao.wait_bot_messages(1)
    assert closed["text"] == "第1号提案已撤回，不能再修改。"
    assert len(await audited(running.app.db, "proposal.edited")) == 2


async def test_merging_combines_households_once_and_tells_both_proposers(running, world):
    place = await estate(running, world)
    group, p = place.group, place.people
    worker = await world.user("刘网格", language_code="zh-hans")
    worker_id = await factories.member(running.app.db, worker.id, "刘网格")
    grid = place.place.grids["第一网格"]
    await factories.grant(running.app.db, place.place, worker_id, "grid_worker", grid)
    await group.set_member(worker.id, "member")
    zhao_dm, wu_dm = await p["zhao"].private_chat(), await p["wu"].private_chat()
    first = await raise_in(group, "楼道堆物清理", p["zhao"])  # 1-1-101
    await raise_in(group, "清理楼梯间的杂物和纸箱", p["wu"])  # 5-1-102
    dms = {who: await p[who].private_chat() for who in ("li", "sun", "zhou", "moderator")}
    for number, who in [(1, "li"), (1, "sun"), (2, "li"), (2, "zhou")]:
        await dms[who].send(f"/second {number}")  # in private: the group's messages a
        await dms[who].wait_bot_messages(1)  # minute are few, and /second works there too
    mod = dms["moderator"]
    for text, chat, expected in [
        ("/merge", mod, "请写两个编号"),
        ("/merge 1", mod, "请写两个编号"),
        ("/merge 1 abc", mod, "请写两个编号"),
        ("/merge 1 1", mod, "提案不能合并到自身"),
        ("/merge 1 42", mod, "这里没有第42号提案。"),
        ("/merge 1 2", dms["li"], "只有网格员或主持人才能合并或驳回提案。"),
    ]:
        said = await answer(chat, text)
        assert expected in said["text"], (text, said["text"])

    await group.send("/merge １ ２ 都是楼道杂物", by=p["moderator"])
    [merged] = await group.wait_bot_messages(1)
    assert merged["text"] == (
        "第1号提案已并入第2号提案：2户的附议转了过去（另有1户原本就附议了第2号）。"
        "第2号提案现有5户附议。"
    )
    [told_zhao] = await zhao_dm.wait_bot_messages(1)
    assert told_zhao["text"].startswith("你的第1号提案“楼道堆物清理”已并入第2号提案")
    [told_wu] = await wu_dm.wait_bot_messages(1)
    assert told_wu["text"].startswith(
        "第1号提案“楼道堆物清理”已并入你的第2号提案，第2号提案现有5户附议。"
    )
    assert "可以列入下一个协商日的议程" in told_wu["text"]  # five households: the threshold
    await eventually(group, first["message_id"], lambda m: buttons(m) == ["详情"])
    card = await group.message(first["message_id"])
    assert "状态：已并入第2号提案，请到那里附议。" in card["text"]
    await dms["zhou"].send("/unsecond 2")  # back below the threshold: the proposer is told
    await dms["zhou"].wait_bot_messages(1)
    [below] = await wu_dm.wait_bot_messages(1)
    assert below["text"] == (
        "你的第2号提案“清理楼梯间的杂物和纸箱”附议户数又低于列入议程的门槛：现有4户附议，还差1户。"
    )

    twice = await answer(mod, "/merge 1 2")  # twice
    assert twice["text"] == "第1号提案已合并：只有征集中的提案可以合并。"
    await dms["sun"].send("/second 1")
    [late] = await dms["sun"].wait_bot_messages(1)
    assert "不再接受附议" in late["text"]

    db = running.app.db
    async with db.session() as s:
        one, two = (await s.scalars(select(Proposal).order_by(Proposal.number))).all()
        assert (one.status, one.merged_into_id, one.reason) == ("merged", two.id, "都是楼道杂物")
        assert two.status == "open"
        active = select(ProposalSupport.household_id).where(
            ProposalSupport.proposal_id == two.id, ProposalSupport.withdrawn_at.is_(None)
        )
        households = (await s.scalars(active)).all()
        assert sorted(households) == sorted(
            place.households[c] for c in ("1-1-101", "3-1-101", "5-1-102", "7-1-102")
        )
    [event] = await audited(db, "proposal.merged")
    assert (event["moved"], event["shared"], event["support"]) == (2, 1, 5)

    # Into a closed one; and a grid worker acts only within the grid.
    await raise_in(group, "广场舞音量太大", p["sun"])
    await dms["sun"].send("/withdraw 3")
    await dms["sun"].wait_bot_messages(1)
    closed = await answer(mod, "/merge 2 3")
    assert closed["text"] == "第3号提案已撤回：只有征集中的提案可以合并。"
    await raise_in(group, "小区东门加装路灯", p["li"])
    worker_dm = await worker.private_chat()
    outside = await answer(worker_dm, "/merge 4 2")
    assert "只能在自己负责的范围内" in outside["text"]


async def test_merge_refuses_another_community(running, world):
    """Numbers are looked up in the asker's community, so only the flow can be asked this."""
    db = running.app.db
    here, there = await factories.community(db), await factories.community(db, "依山郡社区")
    made = []
    for place, title in ((here, "七栋门禁系统"), (there, "七栋门禁系统改造")):
        proposal, _ = await proposals.create(
            db,
            community_id=place.community_id,
            scope_id=place.root_id,
            draft=Draft(title),
            person=Person(555, "王芳", "zh-hans"),
            language="zh_CN",
            household_id=None,
            now=running.app.clock.now(),
        )
        made.append(proposal)
    result = await proposal_merge.merge(
        db, made[0].id, made[1].id, actor_id=None, reason=None, threshold=5,
        now=running.app.clock.now(),
    )  # fmt: skip
    assert result.refused == proposal_merge.OTHER_COMMUNITY
    async with db.session() as s:
        assert (await s.get(Proposal, made[0].id)).status == "open"
        assert not await s.scalar(select(func.count()).select_from(ProposalSupport))
