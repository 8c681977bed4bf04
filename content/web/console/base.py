"""What every tab of the staff console shares: the `Console` (users, sessions, the link to the hall) and
`Route`, the one way a console route is declared.

A tab lists its routes in a table; `Console.add` registers each behind `guarded`, which checks what the
route asks of a request before its view runs, in this order: a session that still holds (else the login
form, or 401), on a POST this site's origin, the session's CSRF token and a body within `MAX_BODY` (403,
413), the role (403), and a JSON object body (400). A view gets what passed as an `Asked`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request

from content.accounts.sessions import LoginLimiter, Session, Sessions, csrf_ok, still_valid
from content.accounts.users import Action, User, UserStore, may
from content.shared.catalog import N_, domain
from content.web.console import reading
from content.web.console.link import ConsoleLink

COOKIE: Final = "hall_console"
LOGIN_PATH: Final = "/console/login"
TEMPLATES: Final = Path(__file__).parent.parent / "templates"
STATIC: Final = Path(__file__).parent.parent / "static"
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
MAX_BODY: Final = 4096
EXPIRED: Final = N_("Your login has expired: please log in again")
ALL_ROLES: Final = frozenset({"staff", "manager", "supervisor"})
FORBIDDEN: Final = N_("Not allowed")
WORDS_DOMAIN: Final = "console_js"
"""The catalog of the console's scripts: each page embeds it (`console_words.html`) for `_` in JS."""

_ = domain("console").gettext

Preview = Callable[[dict[str, Any]], dict[str, bytes]]
"""An announcement (text, priority) → a PNG a display, by profile name: the LED driver's own renderers,
handed in by `hall` (content may not import a device)."""


@dataclass(frozen=True)
class Asked:
    """A request that passed its route's checks: the console, the session and its user, the JSON body."""

    console: Console
    held: tuple[Session, User] | None = None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        if self.held is None:
            raise LookupError("this route takes requests without a session")  # catalog: internal
        return self.held[0]

    @property
    def user(self) -> User:
        if self.held is None:
            raise LookupError("this route takes requests without a session")  # catalog: internal
        return self.held[1]


View = Callable[..., Response]
"""(asked, **the rule's values) → the response."""
Refusal = Callable[["Console", int, str], Response]


def json_refusal(console: Console, status: int, text: str) -> Response:
    return console.json({"ok": False, "error": text}, status)


def text_refusal(console: Console, status: int, text: str) -> Response:
    return console.secured(Response(text + "\n", status, mimetype="text/plain"))


@dataclass(frozen=True)
class Route:
    """One console route and what it asks of a request (`guarded` checks it)."""

    rule: str
    view: View
    methods: tuple[str, ...] = ("GET",)
    login: Literal["page", "data", "open"] = "data"
    """Without a session: "page" sends the browser to the login form, "data" is refused (401); "open" lets
    the request in (the login form, logout, the static files), and checks nothing else either."""
    allowed: Callable[[User], bool] | None = None
    """Whether the user's role may use the route; a refusal is 403 with `forbidden` (an id of the console's
    catalog, marked with N_, shown in the hall's language)."""
    forbidden: str | Callable[[Console], Response] = FORBIDDEN
    body: bool = False
    """A JSON object body, handed to the view as `Asked.body`; anything else is refused (400)."""
    refuse: Refusal = json_refusal
    """How a refusal is answered: JSON `{"ok": false, "error"}`, or plain text (the CSV)."""
    expired: str = EXPIRED
    """What a request without a session is told (an id of the console's catalog, marked with N_)."""


def roles(*names: str) -> Callable[[User], bool]:
    allowed = frozenset(names)
    return lambda user: user.role in allowed


def may_do(action: Action) -> Callable[[User], bool]:
    return lambda user: may(user, action)


@dataclass
class Console:
    """What every tab shares: the users, the sessions, the link to the hall, the checks each request goes
    through. A tab adds its routes with `add` and its tab to `nav`."""

    users: UserStore
    link: ConsoleLink
    sessions: Sessions
    limiter: LoginLimiter
    clock: Callable[[], float]
    preview: Preview | None = None
    state: Path | None = None
    bp: Blueprint = field(default_factory=lambda: Blueprint("console", __name__, template_folder=str(TEMPLATES)))
    nav: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    """(path, label, roles that see it), in the order of the tabs; a label is an id of the console's catalog
    (marked with N_), shown in the hall's language."""
    scripts: list[str] = field(default_factory=lambda: ["console_words.js"])
    """Files of `static/` the pages may load besides console.js and console.css (every page: its words)."""

    def add(self, routes: Iterable[Route]) -> None:
        """Each route on the console's blueprint, behind its checks."""
        for route in routes:
            for method in route.methods:
                endpoint = f"{method} {route.rule}".replace(".", "_")  # Flask keeps dots for blueprints
                self.bp.add_url_rule(route.rule, endpoint, guarded(self, route), methods=[method])

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
            values.setdefault("nav", [(path, _(label)) for path, label, roles in self.nav if found[1].role in roles])
        values.setdefault("here", request.path)
        values.setdefault("_", _)  # the console's words in its templates: {{ _("English id") }}
        values.setdefault("words", domain(WORDS_DOMAIN).messages())
        return self.secured(Response(render_template(template, **values), status=status, mimetype="text/html"))

    def to_login(self) -> Response:
        return self.secured(redirect(LOGIN_PATH, 303))  # type: ignore[arg-type]

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
        return json_refusal(self, status, text)

    def centre_name(self) -> str:
        return reading.centre_name(self.link.state()[1])


def guarded(console: Console, route: Route) -> Callable[..., Response]:
    """The route's view behind its checks (the module's docstring has their order)."""

    def view(**values: Any) -> Response:
        if route.login == "open":
            return route.view(Asked(console), **values)
        found = console.current()
        if found is None:
            return console.to_login() if route.login == "page" else route.refuse(console, 401, _(route.expired))
        if request.method == "POST":
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
            if not console.same_origin() or not csrf_ok(found[0], given):
                return route.refuse(console, 403, _("The request is not valid: please reload the page"))
            if (request.content_length or 0) > MAX_BODY:
                return route.refuse(console, 413, _("The request is too large"))
        if route.allowed is not None and not route.allowed(found[1]):
            forbidden = route.forbidden
            return route.refuse(console, 403, _(forbidden)) if isinstance(forbidden, str) else forbidden(console)
        body: dict[str, Any] = {}
        if route.body:
            given_body = request.get_json(silent=True)
            if not isinstance(given_body, dict):
                return route.refuse(console, 400, _("The request is not in the right form"))
            body = given_body
        return route.view(Asked(console, found, body), **values)

    return view
