"""What a display shows: its own view of the contract's documents, each read by the contract's one
reader (`content.shared.wire`). Pure functions.

Every payload is untrusted: the readers skip a field of the wrong type and bound text and lists, and a
payload that is not a contract document at all raises `PayloadError`, leaving the previous state in place.
A controller never stops for what it receives. Announcements keep their start and end, so a display
without its broker takes one down at its end, as the service does. (The one side effect: the `pickup`
reader logs the case numbers it drops, and why.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

from content.shared import limits as cap
from content.shared.catalog import domain
from content.shared.contract import PayloadError, decode, read_text
from content.shared.when import Session
from content.shared.wire import announcements as announcements_doc
from content.shared.wire import catalog as catalog_doc
from content.shared.wire import centre as centre_doc
from content.shared.wire import pickup as pickup_doc
from content.shared.wire import queue as queue_doc
from content.shared.wire import staff as staff_doc
from content.shared.wire.announcements import Announcement, Announcements
from content.shared.wire.queue import Call, WindowState

_ = domain("led").gettext
log = logging.getLogger("hall.led")

MAX_PAYLOAD = cap.DOCUMENT_BYTES
MAX_ROWS = 200
"""Rows a display reads of any list: more windows, calls or guides than a wall can show are ignored."""
READY_SHOWN: Final = pickup_doc.SHOWN
"""Case numbers a display reads of the `pickup` document: the service sends no more."""
TARGET: Final = "led"
"""What a display is to an announcement's `targets`."""
WindowRow = WindowState
"""A window as a display shows it: the contract's own form."""
CallRow = Call


@dataclass(frozen=True)
class WaitingRow:
    name: str
    prefix: str
    waiting: int
    estimate_min: int | None


@dataclass(frozen=True)
class StaffRow:
    name: str
    post: str
    window: str
    status: str


@dataclass(frozen=True)
class Guide:
    """An item's guide (办事指南) with every field a display discloses, each whole: the guide screen pages
    through all of it."""

    name: str
    windows: tuple[str, ...]
    """Ids of the windows that handle it: their names come from the queue document."""
    limits: str
    """Promised, legal and proxy (代办) limits, as `content.shared.wording.format_limits` says them."""
    fee: str
    documents: tuple[str, ...]
    """Each required document with its form, copies and note."""
    steps: tuple[str, ...] = ()
    basis: str = ""
    department: str = ""
    phone: str = ""
    tiers: tuple[str, ...] = ()
    """Where else it can be handled: the tiers' names."""


@dataclass(frozen=True)
class DisplayState:
    centre: str = ""
    timezone: str = "Asia/Shanghai"
    hours: tuple[Session, ...] = ()
    windows: tuple[WindowState, ...] = ()
    waiting: tuple[WaitingRow, ...] = ()
    recent: tuple[Call, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    staff: tuple[StaffRow, ...] = ()
    guides: tuple[Guide, ...] = ()
    pickup: tuple[str, ...] = ()
    """Numbers of the cases ready for collection (请以下办件人到窗口取件); none without the document."""
    last_call: Call | None = None
    revs: dict[str, str] = field(default_factory=dict)

    def emergency(self, target: str = TARGET, now: datetime | None = None) -> Announcement | None:
        """The emergency that covers the screen at `now` (None: whatever the time)."""
        return Announcements(self.announcements).emergency(now, target)

    def ticker(self, target: str = TARGET, now: datetime | None = None) -> str:
        return Announcements(self.announcements).ticker(now, target)


# -- documents: the contract's readers, then this display's view of them -------------------------------


def _centre(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    centre = centre_doc.read(doc)
    return replace(state, centre=centre.short_name, hours=centre.sessions, timezone=centre.timezone)


def _queue(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    queue = queue_doc.read(doc)
    waiting = tuple(WaitingRow(line.name, line.prefix, line.waiting, line.estimate_min) for line in queue.lines)
    return replace(state, windows=queue.windows[:MAX_ROWS], waiting=waiting[:MAX_ROWS], recent=queue.last_calls)


def _staff(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    names = {w.id: w.name for w in state.windows}
    rows = tuple(
        StaffRow(m.name, m.post, names.get(m.window or "", ""), m.status_name) for m in staff_doc.read(doc)[:MAX_ROWS]
    )
    return replace(state, staff=rows)


def _catalog(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    _categories, items = catalog_doc.read(doc)
    guides = tuple(
        Guide(
            item.name,
            item.windows,
            item.limits,
            item.fee,
            tuple(d.text for d in item.documents),
            item.steps,
            item.basis,
            item.department,
            item.phone,
            item.tier_names,
        )
        for item in list(items.values())[:MAX_ROWS]
    )
    return replace(state, guides=guides)


def _announcements(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    return replace(state, announcements=announcements_doc.read(doc).rows)


def _pickup(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    cases, problems = pickup_doc.read(doc)
    for problem in problems:
        log.warning(_("The collection list: {problem}").format(problem=problem))
    return replace(state, pickup=cases)


_DOCUMENTS = {
    "centre": _centre,
    "queue": _queue,
    "staff": _staff,
    "catalog": _catalog,
    "announcements": _announcements,
    "pickup": _pickup,
}
TOPICS = (*_DOCUMENTS, "call")


def apply(state: DisplayState, topic: str, payload: bytes) -> DisplayState:
    """The state after one message. Raises PayloadError for a payload that is not a document."""
    doc = decode(payload, MAX_PAYLOAD)
    if topic == "call":
        row = queue_doc.read_call(doc)
        if row is None:
            raise PayloadError(_("A call needs its sequence number (seq, a number) and its ticket (ticket)"))
        if state.last_call is not None and row.seq <= state.last_call.seq and not row.recall:
            return state  # an old call delivered again
        return replace(state, last_call=row)
    builder = _DOCUMENTS.get(topic)
    if builder is None:
        return state
    updated = builder(state, doc)
    rev = read_text(doc.get("rev"), 32)
    return replace(updated, revs={**state.revs, topic: rev}) if rev else updated
