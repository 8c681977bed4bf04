"""The staff console's announcements page (`/console/announce`, tab 公告).

A form for an announcement (text, priority, the screens it is for, when it starts and ends) with a live
preview drawn by the LED driver's own renderers (`Console.preview`, handed in by `hall`), and the list of
current announcements with their review. With the centre's `announcements.approval` on, a window's
announcement waits for a manager (`content.accounts.users.announce_as`): managers see the pending ones
with 批准 and 驳回 (with a reason). Anyone who may announce takes down (撤下) their own; managers any. A
supervisor sees the list and nothing else.

Every change is the service's own command, sent as the console's account naming the person
(`announce`, `announce_review`, `announce_edit`); the list is the service's answer to `announce_list`,
kept here for `LIST_FOR_S` (the service records every command it answers, so the page does not ask
it on every poll), and asked again after every change made here and whenever the published
`announcements` document changes.
"""

from __future__ import annotations

import base64
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from flask import Response

from content.accounts.users import Action, User, announce_as, may
from content.shared import graphemes
from content.shared import limits as cap
from content.shared.catalog import N_, domain
from content.web.console import reading
from content.web.console.base import Asked, Console, Route, View, may_do

PATH: Final = "/console/announce"
PRIORITIES: Final = {"normal": N_("Normal"), "high": N_("Important"), "emergency": N_("Emergency")}
TARGETS: Final = {"all": N_("All screens"), "led": N_("LED screens"), "kiosk": N_("Touch screens")}
DURATIONS: Final = (0, 1800, 3600, 7200, 14400, 28800)
"""The form's choice of how long an announcement stays up (0: until taken down)."""
MAX_SECONDS: Final = 366 * 24 * 3600
MAX_REASON: Final = 200
LIST_FOR_S: Final = 30.0
"""How long the list the service gave is shown without asking again (a change made here asks at once)."""
PREVIEWS_AT_ONCE: Final = 2
"""Previews drawn at the same time (each takes ~50 ms of CPU); a request waits for its turn."""
PREVIEW_WAIT_S: Final = 5.0
EMERGENCY_WARNING: Final = N_("An emergency notice takes over every screen at once")
ROLES: Final = frozenset({"staff", "manager", "supervisor"})
TAB: Final = N_("Announcements")
READ_ONLY: Final = N_("Not allowed: a read-only account cannot publish announcements")

_ = domain("console").gettext


PREVIEW_FRAMES: Final = (
    ("wall-1920x1080", "r16x9", N_("Hall wall 1920×1080")),
    ("wall-768x384", "r2x1", N_("Guide screen over the comprehensive window 768×384")),
    ("window-192x64", "r3x1", N_("Window screen 192×64 (shown 4 times as large)")),
    ("strip-128x32", "r4x1", N_("Calling strip 128×32 (shown 4 times as large)")),
)
"""The displays the preview draws (`Console.preview`'s profiles): id, aspect class, caption."""
PREVIEW_DOCUMENTS: Final = ("centre", "queue", "staff")
"""The hall's own documents a preview is drawn with: its name and hours, windows, waiting, calls, staff."""


class Refused(Exception):
    pass


def hall_now(state: dict[str, Any], user: User) -> dict[str, Any]:
    """What a preview draws besides the announcement: the hall as its documents say now (its windows,
    queue and staff), the window the preview's window screen is (the person's own, else the first), and
    the moment in the centre's time zone."""
    documents = {topic: state[topic] for topic in PREVIEW_DOCUMENTS if isinstance(state.get(topic), dict)}
    windows = [w.id for w in reading.queue(state).windows]
    window = user.window if user.window in windows else (windows[0] if windows else None)
    return {"documents": documents, "window": window, "now": datetime.now(reading.zone(state)).isoformat()}


def _local(value: Any, zone: ZoneInfo, wrong: str) -> datetime | None:
    """A datetime-local field's value (YYYY-MM-DDTHH:MM, the centre's time), or None when empty; Refused
    with `wrong` when it is not one."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise Refused(wrong)
    try:
        given = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(wrong) from None
    return given.replace(tzinfo=zone) if given.tzinfo is None else given.astimezone(zone)


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused(_("Write the announcement"))
    text = text.strip()
    count = graphemes.length(text)  # as a reader counts them: one for 𠮷, one for an emoji
    if count > cap.ANNOUNCEMENT:
        raise Refused(
            _("An announcement has at most {most} characters; this one has {count}").format(
                most=cap.ANNOUNCEMENT, count=count
            )
        )
    return text


def _priority(body: dict[str, Any]) -> str:
    priority = body.get("priority", "normal")
    if priority not in PRIORITIES:
        raise Refused(_("The priority should be normal, important or emergency"))
    return str(priority)


def _targets(body: dict[str, Any]) -> list[str]:
    targets = body.get("targets", ["all"])
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, list) or not targets or not all(t in TARGETS for t in targets) or len(targets) > 3:
        raise Refused(_("The screens should be all screens, the LED screens or the touch screens"))
    return list(dict.fromkeys(targets))


def announce_args(body: dict[str, Any], user: User, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The service's `announce` arguments of the form, or Refused saying what to correct."""
    args: dict[str, Any] = {"text": _text(body), "priority": _priority(body), "targets": _targets(body)}
    start = _local(body.get("start"), zone, _("The start is not in the right form: year-month-day hour:minute"))
    end = _local(body.get("end"), zone, _("The end is not in the right form: year-month-day hour:minute"))
    duration = body.get("duration_s")
    if duration in (None, "", 0, "0"):
        duration = None
    elif isinstance(duration, str) and duration.isdigit():
        duration = int(duration)
    if duration is not None and (not isinstance(duration, int) or not 0 < duration <= MAX_SECONDS):
        raise Refused(_("The time it is shown for is not right"))
    begins = max(start, now) if start is not None else now
    if start is not None and start - now > timedelta(days=366):
        raise Refused(_("The start cannot be more than a year from now"))
    if end is not None:
        if end <= begins:
            raise Refused(_("The end should be after the start (and after now)"))
        duration = min(MAX_SECONDS, int((end - begins).total_seconds()))
    if args["priority"] == "emergency":
        if duration is None:
            raise Refused(
                _("An emergency notice needs an end or a time it is shown for: it takes over every screen until then")
            )
        if body.get("confirm") is not True:
            raise Refused(_("Please confirm: {warning}").format(warning=_(EMERGENCY_WARNING)))
    if start is not None and start > now:
        args["start"] = start.isoformat(timespec="seconds")
    if duration is not None:
        args["duration_s"] = duration
    if announce_as(user) == "pending":
        args["review"] = "pending"  # the service holds it back when the hall has approval on
    return args


class Listing:
    """The service's `announce_list` answer, kept for `LIST_FOR_S` or until the published document changes."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._lock = threading.Lock()
        self._kept: tuple[float, Any, dict[str, Any]] | None = None

    def forget(self) -> None:
        with self._lock:
            self._kept = None

    def get(self, person: str) -> dict[str, Any]:
        _version, state = self._console.link.state()
        doc = state.get("announcements")
        rev = doc.get("rev") if isinstance(doc, dict) else None
        with self._lock:
            kept = self._kept
            if kept is not None and kept[1] == rev and time.monotonic() - kept[0] < LIST_FOR_S:
                return kept[2]
            reply = self._console.link.ask("announce_list", {}, person)
            if not reply.get("ok") or not isinstance(reply.get("result"), dict):
                said = str(reply.get("error") or _("The service did not answer"))
                return {"ok": False, "error": said, "announcements": []}
            result = reply["result"]
            listed = result.get("announcements")
            answer = {
                "ok": True,
                "approval": result.get("approval") is True,
                "announcements": [a for a in listed[: cap.ANNOUNCEMENTS] if isinstance(a, dict)]
                if isinstance(listed, list)
                else [],
            }
            self._kept = (time.monotonic(), rev, answer)
            return answer


def _shown_to(user: User, listing: dict[str, Any]) -> dict[str, Any]:
    """The list as `user` sees it: what each row lets them do."""
    rows = []
    for a in listing.get("announcements", []):
        mine = a.get("person") == user.name
        rows.append(
            {
                **a,
                "mine": mine,
                "may_clear": may(user, "announce") and (mine or may(user, "approve")),
                "may_review": may(user, "approve") and a.get("review") == "pending",
            }
        )
    return {**listing, "announcements": rows}


class Announce:
    """The tab's routes, with the service's list kept and the previews drawn a few at a time."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.listing = Listing(console)
        self.previews = threading.BoundedSemaphore(PREVIEWS_AT_ONCE)

    def routes(self) -> list[Route]:
        def post(rule: str, view: View, action: Action, refusal: str) -> Route:
            return Route(rule, view, methods=("POST",), allowed=may_do(action), forbidden=refusal, body=True)

        return [
            Route(PATH, self.page, login="page"),
            Route(PATH + "/list", self.listed),
            post(PATH + "/preview", self.preview, "announce", READ_ONLY),
            post(PATH, self.submit, "announce", READ_ONLY),
            post(
                PATH + "/review",
                self.review,
                "approve",
                N_("Not allowed: only the centre's manager reviews announcements"),
            ),
            post(
                PATH + "/edit",
                self.edit,
                "announce",
                N_("Not allowed: a read-only account cannot change announcements"),
            ),
            post(
                PATH + "/clear",
                self.clear,
                "announce",
                N_("Not allowed: a read-only account cannot take announcements down"),
            ),
        ]

    def _not_theirs(self, user: User, wanted: str, refusal: str) -> Response | None:
        """The refusal when `user` may not act on announcement `wanted` (someone else's, for staff: `refusal`;
        gone), from who put it up as the service says now; None when they may."""
        self.listing.forget()
        row = next((a for a in self.listing.get(user.name).get("announcements", []) if a.get("id") == wanted), None)
        if row is None:
            return self.console.refuse(404, _("There is no such announcement (it may have ended or been taken down)"))
        if not may(user, "approve") and row.get("person") != user.name:
            return self.console.refuse(403, refusal)
        return None

    def _answer(self, reply: dict[str, Any]) -> Response:
        self.listing.forget()
        ok = bool(reply.get("ok"))
        error = reply.get("error")
        return self.console.json({"ok": ok, "result": reply.get("result"), "error": error}, 200 if ok else 409)

    def page(self, asked: Asked) -> Response:
        user, state = asked.user, self.console.link.state()[1]
        approval = reading.approval_on(state)
        boot = {
            "user": {"name": user.name, "role": user.role},
            "may_announce": may(user, "announce"),
            "may_approve": may(user, "approve"),
            "waits": announce_as(user) == "pending" and approval,
            "approval": approval,
            "max_chars": cap.ANNOUNCEMENT,
            "preview": self.console.preview is not None,
            "priorities": {key: _(name) for key, name in PRIORITIES.items()},
            "targets": {key: _(name) for key, name in TARGETS.items()},
            "durations": DURATIONS,
            "warning": _(EMERGENCY_WARNING),
        }
        return self.console.page(
            "console_announce.html", boot=boot, max_chars=cap.ANNOUNCEMENT, previews=PREVIEW_FRAMES, targets=TARGETS
        )

    def listed(self, asked: Asked) -> Response:
        shown = _shown_to(asked.user, self.listing.get(asked.user.name))
        return self.console.json(shown, 200 if shown.get("ok") else 503)

    def preview(self, asked: Asked) -> Response:
        console, body = self.console, asked.body
        if console.preview is None:
            return console.refuse(503, _("This service has no preview"))
        text = body.get("text")
        wanted = {
            "text": graphemes.cut(text, cap.ANNOUNCEMENT, mark="") if isinstance(text, str) else "",
            "priority": body.get("priority") if body.get("priority") in PRIORITIES else "normal",
            "targets": [t for t in body.get("targets", ["all"]) if t in TARGETS][:3]
            if isinstance(body.get("targets"), list)
            else ["all"],
            "centre": console.centre_name(),
            **hall_now(console.link.state()[1], asked.user),
        }
        if not self.previews.acquire(timeout=PREVIEW_WAIT_S):
            return console.refuse(503, _("The preview is busy: please wait a moment"))
        try:
            started = time.perf_counter()
            images = console.preview(wanted)
            took_ms = (time.perf_counter() - started) * 1000
        finally:
            self.previews.release()
        urls = {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, png in images.items()}
        return console.json({"ok": True, "images": urls, "ms": round(took_ms)})

    def _args(self, asked: Asked) -> dict[str, Any]:
        zone = reading.zone(self.console.link.state()[1])
        return announce_args(asked.body, asked.user, zone, datetime.now(zone))

    def submit(self, asked: Asked) -> Response:
        try:
            args = self._args(asked)
        except Refused as exc:
            return self.console.refuse(400, str(exc))
        return self._answer(self.console.link.ask("announce", args, asked.user.name))

    def review(self, asked: Asked) -> Response:
        body = asked.body
        wanted, decision = str(body.get("id", ""))[:32], body.get("decision")
        if not wanted or decision not in ("approve", "reject"):
            return self.console.refuse(400, _("Choose the announcement to review and the decision"))
        args: dict[str, Any] = {"id": wanted, "decision": decision}
        if decision == "reject":
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason.strip() or graphemes.length(reason.strip()) > MAX_REASON:
                return self.console.refuse(
                    400,
                    _("A rejection needs a reason of at most {most} characters: its author sees it").format(
                        most=MAX_REASON
                    ),
                )
            args["reason"] = reason.strip()
        return self._answer(self.console.link.ask("announce_review", args, asked.user.name))

    def edit(self, asked: Asked) -> Response:
        """An announcement changed: its author's, or any for a manager; with approval on, back to pending."""
        user = asked.user
        wanted = str(asked.body.get("id", ""))[:32]
        refused = self._not_theirs(user, wanted, _("Not allowed: you may change only the announcements you put up"))
        if refused is not None:
            return refused
        try:
            args = self._args(asked)
        except Refused as exc:
            return self.console.refuse(400, str(exc))
        args.pop("review", None)  # an edit goes back to pending by the service's own rule
        return self._answer(self.console.link.ask("announce_edit", {"id": wanted, **args}, user.name))

    def clear(self, asked: Asked) -> Response:
        user = asked.user
        wanted = str(asked.body.get("id", ""))[:32]
        if not may(user, "approve"):  # a manager takes down any, even one the list has not shown yet
            refused = self._not_theirs(
                user, wanted, _("Not allowed: you may take down only the announcements you put up")
            )
            if refused is not None:
                return refused
        return self._answer(self.console.link.ask("announce", {"clear": wanted}, user.name))


def add(console: Console) -> None:
    """The tab, its script and its style."""
    console.nav.append((PATH, TAB, ROLES))
    console.scripts.extend(["console_announce.js", "console_announce.css"])
    console.add(Announce(console).routes())
