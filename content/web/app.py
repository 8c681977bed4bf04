"""The web app put together: the public pages, the case tracking page and the staff console on one Flask
app. The only module that imports all three; none of them imports it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from content.service.live import Snapshot
from content.web.console import ConsoleSetup, add_console
from content.web.public import Public
from content.web.tracking import CaseSource, add_tracking


def create_app(
    snapshot: Callable[[], Snapshot | None],
    cases: tuple[CaseSource, bytes] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    proxies: int = 0,
    console: ConsoleSetup | None = None,
) -> Flask:
    """The pages, reading `snapshot()` on every request (None while the service is starting); with
    `cases` (where to read them, the links' secret) the case tracking page too (`content.web.tracking`),
    whose rate limits count on `clock`. `proxies`: the reverse proxies in front that each add the
    address they were asked from to X-Forwarded-For; the client is the address the outermost one saw
    (without a proxy the header is anybody's to write, and is ignored). `console`: the users file and the
    console's link to the hall (`content.web.console`); without them there is no staff console."""
    if not 0 <= proxies <= 5:
        raise ValueError(f"proxies: {proxies}; give 0 (none) to 5")
    app = Flask(__name__, template_folder=str(Path(__file__).with_name("templates")))
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    public = Public(snapshot)
    public.add(app)
    if cases is not None:
        add_tracking(app, public.current, cases[0], cases[1], clock)
    if console is not None:
        add_console(app, console.users, console.link, clock=clock, preview=console.preview, state=console.state)
    return app
