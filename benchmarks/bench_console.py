"""Benchmark: the staff console's "call next" (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_console.py [--calls 100] [--consoles 20]

A fresh Mosquitto with the tests' roster, a copy of the sample centre, and `hall serve --console-http …
--console-broker …` as a child process, as in production; a manager's login in its users file.

1. Click → LED frame: the console's "call next" (`POST /console/act`, one keep-alive connection, logged
   in) drives bench_led's measurement unchanged: a LedController and Scheduler in this process on the
   wall and on the comprehensive window's screen, each call timed from the request to the first frame
   whose pixels show the number. The peer, in the same run and measured the same way: the staff CLI's
   command (`cmd/call` from a staff connection), which is what `hall call` sends.
2. Click → every open console updated: `--consoles` browsers' event streams (`GET /console/events`, each
   its own session) held by threads in a child process, which notes when each stream first carries a
   state in which the window serves the number just called. Times are CLOCK_MONOTONIC, which both
   processes share.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _devices import Client, Sent, kiosk_burst
from _support import REPO, machine_lines, percentiles, percentiles_ms

sys.path.insert(0, str(REPO))  # for the tests' roster

from bench_led import LATENCY_RUNS, LONG_TICKER, WARMUP_CALLS, _logging_to, calls_run, tickets_needed
from bench_queue import PREFIX, Hall, _hall_command, _wait_ready

from content.accounts.users import UserStore
from content.broker.local import LOOPBACK, Mosquitto, free_port
from content.centre.synth import SAMPLE, lift_limits, numbers_at_any_hour
from content.shared import contract
from tests.conftest import ROSTER, roster_file

MANAGER, PASSWORD = "boss", "bench-password-1"
MUST_FRAME_P99_S, AIM_FRAME_P99_S = 0.060, 0.020
MUST_CONSOLES_P99_S, AIM_CONSOLES_P99_S = 0.200, 0.050


class ConsoleClicks:
    """A logged-in browser clicking "call next": the interface bench_led's calls_run drives (`send`)."""

    name = "console"

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self._conn = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=30)
        self.cookie, self.csrf = login(self._conn)

    def send(self, topic: str, args: dict[str, Any]) -> Sent:
        sent = Sent(time.perf_counter())
        body = json.dumps({"action": "next", "window": args["window"]})
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf, "Cookie": self.cookie}
        try:
            self._conn.request("POST", "/console/act", body, headers)
            response = self._conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # waitress closes a connection idle for 10 s (between runs): a browser opens another.
            self._conn.close()
            self._conn.request("POST", "/console/act", body, headers)
            response = self._conn.getresponse()
        sent.reply = json.loads(response.read())
        sent.reply_at = time.perf_counter()
        return sent

    @staticmethod
    def wait_reply(sent: Sent) -> Sent:
        return sent

    def close(self) -> None:
        self._conn.close()


def login(conn: http.client.HTTPConnection) -> tuple[str, str]:
    """A session: the login form's token, the credentials, the page's CSRF token."""
    conn.request("GET", "/console/login")
    response = conn.getresponse()
    form = response.read().decode()
    token = re.search(r'name="token" value="([^"]+)"', form)
    login_cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    assert token is not None and login_cookie, "no login form"
    body = urllib.parse.urlencode({"token": token[1], "name": MANAGER, "password": PASSWORD})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie}
    conn.request("POST", "/console/login", body, headers)
    response = conn.getresponse()
    response.read()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    if response.status != 303 or not cookie:
        raise RuntimeError(f"login refused: {response.status}")
    conn.request("GET", "/console", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    csrf = re.search(r'<meta name="csrf" content="([^"]+)">', page)
    assert csrf is not None
    return cookie, csrf[1]


_STREAMS = r"""
import http.client, json, sys, threading, time
port, cookies, window = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
seen = [dict() for _ in cookies]
ready = threading.Barrier(len(cookies) + 1)

def follow(i, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/console/events", headers={"Cookie": cookie, "Accept": "text/event-stream"})
    response = conn.getresponse()
    assert response.status == 200, response.status
    first = True
    event, data = None, []
    while True:
        line = response.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and event == "state":
            at = time.monotonic()
            state = json.loads("".join(data))["state"]
            serving = next((w.get("serving") for w in state["windows"] if w.get("id") == window), None)
            if serving and serving not in seen[i]:
                seen[i][serving] = at
            if first:
                first = False
                ready.wait()
            event, data = None, []
        elif line == "":
            event, data = None, []

threads = [threading.Thread(target=follow, args=(i, c), daemon=True) for i, c in enumerate(cookies)]
for t in threads:
    t.start()
ready.wait()
print("ready", flush=True)
sys.stdin.readline()  # the parent says when the calls are done
print(json.dumps(seen), flush=True)
"""


@contextmanager
def console_hall(work: Path) -> Iterator[tuple[Hall, str]]:
    content_dir = work / "centre"
    shutil.copytree(SAMPLE, content_dir)
    numbers_at_any_hour(content_dir)  # a benchmark runs at any hour
    lift_limits(content_dir)
    users = UserStore(work / "users.sqlite3")
    users.add(MANAGER, "manager", PASSWORD)
    broker = Mosquitto(work / "broker", ROSTER).start()
    hall = Hall(broker, content_dir, work / "state.sqlite3", work / "service.log")
    port = free_port()
    argv = [*_hall_command(), "serve", "--content", str(content_dir), "--broker", hall.url("service")]
    argv += ["--roster", str(roster_file(ROSTER))]
    argv += ["--state", str(hall.state), "--console-http", f"{LOOPBACK}:{port}"]
    argv += ["--console-broker", hall.url("staff-2"), "--users", str(work / "users.sqlite3")]
    with hall.log.open("wb") as log:
        service = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        _wait_ready(hall, lambda: service.poll() is not None)
        yield hall, f"http://{LOOPBACK}:{port}"
    finally:
        service.terminate()
        service.wait(15)
        broker.stop()


def consoles_run(base: str, consoles: int, calls: int) -> tuple[list[float], int]:
    """Call next `calls` times from one console while `consoles` others follow; each follower's delay."""
    port = urllib.parse.urlsplit(base).port
    cookies = []
    for _ in range(consoles):
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        cookies.append(login(conn)[0])
        conn.close()
    window = "shebao"
    streams = subprocess.Popen(
        [sys.executable, "-c", _STREAMS, str(port), json.dumps(cookies), window],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert streams.stdout is not None and streams.stdin is not None
    if streams.stdout.readline().strip() != "ready":
        raise RuntimeError("the streams did not start")
    clicks = ConsoleClicks(base)
    sent_at: dict[str, float] = {}
    try:
        for i in range(WARMUP_CALLS + calls):
            t0 = time.monotonic()
            sent = clicks.send("", {"window": window})
            ticket = (sent.reply.get("result") or {}).get("ticket")
            if not ticket:
                raise RuntimeError(f"call next: {sent.reply}")
            if i >= WARMUP_CALLS:
                sent_at[ticket] = t0
            time.sleep(0.05)  # staff do not click twenty times a second
    finally:
        clicks.close()
    streams.stdin.write("done\n")
    streams.stdin.flush()
    seen: list[dict[str, float]] = json.loads(streams.stdout.readline())
    streams.wait(10)
    delays, missed = [], 0
    for follower in seen:
        for ticket, t0 in sent_at.items():
            if ticket in follower:
                delays.append(follower[ticket] - t0)
            else:
                missed += 1
    return delays, missed


def _verdict(values: Sequence[float], must: float, aim: float) -> str:
    p99 = percentiles(values)["p99"]
    if p99 > must:
        return "over"
    return "PASS, aim met" if p99 <= aim else "PASS, aim missed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--consoles", type=int, default=20)
    args = parser.parse_args()
    for line in machine_lines():
        print(line)
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        work = Path(tmp)
        with console_hall(work) as (hall, base), _logging_to(work / "led.log"):
            needed = tickets_needed(args.calls)
            jobs = [{"category": "guangdian"}] * (2 * needed["zonghe"] + 4)
            jobs += [{"category": "shebao"}] * (2 * needed["shebao"] + WARMUP_CALLS + args.calls + 8)
            issued = kiosk_burst(hall.kiosk_urls(1), PREFIX, "ticket", jobs, 8, {})
            if not all(s.reply.get("ok") for s in issued.sent):
                raise RuntimeError(f"could not issue the tickets: {issued.sent[0].reply}")
            staff = Client(hall.url("staff"), "bench", PREFIX, contract.reply_topic("staff")).wait_subscribed()
            staff.wait_reply(staff.send(contract.command_topic("announce", staff.name), {"text": LONG_TICKER}))
            clicks = ConsoleClicks(base)
            print(f"\n1. call next → LED frame showing the number: {args.calls} calls one at a time each")
            try:
                for seed, (name, windows) in enumerate(LATENCY_RUNS):
                    for label, sender in (("console click", clicks), ("peer: staff cmd/call", staff)):
                        series = calls_run(hall, name, windows, sender, args.calls, seed)  # type: ignore[arg-type]
                        verdict = _verdict(series.shown, MUST_FRAME_P99_S, AIM_FRAME_P99_S) if label[0] == "c" else ""
                        missing = f", {series.missing} never shown" if series.missing else ""
                        print(f"  {name:<16} {label:<22} {percentiles_ms(series.shown)}{missing}  {verdict}")
            finally:
                clicks.close()
                staff.close()
            delays, missed = consoles_run(base, args.consoles, args.calls)
            print(f"\n2. call next → {args.consoles} open consoles updated ({len(delays)} updates, {missed} missed)")
            verdict = _verdict(delays, MUST_CONSOLES_P99_S, AIM_CONSOLES_P99_S)
            print(f"  click → state event at every console: {percentiles_ms(delays)}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
