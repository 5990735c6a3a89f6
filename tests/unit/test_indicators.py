"""The indicators of one month on an estate arranged in storage: every figure by hand, for the
community, its grids and buildings; the period's parsing; the message, chart and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot import render
from bot.flows import indicator_chart, indicator_csv, indicator_text, indicators, report_period
from bot.flows.indicators import Figures
from bot.flows.inputs import Invalid
from storage.models import (
    ActionItem,
    AgendaItem,
    Ballot,
    Household,
    Proposal,
    ProposalSupport,
    Rating,
    Vote,
    VoteElector,
)
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def local(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI).astimezone(UTC)


OCTOBER = report_period.Period((2026, 10), (2026, 10), "Asia/Shanghai")


async def arranged(db):
    """Grid 第一网格: buildings A (3 households) and B (2); grid 第二网格: building C (C1, C2,
    C3 moved out in September, C4 arrived in November)."""
    place = await factories.community(db)
    for grid, name in (("第一网格", "A栋"), ("第一网格", "B栋"), ("第二网格", "C栋")):
        await factories.building(db, place, grid, name)
    h = {}
    for code in ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4"):
        h[code] = await factories.household(db, place, f"{code[0]}栋", code)
    m = {
        code: await factories.member(db, 100 + i, code, household_id=h[code], representative=True)
        for i, code in enumerate(("A1", "A2", "B1", "C1"))
    }
    b, g, root = place.buildings, place.grids, place.root_id
    async with db.write() as s:
        for household in (await s.scalars(select(Household))).all():
            household.created_at = local(9, 1)
            if household.code == "C3":
                household.moved_out_at = local(9, 2)
            if household.code == "C4":
                household.created_at = local(11, 5)
            s.add(household)

        def proposal(number, scope, by, created, *, kind=None, status="open", updated=None):
            return Proposal(
                community_id=place.community_id,
                number=number,
                scope_id=scope,
                title=f"提案{number}",
                proposer_id=by,
                kind=kind,
                status=status,
                created_at=created,
                updated_at=updated or created,
            )

        p = {
            1: proposal(1, g["第一网格"], m["A1"], local(10, 5), status="decided"),
            2: proposal(2, b["C栋"], m["C1"], local(10, 6)),
            3: proposal(
                3,
                b["A栋"],
                m["A2"],
                local(10, 7),
                kind="private",
                status="answered",
                updated=local(10, 20),
            ),
            4: proposal(4, b["B栋"], None, local(10, 8), kind="private"),
            5: proposal(
                5,
                b["C栋"],
                None,
                local(9, 1),
                kind="private",
                status="answered",
                updated=local(11, 2),
            ),
            6: proposal(6, root, None, local(9, 20), status="on_agenda"),
        }
        s.add_all(p.values())
        await s.flush()
        s.add(ProposalSupport(proposal_id=p[1].id, household_id=h["B1"], created_at=local(10, 9)))
        s.add(ProposalSupport(proposal_id=p[6].id, household_id=h["A3"], created_at=local(9, 25)))
        for number in (1, 6):
            s.add(
                AgendaItem(
                    community_id=place.community_id,
                    month="2026-10",
                    position=number,
                    proposal_id=p[number].id,
                )
            )

        def vote(
            title, scope, closed, electors, ballots, passed, *, proposal_id=None, secret=False
        ):
            row = Vote(
                community_id=place.community_id,
                scope_id=scope,
                title=title,
                kind="approval",
                options=json.dumps(["同意", "不同意", "弃权"]),
                rule="majority_of_ballots",
                threshold_num=1,
                threshold_den=2,
                comparator="more_than",
                secret=secret,
                opened_at=closed,
                closes_at=closed,
                closed_at=closed,
                proposal_id=proposal_id,
                result=json.dumps(
                    {
                        "counts": [1, 1, 0],
                        "ballots": len(ballots),
                        "electorate": len(electors),
                        "passed": passed,
                    }
                ),
            )
            return row, electors, ballots

        present = ["A1", "A2", "A3", "B1", "B2", "C1", "C2"]
        votes = [
            vote(
                "提案1表决<i>急</i>",
                g["第一网格"],
                local(10, 15),
                present[:5],
                ["A1", "B2"],
                True,
                proposal_id=p[1].id,
            ),
            vote("监事选举", root, local(10, 20), present, ["C1", "A1"], False, secret=True),
            vote("十一月表决", root, local(11, 3), present, ["A3"], True),
        ]
        for row, electors, ballots in votes:
            s.add(row)
            await s.flush()
            s.add_all(VoteElector(vote_id=row.id, household_id=h[c]) for c in electors)
            s.add_all(
                Ballot(
                    vote_id=row.id,
                    household_id=h[c],
                    option=None if row.secret else 0,
                    cast_at=row.closed_at - timedelta(hours=1),
                )
                for c in ballots
            )
        first_vote = votes[0][0].id

        def action(scope, due, done=None, status="open"):
            return ActionItem(
                community_id=place.community_id,
                vote_id=first_vote,
                scope_id=scope,
                what="修门禁",
                due_at=due,
                done_at=done,
                status="done" if done else status,
                created_at=local(10, 16),
            )

        items = [
            action(g["第一网格"], local(10, 25), local(10, 24)),  # on time
            action(b["C栋"], local(10, 10), local(10, 12)),  # late
            action(root, local(10, 28)),  # overdue at the end of October
            action(root, local(11, 30)),  # not due yet
        ]
        s.add_all(items)
        await s.flush()
        for code, score, at in (
            ("B2", 4, local(10, 26)),
            ("C2", 5, local(10, 27)),
            ("A3", 1, local(11, 2)),
        ):
            s.add(Rating(action_id=items[0].id, household_id=h[code], score=score, rated_at=at))
    return place


async def test_a_month_of_indicators_by_hand(db) -> None:
    place = await arranged(db)
    async with db.session() as s:
        found = await indicators.report(s, place.community_id, OCTOBER, NOW)
    by_name = {row.name: row.figures for row in found.scopes}
    assert [(r.kind, r.name, r.grid) for r in found.scopes] == [
        ("community", "小桃园社区", None),
        ("grid", "第一网格", None),
        ("building", "A栋", "第一网格"),
        ("building", "B栋", "第一网格"),
        ("grid", "第二网格", None),
        ("building", "C栋", "第二网格"),
    ]
    assert by_name["小桃园社区"] == Figures(
        households=7,
        took_part=6,
        raised=4,
        to_agenda=2,
        decided=1,
        passed=1,
        answered=1,
        unanswered=2,
        deliberations=1,
        votes=2,
        ballots=4,
        electors=12,
        on_time=1,
        late=1,
        overdue=1,
        ratings=2,
        rating_total=9,
    )
    assert by_name["第一网格"] == Figures(
        households=5,
        took_part=4,
        raised=3,
        to_agenda=1,
        decided=1,
        passed=1,
        answered=1,
        unanswered=1,
        deliberations=1,
        votes=1,
        ballots=3,
        electors=10,
        on_time=1,
        ratings=1,
        rating_total=4,
    )
    assert by_name["A栋"] == Figures(
        households=3, took_part=2, raised=1, answered=1, ballots=2, electors=6
    )
    assert by_name["B栋"] == Figures(
        households=2,
        took_part=2,
        raised=1,
        unanswered=1,
        ballots=1,
        electors=4,
        ratings=1,
        rating_total=4,
    )
    assert (
        by_name["C栋"]
        == by_name["第二网格"]
        == Figures(
            households=2,
            took_part=2,
            raised=1,
            unanswered=1,
            ballots=1,
            electors=2,
            late=1,
            ratings=1,
            rating_total=5,
        )
    )
    assert found.total.average_rating == 4.5 and round(found.total.turnout, 3) == 0.333
    assert [(v.title, v.ballots, v.electorate, v.passed, v.secret) for v in found.votes] == [
        ("提案1表决<i>急</i>", 2, 5, True, False),
        ("监事选举", 2, 7, False, True),
    ]


async def test_the_report_reads_in_both_languages_with_chart_and_csv(db) -> None:
    place = await arranged(db)
    async with db.session() as s:
        found = await indicators.report(s, place.community_id, OCTOBER, NOW)
    zh = "\n\n".join(render.message("zh_CN", indicator_text.summary(found)).chunks)
    assert "小桃园社区 2026-10 协商指标" in zh, zh
    assert "参与过的户数（提案、附议、表决或测评）：6/7（85.7%）" in zh
    assert "第一网格：参与4/5户（80.0%）" in zh
    assert "监事选举" in zh and "2/7户投票（28.6%），未通过" in zh
    assert "第1号表决“提案1表决&lt;i&gt;急&lt;/i&gt;”：2/5户投票（40.0%），通过" in zh
    en = "\n\n".join(render.message("en", indicator_text.summary(found)).chunks)
    assert "Households that took part (raised, seconded, voted or rated): 6 of 7 (85.7%)" in en
    assert "Action items: 1 done on time, 1 done late, 1 overdue." in en
    assert "average 4.5 (ratings given: 2)" in en

    data = indicator_csv.to_csv(found, "zh_CN")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["月份", "层级", "名称", "所属网格", "户数"]
    assert [r[1:4] for r in rows[1:]] == [
        ["社区", "小桃园社区", ""],
        ["网格", "第一网格", ""],
        ["楼栋", "A栋", "第一网格"],
        ["楼栋", "B栋", "第一网格"],
        ["网格", "第二网格", ""],
        ["楼栋", "C栋", "第二网格"],
    ]
    header = rows[0]
    community = dict(zip(header, rows[1], strict=True))
    assert community["户数"] == "7" and community["平均评分"] == "4.5"
    assert community["参与率"] == "85.7%" and community["月份"] == "2026-10"
    english = list(csv.reader(io.StringIO(indicator_csv.to_csv(found, "en").decode("utf-8-sig"))))
    assert english[0][:5] == ["period", "level", "name", "grid", "households"]

    png = indicator_chart.render_png(found, "zh_CN")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


async def test_an_empty_community_has_zeros_not_errors_and_dollars_stay_dollars(db) -> None:
    place = await factories.community(db, name="金$满$园", grids=("$网格",))  # no mathtext
    async with db.session() as s:
        found = await indicators.report(s, place.community_id, OCTOBER, NOW)
    assert found.total == Figures() and found.votes == [] and len(found.grids) == 1
    assert found.total.participation is None and found.total.average_rating is None
    text = "\n".join(render.message("zh_CN", indicator_text.summary(found)).chunks)
    assert "0/0" in text
    assert indicator_chart.render_png(found, "en").startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("", (2026, 10), (2026, 10)),
        ("2026-11", (2026, 11), (2026, 11)),
        ("２０２６－０９", (2026, 9), (2026, 9)),
        ("2026-9..2026-11", (2026, 9), (2026, 11)),
        ("２０２６－０９．．２０２６－１１", (2026, 9), (2026, 11)),
        ("2026年9月至2026年10月", (2026, 9), (2026, 10)),
    ],
)
def test_periods_as_typed(typed, first, last) -> None:
    found = report_period.parse(typed, NOW, "Asia/Shanghai")
    assert (found.first, found.last) == (first, last)


def test_october_runs_from_local_midnight_to_local_midnight() -> None:
    assert OCTOBER.start == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert OCTOBER.end == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert OCTOBER.months == ["2026-10"] and OCTOBER.code == "2026-10"
    year = report_period.Period((2025, 12), (2026, 2), "Asia/Shanghai")
    assert year.months == ["2025-12", "2026-01", "2026-02"] and year.code == "2025-12..2026-02"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("last month", "Give the month as YYYY-MM"),
        ("2026-13", "Give the month as YYYY-MM"),
        ("2026-11..2026-09", "The range 2026-11..2026-09 runs backwards"),
        ("2026-12", "2026-12 has not begun yet"),
        ("2024-01..2026-11", "A report covers at most 24 months."),
    ],
)
def test_bad_periods_say_why(typed, said) -> None:
    with pytest.raises(Invalid) as refused:
        report_period.parse(typed, NOW, "Asia/Shanghai")
    assert said in render.plain("en", refused.value.text)
