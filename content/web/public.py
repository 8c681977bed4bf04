"""The public pages behind the QR codes: the centre (`/`), a guide (`/g/<item>`) and a ticket's progress
(`/q/<day>/<ticket>`), for citizens' phones.

The content service serves them (`hall serve --http HOST:PORT`) from the same content and live state it
publishes, so a page says what the kiosk and the wall say. Pages are read-only and carry no personal
data: a ticket page shows the number, its category and where it stands. The views are pure functions of
(content, live state, time); Flask routes (`Public`) and Jinja templates (autoescaped) only lay them out,
`content.web.app` puts them on the app and `content.web.server` serves them. The one page with personal
data, the case tracking page (`/t/<case>`, `content.web.tracking`), opens only with its link's signed
key, and shows that data masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Final

from flask import Flask, Response, render_template
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from content.cases.views import day_text as worded_day
from content.centre.loader import Content
from content.centre.schema import Item
from content.queue import rules as q
from content.service.live import Snapshot
from content.shared.catalog import Domain, domain, language
from content.shared.wording import (
    PRIORITY_NAMES,
    TIER_NAMES,
    Section,
    format_document,
    format_hours,
    format_limits,
    guide_sections,
)

TICKET_NUMBER: Final = re.compile(r"^([A-Z]{1,2})([0-9]{3,4})$")
PHONE_NUMBER: Final = re.compile(r"(?<![0-9A-Za-z-])(?:[0-9]{3,5}(?:-[0-9]{3,8}){1,2}|1[0-9]{10}|[0-9]{7,8})(?![0-9-])")
"""A phone number inside a line of text: 0816-2290001, 13812345678, 400-8008-800."""
REFRESH_S: Final = 30
"""A ticket page reloads itself this often while the ticket waits."""
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


# -- words: the templates' gettext, in each template's domain -------------------------------------

PAGES: Final = domain("pages")
CONSOLE: Final = domain("console")
_ = PAGES.gettext


def template_domain(name: str | None) -> tuple[Domain, Domain]:
    """The catalog of a template's words, then the other one: the console's templates (`console*.html`)
    speak the console domain, every other template the pages domain (scripts/words.py extracts them so).
    A template that extends another renders under the extending template's name, so a console page's
    words are looked up in the console's catalog first; the second catalog covers a template of the
    other side that one of them includes."""
    if (name or "").startswith("console"):
        return CONSOLE, PAGES
    return PAGES, CONSOLE


@pass_context
def _gettext(context: Context, message: str) -> str:
    first, second = template_domain(context.name)
    found = first.gettext(message)
    return second.gettext(message) if found == message else found


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    first, second = template_domain(context.name)
    found = first.ngettext(singular, plural, n)
    return second.ngettext(singular, plural, n) if found in (singular, plural) else found


@pass_context
def _pgettext(context: Context, ctx: str, message: str) -> str:
    first, second = template_domain(context.name)
    found = first.pgettext(ctx, message)
    return second.pgettext(ctx, message) if found == message else found


def html_lang() -> str:
    """`<html lang>` for the process's language: zh-CN or en."""
    return language().replace("_", "-")


def install_words(app: Flask) -> None:
    """The templates' words on `app`'s Jinja env: `{{ _("…") }}`, `{% trans %}`, `ngettext`, `pgettext` in
    the template's domain (`template_domain`), and `html_lang()` for `<html lang>`. Newstyle gettext: a
    message's `%` is written `%%`, its placeholders `%(name)s`, given as keywords (`_("… %(n)s", n=3)`).
    Idempotent: whatever puts templates on a Flask app calls it (`Public.add`, the console)."""
    env = app.jinja_env
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True
    )
    env.globals["html_lang"] = html_lang
    env.filters["phones"] = phones


def phones(text: str) -> Markup:
    """`text` escaped, each phone number in it kept on one line (`<span class="phone">`): a number is dialled
    whole, and a browser would break 0816-2290001 at its hyphen."""
    out, at = [], 0
    for found in PHONE_NUMBER.finditer(text):
        out += [escape(text[at : found.start()]), Markup('<span class="phone">%s</span>') % found.group()]
        at = found.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


# -- views: pure functions of the snapshot -------------------------------------------------------


@dataclass(frozen=True)
class GuideView:
    id: str
    name: str
    category: str
    instant: bool
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class TicketView:
    number: str
    day: str
    """2026年11月28日."""
    category: str
    priority: str
    state: str
    """waiting / serving / done / no_show / expired."""
    headline: str
    detail: str
    refresh: bool


def _window_names(content: Content, ids: list[str] | tuple[str, ...]) -> list[str]:
    names = {w.id: w.name for w in content.centre.windows}
    return [names[i] for i in ids if i in names]


def guide_view(content: Content, item_id: str) -> GuideView | None:
    """Every disclosure field of an item, in the order of a printed guide (the kiosk's order)."""
    item = next((i for i in content.items if i.id == item_id), None)
    if item is None:
        return None
    category = next((c.name for c in content.categories if c.id == item.category), "")
    agents = [a for a in content.agents if a.tier == "village"] if "village" in item.tiers else []
    sections = guide_sections(
        windows=_window_names(content, item.windows),
        limits=format_limits(item.instant, item.limits.legal, item.limits.promised, item.limits.proxy),
        fee=item.fee,
        documents=(format_document(d.name, d.form, d.copies, d.note or "") for d in item.documents),
        steps=item.steps,
        basis=item.basis,
        department=item.department,
        phone=item.phone,
        tiers=(TIER_NAMES[t] for t in item.tiers),
        agents=(f"{a.area} {a.name} {a.phone}" for a in agents),
    )
    return GuideView(item.id, item.name, category, item.instant, sections)


def ticket_view(snapshot: Snapshot, day_text: str, number: str) -> TicketView | None:
    """Where ticket `number` of `day_text` (YYYY-MM-DD) stands now; None if there is no such ticket."""
    parsed = TICKET_NUMBER.match(number)
    if parsed is None:
        return None
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    content = snapshot.content
    settings = content.centre.queue
    queue = q.roll_day(snapshot.live.queue, snapshot.now, settings)
    if queue.day != day:
        if queue.day is None or day > queue.day:
            return None
        if snapshot.issued.get(day, {}).get(parsed[1], 0) < int(parsed[2]):
            return None  # never issued that day, or too long ago for the page to know
        headline, detail = _("This number has expired"), _("Numbers start again every day: please take a new one.")
        return TicketView(number, worded_day(day), "", "", "expired", headline, detail, False)
    ticket = queue.tickets.get(number)
    if ticket is None:
        return None
    category = next((c.name for c in content.categories if c.id == ticket.category), "")
    priority = PRIORITY_NAMES.get(ticket.priority or "", "")
    view = partial(TicketView, number, worded_day(day), category, priority, ticket.status)
    if ticket.status == "waiting":
        ahead = q.ahead_of(queue, ticket)
        minutes = q.estimated_wait(queue, content.centre, ticket.category, ahead)
        if ahead:
            headline = PAGES.ngettext("{n} person ahead of you", "{n} people ahead of you", ahead).format(n=ahead)
        else:
            headline = _("You are next")
        if minutes is None:
            detail = _(
                "No window serves this kind of business now: please watch the hall's notices or ask at the "
                "comprehensive window."
            )
        elif minutes:
            detail = PAGES.ngettext(
                "About {n} minute to wait: please listen for your number.",
                "About {n} minutes to wait: please listen for your number.",
                minutes,
            ).format(n=minutes)
        else:
            detail = _("Please listen for your number and go to the window when it is called.")
        return view(headline, detail, True)
    if ticket.status == "serving":
        window = next((w for w in content.centre.windows if w.id == ticket.window), None)
        if window is not None and window.number is not None:
            headline = _("Please go to window {number} ({name})").format(number=window.number, name=window.name)
        elif window is not None:
            headline = _("Please go to the {name}").format(name=window.name)
        else:
            headline = _("Please go to the window")
        return view(headline, _("Your number is being called."), True)
    if ticket.status == "done":
        return view(_("Served"), _("Thank you for your patience."), False)
    return view(
        _("Missed"), _("You were not there when your number was called: please ask at the comprehensive window."), False
    )


@dataclass(frozen=True)
class CentreView:
    name: str
    address: str
    hours: tuple[str, ...]
    hours_note: str
    hotline: str
    complaint_phone: str
    categories: tuple[tuple[str, tuple[Item, ...]], ...]
    rules: tuple[tuple[str, str], ...]


def centre_view(content: Content) -> CentreView:
    centre = content.centre
    hours = format_hours(centre.sessions())
    categories = tuple((c.name, tuple(i for i in content.items if i.category == c.id)) for c in content.categories)
    return CentreView(
        name=centre.name,
        address=centre.address,
        hours=hours,
        hours_note=centre.hours_note or "",
        hotline=centre.hotline,
        complaint_phone=centre.complaint_phone,
        categories=tuple((name, items) for name, items in categories if items),
        rules=tuple((r.title, r.text) for r in centre.rules),
    )


# -- the routes ----------------------------------------------------------------------------------


class Unavailable(Exception):
    """The service has no content yet."""


class Public:
    """The public pages on a Flask app, reading `snapshot()` on every request (None while the service is
    starting)."""

    def __init__(self, snapshot: Callable[[], Snapshot | None]) -> None:
        self.snapshot = snapshot
        self._centre_page: tuple[Content, str] | None = None
        """The centre page and the content it was made from: it changes only with an edit."""

    def add(self, app: Flask, pages: bool = True) -> None:
        """The pages on `app`, with their error pages and /healthz; `pages=False`: only those two (the
        console's listener)."""
        install_words(app)
        app.register_error_handler(Unavailable, self.unavailable)
        app.register_error_handler(404, self.not_found)
        app.register_error_handler(405, self.not_allowed)
        app.after_request(headers)
        app.add_url_rule("/healthz", "health", self.health)
        if not pages:
            return
        app.add_url_rule("/", "centre", self.centre)
        app.add_url_rule("/g/<item_id>", "guide", self.guide)
        app.add_url_rule("/q/<day>/<number>", "ticket", self.ticket)
        app.add_url_rule("/busy", "busy", self.busy)

    def current(self) -> Snapshot:
        """The snapshot now, or Unavailable (a 503 page) while the service is starting."""
        now = self.snapshot()
        if now is None:
            raise Unavailable()
        return now

    def message(self, title: str, text: str, status: int, **headers: str) -> Response:
        """A page that only says something: not found, starting, not allowed."""
        now = self.snapshot()
        name = now.content.centre.name if now is not None else ""
        body = render_template("message.html", title=title, text=text, centre=name)
        return Response(body, status=status, mimetype="text/html", headers=headers)

    def unavailable(self, _exc: Exception) -> Response:
        return self.message(
            _("Starting"), _("The service is starting: please refresh in a moment."), 503, **{"Retry-After": "5"}
        )

    def not_found(self, _exc: Exception) -> Response:
        text = _(
            "There is no such page. Please go back to the home page for the service guides, or call the enquiry line."
        )
        return self.message(_("Not found"), text, 404)

    def not_allowed(self, exc: Exception) -> Response:
        allowed = getattr(exc, "valid_methods", None) or ["GET", "HEAD"]
        return self.message(
            _("Request not supported"), _("These pages can only be viewed."), 405, Allow=", ".join(allowed)
        )

    def centre(self) -> str:
        now = self.current()
        if self._centre_page is None or self._centre_page[0] is not now.content:
            self._centre_page = now.content, render_template("centre.html", centre=centre_view(now.content))
        return self._centre_page[1]

    def guide(self, item_id: str) -> Response | str:
        now = self.current()
        view = guide_view(now.content, item_id)
        if view is None:
            text = _("There is no such service guide: it may have been updated. Please look for it on the home page.")
            return self.message(_("Not found"), text, 404)
        return render_template("guide.html", guide=view, centre=now.content.centre)

    def ticket(self, day: str, number: str) -> Response | str:
        now = self.current()
        view = ticket_view(now, day, number)
        if view is None:
            text = _("There is no such number. Please check it, or ask at the comprehensive window.")
            return self.message(_("Not found"), text, 404)
        return render_template("ticket.html", ticket=view, centre=now.content.centre, refresh_s=REFRESH_S)

    def busy(self) -> Response:
        """What the hall's proxy shows a phone past its request rate (`error_page 429`, deploy/nginx-hall.conf)."""
        text = _("Too many requests: please wait a little before refreshing.")
        return self.message(_("Please try again later"), text, 429, **{"Retry-After": "10"})

    def health(self) -> tuple[str, int]:
        return ("ok", 200) if self.snapshot() is not None else ("starting", 503)


def headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)  # a page may tighten them (the tracking page does)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
