"""/cycle and /cycle set in chat: a moderator sets the 协商日, residents read the next dates;
bad input is explained in the asker's language and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.flows import proposal_settings
from storage.models import AuditEvent, ChatBinding, Community
from tests import factories
from tests.conftest import Running, settings_for, start_bot
from tests.driver import Chat, User

NOW = "2035-06-09T00:00:00+00:00"  # a Saturday, 08:00 in Shanghai


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    async for item in start_bot(settings_for(tmp_path, clock="virtual")):
        await item.world.call("POST", "/clock", json={"to": NOW})
        yield item


async def ask(chat: Chat, text: str, by: User) -> str:
    await chat.send(text, by=by)
    [answer] = await chat.wait_bot_messages(1)
    return answer["text"]


async def community(running: Running, language: str = "zh-hans"):
    """小桃园: a moderator, a resident of 1栋, the community group and 1栋's group, bound."""
    world, db = running.world, running.app.db
    place = await factories.community(db)
    building = await factories.building(db, place, "第一网格", "1栋")
    home = await factories.household(db, place, "1栋", "1-1-101")
    moderator = await world.user("陈主持", language_code=language)
    resident = await world.user("赵敏", language_code=language)
    await factories.grant(
        db, place, await factories.member(db, moderator.id, "陈主持"), "moderator"
    )
    await factories.member(db, resident.id, "赵敏", household_id=home, representative=True)
    group = await world.group("小桃园社区群", [moderator, resident])
    building_group = await world.group("1栋群", [moderator, resident])
    async with db.write() as s:
        for chat, scope, title in (
            (group, place.root_id, "小桃园社区群"),
            (building_group, building, "1栋群"),
        ):
            s.add(
                ChatBinding(
                    chat_id=chat.id, community_id=place.community_id, scope_id=scope, title=title
                )
            )
    return place, moderator, resident, group, building_group


async def test_a_moderator_sets_the_day_in_chinese_and_bad_input_changes_nothing(
    running: Running,
) -> None:
    place, moderator, resident, group, building_group = await community(running)
    assert await ask(group, "/cycle", resident) == (
        "小桃园社区的协商日安排\n\n"
        "还没有设定协商日。主持人可以用 /cycle set day 每月11日 19:00 设定。\n\n"
        "附议门槛：5户 · 议程最多5项 · 由轮值主席开启投票 · 决定后公示7天 · "
        "提醒免打扰时段：22:00–08:00"
    )
    assert await ask(group, "/cycle set day 每月11日", resident) == (
        "只有主持人才能修改协商周期设置。"
    )
    for typed, refusal in [
        ("/cycle set day 每月３２日", "一个月里没有32日，请用 1 到 31 日，或“最后一天”。"),
        (
            "/cycle set day 第五个周五",
            "不是每个月都有第五个周五，请用第一个到第四个，或“最后一个”。",
        ),
        (
            "/cycle set day 每月11日 25:00",
            "“25:00”不是有效的时间，请用 00:00 到 23:59 之间的“时:分”。",
        ),
        ("/cycle set day <b>下周</b>", "看不懂“<b>下周</b>”是每月哪一天。例如："),
        ("/cycle set colour blue", "用法：/cycle set 项目 值"),
        ("/cycle set day", "用法：/cycle set 项目 值"),
        ("/cycle 1", "发 /cycle 查看协商日安排；主持人可以用 /cycle set 修改。"),
        ("/cycle set threshold 0户", "“0户”不是 1 到 10000 之间的数字。"),
    ]:
        assert (await ask(group, typed, moderator)).startswith(refusal), typed
    async with running.app.db.session() as s:
        assert (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.settings"))
        ).all() == []

    said = await ask(group, "/cycle set day 每月１１日　１９：３０", moderator)
    schedule = (
        "协商日：每月11日 19:30（Asia/Shanghai）\n\n"
        "最后提醒：2035-06-10（周日）19:30 · 协商日前一天\n\n"
        "协商日：开始协商：2035-06-11（周一）19:30 · 每月11日 19:30\n\n"
        "开始投票：2035-06-11（周一）19:30 · 协商日当天\n\n"
        "投票截止：2035-06-13（周三）19:30 · 开始投票后48小时\n\n"
        "第一次提醒：2035-07-04（周三）19:30 · 协商日前7天\n\n"
        "议程确定：2035-07-08（周日）19:30 · 协商日前3天"
    )
    assert said == f"已修改协商日。现在的安排：\n\n{schedule}\n\n" + (
        "附议门槛：5户 · 议程最多5项 · 由轮值主席开启投票 · 决定后公示7天 · "
        "提醒免打扰时段：22:00–08:00"
    )
    [announced] = await building_group.wait_bot_messages(1)
    assert announced["text"] == f"小桃园社区的协商日安排有变动\n\n{schedule}"
    await group.expect_silence(0.3)  # the asking group got the reply, not a second notice

    said = await ask(group, "/cycle set 议程冻结 D-3 09:00", moderator)
    assert "议程确定：2035-07-08（周日）09:00 · 协商日前3天 09:00" in said
    await building_group.wait_bot_messages(1)
    assert "附议门槛：3户" in await ask(group, "/cycle set 附议门槛 3户", moderator)
    await building_group.wait_bot_messages(1)
    assert await proposal_settings.support_threshold(running.app.db, place.community_id) == 3
    assert (await ask(group, "/cycle set threshold ３", moderator)).startswith(
        "设置本来就是这样，没有改动。"
    )
    await building_group.expect_silence(0.3)  # nothing changed, nothing announced

    # A resident reads the same dates, in private too, without the moderators' hint.
    dm = await resident.private_chat()
    shown = await ask(dm, "/cycle", resident)
    assert shown.startswith("小桃园社区的协商日安排\n\n协商日：每月11日 19:30（Asia/Shanghai）")
    assert "用法" not in shown
    assert "用法：/cycle set 项目 值" in await ask(group, "/cycle", moderator)
    async with running.app.db.session() as s:
        changes = (
            await s.scalars(
                select(AuditEvent.data)
                .where(AuditEvent.action == "cycle.settings")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert changes == [
        '{"from":{"day_rule":null},"setting":"day","to":{"day_rule":"day 11 19:30"},"via":"chat"}',
        '{"from":{"freeze":"D-3"},"setting":"freeze","to":{"freeze":"D-3 09:00"},"via":"chat"}',
        '{"from":{"support_threshold":5},"setting":"threshold","to":{"support_threshold":3},'
        '"via":"chat"}',
    ]


async def test_three_five_five_in_english_with_a_daylight_saving_zone(running: Running) -> None:
    place, moderator, resident, group, _ = await community(running, language="en")
    async with running.app.db.write() as s:
        (await s.get(Community, place.community_id)).timezone = "Europe/Berlin"
    dm = await moderator.private_chat()
    said = await ask(dm, "/cycle set day second Friday 15:00", moderator)
    assert said.startswith(
        "Changed the 协商日. The cycle now:\n\n"
        "协商日: the second Friday of every month at 15:00 (Europe/Berlin)\n\n"
    )
    said = await ask(dm, "/cycle set freeze first Friday 09:00", moderator)
    assert "Agenda freeze: Fri 2035-07-06 09:00 · the first Friday of every month at 09:00" in said
    assert "协商日: deliberation opens: Fri 2035-07-13 15:00" in said
    assert "Votes close: Sun 2035-06-10 15:00" in said  # June's vote is still open
    assert await ask(dm, "/cycle set freeze D+1", moderator) == (
        "Then the Agenda freeze of 2035-06 would fall on Sat 2035-06-09 15:00, not between the "
        "previous 协商日 (Fri 2035-05-11 15:00) and that month's (Fri 2035-06-08 15:00)."
    )
    assert await ask(dm, "/cycle set vote D-1", moderator) == (
        "Then voting in 2035-06 would open on Thu 2035-06-07 15:00, before that month's 协商日 "
        "(Fri 2035-06-08 15:00)."
    )
    assert await ask(dm, "/cycle set opener admiral", moderator) == (
        "Votes are opened by the chair or by a moderator: say chair or moderator."
    )
    # A reminder in the quiet hours waits for their end; with none it keeps its time.
    said = await ask(dm, "/cycle set reminder2 D-1 23:30", moderator)
    assert "Last reminder: Fri 2035-07-13 08:00 · the day before the 协商日 at 23:30" in said
    said = await ask(dm, "/cycle set quiet off", moderator)
    assert (
        "Last reminder: Thu 2035-07-12 23:30" in said and "quiet hours for reminders: none" in said
    )
    said = await ask(dm, "/cycle set opener moderator", moderator)
    assert "votes opened by the moderator" in said
    # Each change is announced in the bound groups (in the bot's default language: zh_CN).
    notices = await group.wait_bot_messages(5)
    assert all(n["text"].startswith("小桃园社区的协商日安排有变动") for n in notices)
    eve = await running.world.user("Eve", language_code="en")
    assert await ask(await eve.private_chat(), "/cycle", eve) == (
        "Ask in a group bound to the community, or join your household first."
    )
    unbound = await running.world.group("Neighbours", [resident])
    assert await ask(unbound, "/cycle", resident) == (
        "Ask in a group bound to the community, or join your household first."
    )
