"""What people type for action items: the forms of a due date, an outside party with its
responsible member, progress percents — full-width too — and the refusals."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.flows import action_input, action_sweep
from bot.flows.inputs import Invalid

TODAY = date(2026, 11, 24)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("2026-12-20", date(2026, 12, 20)),
        ("２０２６／１２／２０", date(2026, 12, 20)),
        ("12月20日", date(2026, 12, 20)),
        ("１２月２０号", date(2026, 12, 20)),
        ("2027年1月5日", date(2027, 1, 5)),
        ("1月5日", date(2027, 1, 5)),  # already past this year: next year's
        ("+14d", date(2026, 12, 8)),
        ("＋１４ｄ", date(2026, 12, 8)),
        ("14天", date(2026, 12, 8)),
        ("2周", date(2026, 12, 8)),
        ("0d", TODAY),
    ],
)
def test_due_dates(typed: str, due: date) -> None:
    assert action_input.parse_due(typed, TODAY) == due


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("2026-11-23", "already passed"),
        ("2026-02-30", "no such date"),
        ("13月1日", "no such date"),
        ("下个月", "could not read"),
        ("", "could not read"),
    ],
)
def test_bad_due_dates(typed: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        action_input.parse_due(typed, TODAY)
    assert words in refused.value.text.msgid


def test_an_outside_party_with_its_responsible_member() -> None:
    new = action_input.parse_add("add 3 换门禁 ｜ 物业公司（负责人：７－１－１０１） ｜ +7d", TODAY)
    assert (new.vote_number, new.what, new.party, new.who) == (3, "换门禁", "物业公司", "7-1-101")
    plain = action_input.parse_add("新增 #3 换门禁 | @网格员 | +7d", TODAY)
    assert (plain.party, plain.who) == (None, "网格员")


@pytest.mark.parametrize(
    "args", [None, "", "list", "add", "add x a | b | +1d", "add 3 a | b", "add 3 a | | +1d"]
)
def test_bad_additions(args: str | None) -> None:
    with pytest.raises(Invalid):
        action_input.parse_add(args, TODAY)


def test_progress() -> None:
    assert action_input.parse_progress("＃２ ６０％ 设备 已到货") == action_input.Update(
        2, 60, "设备 已到货"
    )
    assert action_input.parse_progress("2 100") == action_input.Update(2, 100, None)
    for bad in ("2 101", "2 -1", "2 半", "x 10", "2"):
        with pytest.raises(Invalid):
            action_input.parse_progress(bad)


def test_reminder_and_escalation_times_are_local_mornings() -> None:
    due_at = action_input.due_instant(date(2026, 12, 20), ZONE)
    assert action_input.due_day(due_at, ZONE) == "2026-12-20"
    assert action_sweep.remind_at(due_at, ZONE) == datetime(2026, 12, 17, 9, tzinfo=ZONE)
    assert action_sweep.escalate_at(due_at, ZONE) == datetime(2026, 12, 21, 9, tzinfo=ZONE)
