"""The `stats` document and the `stats` query's answer: the day's queue figures, for the whole day and per
category, window and staff member (tickets, served, no-shows, waiting; the wait, service and idle minutes)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

GROUPS: Final = ("category", "window", "staff")
MAX_ROWS: Final = 1000
"""Rows of one group read from an answer; past this the rest are left out."""
MAX_COUNT: Final = 10_000_000
MAX_MINUTES: Final = 1_000_000.0
NAME_CHARS: Final = 120
COUNTS: Final = ("tickets", "served", "no_shows", "waiting")
MINUTES: Final = ("avg_wait_min", "p90_wait_min", "avg_service_min", "idle_min")
COLUMNS: Final = ("group", "id", "name", *COUNTS, *MINUTES)
"""The CSV's columns: those of `hall stats --csv`."""
DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def body(day: str | None, rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The document's body: the service day and its rows (`content.queue.stats.day_stats`), each with its
    `group` ("day", or one of `GROUPS`), `id`, `name` and the figures of `COLUMNS`."""
    return {"day": day, "rows": list(rows)}


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _minutes(value: Any) -> float | None:
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return round(float(value), 1) if number and 0 <= value <= MAX_MINUTES else None


def clean_text(value: Any, most: int) -> str:
    """Text of an answer for a page or a CSV: control characters out, at most `most` characters."""
    return CONTROL.sub("", value)[:most].strip() if isinstance(value, str) else ""


def clean_row(row: Any) -> dict[str, Any] | None:
    """One row of the service's answer as the page and the CSV use it, or None if it is not one."""
    if not isinstance(row, dict):
        return None
    key = clean_text(row.get("id"), 64)
    if not key:
        return None
    out: dict[str, Any] = {"id": key, "name": clean_text(row.get("name"), NAME_CHARS) or key}
    out |= {name: _count(row.get(name)) for name in COUNTS}
    out |= {name: _minutes(row.get(name)) for name in MINUTES}
    return out


@dataclass(frozen=True)
class Figures:
    """A day's figures, read from the service's answer."""

    day: str
    total: dict[str, Any] | None
    groups: dict[str, list[dict[str, Any]]]

    def rows(self) -> list[tuple[str, dict[str, Any]]]:
        """(group, row) in the order of `hall stats`: the whole day, then each group."""
        head = [("day", self.total)] if self.total is not None else []
        return head + [(group, row) for group in GROUPS for row in self.groups[group]]


def read_figures(body: Any) -> Figures | None:
    """The figures of a `stats` answer or document, or None if it is not one."""
    if not isinstance(body, dict):
        return None
    day, rows = body.get("day"), body.get("rows")
    if not isinstance(day, str) or DAY.fullmatch(day) is None or not isinstance(rows, list):
        return None
    total = None
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
    for raw in rows[: MAX_ROWS * (len(GROUPS) + 1)]:
        group = raw.get("group") if isinstance(raw, dict) else None
        row = clean_row(raw)
        if row is None:
            continue
        if group == "day" and total is None:
            total = row
        elif group in groups and len(groups[group]) < MAX_ROWS:
            groups[group].append(row)
    return Figures(day, total, groups)
