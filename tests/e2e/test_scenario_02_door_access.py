"""Scenario 02 (shared/scenarios/02-building-door-access.md), end to end through the sandbox:
building 7's own group decides door access at 200元 per household by more than half of its
24 households, named ballot, with a change of vote, paper ballots, /pending and a reminder, the
result explained in words with a chart, readable by a landlord who is no resident.

The resident raises the proposal with /propose; the chair puts it to the vote with /vote #1, so
the vote takes its title and scope and, at close, decides the proposal."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from bot.flows import imports, roster_csv
from storage.models import AuditEvent, ChatBinding, Household
from tests import factories
from tests.driver import buttons
from tests.e2e.test_vote_chat import result_and_chart
from tests.e2e.test_vote_staff import ask

GBK = (Path(__file__).resolve().parents[1] / "data" / "roster-building7-gbk.csv").read_bytes()


async def test_building_7_decides_door_access(running, world):
    db = running.app.db
    place = await factories.community(db, "三汊河社区", grids=("第一网格", "第二网格"))
    sheet = roster_csv.read(GBK)
    source = imports.Source("roster-building7-gbk.csv", roster_csv.sha256(GBK), "cli")
    result = await imports.run(db, place.community_id, sheet, source, actor_id=None, standing=None)
    assert result.imported == 24
    async with db.session() as s:
        rows = (await s.scalars(select(Household).order_by(Household.id))).all()
    homes = {h.code: h for h in rows}
    codes = [h.code for h in rows]
    building = rows[0].building_scope_id

    async def person(name: str, role: str | None = None, household: str | None = None):
        user = await world.user(name)
        member_id = await factories.member(
            db,
            user.id,
            name,
            household_id=homes[household].id if household else None,
            representative=household is not None and role == "rep",
        )
        if role not in (None, "rep", "resident"):
            scope = place.grids["第二网格"] if role == "grid_worker" else None
            await factories.grant(db, place, member_id, role, scope)
        return user

    chair = await person("陈主席", "chair")
    moderator = await person("周主持", "moderator")
    worker = await person("张网格", "grid_worker")
    landlord = await person("房东老李")  # owns a flat, lives elsewhere: no household here
    # Representatives of 18 households vote; of the next two one talks to the bot and one never
    # did; the other four households have nobody in the bot.
    named = [c for c in codes if homes[c].representative_name]  # 7-2-301 has nobody on record
    reps = {c: await person(homes[c].representative_name, "rep", c) for c in named[:20]}
    son = await person("余小勇", "resident", codes[0])  # a second member of 7-1-101

    group = await world.group(
        "7栋业主群", [chair, moderator, worker, landlord, son, *reps.values()]
    )
    async with db.write() as s:
        s.add(
            ChatBinding(
                chat_id=group.id,
                community_id=place.community_id,
                scope_id=building,
                title="7栋业主群",
            )
        )

    # 1–2. The proposal and the discussion, with the moderator's quote.
    await group.send("/propose 7栋安装门禁系统", by=reps[codes[4]])
    [card] = await group.wait_bot_messages(1)
    assert "7栋安装门禁系统" in card["text"]
    await group.send("报价：门禁系统每户200元，一次性收取。", by=moderator)

    # 3. The chair opens the binding vote.
    await group.send("/vote #1 ｜ 同意/不同意/弃权 ｜ 过半数 ｜ 48小时 ｜ 记名", by=chair)
    [summary] = await group.wait_bot_messages(1)
    assert "7栋安装门禁系统" in summary["text"] and "本次表决决定第1号提案。" in summary["text"]
    assert "有表决权的户数：24户" in summary["text"]
    assert "须全体户数过半数同意" in summary["text"] and "记名" in summary["text"]
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    assert "已投票：0/24户" in ballot["text"] and buttons(ballot) == ["同意", "不同意", "弃权"]

    # 4. Representatives vote with buttons: 12 agree, 3 disagree, 1 abstains; one changes once.
    plan = {code: "同意" for code in named[:12]}
    plan.update({named[12]: "不同意", named[13]: "不同意", named[14]: "不同意", named[15]: "弃权"})
    changer = named[3]
    assert (await group.press(ballot, "不同意", by=reps[changer]))["text"] == (
        "你户投票：“不同意”，已记录。"
    )
    for code, option in plan.items():
        answer = await group.press(ballot, option, by=reps[code])
        assert "已记录" in answer["text"], (code, answer)
    first = homes[codes[0]]
    told = await group.press(ballot, "不同意", by=son)
    assert told["show_alert"]
    assert f"{first.code}户已经投过票，由{first.representative_name}投出" in told["text"]
    assert (await group.press(ballot, "同意", by=landlord))["show_alert"]

    # 5. Two elderly households vote on paper; the grid worker records them.
    worker_dm = await worker.private_chat()
    for code in named[16:18]:
        confirm = await ask(worker_dm, f"/offline 1 {code} 同意")
        await worker_dm.press(confirm, "确认")
        assert "纸质选票：同意" in (await worker_dm.message(confirm["message_id"]))["text"]

    # 6. Before close, who has not voted: the rooms, and a reminder only for them.
    await reps[named[18]].private_chat()  # this representative talks to the bot
    listing = await ask(group, "/pending 1", by=chair)
    missing = [c for c in codes if c not in named[:18]]
    assert f"7栋（6户）：{'、'.join(missing)}" in listing["text"]
    await group.press(listing, "提醒未投票户", by=chair)
    [report] = await group.wait_bot_messages(1)
    assert report["text"].startswith("已私信提醒1户。")
    assert f"7栋 {named[19]}：户代表尚未与我私聊过" in report["text"]
    for code in [c for c in missing if c not in named[18:20]]:
        assert f"7栋 {code}：户代表尚未加入本机器人" in report["text"]

    # 7. At close: counts, the rule, passed and why, and the chart.
    await group.send("/closevote 1", by=chair)
    result = await result_and_chart(group)
    text = result["text"]
    assert "第1号表决结果：7栋安装门禁系统" in text
    assert "第1号提案“7栋安装门禁系统”已作出决定：24户中14户同意" in text
    assert "通过。" in text and "24户中14户同意，占58.3%，须过半数：通过" in text
    assert "同意 14，不同意 3，弃权 1" in text
    assert "投票率：18/24户；其中线下（纸质）投票2户" in text
    closed = await group.message(ballot["message_id"])
    assert not buttons(closed)

    # The change and the paper ballots are in the audit log.
    async with db.session() as s:
        events = [
            (e.action, json.loads(e.data), e.actor_id)
            for e in await s.scalars(
                select(AuditEvent).where(AuditEvent.subject == "vote:1").order_by(AuditEvent.id)
            )
        ]
    mine = [(a, d["option"]) for a, d, _ in events if d.get("household") == homes[changer].id]
    assert mine == [("vote.cast", 1), ("vote.change", 0)]
    assert sum(1 for a, d, _ in events if a == "vote.cast" and d.get("offline")) == 2

    # 8. The landlord, a member of the group but no resident, finds the decision there later.
    await group.send("/votes", by=landlord)
    [listing] = await group.wait_bot_messages(1)
    assert (
        "第1号表决：7栋安装门禁系统 — 通过：同意 14，不同意 3，弃权 1；投票 18/24户"
        in listing["text"]
    )
    await group.send("/votes 1", by=landlord)
    [decision] = await group.wait_bot_messages(1)
    assert "24户中14户同意，占58.3%，须过半数：通过" in decision["text"]
    assert "投票率：18/24户；其中线下（纸质）投票2户" in decision["text"]
