"""Edits: an edited command is not run again; editing the /propose line edits the proposal under
its own rules (its proposer, until another household seconds); an edit to a message kept in an
agenda item's thread updates the kept text."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.flows.cycle_rules import Phase
from storage.models import AgendaItem, Proposal, ProposalSupport
from tests.conftest import start_bot
from tests.e2e.cycle_estate import (
    at,
    configure,
    fast_virtual,
    move_to,
    next_cycle,
    raise_with_support,
    until,
)
from tests.e2e.group_life_estate import building_seven, kept_texts
from tests.e2e.proposals_estate import estate


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_edited_commands_are_not_run_again(running, world, language):
    b = await building_seven(running, world, language=language)
    group = b.group
    zh = language == "zh"
    proposed = await group.send("/propose 7栋电梯加装扶手", by=b.wang)
    await group.wait_bot_messages(1)
    await group.edit(proposed, "/propose 7栋电梯加装扶手和座椅", by=b.wang)
    [edited] = await group.wait_bot_messages(1)  # the proposer's edit is the proposal's edit
    assert edited["text"] == (
        "第1号提案已修改为：7栋电梯加装扶手和座椅"
        if zh
        else "No. 1 now reads: 7栋电梯加装扶手和座椅"
    )
    second = await group.send("/second 1", by=b.li)
    [seconded] = await group.wait_bot_messages(1)
    assert ("2户" if zh else "2 households") in seconded["text"]

    await group.edit(second, "/unsecond 1", by=b.li)  # not run again: no answer, no change
    await group.edit(proposed, "/propose 7栋楼顶防水维修", by=b.wang)
    [refused] = await group.wait_bot_messages(1)  # another household seconded the text as it was
    assert ("已有其他户附议" if zh else "another household has seconded it") in refused["text"]
    await group.send("/proposal 1", by=b.wang)
    [detail] = await group.wait_bot_messages(1)
    assert "7栋电梯加装扶手和座椅" in detail["text"]
    await group.expect_silence(0.3)
    async with running.app.db.session() as s:
        assert (await s.scalar(select(func.count()).select_from(ProposalSupport))) == 2
        assert (await s.scalars(select(Proposal.title))).all() == ["7栋电梯加装扶手和座椅"]


async def test_an_edit_in_an_agenda_thread_updates_the_kept_text(tmp_path):
    async for running in start_bot(fast_virtual(tmp_path)):
        world, db = running.world, running.app.db
        place = await estate(running, world)
        await configure(running, place, day="每月11日 19:00", threshold="2")
        await raise_with_support(place, "楼道堆物清理", "sun", ["zhao"])
        await move_to(world, at(await next_cycle(running, place), Phase.FREEZE))
        async with db.session() as s:
            [item] = (await s.scalars(select(AgendaItem))).all()
        said = await place.group.reply(
            item.anchor_message_id, "消防通道被堵", by=place.people["li"]
        )

        await until(partial(kept_texts, db), ["消防通道被堵"])
        await place.group.edit(said, "消防通道被堵，<b>请尽快</b>清理", by=place.people["li"])
        await until(partial(kept_texts, db), ["消防通道被堵，<b>请尽快</b>清理"])
