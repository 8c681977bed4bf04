"""Announcement commands: `announce` (add or clear one), and from the staff console `announce_edit`,
`announce_review` (a manager's decision, with the centre's approval on) and `announce_list`.

With approval on, an announcement waits for a manager unless the one who puts it up approves (a manager,
through the console): every account's does, whichever client sent it. One may take down or edit only
one's own announcements (the same account and the same console person), a manager any."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints

from content.centre.loader import Content
from content.service.commands.base import Args, Context, Outcome, Refusal, parse_args
from content.service.live import Announcement, Live, Review
from content.shared import limits as cap
from content.shared.wire import announcements as announcements_doc

MAX_ANNOUNCEMENT_CHARS = cap.ANNOUNCEMENT
MAX_ANNOUNCEMENTS = cap.ANNOUNCEMENTS
MAX_ANNOUNCEMENT_SECONDS = 366 * 24 * 3600
MAX_START_AHEAD = timedelta(days=366)
"""An announcement starts at most this far ahead."""
MAX_REASON_CHARS = 200


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


def announcement_json(a: Announcement) -> dict[str, Any]:
    """An announcement as the `announcements` document carries it."""
    return announcements_doc.row_json(a.on_the_wire())


def reviewed_json(a: Announcement) -> dict[str, Any]:
    """An announcement with its review, as replies to the console carry it (never published)."""
    return {
        **announcement_json(a),
        "review": a.review,
        "reason": a.reason,
        "reviewed_by": a.reviewed_by,
        "person": a.person,
    }


def _approval(content: Content) -> bool:
    return content.centre.announcements.approval


def _console_only(cx: Context, what: str) -> None:
    """Review, edit and the list with reviews are the console's: it checks who may do them."""
    if not cx.console:
        raise Refusal("console_only", what=what)


def _start(given: datetime | None, content: Content, now: datetime) -> datetime:
    """When an announcement starts: `given` (text without an offset is the centre's local time), never
    before now."""
    if given is None:
        return now
    if given.tzinfo is None:
        given = given.replace(tzinfo=ZoneInfo(content.centre.timezone))
    given = given.astimezone(now.tzinfo)
    if given - now > MAX_START_AHEAD:
        raise Refusal("start_too_far", start=given.isoformat(timespec="minutes"))
    return max(given, now)


def _needs_end(priority: str, expires: datetime | None, cx: Context) -> None:
    """An emergency takes every screen until it ends: from the console (or with approval on) it must end."""
    if priority == "emergency" and expires is None and (cx.console or _approval(cx.content)):
        raise Refusal("emergency_needs_end")


def _own(cx: Context, found: Announcement) -> None:
    """Refuse unless `found` was put up by the one this command acts for, or they approve (a manager)."""
    if cx.may("approve") or (found.by == cx.sender and found.person == cx.who.person):
        return
    raise Refusal("not_own_announcement", who=cx.who.name, id=found.id, author=found.person or found.by)


def _current(live: Live, wanted: str) -> Announcement:
    if wanted not in live.announcements:
        raise Refusal("no_announcement", id=wanted, current=", ".join(sorted(live.announcements)) or "—")
    return live.announcements[wanted]


def _targets(given: Sequence[str]) -> tuple[Any, ...]:
    return ("all",) if "all" in given else tuple(dict.fromkeys(given))


def announce(cx: Context) -> Outcome:
    """Add an announcement, or `{"clear": id}` one. `cx.live` has had what is over pruned.

    With the centre's `announcements.approval` on, one the console marks `review: "pending"` (its person
    does not approve) is kept but not published until a manager approves it (`announce_review`)."""
    live, content, now = cx.live, cx.content, cx.now
    cx.require("announce")
    if "clear" in cx.args:
        wanted = parse_args(ClearArgs, cx.args).clear
        _own(cx, _current(live, wanted))
        remaining = {key: a for key, a in live.announcements.items() if key != wanted}
        return Outcome(replace(live, announcements=remaining), {"cleared": wanted})
    parsed = parse_args(AnnounceArgs, cx.args)
    if parsed.review is not None:
        _console_only(cx, "'review'")
    if len(live.announcements) >= MAX_ANNOUNCEMENTS:
        current = ", ".join(sorted(live.announcements, key=lambda key: live.announcements[key].created))
        raise Refusal("too_many_announcements", count=len(live.announcements), current=current)
    starts = _start(parsed.start, content, now)
    expires = starts + timedelta(seconds=parsed.duration_s) if parsed.duration_s else None
    _needs_end(parsed.priority, expires, cx)
    waits = parsed.review == "pending" or not cx.may("approve")
    review: Review = "pending" if waits and _approval(content) else "approved"
    seq = live.announcement_seq + 1
    created = Announcement(
        id=f"a{seq}",
        text=parsed.text,
        priority=parsed.priority,
        starts=starts,
        expires=expires,
        targets=_targets(parsed.targets),
        by=cx.sender,
        created=now,
        review=review,
        person=cx.person,
    )
    announcements = {**live.announcements, created.id: created}
    result = announcement_json(created) | ({"review": review} if cx.console or review == "pending" else {})
    return Outcome(replace(live, announcements=announcements, announcement_seq=seq), result)


def announce_review(cx: Context) -> Outcome:
    """A manager's decision on a pending announcement, from the console: approve publishes it (when its
    time comes), reject keeps it off the screens with the reason, for its author to see."""
    _console_only(cx, "announce_review")
    cx.require("approve")
    parsed = parse_args(ReviewArgs, cx.args)
    found = _current(cx.live, parsed.id)
    if found.review != "pending":
        raise Refusal("not_pending", id=parsed.id, review=found.review)
    if parsed.decision == "reject":
        if not parsed.reason:
            raise Refusal("reject_needs_reason")
        decided = replace(found, review="rejected", reason=parsed.reason, reviewed_by=cx.person)
    else:
        decided = replace(found, review="approved", reason=None, reviewed_by=cx.person)
    announcements = {**cx.live.announcements, decided.id: decided}
    return Outcome(replace(cx.live, announcements=announcements), reviewed_json(decided))


def announce_edit(cx: Context) -> Outcome:
    """Change a current announcement, from the console; with approval on it waits for review again."""
    _console_only(cx, "announce_edit")
    cx.require("announce")
    parsed = parse_args(EditArgs, cx.args)
    found = _current(cx.live, parsed.id)
    _own(cx, found)
    changes = parsed.model_dump(exclude_unset=True, exclude={"id"})
    if not changes:
        raise Refusal("nothing_to_change")
    starts = _start(parsed.start, cx.content, cx.now) if parsed.start is not None else found.starts
    if parsed.duration_s is not None:
        expires: datetime | None = starts + timedelta(seconds=parsed.duration_s)
    elif found.expires is not None:
        expires = starts + (found.expires - found.starts)  # the same length, from the new start
    else:
        expires = None
    priority = parsed.priority or found.priority
    _needs_end(priority, expires, cx)
    edited = replace(
        found,
        text=parsed.text or found.text,
        priority=priority,
        starts=starts,
        expires=expires,
        targets=_targets(parsed.targets) if parsed.targets else found.targets,
        review="pending" if _approval(cx.content) else "approved",
        reason=None,
        reviewed_by=None,
    )
    announcements = {**cx.live.announcements, edited.id: edited}
    return Outcome(replace(cx.live, announcements=announcements), reviewed_json(edited))


def announce_list(cx: Context) -> Outcome:
    """Every current announcement with its review, for the console (answered to the asker only)."""
    _console_only(cx, "announce_list")
    cx.require("view")
    parse_args(ListArgs, cx.args)
    listed = sorted(cx.live.announcements.values(), key=lambda a: (a.created, a.id))
    return cx.answer({"approval": _approval(cx.content), "announcements": [reviewed_json(a) for a in listed]})
