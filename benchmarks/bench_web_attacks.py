"""Benchmark: the web side under attack (issue 24: the login burst, slow senders on the pages and the console).

    .venv/bin/python benchmarks/bench_web_attacks.py [--tries 40] [--sockets 500] [--seconds 30] [--every 4]

The servers as `hall serve --http … --console-http …` runs them, in this process on free ports of 127.0.0.1:
the public pages (`content.web.server.pages_server`, with the case tracking page over a state file holding
one case) and the staff console (`console_server`, a users file with argon2's default parameters), each on
its own listener. Where nginx is installed, the hall's nginx with the shipped configuration in front of them
(`tests/fault/nginx.py`: deploy/nginx-hall.conf with only its addresses and certificate changed, TLS).

1. The login burst: `--tries` logins at once on one name with a wrong password, over the console's HTTP;
   how many passwords were checked, the answers, and how long from the release of the burst to the last
   answer. Peer in the same run: the order the console had (the limit checked, then argon2, then the
   failure counted), the same tries from as many threads, in this process.
2. Slow senders: `--sockets` connections that each send a request's first line and then one byte of a header
   every `--every` s, opened again as soon as the server closes one (a real slowloris), for `--seconds`,
   against the pages, then against the console, straight to waitress and then through nginx. Meanwhile
   probes ask /healthz (pages), /t/<case> (the tracking page, from a new address of 127.0.1.0/24 each time,
   so that its per-phone limit is not what is measured) and /console/login, each one after the other with a
   timeout of 15 s: how many were answered and their latency p50 / p99 / max, next to the same probes on a
   quiet hall (the peer), and how long the server let the slow senders hang on before closing them.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import re
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _support import REPO, machine_lines, percentiles

sys.path.insert(0, str(REPO))  # for the fault suite's nginx, slow senders and case store

from content.accounts.sessions import LoginLimiter
from content.cases import rules
from content.centre.loader import Content
from content.centre.synth import SAMPLE
from content.service.case_store import CaseReader
from content.service.live import Live, Snapshot
from content.web.console import ConsoleSetup
from content.web.server import Proxy, WebServer, console_server, pages_server
from tests.content.web.test_console_routes import PASSWORDS, FakeLink
from tests.fault.nginx import Nginx, nginx_available
from tests.fault.slow import SlowSenders
from tests.fault.test_web_attacks import NOW, NUMBER, SECRET, CountingUsers, _case_store

PROBE_TIMEOUT_S = 15.0
QUIET_S = 5.0


@dataclass
class Hall:
    pages: WebServer
    console: WebServer
    users: CountingUsers
    nginx: Nginx | None = None


def _load_content() -> Content:
    from content.centre.loader import load_content

    loaded = load_content(SAMPLE).content
    assert loaded is not None
    return loaded


@contextmanager
def hall(work: Path, proxied: bool) -> Iterator[Hall]:
    content = _load_content()
    snapshot = Snapshot(content, Live(), NOW)
    state = _case_store(work / f"state-{proxied}.sqlite3", content)
    users = CountingUsers(work / f"users-{proxied}.sqlite3")
    users.add("li.na", "staff", PASSWORDS["li.na"], window="shebao", staff_id="s02")
    proxy = Proxy() if proxied else None
    pages = pages_server("127.0.0.1", 0, lambda: snapshot, cases=(CaseReader(state), SECRET), proxy=proxy)
    setup = ConsoleSetup(users, FakeLink())  # type: ignore[arg-type]
    console = console_server("127.0.0.1", 0, lambda: snapshot, setup, proxy=proxy)
    pages.start()
    console.start()
    nginx = Nginx(pages.port, console.port).start() if proxied else None
    try:
        yield Hall(pages, console, users, nginx)
    finally:
        if nginx is not None:
            nginx.stop()
        pages.stop()
        console.stop()


# -- requests -------------------------------------------------------------------------------------------


def _ask(
    url: str,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    source: str | None = None,
    context: ssl.SSLContext | None = None,
) -> tuple[int, http.client.HTTPMessage, str]:
    parts = urllib.parse.urlsplit(url)
    bind = (source, 0) if source else None
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=PROBE_TIMEOUT_S, context=context, source_address=bind
        )
    else:
        conn = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=PROBE_TIMEOUT_S, source_address=bind
        )
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


# -- 1. the login burst -----------------------------------------------------------------------------------


def login_burst(base: str, users: CountingUsers, tries: int) -> tuple[int, dict[int, int], float]:
    """`tries` wrong logins on one name at once: passwords checked, answers by status, seconds."""
    forms = []
    for _ in range(tries):
        _, headers, page = _ask(f"{base}/console/login")
        token = re.search(r'name="token" value="([^"]+)"', page)
        assert token is not None
        forms.append((headers["Set-Cookie"].split(";")[0], token[1]))
    users.checked = 0
    start = threading.Barrier(tries + 1)
    statuses: list[int] = []

    def one(cookie: str, token: str) -> None:
        body = urllib.parse.urlencode({"token": token, "name": "li.na", "password": "not-her-password"})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        start.wait()
        statuses.append(_ask(f"{base}/console/login", "POST", body, headers)[0])

    threads = [threading.Thread(target=one, args=form) for form in forms]
    for thread in threads:
        thread.start()
    start.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    return users.checked, {s: statuses.count(s) for s in sorted(set(statuses))}, elapsed


class _CheckThenCount(LoginLimiter):
    """The order the console had: is the name locked? then argon2; then the failure counted."""

    def check(self, name: str, client: str) -> float:
        with self._lock:
            now = self._clock()
            return max(self._wait(key, limit, now) for key, limit in self._keys(name, client))

    def failed(self, name: str, client: str) -> None:
        self.attempt(name, client)  # counts a try as the old `failed` did (the limit was checked before)


def login_burst_peer(users: CountingUsers, tries: int) -> tuple[int, float]:
    limiter = _CheckThenCount()
    users.checked = 0
    start = threading.Barrier(tries + 1)

    def one() -> None:
        start.wait()
        if limiter.check("li.na", "127.0.0.1") == 0 and users.verify("li.na", "not-her-password") is None:
            limiter.failed("li.na", "127.0.0.1")

    threads = [threading.Thread(target=one) for _ in range(tries)]
    for thread in threads:
        thread.start()
    start.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    return users.checked, time.perf_counter() - t0


# -- 2. slow senders ----------------------------------------------------------------------------------------


@dataclass
class Probe:
    name: str
    ask: Callable[[int], int]
    """The n-th probe → its HTTP status (raises on a timeout or a refused connection)."""
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def run(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            t0 = time.perf_counter()
            try:
                status = str(self.ask(n))
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            if status == "200":
                self.latencies.append(time.perf_counter() - t0)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            stop.wait(0.1)  # a person reloading, not a flood of our own

    def line(self) -> str:
        asked = sum(self.statuses.values())
        answered = len(self.latencies)
        others = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()) if k != "200")
        if not self.latencies:
            return f"    {self.name:<16} {answered:>4}/{asked:<4} answered  {others}"
        p = percentiles(self.latencies) if answered > 1 else dict.fromkeys(("p50", "p99", "max"), self.latencies[0])
        figures = " / ".join(f"{p[k] * 1000:8.1f}" for k in ("p50", "p99", "max"))
        return f"    {self.name:<16} {answered:>4}/{asked:<4} answered  p50/p99/max {figures} ms  {others}"


def _probes(h: Hall) -> list[Probe]:
    context = h.nginx.context if h.nginx else None
    pages = h.nginx.public_url if h.nginx else h.pages.url
    console = h.nginx.console_url if h.nginx else h.console.url
    case = f"/t/{NUMBER}?k={rules.token(SECRET, NUMBER)}"

    def phone(n: int) -> str:
        return f"127.0.1.{n % 250 + 1}"

    return [
        Probe("pages /healthz", lambda n: _ask(pages + "/healthz", source=phone(n), context=context)[0]),
        Probe("tracking /t/", lambda n: _ask(pages + case, source=phone(n + 100), context=context)[0]),
        Probe("console login", lambda n: _ask(console + "/console/login", context=context)[0]),
    ]


def probe_while(h: Hall, seconds: float, attack: SlowSenders | None) -> tuple[list[Probe], int]:
    """The probes, run for `seconds` (under `attack`), and how many slow connections were open at the end."""
    probes = _probes(h)
    stop = threading.Event()
    threads = [threading.Thread(target=p.run, args=(stop,), daemon=True) for p in probes]
    if attack is not None:
        attack.start()
    for thread in threads:
        thread.start()
    stop.wait(seconds)  # how long the attack lasts
    stop.set()
    for thread in threads:
        thread.join(PROBE_TIMEOUT_S + 5)
    still_open = 0
    if attack is not None:
        still_open = attack.open
        attack.stop()
    return probes, still_open


def slow_run(h: Hall, target: str, sockets: int, every: float, seconds: float) -> None:
    if h.nginx is not None:
        port = h.nginx.public if target == "pages" else h.nginx.console
        context: ssl.SSLContext | None = h.nginx.context
    else:
        port = h.pages.port if target == "pages" else h.console.port
        context = None
    attack = SlowSenders("127.0.0.1", port, sockets, every=every, tls=context, reopen=True)
    print(f"  {sockets} slow senders on the {target} ({'through nginx' if h.nginx else 'straight to waitress'}):")
    probes, still_open = probe_while(h, seconds, attack)
    for probe in probes:
        print(probe.line())
    cut = attack.closed_after
    held = f"{attack.opened} opened, {attack.refused} refused, {still_open} open at the end"
    if cut:
        p = percentiles(cut) if len(cut) > 1 else {"p50": cut[0], "max": cut[0]}
        after = f"after p50 {p['p50']:.1f} s, max {p['max']:.1f} s"
        print(f"    the server closed {len(cut)} slow connections {after} ({held})")
    else:
        print(f"    the server closed none of them ({held})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=40)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=4.0)
    args = parser.parse_args()
    # waitress says so each time a listener is full: the figures below say it too
    logging.getLogger("waitress").setLevel(logging.ERROR)
    have_nginx = nginx_available()
    extra = [f"nginx     {'with deploy/nginx-hall.conf' if have_nginx else 'not installed: only straight to waitress'}"]
    for line in machine_lines(extra):
        print(line)
    with tempfile.TemporaryDirectory(prefix="bench-web-attacks-") as tmp, hall(Path(tmp), False) as direct:
        print(f"\n1. login burst: {args.tries} wrong logins at once on one name (limit: 5 a name, 20 a client)")
        checked, answers, elapsed = login_burst(direct.console.url, direct.users, args.tries)
        shown = ", ".join(f"{status}: {count}" for status, count in answers.items())
        print(f"  the console over HTTP        {checked:>3} passwords checked, answers {shown}, {elapsed:.2f} s")
        checked, elapsed = login_burst_peer(direct.users, args.tries)
        print(f"  peer: check, argon2, count   {checked:>3} passwords checked, {elapsed:.2f} s")

        print(f"\n2. slow senders: a byte every {args.every:g} s, reopened when closed, for {args.seconds:g} s each")
        halls = [direct]
        with hall(Path(tmp), True) if have_nginx else _none() as proxied:
            if proxied is not None:
                halls.append(proxied)
            for h in halls:
                where = "through nginx" if h.nginx else "straight to waitress"
                print(f"  peer: a quiet hall, {where}, {QUIET_S:g} s:")
                for probe in probe_while(h, QUIET_S, None)[0]:
                    print(probe.line())
                for target in ("pages", "console"):
                    slow_run(h, target, args.sockets, args.every, args.seconds)
    return 0


@contextmanager
def _none() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
