"""The rules that follow from time, one function each, as the service and every device apply them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content.shared import when
from content.shared.when import Session

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, tzinfo=ZONE)
HOURS = (
    Session(("mon", "tue", "wed", "thu", "fri"), "09:00", "12:00"),
    Session(("mon", "tue", "wed", "thu", "fri"), "14:00", "17:30"),
    Session(("sat",), "09:00", "12:00"),
)


@pytest.mark.parametrize(
    ("clock", "issuing", "starts"),
    [
        ("00:10", False, "08:30"),
        ("08:29", False, "08:30"),
        ("08:30", True, None),
        ("11:59", True, None),
        ("12:00", False, "13:30"),
        ("13:30", True, None),
        ("17:29", True, None),
        ("17:30", False, None),
        ("23:59", False, None),
    ],
)
def test_numbers_are_taken_in_the_hours_and_half_an_hour_before(clock: str, issuing: bool, starts: str | None) -> None:
    now = MONDAY.replace(hour=int(clock[:2]), minute=int(clock[3:]))
    assert when.issuing(HOURS, now, 30) is issuing
    assert when.issuing_from(HOURS, now, 30) == (None if issuing else starts)


def test_no_margin_and_no_hours() -> None:
    assert not when.issuing(HOURS, MONDAY.replace(hour=8, minute=59), 0)
    assert when.issuing((), MONDAY, 30)  # a hall that says no hours takes numbers always
    sunday = MONDAY - timedelta(days=1)
    assert not when.issuing(HOURS, sunday.replace(hour=10), 30)
    assert when.issuing_from(HOURS, sunday.replace(hour=6), 30) is None


def test_an_announcement_is_up_from_its_start_to_its_end_to_the_second() -> None:
    starts, ends = MONDAY.replace(hour=9), MONDAY.replace(hour=10)
    assert not when.shown(starts, ends, starts - timedelta(seconds=1))
    assert when.shown(starts, ends, starts)
    assert when.shown(starts, ends, ends - timedelta(seconds=1))
    assert not when.shown(starts, ends, ends)
    assert when.shown(None, None, MONDAY)
    assert when.next_turn([(starts, ends)], starts) == ends


def test_the_service_day_turns_at_the_reset_hour() -> None:
    assert when.service_day(MONDAY.replace(hour=3, minute=59), 4).isoformat() == "2026-12-06"
    assert when.service_day(MONDAY.replace(hour=4), 4).isoformat() == "2026-12-07"
    assert when.next_reset(MONDAY.replace(hour=4), 4) == MONDAY.replace(hour=4) + timedelta(days=1)
