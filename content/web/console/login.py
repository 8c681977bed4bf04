"""The console's routes that take a request without a session: the login form, logging in and out, and
the console's own script and style files.

A person logs in with a name and password of the users file (`content.accounts`, `hall user add`); the
session is a random id in an HttpOnly, SameSite=Strict cookie, ended by logout, by 30 minutes without a
request or after 8 hours. The login form carries a token of its own cookie (double submit), a login from
another origin is refused, and logins are limited per name and per client, each try counted before its
password is checked.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final

from flask import Response, abort, redirect, request

from content.accounts.sessions import csrf_ok
from content.shared.catalog import domain
from content.web.console.base import COOKIE, LOGIN_PATH, STATIC, Asked, Console, Route

_ = domain("console").gettext
ngettext = domain("console").ngettext

LOGIN_COOKIE: Final = "hall_console_login"
"""A token the login form repeats (double submit), so another site cannot log a browser in."""
FORM: Final = "console_login.html"


def _form(console: Console, status: int, token: str, error: str | None) -> Response:
    return console.page(FORM, status, token=token, error=error)


def login_form(asked: Asked) -> Response:
    token = secrets.token_urlsafe(24)
    response = _form(asked.console, 200, token, None)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/console",
                        secure=request.is_secure, max_age=3600)  # fmt: skip
    return response


def login(asked: Asked) -> Response:
    console = asked.console
    token = request.cookies.get(LOGIN_COOKIE, "")
    given = request.form.get("token", "")
    if not console.same_origin() or not token or not hmac.compare_digest(token, given):
        return _form(console, 403, token, _("The request is not valid: reload the page and log in again"))
    name = request.form.get("name", "").strip().lower()[:64]
    password = request.form.get("password", "")[:512]
    # The client's address as the hall's proxy saw it (`content.web.server.Proxy`), else the socket's.
    client = request.remote_addr or "?"
    # Counted before the password is checked: parallel tries must not all pass before a failure counts.
    wait = console.limiter.attempt(name, client)
    if wait > 0:
        minutes = int(wait // 60) + 1
        text = ngettext(
            "Too many tries to log in: try again in {minutes} minute",
            "Too many tries to log in: try again in {minutes} minutes",
            minutes,
        )
        response = _form(console, 429, token, text.format(minutes=minutes))
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    user = console.users.verify(name, password)
    if user is None:
        return _form(console, 401, token, _("Wrong user name or password"))
    console.limiter.succeeded(name, client)
    session = console.sessions.create(user)
    response = console.secured(redirect("/console", 303))  # type: ignore[arg-type]
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="Strict", path="/console",
                        secure=request.is_secure)  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


def logout(asked: Asked) -> Response:
    console = asked.console
    found = console.current()
    if found is not None and console.same_origin() and csrf_ok(found[0], request.form.get("csrf", "")):
        console.sessions.end(found[0].id)
    response = console.to_login()
    response.delete_cookie(COOKIE, path="/console")
    return response


def static_file(asked: Asked, name: str) -> Response:
    files = {"console.js": "text/javascript", "console.css": "text/css"}
    files |= {extra: "text/javascript" if extra.endswith(".js") else "text/css" for extra in asked.console.scripts}
    if name not in files:
        abort(404)
    response = Response((STATIC / name).read_bytes(), mimetype=files[name])
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


ROUTES: Final = (
    Route(LOGIN_PATH, login_form, login="open"),
    Route(LOGIN_PATH, login, methods=("POST",), login="open"),
    Route("/console/logout", logout, methods=("POST",), login="open"),
    Route("/console/static/<name>", static_file, login="open"),
)


def add(console: Console) -> None:
    console.add(ROUTES)
