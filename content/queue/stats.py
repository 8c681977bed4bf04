"""Queue statistics for one service day, from its tickets. Pure functions.

wait     issued → first called (for tickets that were called)
service  called → finished, for tickets served to the end ("done")
idle     for a window or a staff member: the gaps between finishing one ticket and calling the
         next, during the day (time before the first call and after the last is not counted)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any

from content.queue.rules import Ticket

COLUMNS = (
    "group",
    "id",
    "name",
    "tickets",
    "served",
    "no_shows",
    "waiting",
    "avg_wait_min",
    "p90_wait_min",
    "avg_service_min",
    "idle_min",
)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _idle(tickets: Iterable[Ticket]) -> float | None:
    spans = sorted((t.called, t.finished) for t in tickets if t.called and t.finished)
    if not spans:
        return None
    idle = 0.0
    for (_, finished), (called, _) in pairwise(spans):
        idle += max(0.0, (called - finished).total_seconds() / 60)
    return idle


def _row(group: str, key: str, name: str, tickets: list[Ticket], with_idle: bool) -> dict[str, Any]:
    waits = [w for t in tickets if (w := _minutes(t.issued, t.called)) is not None]
    services = [s for t in tickets if t.status == "done" and (s := _minutes(t.called, t.finished)) is not None]

    def rounded(value: float | None) -> float | None:
        return round(value, 1) if value is not None else None

    return {
        "group": group,
        "id": key,
        "name": name,
        "tickets": len(tickets),
        "served": sum(t.status == "done" for t in tickets),
        "no_shows": sum(t.status == "no_show" for t in tickets),
        "waiting": sum(t.status == "waiting" for t in tickets),
        "avg_wait_min": rounded(_mean(waits)),
        "p90_wait_min": rounded(percentile(waits, 0.9)),
        "avg_service_min": rounded(_mean(services)),
        "idle_min": rounded(_idle(tickets)) if with_idle else None,
    }


def _grouped(
    group: str, tickets: list[Ticket], key: Callable[[Ticket], str | None], names: Mapping[str, str], idle: bool
) -> list[dict[str, Any]]:
    by_key: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        k = key(ticket)
        if k is not None:
            by_key.setdefault(k, []).append(ticket)
    order = [k for k in names if k in by_key] + sorted(k for k in by_key if k not in names)
    return [_row(group, k, names.get(k, k), by_key[k], idle) for k in order]


def day_stats(
    tickets: list[Ticket],
    categories: Mapping[str, str],
    windows: Mapping[str, str],
    staff: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Rows for the whole day, then per category, window and staff member. Names by id."""
    return [
        _row("day", "all", "全天", tickets, False),
        *_grouped("category", tickets, lambda t: t.category, categories, False),
        *_grouped("window", tickets, lambda t: t.window, windows, True),
        *_grouped("staff", tickets, lambda t: t.staff, staff, True),
    ]
