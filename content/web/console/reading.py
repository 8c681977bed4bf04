"""What the console reads of the hall's state documents (centre, queue, staff) as its link received them:
the one place that reads them, read defensively (a document or a list that is not one is left out)."""

from __future__ import annotations

import re
from datetime import date, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.accounts.users import User
from content.shared import contract

DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def centre(state: dict[str, Any]) -> dict[str, Any]:
    found = state.get("centre")
    return found if isinstance(found, dict) else {}


def centre_name(state: dict[str, Any]) -> str:
    return str(centre(state).get("name", ""))


def zone(state: dict[str, Any]) -> ZoneInfo:
    """The centre's time zone (Asia/Shanghai when it names none, or one that does not exist)."""
    try:
        return ZoneInfo(str(centre(state).get("timezone") or "Asia/Shanghai"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def named_zone(state: dict[str, Any]) -> tzinfo | None:
    """The time zone the centre document names, None without a centre document."""
    found = state.get("centre")
    return contract.zone_named(found.get("timezone")) if isinstance(found, dict) else None


def approval_on(state: dict[str, Any]) -> bool:
    """The centre's `announcements.approval`, as its published `centre` document says."""
    settings = centre(state).get("announcements")
    return isinstance(settings, dict) and settings.get("approval") is True


def service_day(state: dict[str, Any]) -> date | None:
    """The service's day, from the retained queue document."""
    queue = state.get("queue")
    day = queue.get("day") if isinstance(queue, dict) else None
    if isinstance(day, str) and DAY.fullmatch(day):
        try:
            return date.fromisoformat(day)
        except ValueError:
            return None
    return None


def _dicts(value: Any, most: int) -> list[dict[str, Any]]:
    """The objects of a list as a document sent it, at most `most`; anything else, nothing."""
    return [v for v in value[:most] if isinstance(v, dict)] if isinstance(value, list) else []


def view(state: dict[str, Any], user: User) -> dict[str, Any]:
    """What the window page shows, from the documents as the service sent them (the page sets every value
    as text)."""
    queue: dict[str, Any] = state["queue"] if isinstance(state.get("queue"), dict) else {}
    staff_doc: dict[str, Any] = state["staff"] if isinstance(state.get("staff"), dict) else {}
    windows = _dicts(queue.get("windows"), 200)
    if user.role == "staff":
        windows.sort(key=lambda w: w.get("id") != user.window)
    return {
        "online": bool(state.get("online")),
        "day": queue.get("day") if isinstance(queue.get("day"), str) else None,
        "windows": windows,
        "categories": _dicts(queue.get("categories"), 200),
        "last_calls": _dicts(queue.get("last_calls"), 20),
        "staff": _dicts(staff_doc.get("staff"), 200),
        "last_call": state.get("last_call") if isinstance(state.get("last_call"), dict) else None,
    }
