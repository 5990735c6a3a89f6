"""/report as moderators and supervisors use it, in the group and privately: the message, the
chart and the CSV of the month so far and of the last complete month; who may not; periods
typed wrong (full-width, backwards, in the future, not a month)."""

from __future__ import annotations

from tests import factories
from tests.e2e.cycle_estate import raise_with_support, skip_said
from tests.e2e.proposals_estate import estate
from tests.e2e.report_estate import month_of, received


def fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789-.", "０１２３４５６７８９－．"))


async def test_moderators_and_supervisors_get_the_report_and_bad_periods_say_why(running, world):
    place = await estate(running, world)
    group, people, db = place.group, place.people, running.app.db
    supervisor = await world.user("周监事", language_code="en")
    await factories.grant(
        db, place.place, await factories.member(db, supervisor.id, "周监事"), "supervisor"
    )
    await group.set_member(supervisor.id, "member")
    await raise_with_support(place, "增设电动车充电桩 <b>急</b>", "zhao", ["qian", "sun"])
    now = running.app.clock.now()
    this_month, last_month = month_of(now), month_of(now, -1)

    # A resident may not; the moderator may, in the group: the month so far.
    await group.send("/report", by=people["li"])
    [refused] = await group.wait_bot_messages(1)
    assert "只有主持人或监事才能查看月度协商指标报告。" in refused["text"], refused["text"]
    await group.send(f"/report {this_month}", by=people["moderator"])
    report = await received(group)
    assert report.text.startswith(f"小桃园社区 {this_month} 协商指标\n")
    assert "参与过的户数（提案、附议、表决或测评）：3/8（37.5%）" in report.text
    assert "提案：提出1件，附议列入议程0件，表决议定0件（通过0件）" in report.text
    assert "第一网格：参与3/8户（37.5%）；提案0件" in report.text  # raised for everyone
    assert "第二网格：参与0/0户（—）" in report.text
    assert report.filename == f"indicators-{this_month}.csv"
    assert [r[2] for r in report.rows[1:]] == [
        "小桃园社区",
        "第一网格",
        "1栋",
        "3栋",
        "5栋",
        "7栋",
        "第二网格",
    ]
    assert report.row("1栋")["户数"] == "2" and report.row("1栋")["参与户数"] == "2"
    assert report.row("3栋")["参与率"] == "50.0%" and report.row("7栋")["参与户数"] == "0"
    assert report.row("小桃园社区")["提出提案"] == "1"

    # Without a period: the last complete month (nothing had started yet).
    await group.send("／report", by=people["moderator"])  # not a command: ignored
    await group.send("/report", by=people["moderator"])
    previous = await received(group)
    assert f"小桃园社区 {last_month} 协商指标" in previous.text and "0/0（—）" in previous.text

    # Periods typed wrong: one clear line each, no chart, no file.
    backwards = f"{this_month}..{last_month}"
    for typed, expected in [
        ("2026-13", "请按“年-月”写月份，例如 /report 2026-11；或写一段月份"),
        ("上个月", "请按“年-月”写月份"),
        (fullwidth(month_of(now, 1)), f"{month_of(now, 1)}还没到"),
        (backwards, f"{backwards}的起止顺序反了：请把较早的月份写在前面。"),
        ("2020-01..2026-01", "一份报告最多统计24个月。"),
    ]:
        await group.send(f"/report {typed}", by=people["moderator"])
        [said] = await group.wait_bot_messages(1)
        assert expected in said["text"], (typed, said["text"])
    await group.expect_silence(0.2)
    await group.send(f"/report {fullwidth(last_month)}..{fullwidth(this_month)}", by=supervisor)
    both = await received(group)  # in the asker's language: English
    assert f"Indicators of 小桃园社区, {last_month} to {this_month}" in both.text
    assert both.rows[0][:3] == ["period", "level", "name"]
    assert both.row("小桃园社区")["period"] == f"{last_month}..{this_month}"

    # Privately: the supervisor's own community; someone without one is told where to ask.
    dm = await supervisor.private_chat()
    await dm.send(f"/report {this_month}")
    private = await received(dm)
    assert "Households that took part (raised, seconded, voted or rated): 3 of 8" in private.text
    stranger = await (await world.user("路人")).private_chat()
    await stranger.send("/report")
    [told] = await stranger.wait_bot_messages(1)
    assert told["text"] == "请在已绑定社区的群里查询，或先加入你的住户。", told["text"]
    await skip_said(group)
