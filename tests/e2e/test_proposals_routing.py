"""Routing, answering and escalating, in English, with the wrong inputs: no or unknown
numbers, full-width digits, the wrong role, a reply too long, a 小事 answered as a 私事,
answering twice, a panel pressed after the matter was closed, escalating at the top."""

from __future__ import annotations

from tests.driver import buttons
from tests.e2e.proposals_estate import estate


async def test_routing_answering_and_escalating_bad_inputs(running, world):
    place = await estate(running, world, language="en")
    group, p = place.group, place.people
    moderator_dm = await p["moderator"].private_chat()
    wang_dm = await p["wang"].private_chat()

    await group.send("/propose 楼道灯坏了", by=p["zhao"])
    [card] = await group.wait_bot_messages(1)
    assert (
        "Suggested: small matter (the residents decide it here) · 4335 area: management, "
        "from the words 楼道灯" in card["text"]
    )
    # No grid worker holds the community's own scope: its moderator is asked to route.
    [asked] = await moderator_dm.wait_bot_messages(1)
    assert asked["text"].startswith("A new proposal needs routing.\n\nRoute No. 1: 楼道灯坏了")

    for text, expected in (
        ("/route", "Give the proposal's number, e.g. /route 3."),
        ("/route 99", "There is no proposal No. 99 here."),
        ("/answer 1", "Give the number and your answer, e.g. /answer 3 已联系物业上门查看。"),
        ("/escalate", "Give the proposal's number and why, e.g. /escalate 3 网格内无法解决."),
        (
            "/answer 1 " + "好" * 1001,
            "That is 1001 characters long; at most 1000 fit. Shorten it and send it again.",
        ),
        (
            "/answer 1 已修好",
            "No. 1 is routed as small matter (the residents decide it here): only a private "
            "matter is answered this way. Route it as a private matter first with /route 1.",
        ),
        (
            "/escalate 1",
            "No. 1 is at 小桃园社区, and no street is set up above it: it cannot go higher.",
        ),
    ):
        await group.send(text, by=p["moderator"])
        [answer] = await group.wait_bot_messages(1)
        assert answer["text"] == expected, text
    await group.send("/route 1", by=p["sun"])
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"] == "Only grid worker or moderator may route a proposal."
    await group.send("/answer 1 已修好", by=p["sun"])
    [refused] = await group.wait_bot_messages(1)
    assert refused["text"] == "Only grid worker or moderator may route a proposal."

    await group.send("/route １", by=p["moderator"])  # a full-width digit
    [panel] = await group.wait_bot_messages(1)
    assert panel["text"].startswith("Route No. 1: 楼道灯坏了")
    assert buttons(panel)[-1] == "Confirm"
    not_theirs = await group.press(panel, "Confirm", by=p["li"])
    assert not_theirs["show_alert"] and not_theirs["text"] == (
        "Only grid worker or moderator may route a proposal."
    )

    # A 私事, answered while still only suggested: the answer confirms it; once only.
    await group.send("/propose 我家漏水楼下不让修", by=p["wang"])
    [private_card] = await group.wait_bot_messages(1)
    [private_panel] = await moderator_dm.wait_bot_messages(1)
    await group.send("/answer ２\u3000已联系物业，明天上门查看", by=p["moderator"])
    [answered] = await group.wait_bot_messages(1)
    assert (
        answered["text"]
        == "Proposal No. 2 “我家漏水楼下不让修” is answered: 已联系物业，明天上门查看"
    )
    [told] = await wang_dm.wait_bot_messages(1)
    assert (
        told["text"]
        == "陈主持 answered your proposal No. 2 “我家漏水楼下不让修”: 已联系物业，明天上门查看"
    )
    for text, expected in (
        ("/answer 2 again", "No. 2 is already answered."),
        ("/escalate 2", "No. 2 is answered: it can no longer be escalated."),
        ("/route 2", "No. 2 is answered: its route can no longer change."),
    ):
        await group.send(text, by=p["moderator"])
        [answer] = await group.wait_bot_messages(1)
        assert answer["text"] == expected, text
    late = await moderator_dm.press(private_panel, "Confirm", by=p["moderator"])
    assert (
        late["show_alert"] and late["text"] == "No. 2 is answered: its route can no longer change."
    )
    assert buttons(await moderator_dm.message(private_panel["message_id"])) == []
    await group.send("/second 2", by=p["li"])
    [closed] = await group.wait_bot_messages(1)
    assert closed["text"] == "No. 2 is answered: it no longer takes support."
