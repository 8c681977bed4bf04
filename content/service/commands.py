"""Command handlers: one small pure function a verb, routed through a flat table.

A handler takes the current live state, the content, the command's arguments, who sent it and
the time, and returns the next live state and the result to reply with, or raises
`CommandError` with a message for the sender. Handlers never touch MQTT or SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from content.centre.loader import Content
from content.centre.schema import StaffStatus
from content.queue.rules import Call
from content.service.live import Announcement, Live, StaffState
from content.shared import limits as cap
from content.shared.yamlfile import describe_error

MAX_ANNOUNCEMENT_CHARS = cap.ANNOUNCEMENT
MAX_ANNOUNCEMENTS = cap.ANNOUNCEMENTS
MAX_ANNOUNCEMENT_SECONDS = 366 * 24 * 3600


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


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


A = TypeVar("A", bound=Args)


class AnnounceArgs(Args):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANNOUNCEMENT_CHARS)]
    priority: Literal["normal", "high", "emergency"] = "normal"
    duration_s: int | None = Field(default=None, gt=0, le=MAX_ANNOUNCEMENT_SECONDS)
    targets: list[Literal["all", "led", "kiosk"]] = Field(default=["all"], min_length=1)


class ClearArgs(Args):
    clear: Annotated[str, StringConstraints(min_length=1, max_length=32)]


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
    return {
        "id": a.id,
        "text": a.text,
        "priority": a.priority,
        "starts": a.starts.isoformat(timespec="seconds"),
        "expires": a.expires.isoformat(timespec="seconds") if a.expires else None,
        "targets": list(a.targets),
        "by": a.by,
    }


def announce(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    """Add an announcement, or `{"clear": id}` one. `live` has had what is over pruned."""
    if "clear" in args:
        wanted = parse_args(ClearArgs, args).clear
        if wanted not in live.announcements:
            active = ", ".join(sorted(live.announcements)) or "none"
            raise CommandError(f"no current announcement {wanted!r} (current: {active})")
        remaining = {key: a for key, a in live.announcements.items() if key != wanted}
        return Outcome(replace(live, announcements=remaining), {"cleared": wanted})
    parsed = parse_args(AnnounceArgs, args)
    if len(live.announcements) >= MAX_ANNOUNCEMENTS:
        current = ", ".join(sorted(live.announcements, key=lambda key: live.announcements[key].created))
        raise CommandError(
            f"{len(live.announcements)} announcements are current already, the most a hall shows; "
            f"clear one first (hall announce --clear ID; current: {current})"
        )
    seq = live.announcement_seq + 1
    targets = ("all",) if "all" in parsed.targets else tuple(dict.fromkeys(parsed.targets))
    created = Announcement(
        id=f"a{seq}",
        text=parsed.text,
        priority=parsed.priority,
        starts=now,
        expires=now + timedelta(seconds=parsed.duration_s) if parsed.duration_s else None,
        targets=targets,
        by=by,
        created=now,
    )
    announcements = {**live.announcements, created.id: created}
    return Outcome(replace(live, announcements=announcements, announcement_seq=seq), announcement_json(created))


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
