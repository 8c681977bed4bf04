"""Command handlers: one small pure function a verb, routed through a flat table.

A handler takes the current live state, the content, the command's arguments, who sent it and
the time, and returns the next live state and the result to reply with, or raises
`CommandError` with a message for the sender. Handlers never touch MQTT or SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from content.centre.loader import Content
from content.centre.schema import StaffStatus
from content.queue.rules import Call
from content.service.live import Announcement, Live, Review, StaffState
from content.shared import limits as cap
from content.shared.yamlfile import describe_error

MAX_ANNOUNCEMENT_CHARS = cap.ANNOUNCEMENT
MAX_ANNOUNCEMENTS = cap.ANNOUNCEMENTS
MAX_ANNOUNCEMENT_SECONDS = 366 * 24 * 3600
MAX_START_AHEAD = timedelta(days=366)
"""An announcement starts at most this far ahead."""
MAX_REASON_CHARS = 200


class CommandError(Exception):
    """The command is refused; the message tells the sender why, and `code` (in the reply too) lets a
    device word the refusal for the people in front of it: `rate_limited`, `numbers_exhausted`."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    live: Live
    result: dict[str, Any]
    calls: tuple[Call, ...] = ()
    """Call events to publish once the outcome is stored."""


Handler = Callable[[Live, Content, dict[str, Any], str, datetime], Outcome]


@dataclass(frozen=True)
class Acting:
    """Who sent the command being handled, beyond its account: whether the account is the staff console's
    (`ContentService(console_accounts=...)`), and the console login it names (`person`), which the service
    believes from that account only."""

    console: bool = False
    person: str | None = None


ACTING: ContextVar[Acting | None] = ContextVar("acting", default=None)
"""Set around each handler call (`content.service.handlers`); unset (a handler called directly, as the
unit tests do): an account that is not the console's."""


def acting() -> Acting:
    return ACTING.get() or Acting()


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


A = TypeVar("A", bound=Args)


AnnouncementText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANNOUNCEMENT_CHARS)
]
AnnouncementId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Start = Annotated[datetime, Field(strict=False)]  # ISO 8601 text from JSON
Duration = Annotated[int, Field(gt=0, le=MAX_ANNOUNCEMENT_SECONDS)]
Targets = Annotated[list[Literal["all", "led", "kiosk"]], Field(min_length=1, max_length=3)]


class AnnounceArgs(Args):
    text: AnnouncementText
    priority: Literal["normal", "high", "emergency"] = "normal"
    start: Start | None = None
    """When it goes up (default: now); `duration_s` counts from it."""
    duration_s: Duration | None = None
    targets: list[Literal["all", "led", "kiosk"]] = Field(default=["all"], min_length=1)
    review: Literal["pending"] | None = None
    """From the staff console only: the person is not one who approves, so with approval on it waits."""


class ClearArgs(Args):
    clear: AnnouncementId


class ReviewArgs(Args):
    id: AnnouncementId
    decision: Literal["approve", "reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON_CHARS)] | None = None


class EditArgs(Args):
    id: AnnouncementId
    text: AnnouncementText | None = None
    priority: Literal["normal", "high", "emergency"] | None = None
    start: Start | None = None
    duration_s: Duration | None = None
    targets: Targets | None = None


class ListArgs(Args):
    pass


class StaffArgs(Args):
    staff: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    status: StaffStatus
    substitute: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


SHOWN_PROBLEMS = 3
"""A refusal names this many problems of the arguments, then counts the rest: a reply stays short
however many wrong values a command carries."""


def parse_args(model: type[A], args: dict[str, Any]) -> A:
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        errors = exc.errors()
        said = "; ".join(describe_error(err) for err in errors[:SHOWN_PROBLEMS])
        more = len(errors) - SHOWN_PROBLEMS
        raise CommandError(f"{said}; and {more} more" if more > 0 else said) from None


def announcement_json(a: Announcement) -> dict[str, Any]:
    """An announcement as the `announcements` document carries it."""
    return {
        "id": a.id,
        "text": a.text,
        "priority": a.priority,
        "starts": a.starts.isoformat(timespec="seconds"),
        "expires": a.expires.isoformat(timespec="seconds") if a.expires else None,
        "targets": list(a.targets),
        "by": a.by,
    }


def reviewed_json(a: Announcement) -> dict[str, Any]:
    """An announcement with its review, as replies to the console carry it (never published)."""
    return {
        **announcement_json(a),
        "review": a.review,
        "reason": a.reason,
        "reviewed_by": a.reviewed_by,
        "person": a.person,
    }


CONSOLE_ONLY = "only the staff console's account may {what}: the console checks who may do it"


def _approval(content: Content) -> bool:
    return content.centre.announcements.approval


def _start(given: datetime | None, content: Content, now: datetime) -> datetime:
    """When an announcement starts: `given` (text without an offset is the centre's local time), never
    before now."""
    if given is None:
        return now
    if given.tzinfo is None:
        given = given.replace(tzinfo=ZoneInfo(content.centre.timezone))
    given = given.astimezone(now.tzinfo)
    if given - now > MAX_START_AHEAD:
        raise CommandError(f"'start' {given.isoformat(timespec='minutes')} is more than a year ahead")
    return max(given, now)


def _needs_end(priority: str, expires: datetime | None, content: Content, sender: Acting) -> None:
    """An emergency takes every screen until it ends: from the console (or with approval on) it must end."""
    if priority == "emergency" and expires is None and (sender.console or _approval(content)):
        raise CommandError(
            "an emergency announcement needs an end time ('duration_s'): it takes over every screen until it ends"
        )


def _current(live: Live, wanted: str) -> Announcement:
    if wanted not in live.announcements:
        active = ", ".join(sorted(live.announcements)) or "none"
        raise CommandError(f"no current announcement {wanted!r} (current: {active})")
    return live.announcements[wanted]


def _targets(given: Sequence[str]) -> tuple[Any, ...]:
    return ("all",) if "all" in given else tuple(dict.fromkeys(given))


def announce(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    """Add an announcement, or `{"clear": id}` one. `live` has had what is over pruned.

    With the centre's `announcements.approval` on, one the console marks `review: "pending"` (its person
    does not approve) is kept but not published until a manager approves it (`announce_review`)."""
    sender = acting()
    if "clear" in args:
        wanted = parse_args(ClearArgs, args).clear
        _current(live, wanted)
        remaining = {key: a for key, a in live.announcements.items() if key != wanted}
        return Outcome(replace(live, announcements=remaining), {"cleared": wanted})
    parsed = parse_args(AnnounceArgs, args)
    if parsed.review is not None and not sender.console:
        raise CommandError(CONSOLE_ONLY.format(what="mark an announcement for review ('review')"))
    if len(live.announcements) >= MAX_ANNOUNCEMENTS:
        current = ", ".join(sorted(live.announcements, key=lambda key: live.announcements[key].created))
        raise CommandError(
            f"{len(live.announcements)} announcements are current already, the most a hall shows; "
            f"clear one first (hall announce --clear ID; current: {current})"
        )
    starts = _start(parsed.start, content, now)
    expires = starts + timedelta(seconds=parsed.duration_s) if parsed.duration_s else None
    _needs_end(parsed.priority, expires, content, sender)
    review: Review = "pending" if parsed.review == "pending" and _approval(content) else "approved"
    seq = live.announcement_seq + 1
    created = Announcement(
        id=f"a{seq}",
        text=parsed.text,
        priority=parsed.priority,
        starts=starts,
        expires=expires,
        targets=_targets(parsed.targets),
        by=by,
        created=now,
        review=review,
        person=sender.person,
    )
    announcements = {**live.announcements, created.id: created}
    result = announcement_json(created) | ({"review": review} if sender.console else {})
    return Outcome(replace(live, announcements=announcements, announcement_seq=seq), result)


def announce_review(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    """A manager's decision on a pending announcement, from the console: approve publishes it (when its
    time comes), reject keeps it off the screens with the reason, for its author to see."""
    sender = acting()
    if not sender.console:
        raise CommandError(CONSOLE_ONLY.format(what="approve or reject an announcement ('announce_review')"))
    parsed = parse_args(ReviewArgs, args)
    found = _current(live, parsed.id)
    if found.review != "pending":
        raise CommandError(f"announcement {parsed.id!r} is {found.review}, not waiting for review")
    if parsed.decision == "reject":
        if not parsed.reason:
            raise CommandError("a rejection needs a reason ('reason'), which its author is shown")
        decided = replace(found, review="rejected", reason=parsed.reason, reviewed_by=sender.person)
    else:
        decided = replace(found, review="approved", reason=None, reviewed_by=sender.person)
    announcements = {**live.announcements, decided.id: decided}
    return Outcome(replace(live, announcements=announcements), reviewed_json(decided))


def announce_edit(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    """Change a current announcement, from the console; with approval on it waits for review again."""
    sender = acting()
    if not sender.console:
        raise CommandError(CONSOLE_ONLY.format(what="edit an announcement ('announce_edit')"))
    parsed = parse_args(EditArgs, args)
    found = _current(live, parsed.id)
    changes = parsed.model_dump(exclude_unset=True, exclude={"id"})
    if not changes:
        raise CommandError("nothing to change: give text, priority, start, duration_s or targets")
    starts = _start(parsed.start, content, now) if parsed.start is not None else found.starts
    if parsed.duration_s is not None:
        expires: datetime | None = starts + timedelta(seconds=parsed.duration_s)
    elif found.expires is not None:
        expires = starts + (found.expires - found.starts)  # the same length, from the new start
    else:
        expires = None
    priority = parsed.priority or found.priority
    _needs_end(priority, expires, content, sender)
    edited = replace(
        found,
        text=parsed.text or found.text,
        priority=priority,
        starts=starts,
        expires=expires,
        targets=_targets(parsed.targets) if parsed.targets else found.targets,
        review="pending" if _approval(content) else "approved",
        reason=None,
        reviewed_by=None,
    )
    announcements = {**live.announcements, edited.id: edited}
    return Outcome(replace(live, announcements=announcements), reviewed_json(edited))


def announce_list(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    """Every current announcement with its review, for the console (answered to the asker only)."""
    if not acting().console:
        raise CommandError(CONSOLE_ONLY.format(what="list announcements with their review ('announce_list')"))
    parse_args(ListArgs, args)
    listed = sorted(live.announcements.values(), key=lambda a: (a.created, a.id))
    return Outcome(live, {"approval": _approval(content), "announcements": [reviewed_json(a) for a in listed]})


def set_staff_status(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    parsed = parse_args(StaffArgs, args)
    known = {member.id: member for member in content.staff}
    if parsed.staff not in known:
        raise CommandError(f"no staff member {parsed.staff!r}")
    if parsed.substitute is not None:
        if parsed.status == "on_duty":
            raise CommandError("a substitute is named only when the staff member is away, off or on leave")
        if parsed.substitute not in known:
            raise CommandError(f"no staff member {parsed.substitute!r} to substitute")
        if parsed.substitute == parsed.staff:
            raise CommandError("a staff member cannot substitute for themselves")
    state = StaffState(parsed.status, now, by, parsed.substitute)
    staff = {**live.staff, parsed.staff: state}
    result = {
        "staff": parsed.staff,
        "name": known[parsed.staff].name,
        "status": state.status,
        "since": now.isoformat(timespec="seconds"),
        "substitute": state.substitute,
    }
    return Outcome(replace(live, staff=staff), result)
