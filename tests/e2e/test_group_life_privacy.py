"""Privacy mode (on by default, as on Telegram): a bot that is a plain member sees only
commands, replies to it and mentions. Joining and binding, it tells the moderator in the
group's language exactly what to change; commands and buttons keep working meanwhile."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import ChatBinding
from tests.driver import buttons
from tests.e2e.group_life_estate import building_seven


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_bot_under_privacy_mode_says_what_it_cannot_see(running, world, language):
    b = await building_seven(running, world, language=language, bot_admin=False, bind=False)
    group, privacy = b.group, b.words["privacy"]
    [hello] = [m for m in await group.transcript() if m["from"]["is_bot"]]
    assert hello["text"].endswith(privacy)  # the chair added it; said in the chair's language

    await group.send("/bind", by=b.chair)
    [menu] = await group.wait_bot_messages(1)
    await group.press(menu, buttons(menu)[2], by=b.chair)  # the first grid's buildings
    await group.press(await group.message(menu["message_id"]), "7栋", by=b.chair)
    bound = await group.message(menu["message_id"])
    assert bound["text"].endswith(privacy)
    async with running.app.db.session() as s:  # for the minutes: discussion not captured
        assert not (await s.scalar(select(ChatBinding))).reads_all

    # Chatter does not reach the bot; commands and buttons still do.
    await group.send("大家觉得装门禁怎么样？", by=b.wang)
    await group.send("/propose 7栋电梯加装扶手", by=b.wang)
    [card] = await group.wait_bot_messages(1)
    answer = await group.press(card, buttons(card)[0], by=b.li)
    assert answer["text"] == (
        "附议成功：第1号提案现有2户附议。"
        if language == "zh"
        else "Seconded: No. 1 now has 2 households."
    )

    # Privacy mode turned off at BotFather: the next time the bot joins it has nothing to ask
    # about the discussion (only the rights an admin would have).
    await world.set_privacy(False)
    bot_id = await world.bot_id()
    await group.set_member(bot_id, "kicked")
    await group.set_member(bot_id, "member")
    [again] = await group.wait_bot_messages(1)
    assert privacy not in again["text"] and "/bind" in again["text"]
