"""The `announcements` document: what is announced now, to which screens, from when to when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from content.shared import limits as cap
from content.shared import when
from content.shared.contract import read_id, read_main_rows, read_strings, read_text, read_time

PRIORITIES: Final = ("emergency", "high", "normal")
"""In the order a screen shows them."""


@dataclass(frozen=True)
class Announcement:
    id: str
    text: str
    priority: str
    targets: tuple[str, ...]
    starts: datetime | None = None
    expires: datetime | None = None
    by: str = ""

    def shown(self, now: datetime | None, target: str) -> bool:
        """Meant for `target` ("led", "kiosk") and up at `now` (`when.shown`); None: whatever the time."""
        if "all" not in self.targets and target not in self.targets:
            return False
        return now is None or when.shown(self.starts, self.expires, now)


@dataclass(frozen=True)
class Announcements:
    rows: tuple[Announcement, ...] = ()

    def emergency(self, now: datetime | None, target: str) -> Announcement | None:
        """The announcement that covers the whole screen, while it lasts."""
        return next((a for a in self.rows if a.priority == "emergency" and a.shown(now, target)), None)

    def ticker(self, now: datetime | None, target: str, separator: str = "　　") -> str:  # catalog: data
        return separator.join(a.text for a in self.rows if a.priority != "emergency" and a.shown(now, target))

    def next_turn(self, now: datetime) -> datetime | None:
        """When one of them next starts or ends: a screen looks again then, told or not."""
        return when.next_turn(((a.starts, a.expires) for a in self.rows), now)


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def row_json(a: Announcement) -> dict[str, Any]:
    """One announcement as the document carries it."""
    return {
        "id": a.id,
        "text": a.text,
        "priority": a.priority,
        "starts": _time(a.starts),
        "expires": _time(a.expires),
        "targets": list(a.targets),
        "by": a.by,
    }


def body(rows: Iterable[Announcement]) -> dict[str, Any]:
    """The document's body, in the order screens show them: emergencies first, then by start."""
    order = {p: n for n, p in enumerate(PRIORITIES)}
    ranked = sorted(
        rows, key=lambda a: (order.get(a.priority, 3), a.starts.timestamp() if a.starts else float("-inf"), a.id)
    )
    return {"announcements": [row_json(a) for a in ranked]}


def read(doc: Mapping[str, Any]) -> Announcements:
    rows = []
    for a in read_main_rows(doc, "announcements", "announcements", cap.ANNOUNCEMENTS):
        text = read_text(a.get("text"), cap.ANNOUNCEMENT)
        if not text:
            continue
        priority = read_text(a.get("priority"), 10)
        rows.append(
            Announcement(
                id=read_id(a.get("id")),
                text=text,
                priority=priority if priority in PRIORITIES else "normal",
                targets=read_strings(a.get("targets"), 10, 5) or ("all",),
                starts=read_time(a.get("starts")),
                expires=read_time(a.get("expires")),
                by=read_text(a.get("by"), 64),
            )
        )
    return Announcements(tuple(rows))
