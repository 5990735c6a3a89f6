"""Senders who are not a person — an anonymous administrator, a post as a channel — are never a
resident or a household: their taps and commands are refused with one clear message, their
words stay in the group unanswered, and nothing they tried is counted."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from storage.models import Ballot, ProposalSupport
from tests.driver import buttons
from tests.e2e.group_life_estate import building_seven, open_vote


async def counted(running) -> tuple[int, int]:
    """(ballots, supporting households) in storage."""
    async with running.app.db.session() as s:
        ballots = await s.scalar(select(func.count()).select_from(Ballot))
        support = await s.scalar(select(func.count()).select_from(ProposalSupport))
    return ballots, support


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_anonymous_admins_and_channels_cannot_vote_or_second(running, world, language):
    b = await building_seven(running, world, language=language, supergroup=True)
    group, refusal = b.group, b.words["not_a_person"]
    await group.send("/propose 7栋电梯加装扶手", by=b.wang)
    [card] = await group.wait_bot_messages(1)
    ballot = await open_vote(b)

    # An anonymous administrator taps the ballot and the proposal's second button: alerts.
    for message, label in ((ballot, b.words["yes"]), (card, buttons(card)[0])):
        answer = await group.press_as_anonymous_admin(message, label, by=b.chair)
        assert answer == {"text": refusal, "show_alert": True}
    # Commands as a channel or as the group: one reply each, the same words.
    channel = await world.channel("业委会频道", b.wang)
    await group.send_as_channel(channel, "/second 1", by=b.wang)
    await group.send_as_anonymous_admin("/second 1", by=b.chair)
    await group.send_as_channel(channel, "#提案 换物业", by=b.wang)
    said = await group.wait_bot_messages(3)
    assert [m["text"] for m in said] == [refusal] * 3
    # Their ordinary words are discussion: kept in the group, no answer.
    await group.send_as_anonymous_admin("大家好，周六开会 <b>别迟到</b>", by=b.chair)
    await group.expect_silence()
    assert await counted(running) == (0, 1)  # only the proposer's own household supports it

    # The same people from their own accounts are counted as usual.
    assert (await group.press(ballot, b.words["yes"], by=b.wang))["show_alert"] is False
    await group.send("/second 1", by=b.li)
    await group.wait_bot_messages(1)
    assert await counted(running) == (1, 2)
