"""Queue rules, without a broker: order, fairness, transfer, daily reset, estimates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from content.centre.loader import Content
from content.centre.schema import MarketDays, QueueSettings
from content.queue import rules as q

TZ = timezone(timedelta(hours=8))
# 2026-11-27 is the 27th: not a market day in the sample (逢二、五、八).
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
MARKET = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)


def _today(now: datetime = NOW, content: Content | None = None) -> q.QueueState:
    settings = content.centre.queue if content else QueueSettings()
    return q.roll_day(q.QueueState(), now, settings)


def _issue(state: q.QueueState, category: str, prefix: str, priority: str | None, minute: int) -> q.QueueState:
    return q.issue(state, category, prefix, priority, NOW + timedelta(minutes=minute))


def test_numbers_run_per_prefix() -> None:
    state = _today()
    state = _issue(state, "shebao", "A", None, 0)
    state = _issue(state, "shebao", "A", "elderly", 1)
    state = _issue(state, "minzheng", "C", None, 2)
    assert sorted(state.tickets) == ["A001", "A002", "C001"]
    assert state.counters == {"A": 2, "C": 1}


def test_a_prefix_runs_out_at_999() -> None:
    state = replace(_today(), counters={"A": 999})
    with pytest.raises(q.QueueError, match="A 类今天的 999 个号已经取完"):
        _issue(state, "shebao", "A", None, 0)


def test_service_day_restarts_at_the_reset_hour() -> None:
    settings = QueueSettings(reset_hour=4)
    assert q.service_day(datetime(2026, 11, 28, 3, 59, tzinfo=TZ), settings) == date(2026, 11, 27)
    assert q.service_day(datetime(2026, 11, 28, 4, 0, tzinfo=TZ), settings) == date(2026, 11, 28)
    assert q.next_reset(datetime(2026, 11, 28, 3, 0, tzinfo=TZ), settings) == datetime(2026, 11, 28, 4, tzinfo=TZ)
    assert q.next_reset(datetime(2026, 11, 28, 5, 0, tzinfo=TZ), settings) == datetime(2026, 11, 29, 4, tzinfo=TZ)


def test_rolling_the_day_restarts_numbers_but_not_the_call_sequence(content: Content) -> None:
    state = _issue(_today(content=content), "shebao", "A", None, 0)
    state, call = q.call_next(state, content.centre, "shebao", None, NOW)
    assert call is not None and call.seq == 1
    tomorrow = NOW + timedelta(days=1)
    rolled = q.roll_day(state, tomorrow, content.centre.queue)
    assert rolled.tickets == {} and rolled.counters == {}
    assert rolled.windows["shebao"].serving is None
    assert rolled.seq == 1
    rolled = q.issue(rolled, "shebao", "A", None, tomorrow)
    assert list(rolled.tickets) == ["A001"]
    rolled, call = q.call_next(rolled, content.centre, "shebao", None, tomorrow)
    assert call is not None and call.seq == 2
    # The same day again changes nothing.
    assert q.roll_day(rolled, tomorrow, content.centre.queue) is rolled


def test_priority_first_but_normal_tickets_are_not_starved(content: Content) -> None:
    state = _today(content=content)
    state = _issue(state, "shebao", "A", None, 0)  # A001 normal
    for minute in range(1, 6):
        state = _issue(state, "shebao", "A", "elderly", minute)  # A002..A006 priority
    order = []
    for _ in range(6):
        state, call = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=10))
        assert call is not None
        order.append(call.ticket)
    # At most two priority calls in a row while a normal ticket waits (sample: priority_streak 2).
    assert order == ["A002", "A003", "A001", "A004", "A005", "A006"]


def test_priority_tickets_go_on_when_no_normal_ticket_waits(content: Content) -> None:
    state = _today(content=content)
    for minute in range(4):
        state = _issue(state, "shebao", "A", "disabled", minute)
    calls = []
    for _ in range(4):
        state, call = q.call_next(state, content.centre, "shebao", None, NOW)
        assert call is not None
        calls.append(call.ticket)
    assert calls == ["A001", "A002", "A003", "A004"]


def test_an_empty_queue_calls_no_one_and_finishes_the_current(content: Content) -> None:
    state = _issue(_today(content=content), "shebao", "A", None, 0)
    state, call = q.call_next(state, content.centre, "shebao", "s05", NOW)
    assert call is not None and call.text == "请A001号到2号窗口办理"
    state, call = q.call_next(state, content.centre, "shebao", "s05", NOW + timedelta(minutes=7))
    assert call is None
    ticket = state.tickets["A001"]
    assert (ticket.status, ticket.staff, ticket.finished) == ("done", "s05", NOW + timedelta(minutes=7))
    assert state.windows["shebao"].serving is None


def test_transfer_keeps_the_number_and_the_place(content: Content) -> None:
    state = _today(content=content)
    state = _issue(state, "shebao", "A", None, 0)  # A001, earliest
    state = _issue(state, "minzheng", "C", None, 5)  # C001 waits at 民政
    state, call = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=6))
    assert call is not None and call.ticket == "A001"
    state, number = q.transfer(state, "shebao", "minzheng")
    assert number == "A001"
    moved = state.tickets["A001"]
    assert (moved.category, moved.status, moved.origin) == ("minzheng", "waiting", "shebao")
    # A001 was issued before C001, so 民政窗口 calls it first.
    state, call = q.call_next(state, content.centre, "minzheng", None, NOW + timedelta(minutes=8))
    assert call is not None and call.ticket == "A001" and call.category == "minzheng"
    with pytest.raises(q.QueueError, match="已经在 minzheng 类"):
        q.transfer(state, "minzheng", "minzheng")


def test_transfer_to_a_window_keeps_the_place_and_only_that_window_calls_it(content: Content) -> None:
    state = _today(content=content)
    state = _issue(state, "shebao", "A", None, 0)  # A001, earliest
    state = _issue(state, "minzheng", "C", None, 5)  # C001 waits at 民政
    state = _issue(state, "shebao", "A", None, 6)  # A002
    state, call = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=7))
    assert call is not None and call.ticket == "A001"
    state, number = q.transfer(state, "shebao", None, to_window="minzheng")
    moved = state.tickets[number]
    assert (moved.category, moved.status, moved.for_window) == ("shebao", "waiting", "minzheng")
    # The social security window goes on with A002, never A001, though A001 is of its category.
    state, call = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=8))
    assert call is not None and call.ticket == "A002"
    # 民政窗口 calls A001 before C001: it keeps its place (issued earlier), though not of its categories.
    state, call = q.call_next(state, content.centre, "minzheng", None, NOW + timedelta(minutes=9))
    assert call is not None and call.ticket == "A001"
    assert len(q.waiting(state, ["shebao"])) == 0 and len(q.waiting(state, ["minzheng"])) == 1
    with pytest.raises(q.QueueError, match="已经在窗口 minzheng") as same:
        q.transfer(state, "minzheng", None, to_window="minzheng")
    assert same.value.code == "same_window"


def test_recall_no_show_and_calling_a_given_ticket(content: Content) -> None:
    state = _today(content=content)
    state = _issue(state, "shebao", "A", None, 0)
    state = _issue(state, "shebao", "A", None, 1)
    state, first = q.call_next(state, content.centre, "shebao", None, NOW)
    state, again = q.recall(state, content.centre, "shebao", NOW + timedelta(minutes=1))
    assert first is not None and again.recall and again.ticket == first.ticket and again.seq == first.seq + 1
    assert state.tickets["A001"].calls == 2
    assert state.tickets["A001"].called == NOW  # the wait ends at the first call
    state, number = q.no_show(state, "shebao", NOW + timedelta(minutes=2))
    assert number == "A001" and state.tickets["A001"].status == "no_show"
    # The citizen comes back: call A001 by number, ahead of A002.
    state, call = q.call_ticket(state, content.centre, "shebao", "A001", None, NOW + timedelta(minutes=3))
    assert call.ticket == "A001" and state.tickets["A001"].status == "serving"
    with pytest.raises(q.QueueError, match="A001 号已经在窗口 shebao 办理中"):
        q.call_ticket(state, content.centre, "zonghe", "A001", None, NOW)
    with pytest.raises(q.QueueError, match="今天没有 A099 号"):
        q.call_ticket(state, content.centre, "shebao", "A099", None, NOW)


def test_nothing_to_recall_finish_or_transfer(content: Content) -> None:
    state = _today(content=content)
    with pytest.raises(q.QueueError, match="窗口 shebao 当前没有正在办理的号码，无法重新呼叫"):
        q.recall(state, content.centre, "shebao", NOW)
    with pytest.raises(q.QueueError, match="当前没有正在办理的号码"):
        q.no_show(state, "shebao", NOW)
    with pytest.raises(q.QueueError, match="当前没有正在办理的号码"):
        q.done(state, "shebao", NOW)
    with pytest.raises(q.QueueError, match="无法转办"):
        q.transfer(state, "shebao", "minzheng")


def test_paused_windows_do_not_call_and_cannot_pause_mid_service(content: Content) -> None:
    state = _issue(_today(content=content), "shebao", "A", None, 0)
    paused = q.set_window(state, "shebao", False, "午休", NOW)
    with pytest.raises(q.QueueError, match="窗口 shebao 已暂停服务（午休）：请先恢复服务"):
        q.call_next(paused, content.centre, "shebao", None, NOW)
    state, _ = q.call_next(state, content.centre, "shebao", None, NOW)
    with pytest.raises(q.QueueError, match="正在办理 A001 号"):
        q.set_window(state, "shebao", False, "午休", NOW)


def test_the_comprehensive_window_serves_everything_except_on_market_days(content: Content) -> None:
    everything = {c.id for c in content.categories}
    assert q.serves(content.centre, "zonghe", NOW.date()) == everything
    assert q.is_market_day(MARKET.date(), content.centre.queue)
    assert q.serves(content.centre, "zonghe", MARKET.date()) == {"guangdian", "shuiwu", "dangwu", "minqing"}
    assert q.serves(content.centre, "shebao", NOW.date()) == {"shebao"}


def test_market_days_by_weekday_and_date() -> None:
    settings = QueueSettings(market_days=MarketDays(weekdays=["sun"], dates=[date(2026, 12, 1)]))
    assert q.is_market_day(date(2026, 11, 29), settings)  # a Sunday
    assert q.is_market_day(date(2026, 12, 1), settings)
    assert not q.is_market_day(date(2026, 11, 30), settings)


def test_people_ahead_and_estimated_wait(content: Content) -> None:
    state = _today(content=content)
    for minute in range(3):
        state = _issue(state, "jisheng", "B", None, minute)
    state = _issue(state, "jisheng", "B", "pregnant", 3)
    normal, priority = state.tickets["B003"], state.tickets["B004"]
    assert q.ahead_of(state, normal) == 3  # B001, B002 and the priority B004
    assert q.ahead_of(state, priority) == 0
    assert q.ahead_of(state, state.tickets["B001"]) == 1  # the priority B004 only: later tickets are behind
    assert q.ahead_of(state, state.tickets["B002"]) == 2
    # Two windows serve 计生 today (weijian and the comprehensive window), 8 min each by default.
    assert q.open_windows_for(state, content.centre, "jisheng") == 2
    assert q.estimated_wait(state, content.centre, "jisheng", 3) == 12
    # Measured service times replace the default: B001 took 20 minutes.
    state, _ = q.call_next(state, content.centre, "weijian", None, NOW)
    state, _ = q.call_next(state, content.centre, "weijian", None, NOW + timedelta(minutes=20))
    assert q.service_minutes(state, "jisheng", 8) == 20
    # With both windows paused, there is no estimate.
    state = q.set_window(state, "zonghe", False, None, NOW)
    state, _ = q.done(state, "weijian", NOW + timedelta(minutes=30))
    state = q.set_window(state, "weijian", False, None, NOW)
    assert q.estimated_wait(state, content.centre, "jisheng", 1) is None


def test_call_text_without_a_window_number(content: Content) -> None:
    call = q.Call(1, "A001", "x", "综合窗口", None, "shebao", False, NOW)
    assert call.text == "请A001号到综合窗口办理"


def test_category_lines_agree_with_the_single_estimates(content: Content) -> None:
    state = _today(content=content)
    for minute, (category, prefix, priority) in enumerate(
        [("shebao", "A", None), ("shebao", "A", "elderly"), ("jisheng", "B", None), ("guangdian", "H", None)]
    ):
        state = _issue(state, category, prefix, priority, minute)
    state, _ = q.call_next(state, content.centre, "shebao", None, NOW)
    state, _ = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=12))
    state = q.set_window(state, "weijian", False, None, NOW)
    lines = q.category_lines(state, content.centre)
    for category in ("shebao", "jisheng", "guangdian", "guotu"):
        waiting = q.waiting(state, [category])
        expected = q.CategoryLine(
            len(waiting),
            sum(t.priority is not None for t in waiting),
            q.estimated_wait(state, content.centre, category, len(waiting)),
        )
        assert lines[category] == expected, category
