"""What a display shows, read defensively from the contract's documents. Pure functions.

Every payload is untrusted: a field of the wrong type is skipped, text is cut to a bounded length
before any layout, and a payload that is not a contract document at all raises `PayloadError`,
leaving the previous state in place. A controller never stops for what it receives. (The one side
effect: the `pickup` reader logs the case numbers it drops, and why.)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

from content.shared import limits as cap
from content.shared.contract import (
    PayloadError,
    decode,
    read_id,
    read_int,
    read_main_rows,
    read_object,
    read_rows,
    read_strings,
    read_text,
    read_zone,
)
from content.shared.wording import STATUS_NAMES, Session, read_sessions

log = logging.getLogger("hall.led")

MAX_PAYLOAD = cap.DOCUMENT_BYTES
MAX_ROWS = 200
"""Rows a display reads of any list: more windows, calls or guides than a wall can show are ignored."""
READY_SHOWN: Final = cap.PICKUP_SHOWN
"""Case numbers a display reads of the `pickup` document: the service sends no more."""
CASE_NUMBER: Final = re.compile(r"[A-Z]{1,4}-[0-9]{6}-[0-9]{4}")
"""A case number as the case rules write one (`content.cases.rules.NUMBER`): WC-261203-0007."""
PROBLEMS_NAMED = 5
"""Dropped entries a warning describes one by one; it counts the rest."""


@dataclass(frozen=True)
class WindowRow:
    id: str
    number: int | None
    name: str
    open: bool
    reason: str
    serving: str
    staff: str


@dataclass(frozen=True)
class CallRow:
    seq: int
    ticket: str
    window: str
    window_name: str
    window_number: int | None
    text: str
    recall: bool


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
    name: str
    window: str
    limits: str
    fee: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Announcement:
    id: str
    text: str
    priority: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class DisplayState:
    centre: str = ""
    timezone: str = "Asia/Shanghai"
    hours: tuple[Session, ...] = ()
    windows: tuple[WindowRow, ...] = ()
    waiting: tuple[WaitingRow, ...] = ()
    recent: tuple[CallRow, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    staff: tuple[StaffRow, ...] = ()
    guides: tuple[Guide, ...] = ()
    pickup: tuple[str, ...] = ()
    """Numbers of the cases ready for collection (请以下办件人到窗口取件); none without the document."""
    last_call: CallRow | None = None
    revs: dict[str, str] = field(default_factory=dict)

    def emergency(self, target: str = "led") -> Announcement | None:
        for a in self.announcements:
            if a.priority == "emergency" and ("all" in a.targets or target in a.targets):
                return a
        return None

    def ticker(self, target: str = "led") -> str:
        texts = [
            a.text
            for a in self.announcements
            if a.priority != "emergency" and ("all" in a.targets or target in a.targets)
        ]
        return "　　".join(texts)


# -- documents ------------------------------------------------------------------------------------


def _centre(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    hours = read_sessions(read_rows(doc.get("hours"), MAX_ROWS))
    if not read_text(doc.get("name")):
        raise PayloadError("centre: 'name' must be text")
    name = read_text(doc.get("short_name")) or read_text(doc.get("name"))
    zone = read_zone(doc.get("timezone"), state.timezone)
    return replace(state, centre=name, hours=hours, timezone=zone)


def _window_row(w: dict[str, Any]) -> WindowRow:
    return WindowRow(
        id=read_id(w.get("id")),
        number=read_int(w.get("number")),
        name=read_text(w.get("name"), 40),
        open=w.get("open") is not False,
        reason=read_text(w.get("reason"), 40),
        serving=read_text(w.get("serving"), 8),
        staff=read_text(read_object(w.get("staff")).get("name"), 20),
    )


def _call_row(c: dict[str, Any]) -> CallRow | None:
    seq, ticket = read_int(c.get("seq")), read_text(c.get("ticket"), 8)
    if seq is None or not ticket:
        return None
    return CallRow(
        seq=seq,
        ticket=ticket,
        window=read_id(c.get("window")),
        window_name=read_text(c.get("window_name"), 40),
        window_number=read_int(c.get("window_number")),
        text=read_text(c.get("text"), 80),
        recall=c.get("recall") is True,
    )


def _queue(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    windows = tuple(_window_row(w) for w in read_main_rows(doc, "windows", "queue", MAX_ROWS))
    waiting = tuple(
        WaitingRow(
            read_text(c.get("name"), 20),
            read_text(c.get("prefix"), 2),
            read_int(c.get("waiting")) or 0,
            read_int(c.get("estimated_wait_min")),
        )
        for c in read_main_rows(doc, "categories", "queue", MAX_ROWS)
    )
    recent = tuple(row for row in (_call_row(c) for c in read_rows(doc.get("last_calls"), MAX_ROWS)) if row)
    return replace(state, windows=windows, waiting=waiting, recent=recent)


def _staff(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    names = {w.id: w.name for w in state.windows}
    rows = tuple(
        StaffRow(
            read_text(m.get("name"), 20),
            read_text(m.get("post"), 40),
            names.get(read_id(m.get("window")), ""),
            STATUS_NAMES.get(read_text(m.get("status"), 10), ""),
        )
        for m in read_main_rows(doc, "staff", "staff", MAX_ROWS)
    )
    return replace(state, staff=rows)


def _catalog(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    guides = []
    for item in read_main_rows(doc, "items", "catalog", MAX_ROWS):
        limits = read_object(item.get("limits"))
        if item.get("instant") is True:
            limit = "即办件 当场办结"
        else:
            promised, legal = read_int(limits.get("promised")), read_int(limits.get("legal"))
            limit = f"承诺{promised}个工作日（法定{legal}个工作日）" if promised is not None else ""
        documents = tuple(read_text(d.get("name"), 40) for d in read_rows(item.get("documents"), MAX_ROWS))
        guides.append(Guide(read_text(item.get("name"), 60), "", limit, read_text(item.get("fee"), 60), documents))
    return replace(state, guides=tuple(guides))


def _announcements(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    rows = tuple(
        Announcement(
            read_id(a.get("id")),
            read_text(a.get("text")),
            read_text(a.get("priority"), 10) or "normal",
            read_strings(a.get("targets"), 60, 20) or ("all",),
        )
        for a in read_main_rows(doc, "announcements", "announcements", cap.ANNOUNCEMENTS)
        if read_text(a.get("text"))
    )
    return replace(state, announcements=rows)


def read_cases(value: list[Any], topic: str = "pickup") -> tuple[tuple[str, ...], list[str]]:
    """The case numbers of a list (at most `READY_SHOWN`, each once, in its order) and what was wrong
    with the entries left out, one sentence each; bounded however large or strange the list."""
    problems: list[str] = []
    if len(value) > READY_SHOWN:
        problems.append(f"{len(value)} cases, more than the {READY_SHOWN} a display reads: the rest are ignored")
    kept: list[str] = []
    seen: set[str] = set()
    dropped: list[str] = []
    for index, entry in enumerate(value[:READY_SHOWN]):
        if not isinstance(entry, str):
            dropped.append(f"entry {index} is {type(entry).__name__}, not text")
        elif not CASE_NUMBER.fullmatch(entry):
            shown = repr(entry[:24]) + (f"… ({len(entry)} characters)" if len(entry) > 24 else "")
            dropped.append(f"entry {index} {shown} is not a case number like WC-261203-0007")
        elif entry in seen:
            dropped.append(f"entry {index} {entry} is a repeat")
        else:
            seen.add(entry)
            kept.append(entry)
    if dropped:
        named = "; ".join(dropped[:PROBLEMS_NAMED])
        more = f"; and {len(dropped) - PROBLEMS_NAMED} more" if len(dropped) > PROBLEMS_NAMED else ""
        problems.append(f"{len(dropped)} of the cases dropped: {named}{more}")
    return tuple(kept), problems


def _pickup(state: DisplayState, doc: dict[str, Any]) -> DisplayState:
    value = doc.get("cases")
    if not isinstance(value, list):
        raise PayloadError(f"pickup: 'cases' must be a list, got {type(value).__name__}")
    cases, problems = read_cases(value)
    for problem in problems:
        log.warning("pickup: %s", problem)
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
        row = _call_row(doc)
        if row is None:
            raise PayloadError("a call needs 'seq' (a number) and 'ticket'")
        if state.last_call is not None and row.seq <= state.last_call.seq and not row.recall:
            return state  # an old call delivered again
        return replace(state, last_call=row)
    builder = _DOCUMENTS.get(topic)
    if builder is None:
        return state
    updated = builder(state, doc)
    rev = read_text(doc.get("rev"), 32)
    return replace(updated, revs={**state.revs, topic: rev}) if rev else updated
