"""What the console reads of the hall's state documents (centre, queue, staff) as its link received them:
the one place that reads them, through the contract's own readers (`content.shared.wire`), the same ones the
kiosk and the LED controller use. The window page gets the documents written back by the contract's own
builders, so its script reads the field names every device reads (a test keeps the two in step)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

from content.accounts.users import User
from content.shared import contract
from content.shared.wire import centre as centre_doc
from content.shared.wire import queue as queue_doc
from content.shared.wire import staff as staff_doc

DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
"""A service day as the documents write one."""
LAST_CALLS: Final = 20
"""The last calls the window page lists."""

_T = TypeVar("_T")


def _read(state: dict[str, Any], topic: str, reader: Callable[[dict[str, Any]], _T]) -> _T | None:
    """A document as the contract's reader reads it; None when there is none, or it is not one."""
    doc = state.get(topic)
    if not isinstance(doc, dict):
        return None
    try:
        return reader(doc)
    except contract.PayloadError:
        return None


def centre(state: dict[str, Any]) -> centre_doc.Centre | None:
    return _read(state, "centre", centre_doc.read)


def centre_name(state: dict[str, Any]) -> str:
    found = centre(state)
    return found.name if found is not None else ""


def named_zone(state: dict[str, Any]) -> ZoneInfo | None:
    """The time zone the centre document names, None without a centre document."""
    found = centre(state)
    return contract.zone_named(found.timezone) if found is not None else None


def zone(state: dict[str, Any]) -> ZoneInfo:
    """The centre's time zone (Asia/Shanghai when it names none, or one that does not exist)."""
    return named_zone(state) or ZoneInfo(contract.DEFAULT_ZONE)


def approval_on(state: dict[str, Any]) -> bool:
    """The centre's `announcements.approval`, as its published `centre` document says."""
    found = centre(state)
    return found is not None and found.approval


def queue(state: dict[str, Any]) -> queue_doc.Queue:
    return _read(state, "queue", queue_doc.read) or queue_doc.Queue()


def service_day(state: dict[str, Any]) -> date | None:
    """The service's day, from the retained queue document."""
    day = queue(state).day
    try:
        return date.fromisoformat(day) if DAY.fullmatch(day) else None
    except ValueError:
        return None


def staff_names(state: dict[str, Any]) -> dict[str, str]:
    """Each staff member's name by id, as the staff document says."""
    return {m.id: m.name for m in _read(state, "staff", staff_doc.read) or ()}


def person_name(state: dict[str, Any], user: User) -> str:
    """The person a user is, as the hall knows them: the staff document's name of the user's staff id,
    else the login name."""
    return staff_names(state).get(user.staff_id or "", "") or user.name


def view(state: dict[str, Any], user: User) -> dict[str, Any]:
    """What the window page shows: the queue and staff documents as the contract reads them, written back
    by its builders (the page sets every value as text); a staff member's own window first."""
    found = queue(state)
    if user.role == "staff":
        found = queue_doc.Queue(
            found.day,
            found.market_day,
            found.lines,
            tuple(sorted(found.windows, key=lambda w: w.id != user.window)),
            found.last_calls[:LAST_CALLS],
        )
    body = queue_doc.body(found)
    members = _read(state, "staff", staff_doc.read) or ()
    last = state.get("last_call")
    call = queue_doc.read_call(last) if isinstance(last, dict) else None
    return {
        "online": bool(state.get("online")),
        "day": body["day"],
        "windows": body["windows"],
        "categories": body["categories"],
        "last_calls": body["last_calls"][:LAST_CALLS],
        "staff": staff_doc.body(members)["staff"],
        "last_call": queue_doc.call_json(call) if call is not None else None,
    }
