"""The public pages behind the QR codes: the centre (`/`), a guide (`/g/<item>`) and a ticket's progress
(`/q/<day>/<ticket>`), for citizens' phones.

The content service serves them (`hall serve --http HOST:PORT`) from the same content and live state it
publishes, so a page says what the kiosk and the wall say. Pages are read-only and carry no personal
data: a ticket page shows the number, its category and where it stands. The views are pure functions of
(content, live state, time); Flask routes and Jinja templates (autoescaped) only lay them out, and
`content.web.server` serves them. The one page with personal data, the case tracking page (`/t/<case>`,
`content.web.tracking`), opens only with its link's signed key, and shows that data masked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from flask import Flask, Response, render_template

if TYPE_CHECKING:
    from content.web.console import ConsoleSetup

from content.cases.rules import Case
from content.centre.loader import Content
from content.centre.schema import Item
from content.queue import rules as q
from content.service.live import Snapshot
from content.shared.when import Session
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
REFRESH_S: Final = 30
"""A ticket page reloads itself this often while the ticket waits."""
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


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


def _day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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
        return TicketView(
            number, _day_label(day), "", "", "expired", "这张号已过期", "号码每天重新开始，请重新取号。", False
        )
    ticket = queue.tickets.get(number)
    if ticket is None:
        return None
    category = next((c.name for c in content.categories if c.id == ticket.category), "")
    priority = PRIORITY_NAMES.get(ticket.priority or "", "")
    view = partial(TicketView, number, _day_label(day), category, priority, ticket.status)
    if ticket.status == "waiting":
        ahead = q.ahead_of(queue, ticket)
        minutes = q.estimated_wait(queue, content.centre, ticket.category, ahead)
        headline = f"前面还有 {ahead} 人" if ahead else "下一位就是您"
        if minutes is None:
            detail = "现在没有窗口办理这类业务，请留意大厅公告或到综合窗口咨询。"
        elif minutes:
            detail = f"预计等候约 {minutes} 分钟，请留意叫号。"
        else:
            detail = "请留意叫号，到号后请到窗口办理。"
        return view(headline, detail, True)
    if ticket.status == "serving":
        window = next((w for w in content.centre.windows if w.id == ticket.window), None)
        where = f"{window.number}号窗口（{window.name}）" if window is not None else "窗口"
        return view(f"请到{where}办理", "正在叫您的号。", True)
    if ticket.status == "done":
        return view("已办理", "感谢您的耐心。", False)
    return view("已过号", "叫号时您不在，请到综合窗口咨询。", False)


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
    hours = format_hours(Session(tuple(s.days), s.open, s.close) for s in centre.hours)
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


# -- the Flask app --------------------------------------------------------------------------------


class CaseSource(Protocol):
    """Where the tracking page reads cases: `content.service.case_store.CaseReader`, or a test's."""

    def case(self, number: str) -> Case | None: ...


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

    def current() -> Snapshot:
        now = snapshot()
        if now is None:
            raise _Unavailable()
        return now

    def message(title: str, text: str, status: int, **headers: str) -> Response:
        """A page that only says something: not found, starting, not allowed."""
        now = snapshot()
        name = now.content.centre.name if now is not None else ""
        body = render_template("message.html", title=title, text=text, centre=name)
        return Response(body, status=status, mimetype="text/html", headers=headers)

    @app.errorhandler(_Unavailable)
    def unavailable(_exc: Exception) -> Response:
        return message("正在启动", "服务正在启动，请稍后刷新。", 503, **{"Retry-After": "5"})

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Response:
        return message("没有找到", "没有找到这个页面。请回到首页查看办事指南，或拨打咨询电话。", 404)

    @app.errorhandler(405)
    def not_allowed(exc: Exception) -> Response:
        allowed = getattr(exc, "valid_methods", None) or ["GET", "HEAD"]
        return message("不支持的请求", "这些页面只能查看。", 405, Allow=", ".join(allowed))

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)  # a page may tighten them (the tracking page does)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    centre_page: tuple[Content, str] | None = None
    """The centre page and the content it was made from: it changes only with an edit."""

    @app.get("/")
    def centre() -> str:
        nonlocal centre_page
        now = current()
        if centre_page is None or centre_page[0] is not now.content:
            centre_page = now.content, render_template("centre.html", centre=centre_view(now.content))
        return centre_page[1]

    @app.get("/g/<item_id>")
    def guide(item_id: str) -> Response | str:
        now = current()
        view = guide_view(now.content, item_id)
        if view is None:
            return message("没有找到", "没有找到这份办事指南，它可能已经更新。请回到首页查找。", 404)
        return render_template("guide.html", guide=view, centre=now.content.centre)

    @app.get("/q/<day>/<number>")
    def ticket(day: str, number: str) -> Response | str:
        now = current()
        view = ticket_view(now, day, number)
        if view is None:
            return message("没有找到", "没有找到这张号。请核对号码，或到综合窗口咨询。", 404)
        return render_template("ticket.html", ticket=view, centre=now.content.centre, refresh_s=REFRESH_S)

    @app.get("/healthz")
    def health() -> tuple[str, int]:
        return ("ok", 200) if snapshot() is not None else ("starting", 503)

    if cases is not None:
        from content.web.tracking import add_tracking

        add_tracking(app, current, cases[0], cases[1], clock)
    if console is not None:
        from content.web.console import add_console

        add_console(app, console.users, console.link, clock=clock, preview=console.preview, state=console.state)
    return app


class _Unavailable(Exception):
    """The service has no content yet."""
