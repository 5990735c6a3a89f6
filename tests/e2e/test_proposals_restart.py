"""The bot stops while a resident is half-way through the private /propose dialogue and another
has the similar-proposals offer open; a new bot on the same database carries on with both."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sqlmodel import select

from bot.app import BotApp
from storage.models import DialogState
from tests.conftest import outside_sandbox
from tests.driver import buttons
from tests.e2e.proposals_estate import estate


async def test_dialogue_and_offer_survive_a_restart(tmp_path: Path) -> None:
    async with outside_sandbox(tmp_path) as (world, settings):
        first = BotApp(settings)
        await first.start()
        try:
            place = await estate(SimpleNamespace(app=first), world)
            group, p = place.group, place.people
            await group.send("/propose 7栋安装门禁系统", by=p["zhao"])
            await group.wait_bot_messages(1)
            await group.send("#提案 给七栋装个门禁吧", by=p["li"])
            [offer] = await group.wait_bot_messages(1)
            assert "仍然新建" in buttons(offer)

            dm = await p["wang"].private_chat()
            await dm.send("/propose")
            [ask] = await dm.wait_bot_messages(1)
            await dm.press(ask, "7栋（楼栋）")
            await dm.send("楼道声控灯经常不亮")
            [details] = await dm.wait_bot_messages(1)
            assert buttons(details) == ["跳过详情", "‹ 返回", "取消"]
        finally:
            await first.stop()

        second = BotApp(settings)
        await second.start()
        try:
            async with second.db.session() as s:
                states = {row.state for row in (await s.scalars(select(DialogState))).all()}
            assert "Proposing:details" in states

            await dm.send("三楼以上晚上全黑")
            [confirm] = await dm.wait_bot_messages(1)
            assert confirm["text"].startswith("你的提案：楼道声控灯经常不亮\n\n三楼以上晚上全黑")
            await dm.press(confirm, "提交提案")
            [done] = await dm.wait_bot_messages(1)
            assert done["text"].startswith("第2号提案已提交。\n\n7栋还没有绑定群")

            await group.press(offer, "仍然新建", by=p["li"])
            [card] = await group.wait_bot_messages(1)
            assert card["text"].startswith("第3号提案：给七栋装个门禁吧")
            assert (await group.message(offer["message_id"]))["text"] == "已按新提案提交。"
        finally:
            await second.stop()
