"""The case tracking page (`/t/<case>?k=<token>`): the link on the acceptance slip's QR code.

Two levels, as `content.cases.views.track` lays them out. The link alone opens the summary: the item,
where the case is and at which stage, its due date, the timeline and whom to call, the applicant masked
(张*). The last four digits of the applicant's phone, asked by a form on the page, open the details:
the documents still missing (一次性告知), those handed in, the notes of every step, the phone masked.

What keeps it to the applicant:
- the token `k` is an HMAC of the number (`rules.token`): a malformed number, a case that does not
  exist and a missing or wrong token get the same 404, byte for byte, so numbers cannot be tried;
- wrong phone digits are counted per case, in the state file, together with a kiosk's tries at the same
  case (`content.service.wrong_digits`): `WRONG_DIGITS` of them within `LOCK_S` lock the details of that
  case for `LOCK_S`, here and at the kiosk, across a restart; they are timed by the service's clock (the
  snapshot's `now`), as a kiosk's are;
- every client address may ask `PER_MINUTE` times a minute (REMOTE_ADDR: behind the hall's proxy, the
  phone's, which waitress took from the proxy's X-Forwarded-For, `content.web.server.Proxy`; else the
  socket's; an IPv6 client counts by its /64);
- the form needs no session against cross-site posts: it is taken only with the valid token in its body
  as well, and an Origin or Referer, when sent, must name this host.
The requests per client are counted in memory, bounded (least recently used forgotten first): a restart
forgets them.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request

from content.cases import rules
from content.cases.calendar import WorkCalendar, calendar_for
from content.cases.rules import Case
from content.cases.views import track
from content.centre.loader import Content
from content.service.live import Snapshot
from content.service.wrong_digits import Tried
from content.shared.wording import TIER_NAMES
from content.web.public import PAGES, SECURITY_HEADERS

_ = PAGES.gettext

PER_MINUTE: Final = 30
"""Requests to /t/ one client may make in a minute."""
CLIENTS: Final = 10_000
"""Clients whose counts are remembered at once; the least recently seen are forgotten first."""
DIGITS: Final = re.compile(r"[0-9]{4}")
HEADERS: Final = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    # The form posts back here: a browser sends this page's origin with it only if the referrer policy
    # lets it (under no-referrer the Origin of a POST is "null", which is refused).
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; form-action 'self'",
}

Clock = Callable[[], float]
"""Seconds, monotonic: `time.monotonic`, or a test's."""


class Tries(Protocol):
    """Wrong phone digits per case (`content.service.wrong_digits.WrongDigits`), at the service's `now`."""

    def locked_for(self, number: str, now: float) -> int: ...

    def attempt(self, number: str, right: bool, now: float) -> Tried: ...


class CaseSource(Protocol):
    """Where the tracking page reads cases and counts wrong digits: `content.service.case_store.CaseReader`,
    or a test's."""

    @property
    def tries(self) -> Tries: ...

    def case(self, number: str) -> Case | None: ...


# -- counters -------------------------------------------------------------------------------------


class RateLimit:
    """At most `limit` requests a client in each `window_s`, for the `clients` most recently seen."""

    def __init__(
        self, limit: int = PER_MINUTE, window_s: float = 60, clients: int = CLIENTS, clock: Clock = time.monotonic
    ) -> None:
        self.limit, self.window_s, self.clients, self.clock = limit, window_s, clients, clock
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()
        """Client → (when its window started, requests in it)."""
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """0 if `client` may go on (and counts it); else the seconds until it may."""
        now = self.clock()
        with self._lock:
            started, count = self._seen.pop(client, (now, 0))
            if now - started >= self.window_s:
                started, count = now, 0
            allowed = count < self.limit
            self._seen[client] = (started, count + 1 if allowed else count)
            while len(self._seen) > self.clients:
                self._seen.popitem(last=False)
        return 0 if allowed else max(1, math.ceil(started + self.window_s - now))


def client_key(address: str | None) -> str:
    """Whom the rate limit counts: the address, an IPv6 one by its /64 (one household's or phone's)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "?"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


# -- the page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    kind: str
    """error / locked / info."""
    text: str


def same_host(value: str | None, host: str) -> bool:
    """Whether an Origin or Referer header names `host` (an absent header passes; "null" does not)."""
    if value is None:
        return True
    try:
        netloc = urlsplit(value.strip()).netloc
    except ValueError:
        return False
    return bool(netloc) and netloc.lower() == host.lower()


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


class Tracking:
    """`/t/<number>`: cases from `reader`, links signed with `secret`, the snapshot from `current_snapshot`."""

    def __init__(
        self, current_snapshot: Callable[[], Snapshot], reader: CaseSource, secret: bytes, clock: Clock = time.monotonic
    ) -> None:
        self.current_snapshot, self.reader, self.secret = current_snapshot, reader, secret
        self.limit = RateLimit(clock=clock)
        self.tries = reader.tries
        self._calendar: tuple[Content, WorkCalendar] | None = None

    def calendar_of(self, content: Content) -> WorkCalendar:
        if self._calendar is None or self._calendar[0] is not content:
            self._calendar = content, calendar_for(content)
        return self._calendar[1]

    @staticmethod
    def page(body: str, status: int, **headers: str) -> Response:
        response = Response(body, status=status, mimetype="text/html")
        response.headers.update(HEADERS)
        response.headers.update(headers)
        return response

    def message(self, title: str, text: str, status: int, **headers: str) -> Response:
        centre = self.current_snapshot().content.centre.name
        body = render_template("case_message.html", title=title, text=text, centre=centre)
        return self.page(body, status, **headers)

    def not_found(self) -> Response:
        # One page for every way of not being there: nothing in it depends on what was asked.
        text = _("There is no such case. Please check the QR code or the link on the slip, or call the enquiry line.")
        return self.message(_("Not found"), text, 404)

    def case_page(self, number: str) -> Response:
        wait = self.limit.wait(client_key(request.remote_addr))
        if wait:
            text = PAGES.ngettext(
                "Too many requests: please try again in {n} second.",
                "Too many requests: please try again in {n} seconds.",
                wait,
            ).format(n=wait)
            return self.message(_("Please try again later"), text, 429, **{"Retry-After": str(wait)})
        snapshot = self.current_snapshot()
        key = request.args.get("k")
        if rules.NUMBER.fullmatch(number) is None or not rules.token_ok(self.secret, number, key):
            return self.not_found()
        case = self.reader.case(number)
        if case is None:
            return self.not_found()
        assert key is not None
        now = snapshot.now.timestamp()  # the service's clock, which a kiosk's tries are counted by too
        details, notice, locked = False, None, self.tries.locked_for(number, now)
        if request.method == "POST":
            tried = self._digits(number, case, locked, now)
            if isinstance(tried, Response):
                return tried
            details, notice, locked = tried
        if locked and not details:
            minutes = _minutes(locked)
            text = PAGES.ngettext(
                "The last four digits were wrong too many times: this case's details are locked for {n} minute. "
                "Please try again later, or call a number below.",
                "The last four digits were wrong too many times: this case's details are locked for {n} minutes. "
                "Please try again later, or call a number below.",
                minutes,
            ).format(n=minutes)
            notice = Notice("locked", text)
        return self._case(snapshot, case, key, details, notice, locked)

    def _digits(self, number: str, case: Case, locked: int, now: float) -> tuple[bool, Notice | None, int] | Response:
        """The form's try at the phone's last four digits: whether it opens the details, what to say, and the
        seconds the case is locked; or the refusal of a form not posted from the page."""
        form_key = request.form.get("k")
        origin_ok = same_host(request.headers.get("Origin"), request.host) and same_host(
            request.headers.get("Referer"), request.host
        )
        if not rules.token_ok(self.secret, number, form_key) or not origin_ok:
            text = _("This request was not sent from this page. Please open the link on the slip again and retry.")
            return self.message(_("Invalid request"), text, 403)
        digits = (request.form.get("digits") or "").strip()
        if locked:
            return False, None, locked
        if not case.phone_tail:
            text = _("No phone number was recorded for this case: please call a number below or ask at the window.")
            return False, Notice("info", text), locked
        if DIGITS.fullmatch(digits) is None:
            return False, Notice("error", _("Please enter the last four digits of the applicant's phone.")), locked
        right = hmac.compare_digest(digits.encode(), case.phone_tail.encode())
        details, left, locked = self.tries.attempt(number, right, now)
        if not details and not locked:
            text = PAGES.ngettext(
                "The last four digits are not right: {n} more try.",
                "The last four digits are not right: {n} more tries.",
                left,
            ).format(n=left)
            return details, Notice("error", text), locked
        return details, None, locked

    def _case(
        self, snapshot: Snapshot, case: Case, key: str, details: bool, notice: Notice | None, locked: int
    ) -> Response:
        content = snapshot.content
        view = track(
            case,
            content,
            self.calendar_of(content),
            snapshot.now,
            details=details,
            soon_days=content.centre.cases.due_soon_days,
        )
        body = render_template(
            "case.html",
            case=view,
            centre=content.centre,
            key=key,
            notice=notice,
            ask=not details and not locked and bool(case.phone_tail),
            tier_names=TIER_NAMES,
        )
        return self.page(body, 200)


def add_tracking(
    app: Flask,
    current_snapshot: Callable[[], Snapshot],
    reader: CaseSource,
    secret: bytes,
    clock: Clock = time.monotonic,
) -> Tracking:
    """`/t/<number>` on `app`: cases from `reader`, links signed with `secret`."""
    tracking = Tracking(current_snapshot, reader, secret, clock)
    app.extensions["tracking"] = {"limit": tracking.limit, "tries": tracking.tries}
    app.add_url_rule("/t/<number>", "case", tracking.case_page, methods=["GET", "POST"])
    return tracking
