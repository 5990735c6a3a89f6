"""What the cycle sweep finds due: from the community's start on, not older than the catch-up
window, never what ran; the next instant after any moment; a phase a settings change moved
before the change runs at once without being called late."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.flows.cycle_phases import CATCH_UP, Plan
from bot.flows.cycle_rules import Calendar, MonthDay, Phase, cycle

CAL = Calendar(MonthDay(11, time(19)), quiet=None)
DEC = cycle(CAL, 2026, 12)
START = datetime(2026, 11, 20, tzinfo=UTC)


def plan(**kwargs) -> Plan:
    return Plan(1, CAL, kwargs.pop("since", START), kwargs.pop("changed_at", START), **kwargs)


def test_nothing_before_the_start_and_each_phase_in_order():
    found = plan().due(DEC.times[Phase.VOTE_OPEN])
    assert [d.phase for d in found] == [
        Phase.REMINDER_1,  # D−7
        Phase.FREEZE,  # D−3
        Phase.REMINDER_2,  # D−1
        Phase.DELIBERATION,
        Phase.VOTE_OPEN,
    ]
    assert {d.month for d in found} == {"2026-12"}
    assert not any(d.rescheduled for d in found)


def test_what_ran_is_not_due_and_the_next_instant_skips_it():
    p = plan()
    assert p.next_after(START) == DEC.times[Phase.REMINDER_1]
    p.ran("2026-12", "reminder_1")
    assert p.next_after(START) == DEC.times[Phase.FREEZE]
    assert Phase.REMINDER_1 not in {d.phase for d in p.due(DEC.times[Phase.FREEZE])}


def test_older_than_the_catch_up_window_is_not_run():
    long_after = DEC.times[Phase.VOTE_OPEN] + CATCH_UP + timedelta(days=1)
    assert all(d.at >= long_after - CATCH_UP for d in plan().due(long_after))


def test_a_phase_moved_before_a_change_is_rescheduled_not_late():
    changed = DEC.times[Phase.FREEZE] + timedelta(hours=1)
    [freeze] = [d for d in plan(changed_at=changed).due(changed) if d.phase is Phase.FREEZE]
    assert freeze.rescheduled
