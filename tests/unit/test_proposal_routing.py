"""The routing panel's callback data: its choice round-trips, and anything else is refused."""

from __future__ import annotations

from bot.flows.proposal_routing import CONFIRM, PICK, Choice, parse
from bot.flows.results import Button
from bot.i18n import t


def test_a_choice_round_trips_within_telegrams_64_bytes() -> None:
    for kind in ("small", "big", "private"):
        for area in ("development", "management", "supervision", "election"):
            choice = Choice(kind, area, 123456789)
            data = choice.data(CONFIRM, 987654321)
            Button(t("Confirm"), data)  # raises over 64 bytes
            assert parse(data, CONFIRM) == (987654321, choice)


def test_malformed_data_is_refused() -> None:
    for data in ("rt:", "rt:1:s:m", "rt:1:x:m:2", "rt:1:s:z:2", "rt:a:s:m:2", "rt:1:s:m:2:3"):
        assert parse(data, PICK) is None
