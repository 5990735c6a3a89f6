"""A vote on a proposal (/vote #N): the proposal gives the title and the scope, goes on the
agenda when the vote opens, and is decided (passed) or rejected (failed, the result sentence as
the reason) when it closes; the proposer is told. Unknown, closed or out-of-scope proposals and
a second vote on the same proposal are refused with the reason."""

from __future__ import annotations

from sqlmodel import select, update

from storage.models import ChatBinding, Member, Proposal, Vote
from tests.driver import buttons
from tests.e2e.test_vote_chat import building_seven, result_and_chart
from tests.e2e.test_vote_staff import _place


async def _proposal(running, number: int) -> Proposal:
    async with running.app.db.session() as s:
        return await s.scalar(select(Proposal).where(Proposal.number == number))


async def test_a_proposal_put_to_the_vote_is_decided_or_rejected(running, world):
    group, chair, wang, li, *_ = await building_seven(running, world)
    wang_dm = await wang.private_chat()
    await group.send("/propose 7栋安装门禁系统", by=wang)
    [card] = await group.wait_bot_messages(1)
    assert "7栋安装门禁系统" in card["text"]

    async def say(text: str, expected: str) -> dict:
        await group.send(text, by=chair)
        [answer] = await group.wait_bot_messages(1)
        assert expected in answer["text"], (text, answer["text"])
        return answer

    await say("/vote #9", "本社区没有第9号提案。")
    ask = await say("/vote ＃1", "7栋安装门禁系统")  # the dialogue, title from the proposal
    assert buttons(ask) == ["同意 / 不同意 / 弃权", "取消"]  # nothing to go back to
    await group.press(ask, "取消", by=chair)

    summary = await say("/vote #1 | | 多数 | 48小时 | 记名", "本次表决决定第1号提案。")
    assert "有表决权的户数：6户" in summary["text"]
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    assert "第1号表决：7栋安装门禁系统" in ballot["text"]
    assert (await _proposal(running, 1)).status == "on_agenda"
    [on_agenda] = await wang_dm.wait_bot_messages(1)  # the proposer hears of every change
    assert on_agenda["text"] == "第1号提案“7栋安装门禁系统”已列入议程。"
    assert "状态：已列入议程" in (await group.message(card["message_id"]))["text"]
    await say("/vote #1 | | 多数", "针对第1号提案的第1号表决仍在进行中。")

    await group.press(ballot, "同意", by=wang)
    await group.press(ballot, "同意", by=li)
    await group.send("/closevote 1", by=chair)
    result = (await result_and_chart(group))["text"]
    assert "2张选票中2张同意，占100.0%，须过半数：通过" in result
    assert "第1号提案“7栋安装门禁系统”已作出决定：2张选票中2张同意" in result
    [notice] = await wang_dm.wait_bot_messages(1)
    assert notice["text"].startswith("第1号提案“7栋安装门禁系统”已作出决定")
    decided = await _proposal(running, 1)
    assert decided.status == "decided" and decided.reason.startswith("2张选票中2张同意")
    assert "状态：已作出决定（2张选票中2张同意" in (await group.message(card["message_id"]))["text"]
    await say("/vote #1 | | 多数", "第1号提案目前的状态是“已作出决定”，不能再付诸表决。")

    # A proposal that fails: rejected, the result sentence as its reason.
    await group.send("/propose 换物业公司", by=li)
    await group.wait_bot_messages(1)
    summary = await say("/vote #2 | | 过半数", "本次表决决定第2号提案。")
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    await group.press(ballot, "同意", by=li)
    await group.send("/closevote 2", by=chair)
    result = (await result_and_chart(group))["text"]
    assert "第2号提案“换物业公司”已拒绝：6户中1户同意，占16.7%，须过半数：未通过" in result
    rejected = await _proposal(running, 2)
    assert rejected.status == "rejected" and rejected.reason.startswith("6户中1户同意")
    async with running.app.db.session() as s:
        assert [v.proposal_id for v in (await s.scalars(select(Vote).order_by(Vote.id)))] == [
            decided.id,
            rejected.id,
        ]


async def test_a_proposer_marked_unreachable_is_not_messaged_again(running, world):
    """Telegram refused them before (bot.flows.reach): their card still shows each change,
    but the bot does not try their private chat again until they write to it."""
    group, chair, wang, li, *_ = await building_seven(running, world)
    li_dm = await li.private_chat()
    await group.send("/propose 换物业公司", by=li)
    [card] = await group.wait_bot_messages(1)
    async with running.app.db.write() as s:
        await s.execute(
            update(Member)
            .where(Member.tg_user_id == li.id)
            .values(unreachable_at=running.app.clock.now())
        )

    await group.send("/vote #1 | | 多数", by=chair)
    [summary] = await group.wait_bot_messages(1)
    await group.press(summary, "发起表决", by=chair)
    [ballot] = await group.wait_bot_messages(1)
    await group.press(ballot, "不同意", by=wang)
    await group.send("/closevote 1", by=chair)
    assert "第1号提案“换物业公司”已拒绝" in (await result_and_chart(group))["text"]
    assert "状态：已拒绝" in (await group.message(card["message_id"]))["text"]
    await li_dm.expect_silence()


async def test_a_community_proposal_is_not_voted_on_in_a_building_group(running, world):
    group, chair, wang, *_ = await building_seven(running, world)
    place = await _place(running)
    community_group = await world.group("小区群", [chair, wang])
    async with running.app.db.write() as s:
        s.add(
            ChatBinding(
                chat_id=community_group.id,
                community_id=place.community_id,
                scope_id=place.root_id,
                title="小区群",
            )
        )
    await community_group.send("/propose 小区增设快递柜", by=wang)
    await community_group.wait_bot_messages(1)
    await group.send("/vote #1", by=chair)
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"].startswith("第1号提案涉及")
    assert "请在该范围的群（或更上一级的群）里发起表决" in refused["text"]
    await community_group.send("/vote #1 | | 60%以上", by=chair)
    [summary] = await community_group.wait_bot_messages(1)
    assert "本次表决决定第1号提案。" in summary["text"]
    assert (await _proposal(running, 1)).status == "open"  # not yet: only when it opens
