"""The in-memory community locales answer as the database does, also right after a change."""

from __future__ import annotations

from sqlalchemy import update

from bot.flows.locales import Locale, Locales
from storage.models import Community
from tests import factories


async def test_locales_follow_writes_and_new_communities(db):
    first = await factories.community(db)
    locales = Locales(db)
    assert await locales.of(first.community_id) == Locale("zh_CN", "Asia/Shanghai")
    async with db.write() as s:
        await s.execute(
            update(Community)
            .where(Community.id == first.community_id)
            .values(language="en", timezone="Europe/Berlin")
        )
    assert await locales.of(first.community_id) == Locale("en", "Europe/Berlin")
    second = await factories.community(db, name="大桃园社区")
    assert (await locales.of(second.community_id)).language == "zh_CN"
    assert await locales.of(second.community_id + 1) is None
