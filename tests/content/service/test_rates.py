"""Budgets a minute per account and kind of command, and the minute's share of what is said."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from content.centre.schema import RateSettings
from content.service.rates import MinuteShare, Rates

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_minute_s_budget_may_be_spent_at_once_then_comes_back_evenly() -> None:
    rates = Rates(RateSettings(staff=6))
    assert [rates.take("staff", None, "staff", NOW) for _ in range(6)] == [None] * 6
    assert rates.take("staff", None, "staff", NOW) == ("staff", 6)
    assert rates.take("staff", None, "staff", NOW + timedelta(seconds=9)) == ("staff", 6)
    assert rates.take("staff", None, "staff", NOW + timedelta(seconds=10)) is None  # one back every 10 s
    # other kinds and other accounts have budgets of their own
    assert rates.take("staff", None, "call", NOW) is None
    assert rates.take("staff-2", None, "staff", NOW) is None


def test_the_console_is_counted_per_person() -> None:
    rates = Rates(RateSettings(call=2))
    assert rates.take("console", "li", "call", NOW) is None
    assert rates.take("console", "li", "call", NOW) is None
    assert rates.take("console", "li", "call", NOW) == ("call", 2)
    assert rates.take("console", "wang", "call", NOW) is None


def test_every_command_spends_from_all_and_a_refused_one_spends_nothing() -> None:
    rates = Rates(RateSettings(all=3, ask=2))
    assert rates.take("kiosk-1", None, "ask", NOW) is None
    assert rates.take("kiosk-1", None, "ask", NOW) is None
    assert rates.take("kiosk-1", None, "ask", NOW) == ("ask", 2)
    assert rates.take("kiosk-1", None, "ticket", NOW) is None
    assert rates.take("kiosk-1", None, "ticket", NOW) == ("all", 3)


def test_a_clock_stepped_back_gives_nothing_back() -> None:
    rates = Rates(RateSettings(window=1))
    assert rates.take("staff", None, "window", NOW) is None
    assert rates.take("staff", None, "window", NOW - timedelta(hours=1)) == ("window", 1)


def test_budgets_kept_are_bounded() -> None:
    rates = Rates(RateSettings(), buckets=10)
    for n in range(100):
        rates.take(f"k{n}", None, "ask", NOW)
    assert len(rates._buckets) <= 10


def test_a_minute_s_share_then_one_line() -> None:
    share = MinuteShare("log lines", 2)
    assert [share.take("kiosk-1", NOW) for _ in range(4)] == [True, True, False, False]
    assert share.take("kiosk-2", NOW)
    assert share.take("kiosk-1", NOW + timedelta(minutes=1))
