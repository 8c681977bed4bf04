"""Attacks on the web side, against the real servers: waitress as `hall serve` runs it (the public pages and
the staff console each on its own listener, on free ports of 127.0.0.1), and in front of it the hall's nginx
with the shipped configuration (deploy/nginx-hall.conf, `tests/fault/nginx.py`) where the hall has one.

- Behind the proxy every phone and every staff PC is a client of its own: one phone's requests do not shut
  the tracking page for the next, one PC's wrong logins do not lock the others out, and the console's
  cookies are Secure behind TLS. Phones and PCs are told apart by their source addresses (127.0.0.2 …).
- Parallel logins on one name check at most the limit's passwords.
- Slow senders (slowloris) on the public pages leave the console answering and the other way round, and
  are cut off after a bounded time whether they trickle bytes or say nothing; behind nginx the pages, the
  tracking page and the console all answer while 510 of them hang on.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shlex
import sqlite3
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from content.accounts.users import User, UserStore
from content.cases import rules
from content.cases.calendar import calendar_for
from content.centre.loader import Content
from content.service.case_store import SCHEMA, CaseReader, write_case
from content.service.live import Live, Snapshot
from content.web.console import ConsoleSetup
from content.web.server import CONSOLE_CONNECTIONS, LIMITS, REQUEST_S, Proxy, WebServer, console_server, pages_server
from hall.commands.serve import add_arguments
from tests.conftest import REPO, WAIT_S
from tests.content.web.test_console_routes import PASSWORDS, FakeLink
from tests.fault.nginx import SHIPPED, Nginx, nginx_available
from tests.fault.slow import SlowSenders

pytestmark = pytest.mark.fault
needs_nginx = pytest.mark.skipif(not nginx_available(), reason="nginx and openssl are not installed (scripts/dev)")

CUT_S = 3 * REQUEST_S
"""Generous: a slow sender is cut within REQUEST_S of its first byte and the next maintenance (2 s)."""
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SECRET = b"web-attacks-secret-0123456789abcd"
NUMBER = "WC-261123-0001"


def _case_store(path: Path, content: Content) -> Path:
    """A state file with one case, as the service writes it, for the tracking page."""
    item = next(i for i in content.items if i.id == "minzheng-dibao")
    case = rules.open_case(
        number=NUMBER, item_id=item.id, item_name=item.name, item_tiers=item.tiers, promised=item.limits.promised,
        proxy=item.limits.proxy, required=[d.name for d in item.documents], at="village", by="agent-a01",
        now=NOW - timedelta(days=4), received=[], agent="a01", applicant="张三", phone="13899995678", note="收件",
    )  # fmt: skip
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA)
        with db:
            write_case(db, case, None, calendar_for(content), case.steps[-1].at)
    return path


class CountingUsers(UserStore):
    """The users file, counting the passwords it checks."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.checked = 0
        self._count = threading.Lock()

    def verify(self, name: str, password: str) -> User | None:
        with self._count:
            self.checked += 1
        return super().verify(name, password)


@dataclass
class Servers:
    pages: WebServer
    console: WebServer
    users: CountingUsers


@pytest.fixture
def users(tmp_path: Path) -> CountingUsers:
    users = CountingUsers(tmp_path / "users.sqlite3")
    users.add("li.na", "staff", PASSWORDS["li.na"], window="shebao", staff_id="s02")
    users.add("boss", "manager", PASSWORDS["boss"])
    return users


def _servers(content: Content, tmp_path: Path, users: CountingUsers, proxy: Proxy | None) -> Servers:
    snapshot = Snapshot(content, Live(), NOW)
    state = _case_store(tmp_path / "state.sqlite3", content)
    pages = pages_server("127.0.0.1", 0, lambda: snapshot, cases=(CaseReader(state), SECRET), proxy=proxy)
    setup = ConsoleSetup(users, FakeLink())  # type: ignore[arg-type]
    console = console_server("127.0.0.1", 0, lambda: snapshot, setup, proxy=proxy)
    pages.start()
    console.start()
    return Servers(pages, console, users)


@pytest.fixture
def direct(content: Content, tmp_path: Path, users: CountingUsers) -> Iterator[Servers]:
    """The pages and the console as `hall serve --http … --console-http …` serves them, with no proxy."""
    servers = _servers(content, tmp_path, users, None)
    yield servers
    servers.pages.stop()
    servers.console.stop()


@pytest.fixture
def proxied(content: Content, tmp_path: Path, users: CountingUsers) -> Iterator[tuple[Servers, Nginx]]:
    """The same behind the hall's nginx, as `hall serve … --proxies 1` runs behind it."""
    servers = _servers(content, tmp_path, users, Proxy())
    nginx = Nginx(servers.pages.port, servers.console.port)
    try:
        yield servers, nginx.start()
    finally:
        nginx.stop()
        servers.pages.stop()
        servers.console.stop()


# -- clients ------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


def _ask(
    url: str,
    method: str = "GET",
    *,
    source: str | None = None,
    context: ssl.SSLContext | None = None,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a connection of its own, from `source` (an address of 127.0.0.0/8)."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    bind = (source, 0) if source else None
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=WAIT_S, context=context, source_address=bind)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=WAIT_S, source_address=bind)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        conn.close()


def _case_url(base: str) -> str:
    return f"{base}/t/{NUMBER}?k={rules.token(SECRET, NUMBER)}"


@dataclass
class LoginForm:
    base: str
    cookie: str
    token: str


def _login_form(base: str, *, source: str | None = None, context: ssl.SSLContext | None = None) -> LoginForm:
    page = _ask(f"{base}/console/login", source=source, context=context)
    assert page.status == 200, page.status
    token = re.search(r'name="token" value="([^"]+)"', page.body)
    cookie = page.headers["Set-Cookie"].split(";")[0]
    assert token is not None and cookie.startswith("hall_console_login=")
    return LoginForm(base, cookie, token[1])


def _log_in(
    form: LoginForm, name: str, password: str, *, source: str | None = None, context: ssl.SSLContext | None = None
) -> Answer:
    body = urllib.parse.urlencode({"token": form.token, "name": name, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": form.cookie, "Origin": form.base}
    return _ask(f"{form.base}/console/login", "POST", source=source, context=context, body=body, headers=headers)


def _wait_until(done: object, what: str) -> None:
    """Polls `done()` (a server's count, which tells no one when it changes) until it holds."""
    deadline = time.monotonic() + WAIT_S
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


# -- behind the proxy, every client is its own --------------------------------------------------------


def test_the_unit_and_its_environment_run_hall_serve_as_these_tests_do_behind_the_shipped_nginx() -> None:
    unit = (REPO / "deploy" / "hall-serve.service").read_text(encoding="utf-8")
    command = shlex.split(next(line for line in unit.splitlines() if line.startswith("ExecStart=")))
    assert command[1] == "serve"
    env = (REPO / "deploy" / "hall.env.example").read_text(encoding="utf-8")
    console = re.search(r"^#?HALL_CONSOLE_HTTP=(\S+)$", env, re.M)
    assert console is not None
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([*command[2:], "--console-http", console[1]])
    # What these tests run: waitress behind one proxy on 127.0.0.1 (Proxy()), the pages and the console
    # on the ports the shipped nginx passes to.
    assert (args.proxies, args.proxy_address) == (Proxy().count, Proxy().address)
    conf = SHIPPED.read_text(encoding="utf-8")
    for host, port in (args.http, args.console_http):
        assert host == "127.0.0.1" and f"proxy_pass http://127.0.0.1:{port};" in conf
    assert args.http != args.console_http


@needs_nginx
def test_behind_the_proxy_one_phone_does_not_shut_the_tracking_page_for_the_town(
    proxied: tuple[Servers, Nginx],
) -> None:
    _, nginx = proxied
    url = _case_url(nginx.public_url)

    def ask(phone: str, spoofed: str = "") -> Answer:
        # What a phone writes in X-Forwarded-For itself is replaced by the proxy.
        headers = {"X-Forwarded-For": spoofed} if spoofed else {}
        return _ask(url, source=phone, context=nginx.context, headers=headers)

    # Two phones, 15 times each: 30 in the minute, the page's limit for one client.
    assert [ask("127.0.0.2", f"198.51.100.{n}").status for n in range(15)] == [200] * 15
    assert [ask("127.0.0.3").status for _ in range(15)] == [200] * 15
    # The next phone is a client of its own, not the 31st request of one.
    answer = ask("127.0.0.4")
    assert answer.status == 200 and NUMBER in answer.body
    # A phone that goes on is stopped, alone, with a page in Chinese, whoever stops it (the proxy's rate or
    # the page's); a new address in X-Forwarded-For does not make it a new phone.
    refused = next(a for a in (ask("127.0.0.2", f"203.0.113.{n}") for n in range(60)) if a.status != 200)
    assert refused.status == 429 and "请稍后再试" in refused.body and refused.headers["Retry-After"]
    assert ask("127.0.0.3").status == 200
    # The proxy's own rate (/healthz has none of the pages'): its refusal is the pages' page in Chinese.
    health = f"{nginx.public_url}/healthz"
    answers = (_ask(health, source="127.0.0.5", context=nginx.context) for _ in range(60))
    busy = next(a for a in answers if a.status != 200)
    assert busy.status == 429 and "访问过于频繁" in busy.body and busy.headers["Retry-After"]


@needs_nginx
def test_behind_the_proxy_one_pcs_wrong_logins_do_not_lock_the_others_out(proxied: tuple[Servers, Nginx]) -> None:
    _, nginx = proxied
    base, context = nginx.console_url, nginx.context
    form = _login_form(base, source="127.0.0.2", context=context)
    # One PC tries 20 names (under the 5 a name may take): its own limit, 20 a client.
    for n in range(20):
        assert _log_in(form, f"guess{n}", "wrong-password", source="127.0.0.2", context=context).status == 401
    locked = _log_in(form, "guess20", "wrong-password", source="127.0.0.2", context=context)
    assert locked.status == 429 and "登录尝试过多" in locked.body
    # Another PC in the hall logs in.
    other = _login_form(base, source="127.0.0.3", context=context)
    answer = _log_in(other, "li.na", PASSWORDS["li.na"], source="127.0.0.3", context=context)
    assert answer.status == 303, answer.body


@needs_nginx
def test_behind_the_tls_proxy_the_consoles_cookies_are_secure(proxied: tuple[Servers, Nginx]) -> None:
    _, nginx = proxied
    form = _login_form(nginx.console_url, context=nginx.context)
    answer = _log_in(form, "boss", PASSWORDS["boss"], context=nginx.context)
    assert answer.status == 303, answer.body
    cookies = answer.headers.get_all("Set-Cookie") or []
    session = next(c for c in cookies if c.startswith("hall_console="))
    assert "Secure" in session and "HttpOnly" in session
    page = _ask(f"{nginx.console_url}/console/login", context=nginx.context)
    assert "Secure" in page.headers["Set-Cookie"]


def test_without_a_proxy_forwarded_headers_are_nobodys(direct: Servers) -> None:
    """Straight to waitress (`hall serve` without --proxies), X-Forwarded-For and -Proto are anybody's to
    write: they neither make a new client nor a Secure cookie."""
    form = _login_form(direct.console.url)
    for n in range(20):
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert _ask(direct.console.url + "/console/login", headers=headers).status == 200
        assert _log_in(form, f"guess{n}", "wrong-password").status == 401
    headers = {"X-Forwarded-For": "203.0.113.1", "X-Forwarded-Proto": "https"}
    page = _ask(direct.console.url + "/console/login", headers=headers)
    assert "Secure" not in page.headers["Set-Cookie"]
    assert _log_in(form, "li.na", PASSWORDS["li.na"]).status == 429


# -- parallel logins ------------------------------------------------------------------------------------


def test_parallel_logins_on_one_name_check_at_most_the_limits_passwords(direct: Servers) -> None:
    tries = 40
    forms = [_login_form(direct.console.url) for _ in range(tries)]
    start = threading.Barrier(tries)
    statuses: list[int] = []

    def one(form: LoginForm) -> None:
        start.wait()
        statuses.append(_log_in(form, "li.na", "not-her-password").status)

    threads = [threading.Thread(target=one, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 4)
    assert len(statuses) == tries
    assert direct.users.checked <= 5, f"{direct.users.checked} passwords checked"
    assert sorted(statuses) == [401] * direct.users.checked + [429] * (tries - direct.users.checked)


# -- slow senders --------------------------------------------------------------------------------------


def test_slow_senders_on_one_listener_leave_the_other_answering_and_are_cut_off(direct: Servers) -> None:
    pages, console = direct.pages, direct.console
    limit = int(LIMITS["connection_limit"])
    # As many as the pages may hold, each sending one byte of its header a second.
    trickle = SlowSenders(pages.host, pages.port, limit, every=1.0).start()
    try:
        _wait_until(lambda: pages.full, "the pages' connections all taken")
        held = pages.connections  # the rest wait in the listen queue
        login = _ask(console.url + "/console/login")
        assert login.status == 200 and "登录" in login.body
        assert _ask(console.url + "/healthz").body == "ok"
        assert trickle.open == limit, "the attack let go before the console was asked"
        # The server closes every one it holds, however busily it sends.
        assert trickle.wait_closed(held, CUT_S), f"{trickle.open} trickling connections still open"
    finally:
        trickle.stop()
    assert _ask(pages.url + "/healthz").body == "ok"

    # And the other way round: the console's connections all taken, the pages answer. Some of these say
    # nothing after their first line: they are cut off too.
    silent = SlowSenders(console.host, console.port, 10, every=0).start()
    trickle = SlowSenders(console.host, console.port, CONSOLE_CONNECTIONS - 10, every=1.0).start()
    try:
        _wait_until(lambda: console.full, "the console's connections all taken")
        held = console.connections
        assert _ask(pages.url + "/healthz").body == "ok"
        assert _ask(_case_url(pages.url)).status == 200
        assert trickle.open + silent.open == CONSOLE_CONNECTIONS, "the attack let go before the pages were asked"
        assert silent.wait_closed(10, CUT_S), f"{silent.open} silent connections still open"
        assert trickle.wait_closed(held - 10, CUT_S), f"{trickle.open} trickling connections still open"
    finally:
        trickle.stop()
        silent.stop()
    assert _ask(console.url + "/console/login").status == 200


@needs_nginx
def test_behind_nginx_510_slow_senders_leave_every_page_answering(proxied: tuple[Servers, Nginx]) -> None:
    _, nginx = proxied
    attackers = 510
    attack = SlowSenders("127.0.0.1", nginx.public, attackers, every=4.0, tls=nginx.context).start()
    try:
        assert attack.opened == attackers, f"{attack.refused} connections refused"
        assert _ask(nginx.public_url + "/healthz", source="127.0.0.2", context=nginx.context).body == "ok"
        assert _ask(_case_url(nginx.public_url), source="127.0.0.3", context=nginx.context).status == 200
        # The tracking page's form, and a login: what the proxy passes on is not only GET.
        digits = urllib.parse.urlencode({"k": rules.token(SECRET, NUMBER), "digits": "5678"})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": nginx.public_url}
        details = _ask(
            _case_url(nginx.public_url), "POST", source="127.0.0.3", context=nginx.context, body=digits, headers=headers
        )
        assert details.status == 200 and "请求无效" not in details.body, details.body[-800:]  # same origin
        form = _login_form(nginx.console_url, source="127.0.0.4", context=nginx.context)
        assert _log_in(form, "boss", PASSWORDS["boss"], source="127.0.0.4", context=nginx.context).status == 303
        assert attack.open == attackers, "the attack let go before the pages were asked"
        # nginx cuts them off: a header must be whole within 10 s.
        assert attack.wait_closed(attackers, CUT_S), f"{attack.open} slow connections still open"
    finally:
        attack.stop()
