"""The staff console (`/console`): the page a window, a hall manager and a district supervisor work from.

Served by the content service beside the public pages (`hall serve --http … --console-broker URL`). A
person logs in with a name and password of the users file (`content.accounts`, `hall user add`); the
session is a random id in an HttpOnly, SameSite=Strict cookie, ended by logout, by 30 minutes without a
request or after 8 hours. Every form and every action carries the session's CSRF token, and a request
from another origin is refused. Logins are limited per name and per client.

What a person does goes to the service as a command of the console's own broker account, naming the
person (`ConsoleLink.send`), so the audit log has both; what they may do is `content.accounts.may`:
staff act on their own window, managers on any, supervisors look. "Call next" is the service's own
command, applied one at a time on the service's loop: two browsers, or two windows, never get the
same ticket.

The page follows the hall without reloading: an event stream (`/console/events`) sends the whole state
on every change and ends after a minute, so the browser reconnects and re-syncs; where a stream cannot be
held (more than `MAX_STREAMS` open), the page polls `/console/state`. A banner says when the page has
lost the service. Nothing is fetched from outside: the script and the style are this package's own.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request

from content.accounts.sessions import LoginLimiter, Session, Sessions, csrf_ok, still_valid
from content.accounts.users import User, UserStore, may
from content.web.console_link import ConsoleLink

COOKIE: Final = "hall_console"
LOGIN_COOKIE: Final = "hall_console_login"
"""A token the login form repeats (double submit), so another site cannot log a browser in."""
MAX_STREAMS: Final = 32
"""Event streams held at once (each holds a server thread); past this the page polls."""
STREAM_S: Final = 60.0
"""A stream ends after this, and the browser reconnects: a re-sync, and no thread held for ever."""
KEEPALIVE_S: Final = 15.0
USER_CHECK_S: Final = 5.0
"""An open stream reads its user's row again this often: a disabled login's stream ends within it."""
POLL_MS: Final = 3000
STATIC: Final = Path(__file__).with_name("static")
HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STATUS_CHOICES: Final = ("on_duty", "away", "off", "leave")
ACTIONS: Final = {
    # console action: (permission, command verb)
    "call_next": ("call", "call"),
    "recall": ("call", "call"),
    "no_show": ("call", "call"),
    "done": ("call", "call"),
    "call_ticket": ("call", "call"),
    "transfer": ("call", "call"),
    "pause": ("window", "window"),
    "open": ("window", "window"),
    "status": ("status", "staff"),
}
MAX_BODY: Final = 4096
REFUSALS: Final = {
    "still_serving": "本窗口还有正在办理的号码：请先办结、转办或标记过号，再暂停服务",
    "window_paused": "本窗口已暂停服务：请先恢复服务",
    "nobody_served": "本窗口当前没有正在办理的号码",
    "no_ticket": "今天没有这个号码",
    "ticket_taken": "这个号码正在办理或已办结",
    "same_category": "这个号码已经在该类别中",
    "same_window": "这个号码已经在本窗口",
    "numbers_exhausted": "该类别今天的号码已经用完",
    "rate_limited": "操作太频繁，请稍候再试",
}
"""The service's refusals by their code, as staff read them; others are shown as the service words them."""


class ActionRefused(Exception):
    pass


def command_for(action: str, window: str, body: dict[str, Any], user: User) -> tuple[str, dict[str, Any]]:
    """The service command a console action is, or ActionRefused saying what is wrong with it."""
    if action in ("call_next", "recall", "no_show", "done"):
        kind = {"call_next": "next", "recall": "recall", "no_show": "no_show", "done": "done"}[action]
        return "call", {"window": window, "action": kind}
    if action == "call_ticket":
        ticket = str(body.get("ticket", "")).strip().upper()
        if not ticket or len(ticket) > 8:
            raise ActionRefused("请输入要呼叫的号码，如 A012")
        return "call", {"window": window, "action": "ticket", "ticket": ticket}
    if action == "transfer":
        target = str(body.get("to", "")).strip()
        kind, _, name = target.partition(":")
        if kind not in ("category", "window") or not name or len(name) > 64:
            raise ActionRefused("请选择转去的事项类别或窗口")
        key = "category" if kind == "category" else "to_window"
        return "call", {"window": window, "action": "transfer", key: name}
    if action == "pause":
        reason = str(body.get("reason", "")).strip()
        if not reason or len(reason) > 60:
            raise ActionRefused("暂停服务需要填写原因（60字以内），会向群众公示")
        return "window", {"window": window, "state": "pause", "reason": reason}
    if action == "open":
        return "window", {"window": window, "state": "open"}
    if action == "status":
        status, staff = str(body.get("status", "")), str(body.get("staff", "") or user.staff_id or "")
        if status not in STATUS_CHOICES:
            raise ActionRefused(f"在岗状态应为：{'、'.join(STATUS_CHOICES)}")
        if not staff:
            raise ActionRefused("这个账号没有对应的工作人员编号，不能设置在岗状态")
        args: dict[str, Any] = {"staff": staff, "status": status}
        substitute = str(body.get("substitute", "")).strip()
        if substitute:
            args["substitute"] = substitute[:64]
        return "staff", args
    raise ActionRefused(f"未知操作 {action[:40]!r}")


@dataclass
class Console:
    """What every part of the console shares: the users, the sessions, the link to the hall, and the
    checks each request goes through. Parts (`content.web.console_*`) add their routes to `bp` with
    these, and a tab to `nav`."""

    users: UserStore
    link: ConsoleLink
    sessions: Sessions
    limiter: LoginLimiter
    clock: Callable[[], float]
    preview: Preview | None = None
    state: Path | None = None
    bp: Blueprint = field(default_factory=lambda: Blueprint("console", __name__, template_folder="templates"))
    nav: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    """(path, label, roles that see it), in the order of the tabs."""
    scripts: list[str] = field(default_factory=list)
    """Files of `static/` the pages may load besides console.js and console.css."""

    @staticmethod
    def secured(response: Response) -> Response:
        response.headers.update(HEADERS)
        return response

    def page(self, template: str, status: int = 200, **values: Any) -> Response:
        found = self.current()
        values.setdefault("centre", self.centre_name())
        if found is not None:
            values.setdefault("user", found[1])
            values.setdefault("csrf", found[0].csrf)
            values.setdefault("nav", [(path, label) for path, label, roles in self.nav if found[1].role in roles])
        values.setdefault("here", request.path)
        return self.secured(Response(render_template(template, **values), status=status, mimetype="text/html"))

    @staticmethod
    def same_origin() -> bool:
        """A POST from this site only: Origin (or Referer) names this host, when the browser sends one."""
        given = request.headers.get("Origin") or request.headers.get("Referer")
        if given is None:
            return True
        return urlsplit(given).netloc == request.host

    def current(self) -> tuple[Session, User] | None:
        """The session of this request and its user, if it has one that still holds."""
        return self.by_session(request.cookies.get(COOKIE, ""))

    def by_session(self, session_id: str) -> tuple[Session, User] | None:
        session = self.sessions.get(session_id)
        if session is None:
            return None
        user = self.users.get(session.user)
        if user is None or not still_valid(session, user):
            self.sessions.end(session.id)
            return None
        return session, user

    def json(self, body: Any, status: int = 200) -> Response:
        return self.secured(Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json"))

    def refuse(self, status: int, text: str) -> Response:
        return self.json({"ok": False, "error": text}, status)

    def posted(self) -> tuple[Session, User] | Response:
        """A POST's session and user, or the refusal: no session (401), another origin or a wrong CSRF
        token (403, from the X-CSRF-Token header or the form's `csrf`), a body past `MAX_BODY` (413)."""
        found = self.current()
        if found is None:
            return self.refuse(401, "登录已过期，请重新登录")
        given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
        if not self.same_origin() or not csrf_ok(found[0], given):
            return self.refuse(403, "请求无效，请刷新页面")
        if (request.content_length or 0) > MAX_BODY:
            return self.refuse(413, "请求过大")
        return found

    def centre_name(self) -> str:
        _version, state = self.link.state()
        centre = state.get("centre") or {}
        return str(centre.get("name", "")) if isinstance(centre, dict) else ""


@dataclass(frozen=True)
class ConsoleSetup:
    """What `hall serve` (or `hall demo`) hands the web server for the console."""

    users: UserStore
    link: ConsoleLink
    preview: Preview | None = None
    state: Path | None = None
    """The service's state file, whose audit log managers and supervisors read (read-only)."""


Preview = Callable[[dict[str, Any]], dict[str, bytes]]
"""An announcement (text, priority) → a PNG a display, by profile name: the LED driver's own renderers,
handed in by `hall` (content may not import a device)."""
Part = Callable[[Console], None]
"""A part of the console: adds its routes to `console.bp` and its tab to `console.nav`."""


def add_console(
    app: Flask,
    users: UserStore,
    link: ConsoleLink,
    *,
    sessions: Sessions | None = None,
    limiter: LoginLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    preview: Preview | None = None,
    state: Path | None = None,
    parts: Sequence[Part] | None = None,
) -> Console:
    ctx = Console(
        users, link, sessions or Sessions(clock=clock), limiter or LoginLimiter(clock=clock), clock, preview, state
    )
    sessions, limiter = ctx.sessions, ctx.limiter
    streams = threading.BoundedSemaphore(MAX_STREAMS)
    bp = ctx.bp
    app.extensions["console"] = ctx
    ctx.nav.append(("/console", "窗口工作", frozenset({"staff", "manager", "supervisor"})))
    secured, same_origin, current, refuse, centre_name = (
        ctx.secured, ctx.same_origin, ctx.current, ctx.refuse, ctx.centre_name
    )  # fmt: skip

    def page(template: str, status: int = 200, **values: Any) -> Response:
        return ctx.page(template, status, **values)

    made: dict[tuple[int, str | None], str] = {}
    made_lock = threading.Lock()

    def encoded(version: int, state: dict[str, Any], user: User) -> str:
        """The state as a page gets it, made once a version for all the pages that show it alike (a
        window's staff see their window first): twenty open consoles cost one encoding, not twenty."""
        key = (version, user.window if user.role == "staff" else None)
        with made_lock:
            found = made.get(key)
            if found is None:
                if made and next(iter(made))[0] != version:
                    made.clear()
                found = made[key] = json.dumps({"version": version, "state": view(state, user)}, ensure_ascii=False)
                while len(made) > 64:
                    made.pop(next(iter(made)))
            return found

    @bp.get("/console/login")
    def login_form() -> Response:
        token = secrets.token_urlsafe(24)
        response = page("console_login.html", centre=centre_name(), token=token, error=None)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/console",
                            secure=request.is_secure, max_age=3600)  # fmt: skip
        return response

    @bp.post("/console/login")
    def login() -> Response:
        token = request.cookies.get(LOGIN_COOKIE, "")
        given = request.form.get("token", "")
        if not same_origin() or not token or not hmac.compare_digest(token, given):
            return page(
                "console_login.html", 403, centre=centre_name(), token=token, error="请求无效，请刷新页面后重新登录"
            )
        name = request.form.get("name", "").strip().lower()[:64]
        password = request.form.get("password", "")[:512]
        client = request.remote_addr or "?"
        wait = limiter.allowed(name, client)
        if wait > 0:
            text = f"登录尝试过多，请 {int(wait // 60) + 1} 分钟后再试"
            response = page("console_login.html", 429, centre=centre_name(), token=token, error=text)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        user = users.verify(name, password)
        if user is None:
            limiter.failed(name, client)
            return page("console_login.html", 401, centre=centre_name(), token=token, error="用户名或密码不正确")
        limiter.succeeded(name, client)
        session = sessions.create(user)
        response = secured(redirect("/console", 303))  # type: ignore[arg-type]
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="Strict", path="/console",
                            secure=request.is_secure)  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/console")
        return response

    @bp.post("/console/logout")
    def logout() -> Response:
        found = current()
        if found is not None and same_origin() and csrf_ok(found[0], request.form.get("csrf", "")):
            sessions.end(found[0].id)
        response = secured(redirect("/console/login", 303))  # type: ignore[arg-type]
        response.delete_cookie(COOKIE, path="/console")
        return response

    @bp.get("/console")
    def console() -> Response:
        found = current()
        if found is None:
            return secured(redirect("/console/login", 303))  # type: ignore[arg-type]
        session, user = found
        version, state = link.state()
        boot = {"version": version, "state": view(state, user), "user": user_json(user), "poll_ms": POLL_MS}
        return page("console.html", centre=centre_name(), user=user, csrf=session.csrf, boot=boot)

    @bp.get("/console/state")
    def state_now() -> Response:
        found = current()
        if found is None:
            return refuse(401, "登录已过期，请重新登录")
        version, state = link.state()
        return secured(Response(encoded(version, state, found[1]), mimetype="application/json"))

    @bp.get("/console/events")
    def events() -> Response:
        found = current()
        if found is None:
            return refuse(401, "登录已过期，请重新登录")
        if not streams.acquire(blocking=False):
            return refuse(503, "too many open streams: poll /console/state")
        session_id = found[0].id

        def stream() -> Iterator[str]:
            try:
                yield "retry: 2000\n\n"
                ends = clock() + STREAM_S
                version, checked = -1, clock()
                user: User | None = found[1]
                while clock() < ends and not link.closed:
                    # The session (in memory) on every event; the user's row (the users file) every few
                    # seconds, not once an event for every open stream.
                    session = sessions.get(session_id)
                    if session is not None and clock() - checked >= USER_CHECK_S:
                        held = ctx.by_session(session_id)
                        user, checked = (held[1] if held else None), clock()
                    if session is None or user is None:
                        yield "event: logout\ndata: {}\n\n"
                        return
                    newer, state = link.state()
                    if newer != version:
                        version = newer
                        body = encoded(version, state, user)
                        yield f"event: state\ndata: {body}\n\n"
                        continue
                    if link.wait_newer(version, min(KEEPALIVE_S, max(0.0, ends - clock()))) == version:
                        yield ": still here\n\n"
            finally:
                streams.release()

        response = Response(stream(), mimetype="text/event-stream")
        response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        return secured(response)

    @bp.post("/console/act")
    def act() -> Response:
        found = ctx.posted()
        if isinstance(found, Response):
            return found
        _session, user = found
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return refuse(400, "请求格式不正确")
        action, window = str(body.get("action", ""))[:32], str(body.get("window", ""))[:64]
        if action not in ACTIONS:
            return refuse(400, f"未知操作 {action!r}")
        permission = ACTIONS[action][0]
        staff = str(body.get("staff") or user.staff_id or "") or None
        if not may(user, permission, window, staff=staff if permission == "status" else None):  # type: ignore[arg-type]
            return refuse(
                403, "没有权限：工作人员只能操作本窗口" if user.role == "staff" else "没有权限：只读账号不能操作"
            )
        try:
            verb, args = command_for(action, window, body, user)
        except ActionRefused as exc:
            return refuse(400, str(exc))
        reply = link.ask(verb, args, user.name)
        status = 200 if reply.get("ok") else 409
        error = REFUSALS.get(str(reply.get("code")), reply.get("error"))
        out = {"ok": bool(reply.get("ok")), "result": reply.get("result"), "error": error, "code": reply.get("code")}
        return secured(Response(json.dumps(out, ensure_ascii=False), status, mimetype="application/json"))

    @bp.get("/console/static/<name>")
    def static_file(name: str) -> Response:
        files = {"console.js": "text/javascript", "console.css": "text/css"}
        files |= {extra: "text/javascript" if extra.endswith(".js") else "text/css" for extra in ctx.scripts}
        if name not in files:
            abort(404)
        response = Response((STATIC / name).read_bytes(), mimetype=files[name])
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    if parts is None:
        from content.web import console_announce, console_audit, console_devices, console_today

        parts = (console_announce.add, console_devices.add, console_today.add, console_audit.add)
    for part in parts:
        part(ctx)
    app.register_blueprint(bp)
    return ctx


def user_json(user: User) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "window": user.window, "staff": user.staff_id}


def _dicts(value: Any, most: int) -> list[dict[str, Any]]:
    """The objects of a list as a document sent it, at most `most`; anything else, nothing."""
    return [v for v in value[:most] if isinstance(v, dict)] if isinstance(value, list) else []


def view(state: dict[str, Any], user: User) -> dict[str, Any]:
    """What the page shows, from the documents as the service sent them (read defensively: a list that is
    not one is left out; the page sets every value as text)."""
    queue: dict[str, Any] = state["queue"] if isinstance(state.get("queue"), dict) else {}
    staff_doc: dict[str, Any] = state["staff"] if isinstance(state.get("staff"), dict) else {}
    windows = _dicts(queue.get("windows"), 200)
    if user.role == "staff":
        windows.sort(key=lambda w: w.get("id") != user.window)
    return {
        "online": bool(state.get("online")),
        "day": queue.get("day") if isinstance(queue.get("day"), str) else None,
        "windows": windows,
        "categories": _dicts(queue.get("categories"), 200),
        "last_calls": _dicts(queue.get("last_calls"), 20),
        "staff": _dicts(staff_doc.get("staff"), 200),
        "last_call": state.get("last_call") if isinstance(state.get("last_call"), dict) else None,
    }
