"""The staff console put together: its tabs in order on a Flask app (`add_console`), from what `hall
serve` or `hall demo` hands the web server (`ConsoleSetup`), and its words: the console's templates read
the `console` catalog through Jinja's i18n, and every page hands its scripts the `console_js` catalog as
JSON (`base.Console.page`, `console_words.html`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from content.accounts.sessions import LoginLimiter, Sessions
from content.accounts.users import UserStore
from content.web.console import announce, audit, devices, login, reading, today, window
from content.web.console.base import Console, Preview
from content.web.console.link import ConsoleLink
from content.web.public import install_words

Part = Callable[[Console], None]
"""A tab of the console: adds its routes (`Console.add`) and its tab to `Console.nav`."""
TABS: tuple[Part, ...] = (announce.add, devices.add, today.add, audit.add)
"""The tabs after the window page, in their order."""


@dataclass(frozen=True)
class ConsoleSetup:
    """What `hall serve` (or `hall demo`) hands the web server for the console."""

    users: UserStore
    link: ConsoleLink
    preview: Preview | None = None
    state: Path | None = None
    """The service's state file, whose audit log managers and supervisors read (read-only)."""


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
    """The console at /console on `app`: logging in, the window page and `parts` (default `TABS`)."""
    console = Console(
        users, link, sessions or Sessions(clock=clock), limiter or LoginLimiter(clock=clock), clock, preview, state
    )
    app.extensions["console"] = console
    add_words(app, console)
    login.add(console)
    window.add(console)
    for part in TABS if parts is None else parts:
        part(console)
    app.register_blueprint(console.bp)
    return console


def add_words(app: Flask, console: Console) -> None:
    """The console's templates speak through the `console` catalog (`content.web.public.install_words`:
    the templates' gettext in each template's domain, `html_lang()`), and the header names the person
    logged in as the hall knows them (`reading.person_name`)."""
    install_words(app)

    @console.bp.context_processor
    def person() -> dict[str, str]:
        found = console.current()
        return {"person": reading.person_name(console.link.state()[1], found[1]) if found is not None else ""}
