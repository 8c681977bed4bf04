"""The `centre` document: the hall's name, tier, address, hours, phones, windows and rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content.shared import limits as cap
from content.shared.catalog import domain
from content.shared.contract import (
    DEFAULT_ZONE,
    DOCUMENT_NAMES,
    FIELD_NAMES,
    PayloadError,
    read_id,
    read_ids,
    read_int,
    read_object,
    read_optional,
    read_rows,
    read_text,
    read_zone,
    zone_named,
)
from content.shared.when import Session, read_sessions
from content.shared.wire.text import read_whole
from content.shared.wording import TIER_NAMES, format_hours

_ = domain("shared").gettext


@dataclass(frozen=True)
class Window:
    id: str
    number: int | None
    name: str
    categories: tuple[str, ...]
    comprehensive: bool = False
    """The comprehensive window (综合窗口): where to ask about anything."""


@dataclass(frozen=True)
class Rule:
    title: str
    text: str


@dataclass(frozen=True)
class Centre:
    id: str
    name: str
    short_name: str
    tier_name: str
    address: str
    sessions: tuple[Session, ...]
    """The opening hours."""
    hours_note: str
    hotline: str
    complaint_phone: str
    public_url: str | None
    windows: tuple[Window, ...]
    rules: tuple[Rule, ...]
    logo: str | None
    """The logo's media hash."""
    timezone: str = DEFAULT_ZONE
    issue_before_open: int = 30
    """Minutes before a session that numbers may be taken (`when.issuing`)."""
    issue_any_time: bool = False
    """Numbers at any hour (`queue.issue_any_time`)."""
    approval: bool = False
    """Staff's announcements wait for a manager's approval (`announcements.approval`)."""

    @property
    def hours(self) -> tuple[str, ...]:
        """The opening hours for people: 周一至周五 09:00–12:00、14:00–17:30."""
        return format_hours(self.sessions)

    def now(self) -> datetime:
        """The time in the centre's own zone: a screen's clock, hours and announcement times."""
        return now_in(self.timezone)


def now_in(timezone: str) -> datetime:
    """Now in the named zone; the machine's own when the name names none."""
    zone = zone_named(timezone)
    return datetime.now(zone) if zone is not None else datetime.now().astimezone()


def body(fields: Mapping[str, Any], logo: str | None, tier_name: str) -> dict[str, Any]:
    """From the content's centre as `hall check` passed it (its logo replaced by the logo's media hash)."""
    return {**fields, "logo": logo, "tier_name": tier_name}


def _window(w: Mapping[str, Any]) -> Window:
    return Window(
        read_id(w.get("id")),
        read_int(w.get("number"), 1, 999),
        read_text(w.get("name"), cap.LABEL),
        read_ids(w.get("categories"), cap.CATEGORIES),
        w.get("comprehensive") is True,
    )


def read(doc: Mapping[str, Any]) -> Centre:
    name = read_text(doc.get("name"), cap.CENTRE_NAME)
    if not name:
        raise PayloadError(
            _("In {document}, {field} should be text that is not empty").format(
                document=_(DOCUMENT_NAMES["centre"]), field=_(FIELD_NAMES["name"])
            )
        )
    url = read_text(doc.get("public_url"), 300)
    queue = read_object(doc.get("queue"))
    windows = tuple(_window(w) for w in read_rows(doc.get("windows"), cap.WINDOWS) if read_id(w.get("id")))
    rules = tuple(
        Rule(read_whole(r.get("title"), cap.POST), read_whole(r.get("text"), cap.LONG))
        for r in read_rows(doc.get("rules"), cap.RULES)
        if read_text(r.get("title"), cap.POST) or read_text(r.get("text"))
    )
    return Centre(
        id=read_id(doc.get("id")),
        name=name,
        short_name=read_text(doc.get("short_name"), cap.CENTRE_NAME) or name,
        tier_name=read_text(doc.get("tier_name"), cap.LABEL) or TIER_NAMES.get(read_text(doc.get("tier"), 20), ""),
        address=read_whole(doc.get("address"), cap.LONG),
        sessions=read_sessions(read_rows(doc.get("hours"), cap.SESSIONS)),
        hours_note=read_whole(doc.get("hours_note"), cap.LONG),
        hotline=read_text(doc.get("hotline"), cap.PHONE),
        complaint_phone=read_text(doc.get("complaint_phone"), cap.PHONE),
        public_url=url if url.startswith(("http://", "https://")) and " " not in url else None,
        windows=windows,
        rules=rules,
        logo=read_optional(doc.get("logo"), 64),
        timezone=read_zone(doc.get("timezone")),
        issue_before_open=_before_open(queue.get("issue_before_open")),
        issue_any_time=queue.get("issue_any_time") is True,
        approval=read_object(doc.get("announcements")).get("approval") is True,
    )


def _before_open(value: object) -> int:
    minutes = read_int(value, 0, 240)
    return 30 if minutes is None else minutes
