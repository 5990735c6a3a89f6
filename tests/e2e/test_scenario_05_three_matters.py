"""Scenario 05, 三事分流 and "小事不出网格、大事不出社区、难事不出街道", through the sandbox:
three matters raised in a grid group get their suggested kind and scope; the grid worker
confirms or changes them and the proposers hear the route; the 私事 is answered, never
seconded; matters go up grid → community → street, the higher group seeing each with its
history and the original group told; at the end every matter has its answer or its place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.flows import communities, scopes
from storage.models import ChatBinding, Scope
from tests import factories
from tests.driver import Chat, World, buttons
from tests.e2e.proposals_estate import eventually


@dataclass
class Town:
    grid_group: Chat
    community_group: Chat
    street_group: Chat
    people: dict


async def town(running, world: World) -> Town:
    """月牙湖街道 › 小桃园社区 › 第一网格 › 7栋, 8栋: four households, their grid worker 张网格,
    the community's moderator 陈主持; a group bound to the grid, the community and the street."""
    db = running.app.db
    community = await communities.create(db, "小桃园社区", street="月牙湖街道")
    grid, _ = await scopes.add_grid(db, community.id, "第一网格", actor_id=None, via="test")
    async with db.session() as s:
        root = await scopes.root(s, community.id)
        street = await s.get(Scope, root.parent_id)
    place = factories.Place(community.id, root.id, {"第一网格": grid.id})
    households = {}
    for building in ("7栋", "8栋"):
        await factories.building(db, place, "第一网格", building)
        for room in ("101", "102"):
            code = f"{building[0]}-1-{room}"
            households[code] = await factories.household(db, place, building, code, room=room)
    people = {}
    for key, name, code in (
        ("wang", "王芳", "7-1-101"),
        ("li", "李强", "7-1-102"),
        ("zhao", "赵敏", "8-1-101"),
        ("qian", "钱进", "8-1-102"),
    ):
        people[key] = await world.user(name)
        await factories.member(
            db, people[key].id, name, household_id=households[code], representative=True
        )
    people["worker"] = await world.user("张网格")
    worker_id = await factories.member(db, people["worker"].id, "张网格")
    await factories.grant(db, place, worker_id, "grid_worker", grid.id)
    people["moderator"] = await world.user("陈主持")
    moderator_id = await factories.member(db, people["moderator"].id, "陈主持")
    await factories.grant(db, place, moderator_id, "moderator")

    everyone = list(people.values())
    groups = {}
    for title, scope_id in (
        ("第一网格群", grid.id),
        ("小桃园社区群", root.id),
        ("月牙湖街道群", street.id),
    ):
        groups[title] = await world.group(title, everyone)
        async with db.write() as s:
            s.add(
                ChatBinding(
                    chat_id=groups[title].id,
                    community_id=community.id,
                    scope_id=scope_id,
                    title=title,
                )
            )
    return Town(groups["第一网格群"], groups["小桃园社区群"], groups["月牙湖街道群"], people)


async def test_scenario_05_three_matters(running, world):
    place = await town(running, world)
    grid, p = place.grid_group, place.people
    worker_dm = await p["worker"].private_chat()
    dms = {key: await p[key].private_chat() for key in ("wang", "li", "zhao")}

    # 1. Three matters raised in the grid group: each suggested, with the words behind it.
    cards, panels = {}, {}
    for number, (who, text) in enumerate(
        (
            ("wang", "/propose 楼道灯坏了"),
            ("li", "#提案 小区要建垃圾中转站"),
            ("zhao", "/propose 我家漏水楼下不让修"),
        ),
        start=1,
    ):
        await grid.send(text, by=p[who])
        [cards[number]] = await grid.wait_bot_messages(1)
        [panels[number]] = await worker_dm.wait_bot_messages(1)  # the grid worker is asked
        assert panels[number]["text"].startswith("有新提案需要分流。")
    assert (
        "建议分流：小事（由居民自己协商决定） · 4335分类：管理类，依据：楼道灯" in cards[1]["text"]
    )
    assert "建议分流：大事（由社区报政府相关部门办理）" in cards[2]["text"]
    assert "垃圾中转站" in cards[2]["text"]
    assert "建议分流：私事（属于自家事务，由网格员答复，不付表决）" in cards[3]["text"]
    assert "依据：我家、不让" in cards[3]["text"]
    # The panel starts from the suggestion: 小事 in the grid, 大事 in the community, 私事 at home.
    assert [b for b in buttons(panels[1]) if "✓" in b] == ["✓ 小事", "✓ 管理", "✓ 第一网格"]
    assert "✓ 大事" in buttons(panels[2]) and "✓ 小桃园社区" in buttons(panels[2])
    assert "✓ 私事" in buttons(panels[3]) and "✓ 第一网格" in buttons(panels[3])
    assert "月牙湖街道" not in buttons(panels[2])  # the street is escalation's, not routing's

    # Only the grid worker or a moderator routes.
    await grid.send("/route 1", by=p["li"])
    [refused] = await grid.wait_bot_messages(1)
    assert refused["text"] == "只有网格员或主持人才能分流提案。"

    # The grid worker changes his mind on No. 1 once, then confirms 小事; the proposer is told.
    await worker_dm.press(panels[1], "大事", by=p["worker"])
    changed = await worker_dm.message(panels[1]["message_id"])
    assert "✓ 大事" in buttons(changed) and "大事（由社区报政府相关部门办理）" in changed["text"]
    await worker_dm.press(changed, "小事", by=p["worker"])
    back = await worker_dm.message(panels[1]["message_id"])
    await worker_dm.press(back, "确认", by=p["worker"])
    done = await worker_dm.message(panels[1]["message_id"])
    assert done["text"] == (
        "第1号提案已分流：小事（由居民自己协商决定） · 4335分类：管理类，范围：第一网格。"
    )
    [told] = await dms["wang"].wait_bot_messages(1)
    assert told["text"] == (
        "你的第1号提案“楼道灯坏了”已分流为小事（由居民自己协商决定），范围：第一网格。"
    )
    await eventually(grid, cards[1]["message_id"], lambda m: "（已确认）" in m["text"])

    # No. 2 is confirmed as 大事 in the community: the community group sees it with its
    # history, the grid group is told where it went.
    await worker_dm.press(panels[2], "确认", by=p["worker"])
    [arrived] = await place.community_group.wait_bot_messages(1)
    assert arrived["text"].startswith("⬆ 第一网格上报第2号提案：小区要建垃圾中转站")
    assert "办理经过" in arrived["text"] and "在第一网格提出" in arrived["text"]
    assert "分流为大事，范围：小桃园社区" in arrived["text"]
    [went] = await grid.wait_bot_messages(1)
    assert went["text"] == "第2号提案“小区要建垃圾中转站”已从第一网格上报至小桃园社区。"
    li_told = [m["text"] for m in await dms["li"].wait_bot_messages(2)]
    assert (
        "你的第2号提案“小区要建垃圾中转站”已分流为大事（由社区报政府相关部门办理），范围：小桃园社区。"
        in li_told
    )
    # The grid worker may not take it further than his grid: no [⬆] for him.
    assert buttons(await worker_dm.message(panels[2]["message_id"])) == []

    # 2. The 私事: confirmed, it takes no seconds; the grid worker answers it.
    await worker_dm.press(panels[3], "确认", by=p["worker"])
    await dms["zhao"].wait_bot_messages(1)
    await grid.send("/second 3", by=p["qian"])
    [no_second] = await grid.wait_bot_messages(1)
    assert no_second["text"] == ("第3号提案属于私事：由网格员答复，不征集附议，也不付表决。")
    await grid.send("/vote #3", by=p["moderator"])  # nor put to a vote
    [no_vote] = await grid.wait_bot_messages(1)
    assert no_vote["text"] == no_second["text"]
    await eventually(grid, cards[3]["message_id"], lambda m: buttons(m) == ["详情"])
    await grid.send("/answer ３ 已联系物业和楼下住户，明天上午<b>上门</b>查看。", by=p["worker"])
    [answered] = await grid.wait_bot_messages(1)
    assert answered["text"] == (
        "第3号提案“我家漏水楼下不让修”已答复：已联系物业和楼下住户，明天上午<b>上门</b>查看。"
    )
    [zhao_told] = await dms["zhao"].wait_bot_messages(1)
    assert zhao_told["text"].startswith("张网格答复了你的第3号提案“我家漏水楼下不让修”：")

    # 3. 难事: the grid worker sends No. 1 up to the community, with his reason.
    await grid.send("/escalate 1 网格内协调不了，需要社区出面", by=p["worker"])
    [up] = await grid.wait_bot_messages(1)
    assert up["text"] == "第1号提案已从第一网格上报至小桃园社区，附议和办理经过一并移交。"
    [seen] = await place.community_group.wait_bot_messages(1)
    assert seen["text"].startswith("⬆ 第一网格上报第1号提案：楼道灯坏了")
    assert "从第一网格上报至小桃园社区：网格内协调不了，需要社区出面" in seen["text"]
    [wang_told] = await dms["wang"].wait_bot_messages(1)
    assert wang_told["text"] == (
        "第1号提案“楼道灯坏了”已从第一网格上报至小桃园社区：网格内协调不了，需要社区出面"
    )
    await grid.send("/escalate 1", by=p["worker"])  # beyond his grid now
    [beyond] = await grid.wait_bot_messages(1)
    assert beyond["text"] == "你只能在自己负责的范围内上报事项。"

    # The moderator takes the 大事 to the street with the [⬆] under its route.
    community = place.community_group
    await community.send("/route 2", by=p["moderator"])
    [panel] = await community.wait_bot_messages(1)
    assert "已由张网格确认。" in panel["text"]
    again = await community.press(panel, "确认", by=p["moderator"])
    assert again["text"] == "这个分流已经确认过了。"
    offered = await community.message(panel["message_id"])
    assert buttons(offered) == ["⬆ 上报月牙湖街道"]
    pressed = await community.press(offered, "⬆ 上报月牙湖街道", by=p["moderator"])
    assert pressed["text"] is None
    assert (await community.message(panel["message_id"]))["text"] == (
        "第2号提案已上报至月牙湖街道：转出本社区办理，在本社区记为已答复。"
    )
    [street_sees] = await place.street_group.wait_bot_messages(1)
    assert street_sees["text"].startswith("⬆ 小桃园社区上报第2号提案：小区要建垃圾中转站")
    assert "分流为大事，范围：小桃园社区" in street_sees["text"]
    assert "从小桃园社区上报至月牙湖街道" in street_sees["text"]
    [grid_told] = await grid.wait_bot_messages(1)
    assert grid_told["text"] == "第2号提案“小区要建垃圾中转站”已从小桃园社区上报至月牙湖街道。"
    await community.send("/route 2", by=p["moderator"])
    [fixed] = await community.wait_bot_messages(1)
    assert fixed["text"] == "第2号提案已上报，不能再更改分流。"
    await community.send("/escalate 2", by=p["moderator"])
    [top] = await community.wait_bot_messages(1)
    assert top["text"] == "第2号提案已经上报至月牙湖街道。"

    # 4. Every matter ends with an answer or sits where it is decided.
    await grid.send("/proposal 3", by=p["qian"])
    [three] = await grid.wait_bot_messages(1)
    assert "状态：已答复（已联系物业和楼下住户" in three["text"]
    await grid.send("/proposal 2", by=p["qian"])
    [two] = await grid.wait_bot_messages(1)
    assert "状态：已上报" in two["text"]
    await eventually(grid, cards[2]["message_id"], lambda m: "状态：已上报" in m["text"])
    await grid.send("/proposals", by=p["qian"])
    [grid_list] = await grid.wait_bot_messages(1)
    assert grid_list["text"].startswith("这里还没有")  # nothing left open in the grid
    await community.send("/proposals", by=p["qian"])
    [community_list] = await community.wait_bot_messages(1)
    assert "第1号：楼道灯坏了" in community_list["text"]
