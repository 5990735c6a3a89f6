"""Audit events carry the bot's time, so on the virtual clock they line up with its phases."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent


async def test_an_audit_event_is_stamped_with_the_virtual_time(tmp_path):
    from tests.conftest import settings_for, start_bot

    async for running in start_bot(settings_for(tmp_path, clock="virtual")):
        ten_days = 10 * 24 * 3600
        await running.world.call("POST", "/clock", json={"advance": ten_days})
        expected = running.app.clock.now()
        alice = await running.world.user("王芳")
        dm = await alice.private_chat()
        await dm.send("/lang en")
        await dm.wait_bot_messages(1)
        async with running.app.db.session() as session:
            event = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "member.language")
            )
        assert event is not None
        assert event.at == expected  # not the wall clock, ten days behind it
