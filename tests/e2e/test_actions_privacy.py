"""Progress notes and ratings are personal data: /mydata lists them; /forgetme keeps the
household's rating (the average stays right) but no longer says who gave it, and keeps the
progress note as the item's work record under the forgotten member's placeholder."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import ActionProgress, Rating
from tests.conftest import start_bot
from tests.e2e.actions_estate import ask, decided_vote, estate, said, started
from tests.e2e.cycle_estate import fast_virtual


@pytest.fixture
async def running(tmp_path):
    """On the virtual clock."""
    async for item in start_bot(fast_virtual(tmp_path)):
        yield item


async def test_mydata_lists_progress_and_ratings_and_forgetme_unlinks_them(running, world):
    place = await estate(running, world)
    zhang = place.people["zhang"]
    dm = await zhang.private_chat()
    await decided_vote(place)
    group = place.building_group
    await started(running, place)
    await ask(group, "/progress 1 70 <b>已安装</b>一半", zhang, "进度")
    await ask(group, "/done 1", zhang, "已完成")
    asked = await said(dm, "督办#1已办结")
    await dm.press(asked, "5 ★")

    mine = await ask(dm, "/mydata", zhang)
    assert "督办#1“更换7栋单元门禁”的进度：70%" in mine and "<b>已安装</b>一半" in mine, mine
    assert "代表你户评价督办#1“更换7栋单元门禁”：5分" in mine, mine

    await dm.send("/forgetme")
    confirm = await said(dm, "")
    await dm.press(confirm, "是的，删除我的信息")
    async with running.app.db.session() as s:
        [rating] = (await s.scalars(select(Rating))).all()
        [progress] = (await s.scalars(select(ActionProgress))).all()
    assert rating.score == 5 and rating.member_id is None
    assert progress.note == "<b>已安装</b>一半"
    history = await ask(group, "/actions 1", place.people["wang"], "督办#1：")
    assert "张经理" not in history and "70%" in history, history
    assert "1户评分，平均5.0分" in history
