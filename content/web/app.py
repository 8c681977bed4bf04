"""The web apps put together: the public pages and the case tracking page on one Flask app, the staff
console on another (each served on its own listener, `content.web.server`). The only module that imports
all three; none of them imports it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, redirect

from content.service.live import Snapshot
from content.web.console import ConsoleSetup, add_console
from content.web.public import Public
from content.web.tracking import CaseSource, add_tracking


def create_app(
    snapshot: Callable[[], Snapshot | None],
    cases: tuple[CaseSource, bytes] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    console: ConsoleSetup | None = None,
    pages: bool = True,
) -> Flask:
    """The pages, reading `snapshot()` on every request (None while the service is starting); with
    `cases` (where to read them, the links' secret) the case tracking page too (`content.web.tracking`),
    whose rate limits count on `clock`. `console`: the users file and the console's link to the hall
    (`content.web.console`); without them there is no staff console. `pages=False`: none of the public
    pages, only their error pages and /healthz (the console's own listener, `content.web.server`), and `/`
    leads to the console.

    The client's address is REMOTE_ADDR as the server hands it: behind the hall's proxy, waitress has put
    the phone's there (`content.web.server.Proxy`)."""
    app = Flask(__name__, template_folder=str(Path(__file__).with_name("templates")))
    public = Public(snapshot)
    public.add(app, pages=pages)
    if cases is not None and pages:
        add_tracking(app, public.current, cases[0], cases[1], clock)
    if console is not None:
        add_console(app, console.users, console.link, clock=clock, preview=console.preview, state=console.state)
        if not pages:
            app.add_url_rule("/", "home", lambda: redirect("/console", 303))
    return app
