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
from content.shared import limits as cap
from content.web.console import reading
from content.web.console.base import Asked, Console, Route, View, may_do

PATH: Final = "/console/announce"
PRIORITIES: Final = {"normal": "普通", "high": "重要", "emergency": "紧急"}
TARGETS: Final = {"all": "所有屏幕", "led": "LED屏", "kiosk": "触摸屏"}
DURATIONS: Final = (0, 1800, 3600, 7200, 14400, 28800)
"""The form's choice of how long an announcement stays up (0: until taken down)."""
MAX_SECONDS: Final = 366 * 24 * 3600
MAX_REASON: Final = 200
LIST_FOR_S: Final = 30.0
"""How long the list the service gave is shown without asking again (a change made here asks at once)."""
PREVIEWS_AT_ONCE: Final = 2
"""Previews drawn at the same time (each takes ~50 ms of CPU); a request waits for its turn."""
PREVIEW_WAIT_S: Final = 5.0
EMERGENCY_WARNING: Final = "紧急通知将立即占用所有屏幕"
ROLES: Final = frozenset({"staff", "manager", "supervisor"})


class Refused(Exception):
    pass


def _local(value: Any, zone: ZoneInfo, what: str) -> datetime | None:
    """A datetime-local field's value (YYYY-MM-DDTHH:MM, the centre's time), or None when empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise Refused(f"{what}格式不正确")
    try:
        given = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{what}格式不正确，应为 年-月-日 时:分") from None
    return given.replace(tzinfo=zone) if given.tzinfo is None else given.astimezone(zone)


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused("请填写公告内容")
    text = text.strip()
    if len(text) > cap.ANNOUNCEMENT:
        raise Refused(f"公告内容最多 {cap.ANNOUNCEMENT} 个字，现在 {len(text)} 个")
    return text


def _priority(body: dict[str, Any]) -> str:
    priority = body.get("priority", "normal")
    if priority not in PRIORITIES:
        raise Refused("级别应为：普通、重要或紧急")
    return str(priority)


def _targets(body: dict[str, Any]) -> list[str]:
    targets = body.get("targets", ["all"])
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, list) or not targets or not all(t in TARGETS for t in targets) or len(targets) > 3:
        raise Refused("显示位置应为：所有屏幕、LED屏或触摸屏")
    return list(dict.fromkeys(targets))


def announce_args(body: dict[str, Any], user: User, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The service's `announce` arguments of the form, or Refused saying what to correct."""
    args: dict[str, Any] = {"text": _text(body), "priority": _priority(body), "targets": _targets(body)}
    start = _local(body.get("start"), zone, "开始时间")
    end = _local(body.get("end"), zone, "结束时间")
    duration = body.get("duration_s")
    if duration in (None, "", 0, "0"):
        duration = None
    elif isinstance(duration, str) and duration.isdigit():
        duration = int(duration)
    if duration is not None and (not isinstance(duration, int) or not 0 < duration <= MAX_SECONDS):
        raise Refused("显示时长不正确")
    begins = max(start, now) if start is not None else now
    if start is not None and start - now > timedelta(days=366):
        raise Refused("开始时间不能晚于一年以后")
    if end is not None:
        if end <= begins:
            raise Refused("结束时间应晚于开始时间（和现在）")
        duration = min(MAX_SECONDS, int((end - begins).total_seconds()))
    if args["priority"] == "emergency":
        if duration is None:
            raise Refused("紧急通知必须设定结束时间或显示时长：它会占用所有屏幕直到结束")
        if body.get("confirm") is not True:
            raise Refused(f"请确认：{EMERGENCY_WARNING}")
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
                return {"ok": False, "error": str(reply.get("error") or "服务没有回答"), "announcements": []}
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
            post(PATH + "/preview", self.preview, "announce", "没有权限：只读账号不能发布公告"),
            post(PATH, self.submit, "announce", "没有权限：只读账号不能发布公告"),
            post(PATH + "/review", self.review, "approve", "没有权限：只有中心负责人可以审核公告"),
            post(PATH + "/edit", self.edit, "announce", "没有权限：只读账号不能修改公告"),
            post(PATH + "/clear", self.clear, "announce", "没有权限：只读账号不能撤下公告"),
        ]

    def _not_theirs(self, user: User, wanted: str, what: str) -> Response | None:
        """The refusal when `user` may not `what` announcement `wanted` (someone else's, for staff; gone),
        from who put it up as the service says now; None when they may."""
        self.listing.forget()
        row = next((a for a in self.listing.get(user.name).get("announcements", []) if a.get("id") == wanted), None)
        if row is None:
            return self.console.refuse(404, "没有这条公告（可能已结束或已撤下）")
        if not may(user, "approve") and row.get("person") != user.name:
            return self.console.refuse(403, f"没有权限：只能{what}自己发布的公告")
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
            "priorities": PRIORITIES,
            "targets": TARGETS,
            "durations": DURATIONS,
            "warning": EMERGENCY_WARNING,
        }
        return self.console.page("console_announce.html", boot=boot, max_chars=cap.ANNOUNCEMENT)

    def listed(self, asked: Asked) -> Response:
        shown = _shown_to(asked.user, self.listing.get(asked.user.name))
        return self.console.json(shown, 200 if shown.get("ok") else 503)

    def preview(self, asked: Asked) -> Response:
        console, body = self.console, asked.body
        if console.preview is None:
            return console.refuse(503, "本服务没有配置预览")
        text = body.get("text")
        wanted = {
            "text": text[: cap.ANNOUNCEMENT] if isinstance(text, str) else "",
            "priority": body.get("priority") if body.get("priority") in PRIORITIES else "normal",
            "targets": [t for t in body.get("targets", ["all"]) if t in TARGETS][:3]
            if isinstance(body.get("targets"), list)
            else ["all"],
            "centre": console.centre_name(),
        }
        if not self.previews.acquire(timeout=PREVIEW_WAIT_S):
            return console.refuse(503, "预览繁忙，请稍候")
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
            return self.console.refuse(400, "请选择要审核的公告和审核结果")
        args: dict[str, Any] = {"id": wanted, "decision": decision}
        if decision == "reject":
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > MAX_REASON:
                return self.console.refuse(400, f"驳回需要填写原因（{MAX_REASON}字以内），提交人会看到")
            args["reason"] = reason.strip()
        return self._answer(self.console.link.ask("announce_review", args, asked.user.name))

    def edit(self, asked: Asked) -> Response:
        """An announcement changed: its author's, or any for a manager; with approval on, back to pending."""
        user = asked.user
        wanted = str(asked.body.get("id", ""))[:32]
        refused = self._not_theirs(user, wanted, "修改")
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
            refused = self._not_theirs(user, wanted, "撤下")
            if refused is not None:
                return refused
        return self._answer(self.console.link.ask("announce", {"clear": wanted}, user.name))


def add(console: Console) -> None:
    """The tab, its script and its style."""
    console.nav.append((PATH, "公告", ROLES))
    console.scripts.extend(["console_announce.js", "console_announce.css"])
    console.add(Announce(console).routes())
