"""Rules that follow from time, one function each: the hall's opening hours, the service day that turns at
`reset_hour`, an announcement shown between its start and its end. The service and every device apply the
same function, so a device offline, or started from its cache, agrees with the service to the second.
The standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from content.shared.contract import read_strings, read_text

WEEK: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# -- opening hours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """One opening session: the days (mon … sun) and the times, "09:00" to "12:00"."""

    days: tuple[str, ...]
    open: str
    close: str


def read_sessions(rows: Iterable[Mapping[str, Any]]) -> tuple[Session, ...]:
    """The `hours` of a centre document, the malformed sessions left out."""
    sessions = []
    for row in rows:
        days = tuple(d for d in read_strings(row.get("days"), 3, 7) if d in WEEK)
        opens, closes = read_text(row.get("open"), 5), read_text(row.get("close"), 5)
        if days and len(opens) == len(closes) == 5 and opens < closes:
            sessions.append(Session(days, opens, closes))
    return tuple(sessions)


def is_open(sessions: Iterable[Session], now: datetime) -> bool:
    """Within the opening hours at `now` (in the centre's zone); always, when there are none."""
    sessions = tuple(sessions)
    if not sessions:
        return True
    day, clock = WEEK[now.weekday()], now.strftime("%H:%M")
    return any(day in s.days and s.open <= clock < s.close for s in sessions)


def opens_later_today(sessions: Iterable[Session], now: datetime) -> str | None:
    """When the next session of today starts ("14:00"), if one does after `now`."""
    day, clock = WEEK[now.weekday()], now.strftime("%H:%M")
    return min((s.open for s in sessions if day in s.days and s.open > clock), default=None)


# -- taking a number ------------------------------------------------------------------------------


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:5])


def _clock(minutes: int) -> str:
    return f"{max(0, minutes) // 60:02d}:{max(0, minutes) % 60:02d}"


def issuing(sessions: Iterable[Session], now: datetime, before_open_min: int) -> bool:
    """Numbers may be taken at `now`: within a session, or up to `before_open_min` minutes before one starts;
    always, when the hall has no hours."""
    sessions = tuple(sessions)
    if not sessions:
        return True
    day, clock = WEEK[now.weekday()], now.hour * 60 + now.minute
    return any(day in s.days and _minutes(s.open) - before_open_min <= clock < _minutes(s.close) for s in sessions)


def issuing_from(sessions: Iterable[Session], now: datetime, before_open_min: int) -> str | None:
    """When numbers may next be taken today ("08:30"), if they may later today and not now."""
    sessions = tuple(sessions)
    if issuing(sessions, now, before_open_min):
        return None
    day, clock = WEEK[now.weekday()], now.hour * 60 + now.minute
    starts = [_minutes(s.open) - before_open_min for s in sessions if day in s.days]
    return min((_clock(m) for m in starts if m > clock), default=None)


# -- the service day ------------------------------------------------------------------------------


def service_day(now: datetime, reset_hour: int) -> date:
    """The day a ticket belongs to: numbers restart at `reset_hour`, not at midnight."""
    return (now - timedelta(hours=reset_hour)).date()


def next_reset(now: datetime, reset_hour: int) -> datetime:
    """The next moment the service day turns."""
    start = now.replace(hour=reset_hour, minute=0, second=0, microsecond=0)
    return start if start > now else start + timedelta(days=1)


# -- announcements --------------------------------------------------------------------------------


def shown(starts: datetime | None, expires: datetime | None, now: datetime) -> bool:
    """An announcement is up from its start (inclusive) to its end (exclusive); a missing start has
    started, a missing end never ends."""
    return (starts is None or starts <= now) and (expires is None or now < expires)


def next_turn(spans: Iterable[tuple[datetime | None, datetime | None]], now: datetime) -> datetime | None:
    """The next moment after `now` at which one of these (start, end) spans begins or ends, if any: when a
    screen must look again without being told."""
    moments = [m for span in spans for m in span if m is not None and m > now]
    return min(moments, default=None)
