"""Working days: what a case's promised limit (承诺时限) is counted in.

A working day is a weekday that is not an official holiday, or a weekend day made a working day
(调休). The national calendar comes from `chinese_calendar`, which the State Council's yearly notice
updates; a centre's `holidays.yaml` adds local days off, and gives in full a year the installed package
does not know yet. For a year neither knows, only weekends are skipped, and the service warns at start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from content.centre.loader import Content
from content.centre.schema import HolidaysFile
from content.shared.catalog import domain

_ = domain("service").gettext

MAX_DAYS = 10_000
"""The most working days added at once: a limit with every pause added, about forty years."""

National = Callable[[date], bool | None]
"""Whether the national calendar has `day` as a working day; None for a year it does not know."""


def _national(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def national_years() -> frozenset[int]:
    """The years the installed `chinese_calendar` knows."""
    known = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    return frozenset(range(min(known).year, max(known).year + 1))


class WorkCalendar:
    """The national calendar with a centre's own days on top; pure apart from what it is given."""

    def __init__(
        self,
        *,
        off: Iterable[date] = (),
        on: Iterable[date] = (),
        years: Iterable[int] = (),
        national: National = _national,
        national_known: Iterable[int] | None = None,
    ) -> None:
        self._off = frozenset(off)
        self._on = frozenset(on)
        self._years = frozenset(years)
        self._national = national
        self._national_known = frozenset(national_years() if national_known is None else national_known)
        self.is_workday = lru_cache(maxsize=8192)(self._is_workday)

    @classmethod
    def of(cls, holidays: HolidaysFile, **kwargs: object) -> WorkCalendar:
        off = [day for entry in holidays.holidays for day in entry.days()]
        on = [day for entry in holidays.workdays for day in entry.days()]
        return cls(off=off, on=on, years=holidays.years, **kwargs)  # type: ignore[arg-type]

    def knows(self, year: int) -> bool:
        return year in self._years or year in self._national_known

    def unknown_years(self, first: int, last: int) -> list[int]:
        return [year for year in range(first, last + 1) if not self.knows(year)]

    def _is_workday(self, day: date) -> bool:
        if day in self._off:
            return False
        if day in self._on:
            return True
        if day.year not in self._years and day.year in self._national_known:
            found = self._national(day)
            if found is not None:
                return found
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (not counting `start`): the case received on
        Friday with a limit of 1 is due on the next working day. 0 gives `start` itself."""
        if not 0 <= days <= MAX_DAYS:
            raise ValueError(f"working days must be 0 … {MAX_DAYS}, got {days}")  # catalog: internal
        day = start
        left = days
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
        if end <= start:
            return 0
        if (end - start).days > 20 * 366:
            raise ValueError(f"{start} … {end} is more than 20 years")  # catalog: internal
        return sum(self.is_workday(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def calendar_for(content: Content) -> WorkCalendar:
    return WorkCalendar.of(content.holidays)


def calendar_warnings(content: Content, today: date, calendar: WorkCalendar | None = None) -> list[str]:
    """What an installer should hear at start: this year or next unknown to the calendar."""
    calendar = calendar or calendar_for(content)
    unknown = calendar.unknown_years(today.year, today.year + 1)
    return [
        _(
            "the working-day calendar does not know {year}: only weekends are skipped for it. Update the "
            "chinesecalendar package once the State Council publishes {year}'s holidays, or list them "
            "in holidays.yaml with 'years: [{year}]'"
        ).format(year=year)
        for year in unknown
    ]
