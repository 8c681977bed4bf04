"""The `queue` document (who is served at which window, how many wait, the last calls) and the `call`
event (one ticket called to one window)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content.shared import limits as cap
from content.shared.contract import (
    read_id,
    read_ids,
    read_int,
    read_main_rows,
    read_object,
    read_rows,
    read_text,
    read_time,
)

TICKET = 8
"""Characters of a ticket number as a screen reads it (AA0123 and a mark)."""


@dataclass(frozen=True)
class Call:
    seq: int
    ticket: str
    window: str
    window_name: str
    window_number: int | None
    text: str
    """请 A012 号到 3 号窗口: the words the hall hears."""
    recall: bool
    category: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class QueueLine:
    category: str
    name: str
    prefix: str
    waiting: int
    priority_waiting: int
    estimate_min: int | None


@dataclass(frozen=True)
class WindowState:
    id: str
    number: int | None
    name: str
    open: bool
    reason: str
    serving: str
    staff: str
    """The name of the staff member at the window."""
    staff_id: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Queue:
    day: str = ""
    market_day: bool = False
    lines: tuple[QueueLine, ...] = ()
    windows: tuple[WindowState, ...] = ()
    last_calls: tuple[Call, ...] = ()

    def line(self, category: str) -> QueueLine | None:
        return next((line for line in self.lines if line.category == category), None)


# -- building -------------------------------------------------------------------------------------


def call_json(call: Call) -> dict[str, Any]:
    return {
        "seq": call.seq,
        "ticket": call.ticket,
        "window": call.window,
        "window_name": call.window_name,
        "window_number": call.window_number,
        "category": call.category,
        "recall": call.recall,
        "at": call.at.isoformat(timespec="seconds") if call.at is not None else None,
        "text": call.text,
    }


def body(queue: Queue) -> dict[str, Any]:
    return {
        "day": queue.day or None,
        "market_day": queue.market_day if queue.day else None,
        "windows": [
            {
                "id": w.id,
                "number": w.number,
                "name": w.name,
                "open": w.open,
                "reason": w.reason or None,
                "serving": w.serving or None,
                "staff": {"id": w.staff_id, "name": w.staff} if w.staff_id else None,
                "categories": list(w.categories),
            }
            for w in queue.windows
        ],
        "categories": [
            {
                "id": line.category,
                "name": line.name,
                "prefix": line.prefix,
                "waiting": line.waiting,
                "priority_waiting": line.priority_waiting,
                "estimated_wait_min": line.estimate_min,
            }
            for line in queue.lines
        ],
        "last_calls": [call_json(call) for call in queue.last_calls],
    }


# -- reading --------------------------------------------------------------------------------------


def read_call(row: Mapping[str, Any]) -> Call | None:
    """A call, in the `call` event or the queue's `last_calls`; None without its `seq` and ticket."""
    seq, ticket = read_int(row.get("seq")), read_text(row.get("ticket"), TICKET)
    if seq is None or not ticket:
        return None
    return Call(
        seq=seq,
        ticket=ticket,
        window=read_id(row.get("window")),
        window_name=read_text(row.get("window_name"), cap.LABEL),
        window_number=read_int(row.get("window_number"), 1, 999),
        text=read_text(row.get("text"), 80),
        recall=row.get("recall") is True,
        category=read_id(row.get("category")),
        at=read_time(row.get("at")),
    )


def _window(w: Mapping[str, Any]) -> WindowState:
    staff = read_object(w.get("staff"))
    return WindowState(
        id=read_id(w.get("id")),
        number=read_int(w.get("number"), 1, 999),
        name=read_text(w.get("name"), cap.LABEL),
        open=w.get("open") is not False,
        reason=read_text(w.get("reason"), 60),
        serving=read_text(w.get("serving"), TICKET),
        staff=read_text(staff.get("name"), cap.LABEL),
        staff_id=read_id(staff.get("id")),
        categories=read_ids(w.get("categories"), cap.CATEGORIES),
    )


def read(doc: Mapping[str, Any]) -> Queue:
    lines = tuple(
        QueueLine(
            category=read_id(c.get("id")),
            name=read_text(c.get("name"), cap.LABEL),
            prefix=read_text(c.get("prefix"), 2),
            waiting=read_int(c.get("waiting")) or 0,
            priority_waiting=read_int(c.get("priority_waiting")) or 0,
            estimate_min=read_int(c.get("estimated_wait_min")),
        )
        for c in read_main_rows(doc, "categories", "queue", cap.CATEGORIES)
        if read_id(c.get("id"))
    )
    windows = tuple(_window(w) for w in read_main_rows(doc, "windows", "queue", cap.WINDOWS))
    calls = tuple(call for call in map(read_call, read_rows(doc.get("last_calls"), 100)) if call is not None)
    return Queue(read_text(doc.get("day"), 10), doc.get("market_day") is True, lines, windows, calls)
