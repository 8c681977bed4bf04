"""Working days: weekends and official holidays skipped, make-up days (调休) counted, years unknown."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from content.cases.calendar import WorkCalendar, calendar_for, calendar_warnings
from content.cases.rules import advance, clock, open_case
from content.centre.loader import load_content
from content.centre.schema import HolidaysFile
from content.centre.synth import SAMPLE

CAL = WorkCalendar()


def test_national_day_week_is_skipped_and_its_make_up_saturday_counts() -> None:
    # 2026: 10月1日–7日 off, Saturday 10月10日 a working day (调休).
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(date(2026, 10, 10))
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    # Handed in on Wednesday 30 September with 3 working days: 8 Oct, 9 Oct, Saturday 10 Oct.
    assert CAL.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_an_ordinary_week_and_the_limits_of_the_arithmetic() -> None:
    assert CAL.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday → Monday
    assert CAL.add_working_days(date(2026, 12, 4), 0) == date(2026, 12, 4)
    assert CAL.working_days_between(date(2026, 12, 7), date(2026, 12, 7)) == 0
    assert CAL.working_days_between(date(2026, 12, 7), date(2026, 12, 1)) == 0
    with pytest.raises(ValueError, match="working days must be"):
        CAL.add_working_days(date(2026, 12, 4), -1)
    with pytest.raises(ValueError, match="working days must be"):
        CAL.add_working_days(date(2026, 12, 4), 10**6)


def test_a_year_the_package_does_not_know_skips_weekends_and_is_warned_about() -> None:
    assert not CAL.knows(2027)
    assert CAL.is_workday(date(2027, 1, 1))  # a Friday: the package cannot know it is 元旦
    assert not CAL.is_workday(date(2027, 1, 2))
    content = load_content(SAMPLE).content
    assert content is not None
    warnings = calendar_warnings(content, date(2026, 12, 3))
    assert len(warnings) == 1 and "2027" in warnings[0] and "holidays.yaml" in warnings[0]
    assert calendar_warnings(content, date(2025, 6, 1)) == []


def test_holidays_yaml_gives_an_unknown_year_and_local_days() -> None:
    holidays = HolidaysFile.model_validate(
        {
            "years": [2027],
            "holidays": [
                {"date": date(2027, 1, 1), "name": "元旦"},
                {"from": date(2026, 12, 7), "to": date(2026, 12, 8), "name": "区庆"},
            ],
            "workdays": [{"date": date(2027, 1, 2), "name": "元旦调休"}],
        }
    )
    cal = WorkCalendar.of(holidays)
    assert cal.knows(2027) and not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 1, 2))
    # A listed year is given in full: the weekday 4 January is a working day, the package is not asked.
    assert cal.is_workday(date(2027, 1, 4))
    # Local days off on top of a known year.
    assert not cal.is_workday(date(2026, 12, 7)) and cal.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 9)


def test_a_pause_across_a_holiday_costs_only_its_working_days() -> None:
    opened = datetime(2026, 9, 28, 10)  # Monday; 5 days: 29, 30 Sep, 8, 9 Oct and Saturday 10 Oct
    case = open_case(
        number="WC-260928-0001",
        item_id="x",
        item_name="事项",
        item_tiers=["township"],
        promised=5,
        proxy=None,
        required=[],
        at="township",
        by="staff",
        now=opened,
    )
    assert clock(case, CAL).due == date(2026, 10, 10)

    case = advance(case, "accepted", by="staff", now=datetime(2026, 9, 29, 9))
    paused = advance(case, "supplement", by="staff", now=datetime(2026, 9, 30, 9), note="补身份证复印件")
    stopped = clock(paused, CAL)
    assert stopped.due is None and stopped.remaining == 3
    # Back on Thursday 8 October: the pause cost one working day (8 Oct); 9, 10 and 12 Oct remain.
    resumed = advance(paused, "reviewing", by="staff", now=datetime(2026, 10, 8, 9))
    times = clock(resumed, CAL)
    assert times.paused_days == 1 and times.due == date(2026, 10, 12)


def test_the_sample_centre_has_a_calendar() -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    assert calendar_for(content).is_workday(date(2026, 10, 10))
