"""The console's window page (`/console`, tab 窗口工作): what a window works from, following the hall.

An event stream (`/console/events`) sends the whole state on every change and ends after a minute, so the
browser reconnects and re-syncs; where a stream cannot be held (more than `MAX_STREAMS` open), the page
polls `/console/state`. A click is one `POST /console/act` naming an action of `actions.ACTIONS`, sent
as the service's own command (`ConsoleLink.ask`) naming the person. "Call next" is applied one at a time
on the service's loop: two browsers, or two windows, never get the same ticket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any, Final

from flask import Response

from content.accounts.users import User, may
from content.shared.catalog import N_, domain
from content.web.console import reading
from content.web.console.actions import ACTIONS, ActionRefused, command_for
from content.web.console.base import ALL_ROLES, Asked, Console, Route

MAX_STREAMS: Final = 32
"""Event streams held at once (each holds a server thread); past this the page polls."""
STREAM_S: Final = 60.0
"""A stream ends after this, and the browser reconnects: a re-sync, and no thread held for ever."""
KEEPALIVE_S: Final = 15.0
USER_CHECK_S: Final = 5.0
"""An open stream reads its user's row again this often: a disabled login's stream ends within it."""
POLL_MS: Final = 3000
MADE_KEPT: Final = 64
TAB: Final = N_("Window work")

_ = domain("console").gettext


def user_json(user: User) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "window": user.window, "staff": user.staff_id}


class Window:
    """The tab's routes, with the state encoded once a version and the count of open streams."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self._made: dict[tuple[int, str | None], str] = {}
        self._made_lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [
            Route("/console", self.page, login="page"),
            Route("/console/state", self.state_now),
            Route("/console/events", self.events),
            Route("/console/act", self.act, methods=("POST",), body=True),
        ]

    def encoded(self, version: int, state: dict[str, Any], user: User) -> str:
        """The state as a page gets it, made once a version for all the pages that show it alike (a
        window's staff see their window first): twenty open consoles cost one encoding, not twenty."""
        key = (version, user.window if user.role == "staff" else None)
        with self._made_lock:
            made = self._made
            found = made.get(key)
            if found is None:
                if made and next(iter(made))[0] != version:
                    made.clear()
                body = {"version": version, "state": reading.view(state, user)}
                found = made[key] = json.dumps(body, ensure_ascii=False)
                while len(made) > MADE_KEPT:
                    made.pop(next(iter(made)))
            return found

    def page(self, asked: Asked) -> Response:
        version, state = self.console.link.state()
        user = asked.user
        boot = {"version": version, "state": reading.view(state, user), "user": user_json(user), "poll_ms": POLL_MS}
        return self.console.page("console.html", user=user, csrf=asked.session.csrf, boot=boot)

    def state_now(self, asked: Asked) -> Response:
        version, state = self.console.link.state()
        body = self.encoded(version, state, asked.user)
        return self.console.secured(Response(body, mimetype="application/json"))

    def events(self, asked: Asked) -> Response:
        if not self.streams.acquire(blocking=False):
            return self.console.refuse(
                503, _("Too many pages follow the hall at once: this page asks every few seconds")
            )
        response = Response(self._stream(asked.session.id, asked.user), mimetype="text/event-stream")
        response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        return self.console.secured(response)

    def _stream(self, session_id: str, held: User) -> Iterator[str]:
        console, link, clock = self.console, self.console.link, self.console.clock
        try:
            yield "retry: 2000\n\n"
            ends = clock() + STREAM_S
            version, checked = -1, clock()
            user: User | None = held
            while clock() < ends and not link.closed:
                # The session (in memory) on every event; the user's row (the users file) every few
                # seconds, not once an event for every open stream.
                session = console.sessions.get(session_id)
                if session is not None and clock() - checked >= USER_CHECK_S:
                    found = console.by_session(session_id)
                    user, checked = (found[1] if found else None), clock()
                if session is None or user is None:
                    yield "event: logout\ndata: {}\n\n"
                    return
                newer, state = link.state()
                if newer != version:
                    version = newer
                    yield f"event: state\ndata: {self.encoded(version, state, user)}\n\n"
                    continue
                if link.wait_newer(version, min(KEEPALIVE_S, max(0.0, ends - clock()))) == version:
                    yield ": still here\n\n"
        finally:
            self.streams.release()

    def act(self, asked: Asked) -> Response:
        console, user, body = self.console, asked.user, asked.body
        action, window = str(body.get("action", ""))[:32], str(body.get("window", ""))[:64]
        if action not in ACTIONS:
            return console.refuse(400, _("Unknown action {action}").format(action=repr(action)))
        permission = ACTIONS[action].permission
        staff = str(body.get("staff") or user.staff_id or "") or None
        if not may(user, permission, window, staff=staff if permission == "status" else None):
            return console.refuse(
                403,
                _("Not allowed: window staff act on their own window only")
                if user.role == "staff"
                else _("Not allowed: a read-only account cannot act"),
            )
        try:
            verb, args = command_for(action, window, body, user)
        except ActionRefused as exc:
            return console.refuse(400, str(exc))
        reply = console.link.ask(verb, args, user.name)
        # the service's own sentence for its refusal (content.shared.refusals), with the number it is about,
        # shown as the service gave it: the page puts it whole into its own sentence, never cut or reworded
        out = {
            "ok": bool(reply.get("ok")),
            "result": reply.get("result"),
            "error": reply.get("error"),
            "code": reply.get("code"),
        }
        return console.json(out, 200 if reply.get("ok") else 409)


def add(console: Console) -> None:
    """The tab, first of the console's."""
    console.nav.append(("/console", TAB, ALL_ROLES))
    console.scripts.append("console_window.css")
    console.add(Window(console).routes())
