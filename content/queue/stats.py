"""Queue statistics for one service day, from its tickets, and their CSV. Pure functions.

wait     issued → first called (for tickets that were called)
service  called → finished, for tickets served to the end ("done")
idle     for a window or a staff member: the gaps between finishing one ticket and calling the
         next, during the day (time before the first call and after the last is not counted)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any, Final

from content.queue.rules import Ticket
from content.shared.catalog import domain

_words = domain("service")
_ = _words.gettext

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
        _row("day", "all", _("Whole day"), tickets, False),
        *_grouped("category", tickets, lambda t: t.category, categories, False),
        *_grouped("window", tickets, lambda t: t.window, windows, True),
        *_grouped("staff", tickets, lambda t: t.staff, staff, True),
    ]


FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes a cell beginning with for a formula: such a name gets a leading '."""


def headings() -> dict[str, str]:
    """Each column of `COLUMNS` as the CSV's header row names it, in the hall's language."""
    return {
        "group": _("Group"),
        "id": _("Id"),
        "name": _("Name"),
        "tickets": _("Tickets"),
        "served": _("Served"),
        "no_shows": _("No-shows"),
        "waiting": _("Waiting"),
        "avg_wait_min": _("Average wait (min)"),
        "p90_wait_min": _("90th percentile wait (min)"),
        "avg_service_min": _("Average service (min)"),
        "idle_min": _("Idle (min)"),
    }


def group_names() -> dict[str, str]:
    """Each group of rows (`day`, `category`, `window`, `staff`) as the CSV and the table name it."""
    return {
        "day": _("Whole day"),
        "category": _("Category"),
        "window": _("Window"),
        "staff": _("Staff member"),
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def csv_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows of `day_stats` as a spreadsheet opens them: a UTF-8 byte order mark first (without it, Excel on a
    Chinese Windows reads the file as GBK and garbles every hanzi), the headings in the hall's language, the
    groups named, CRLF line ends, and no cell a spreadsheet would run as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    names, groups = headings(), group_names()
    writer.writerow([names[column] for column in COLUMNS])
    for row in rows:
        group = str(row.get("group", ""))
        writer.writerow([_cell(groups.get(group, group)), *(_cell(row.get(column)) for column in COLUMNS[1:])])
    return out.getvalue()
