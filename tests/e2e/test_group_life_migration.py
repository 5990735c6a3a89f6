"""A bound group upgraded to a supergroup in the middle of a running vote: the binding, the
proposal and the vote follow it — from the service messages or from the 400 answering a call
to the old id, whichever comes first, audited once — and the vote finishes in the new chat
with the ballots cast before the upgrade."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import select

from storage.models import AuditEvent, ChatBinding
from tests.driver import buttons
from tests.e2e.group_life_estate import building_seven, open_vote

RESULT = {"zh": "4户中2户选择“同意”", "en": "2 of 4 households chose “yes”"}


async def migrations(running) -> list[dict]:
    """The data of each chat.migrated audit event."""
    async with running.app.db.session() as s:
        found = await s.scalars(select(AuditEvent).where(AuditEvent.action == "chat.migrated"))
        return [json.loads(event.data) for event in found.all()]


async def finish_in(b, new, old_ids: tuple[int, int], card, ballot) -> None:
    """The proposal's card and the ballot came again in the new chat; a second household votes
    and seconds there; the chair closes the vote there and its result is posted there."""
    assert card["text"] == (await b.group.message(old_ids[0]))["text"]
    assert buttons(ballot) == buttons(await b.group.message(old_ids[1]))
    assert ("1/4" if b.language == "zh" else "1 of 4") in ballot["text"]
    assert (await new.press(ballot, b.words["yes"], by=b.li))["show_alert"] is False
    await new.send("/second 1", by=b.li)
    await new.wait_bot_messages(1)
    await new.send("/closevote 1", by=b.chair)
    result, chart = await new.wait_bot_messages(2)
    assert RESULT[b.language] in result["text"] and chart.get("photo")


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_group_upgraded_mid_vote_finishes_the_vote_in_the_supergroup(
    running, world, language
):
    b = await building_seven(running, world, language=language)
    await b.group.send("/propose 7栋电梯加装扶手", by=b.wang)
    [card] = await b.group.wait_bot_messages(1)
    ballot = await open_vote(b)
    await b.group.press(ballot, b.words["yes"], by=b.wang)

    new = await b.group.migrate()
    await finish_in(
        b, new, (card["message_id"], ballot["message_id"]), *await new.wait_bot_messages(2)
    )
    await b.group.expect_silence(0.2)  # nothing more in the old group
    [event] = await migrations(running)  # both service messages came: followed once
    assert event["to_chat_id"] == new.id and event["learnt_from"] == "service message"
    assert event["moved"] == {"proposal": 1, "vote": 1, "poll": 0, "agenda_item": 0}
    async with running.app.db.session() as s:
        [binding] = (await s.scalars(select(ChatBinding))).all()
    assert binding.chat_id == new.id and binding.active


async def test_the_first_call_to_the_old_id_follows_the_group_too(running, world):
    """With updates paused, the bot's own call to the old id meets the 400 first: the group is
    followed from it and the call lands in the supergroup; the service messages, read later,
    change nothing."""
    app = running.app
    b = await building_seven(running, world, language="en")
    await b.group.send("/propose 7栋电梯加装扶手", by=b.wang)
    [card] = await b.group.wait_bot_messages(1)
    ballot = await open_vote(b)
    await b.group.press(ballot, b.words["yes"], by=b.wang)

    await app.dispatcher.stop_polling()
    await app._polling
    new = await b.group.migrate()
    sent = await app.bot.send_message(b.group.id, "Still here")
    assert sent.chat.id == new.id
    [event] = await migrations(running)
    assert event["learnt_from"] == "error"
    *again, said = await new.wait_bot_messages(3)  # the card and ballot were posted first
    assert said["text"] == "Still here"

    app._polling = asyncio.create_task(
        app.dispatcher.start_polling(
            app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    await finish_in(b, new, (card["message_id"], ballot["message_id"]), *again)
    assert len(await migrations(running)) == 1
