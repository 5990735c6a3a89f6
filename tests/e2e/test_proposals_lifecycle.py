"""Seconding twice, withdrawing support, seconding after close (withdrawn by the proposer,
rejected by a moderator), by an unverified member — in English; and the similar-proposals
offer's [Create anyway], which survives a restart of the bot."""

from __future__ import annotations

from tests.driver import buttons
from tests.e2e.proposals_estate import estate, eventually


async def test_seconding_withdrawing_and_closing_in_english(running, world):
    place = await estate(running, world, language="en")
    group, p = place.group, place.people
    zhao_dm = await p["zhao"].private_chat()
    await group.send("/propose Add EV chargers by the bike shed", by=p["zhao"])
    [card] = await group.wait_bot_messages(1)
    assert card["text"].startswith("Proposal No. 1: Add EV chargers by the bike shed")
    assert buttons(card) == ["Second (1)", "Details"]

    first = await group.press(card, "Second (1)", by=p["li"])
    assert first["text"] == "Seconded: No. 1 now has 2 households."
    await group.send("/second No. 1", by=p["li"])  # twice
    [twice] = await group.wait_bot_messages(1)
    assert twice["text"] == "Household 7-1-102 already supports No. 1."
    await group.send("/second 1", by=p["newcomer"])
    [refused] = await group.wait_bot_messages(1)
    assert "send /join to me in a private chat" in refused["text"]

    await group.send("/unsecond 1", by=p["son"])  # his household does not support it… yet
    [none] = await group.wait_bot_messages(1)
    assert none["text"] == "Your household does not support No. 1."
    await group.send("/unsecond 1", by=p["li"])
    [withdrawn] = await group.wait_bot_messages(1)
    assert withdrawn["text"] == (
        "Your household's support of No. 1 is withdrawn; 1 households support it now."
    )
    await eventually(group, card["message_id"], lambda m: "Second (1)" in buttons(m))

    await group.press(card, "Details", by=p["wu"])
    [detail] = await group.wait_bot_messages(1)
    assert (
        "• 1栋: 1 households" in detail["text"] and "Status: collecting seconds" in detail["text"]
    )

    # Closed by its proposer: no more support, by button or command.
    await group.send("/withdraw 1", by=p["li"])
    [not_theirs] = await group.wait_bot_messages(1)
    assert not_theirs["text"] == "Only its proposer can withdraw a proposal."
    await group.send("/withdraw 1", by=p["zhao"])
    [closed] = await group.wait_bot_messages(1)
    assert closed["text"] == "Proposal No. 1 “Add EV chargers by the bike shed” is withdrawn."
    # A stale button: the detail view's (the card itself loses its buttons as soon as the
    # throttled refresh lands, which may be before this press).
    late = await group.press(detail, "Second (1)", by=p["sun"])
    assert late["show_alert"] and late["text"] == "No. 1 is withdrawn: it no longer takes support."
    await group.send("/unsecond 1", by=p["zhao"])
    [frozen] = await group.wait_bot_messages(1)
    assert frozen["text"] == "No. 1 is withdrawn: its support can no longer change."
    await eventually(group, card["message_id"], lambda m: buttons(m) == ["Details"])
    await group.send("/withdraw 1", by=p["zhao"])
    [again] = await group.wait_bot_messages(1)
    assert again["text"] == "No. 1 is already withdrawn."

    # Rejected by a moderator, with the reason; the proposer is told in private.
    await group.send("/propose Paint the east gate red", by=p["zhao"])
    await group.wait_bot_messages(1)
    await group.send("/reject 2 not the community's decision", by=p["sun"])
    [denied] = await group.wait_bot_messages(1)
    assert "Only grid worker or moderator may merge or reject proposals." in denied["text"]
    await group.send("/reject 2", by=p["moderator"])
    [how] = await group.wait_bot_messages(1)
    assert how["text"].startswith("Give the number and the reason")
    await group.send("/reject 2 <i>not the community's decision</i>", by=p["moderator"])
    [rejected] = await group.wait_bot_messages(1)
    assert rejected["text"] == (
        "Proposal No. 2 “Paint the east gate red” is rejected: <i>not the community's decision</i>"
    )
    [told] = await zhao_dm.wait_bot_messages(1)
    assert told["text"] == rejected["text"]
    await group.send("/second 2", by=p["wu"])
    [late] = await group.wait_bot_messages(1)
    assert late["text"] == "No. 2 is rejected: it no longer takes support."
    await group.send("/proposals", by=p["wu"])
    [listing] = await group.wait_bot_messages(1)
    assert "No open proposals here yet" in listing["text"]
