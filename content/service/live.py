"""Live state: what staff change during the day, as plain immutable data.

Content (YAML) says who works here; live state says who is at their window now and what is
being announced. Command handlers turn one `Live` into the next; the store persists it; a `Snapshot`
hands both, with the time, to readers on other threads (the public pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from content.centre.loader import Content
from content.queue.rules import QueueState
from content.shared import when
from content.shared.wire import announcements as announcements_doc

Priority = Literal["normal", "high", "emergency"]
Target = Literal["all", "led", "kiosk"]
Review = Literal["approved", "pending", "rejected"]
"""An announcement's review: up (when its time comes), waiting for a manager, or refused with a reason.
Only an approved one is published; the others are kept (and listed to the console) until cleared or over."""


@dataclass(frozen=True)
class StaffState:
    status: str
    since: datetime
    by: str
    substitute: str | None = None


@dataclass(frozen=True)
class Announcement:
    id: str
    text: str
    priority: Priority
    starts: datetime
    expires: datetime | None
    targets: tuple[Target, ...]
    by: str
    created: datetime
    review: Review = "approved"
    reason: str | None = None
    """Why a manager rejected it."""
    reviewed_by: str | None = None
    """The console login that approved or rejected it."""
    person: str | None = None
    """The console login that put it up or last edited it (None: an account of its own, e.g. `hall announce`)."""

    def active(self, now: datetime) -> bool:
        """Published now: approved, started and not over."""
        return self.review == "approved" and when.shown(self.starts, self.expires, now)

    def on_the_wire(self) -> announcements_doc.Announcement:
        """As the `announcements` document carries it (`content.shared.wire.announcements`)."""
        return announcements_doc.Announcement(
            self.id, self.text, self.priority, tuple(self.targets), self.starts, self.expires, self.by
        )

    def over(self, now: datetime) -> bool:
        return self.expires is not None and now >= self.expires


@dataclass(frozen=True)
class Live:
    staff: Mapping[str, StaffState] = field(default_factory=dict)
    announcements: Mapping[str, Announcement] = field(default_factory=dict)
    """Announcements not cleared and not yet over (including those that start later)."""
    announcement_seq: int = 0
    queue: QueueState = field(default_factory=QueueState)
    pickup: tuple[str, ...] = ()
    """Numbers of the cases ready for collection that their applicants agreed to show on the wall
    (read from the cases in the store, which keep them)."""


ISSUED_DAYS = 7
"""Past days whose numbers a ticket page still knows: an older ticket's page is not found."""


@dataclass(frozen=True)
class Snapshot:
    """What the pages show at one moment: the service's content and live state, and the time."""

    content: Content
    live: Live
    now: datetime
    issued: Mapping[date, Mapping[str, int]] = field(default_factory=dict)
    """The last number of each prefix on each of the past `ISSUED_DAYS` days, so that a page can tell
    a ticket that has expired from one that was never issued."""


def prune(live: Live, now: datetime) -> Live:
    """Drop announcements that are over; they stay in the store's history."""
    kept = {key: a for key, a in live.announcements.items() if not a.over(now)}
    if len(kept) == len(live.announcements):
        return live
    return replace(live, announcements=kept)


def next_change(live: Live, now: datetime) -> datetime | None:
    """When the set of active announcements next changes on its own, if ever."""
    moments = [a.starts for a in live.announcements.values() if a.starts > now and a.review == "approved"]
    moments += [a.expires for a in live.announcements.values() if a.expires is not None and a.expires > now]
    return min(moments, default=None)
