from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from content.queue.rules import Ticket
from content.queue.stats import day_stats, percentile

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _t(
    number: str,
    category: str,
    issued: int,
    called: int | None,
    finished: int | None,
    status: str,
    window: str | None = "w1",
    staff: str | None = "s1",
) -> Ticket:
    def at(minute: int | None) -> datetime | None:
        return T0 + timedelta(minutes=minute) if minute is not None else None

    return Ticket(
        number,
        date(2026, 11, 27),
        category,
        None,
        T0 + timedelta(minutes=issued),
        status,  # type: ignore[arg-type]
        window if called is not None else None,
        staff if called is not None else None,
        at(called),
        at(finished),
    )


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(v) for v in range(1, 11)], 0.9) == 9.0
    assert percentile([float(v) for v in range(1, 21)], 0.9) == 18.0


def test_day_stats_per_category_window_and_staff() -> None:
    tickets = [
        _t("A001", "shebao", 0, 10, 20, "done"),  # wait 10, service 10
        _t("A002", "shebao", 5, 25, 40, "done"),  # wait 20, service 15; idle 5 after A001
        _t("A003", "shebao", 6, 41, 42, "no_show"),  # wait 35; idle 1
        _t("C001", "minzheng", 7, None, None, "waiting"),
    ]
    rows = day_stats(tickets, {"shebao": "社会保障", "minzheng": "民政救助"}, {"w1": "社会保障窗口"}, {"s1": "刘小燕"})
    by = {(r["group"], r["id"]): r for r in rows}
    day = by[("day", "all")]
    assert (day["tickets"], day["served"], day["no_shows"], day["waiting"]) == (4, 2, 1, 1)
    assert day["avg_wait_min"] == round((10 + 20 + 35) / 3, 1)
    assert day["p90_wait_min"] == 35.0
    assert day["avg_service_min"] == 12.5
    assert by[("category", "minzheng")]["avg_wait_min"] is None
    window = by[("window", "w1")]
    assert (window["name"], window["tickets"], window["idle_min"]) == ("社会保障窗口", 3, 6.0)
    assert by[("staff", "s1")]["name"] == "刘小燕"
    assert [r["group"] for r in rows] == ["day", "category", "category", "window", "staff"]
