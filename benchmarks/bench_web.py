"""Benchmark: the public pages a phone opens from a kiosk's QR code (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_web.py [--items 2000] [--tickets 600] [--seconds 4] [--clients 8,32]
        [--repeat 500] [--profile]

The pages as `hall serve --http` serves them: `content.web.WebServer` (waitress, Flask, Jinja) started
in this process on a free port of 127.0.0.1, over a Snapshot of a synthetic centre of `--items` items
(content.centre.synth) and a busy day: `--tickets` tickets issued across the categories since 08:30, every
third one called and finished, so a ticket page counts the people ahead among hundreds waiting. The
clients run in a child process (threads, one keep-alive HTTP/1.1 connection each, `http.client`), so
that the server's interpreter lock is its own, as in production.

1. Single requests, one connection, one at a time: `/g/<item>` (going round guides spread over the
   catalog), `/q/<day>/<ticket>` for a ticket far back in the queue, and `/`, p50 / p90 / p99 / max,
   and the garbage collector's runs in the server process meanwhile.
2. Throughput: N clients at once (`--clients`) request a mix of `/g/…` and `/q/…` for `--seconds`:
   pages a second, latency by page, CPU a page in the server and in the clients, waitress's "Task
   queue depth" warnings.
3. Where a page's time goes, in this process without a socket: the view, the view plus Jinja, the
   whole WSGI app; next to the same page over the socket.

Peers in the same run, measured the same way by the same clients, each answering every path with the
body and headers our server sent for it (pre-rendered bytes): waitress with WebServer's settings and a
bare WSGI app, and the naive peer, the standard library's `http.server.ThreadingHTTPServer`: serving
without rendering. `--profile` adds the centre page before and after `gc.freeze()` and a cProfile
listing of the WSGI app for a ticket page and for the centre page. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import http.client
import io
import json
import logging
import pstats
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from _support import REPO, machine_lines, percentiles, percentiles_ms
from flask import Flask, render_template
from werkzeug.test import EnvironBuilder

from content.broker.local import LOOPBACK, free_port
from content.centre.loader import Content, load_content
from content.centre.synth import write_synthetic_centre
from content.queue import rules as q
from content.service.live import Live, Snapshot
from content.shared.wording import DAY_NAMES
from content.web.app import create_app
from content.web.public import REFRESH_S, centre_view, guide_view, ticket_view
from content.web.server import pages_server

DAY = date(2026, 11, 27)
"""A Friday and not a market day in the sample centre (魏城 market days end in 2, 5 and 8)."""
FIRST_TICKET = clock_time(8, 30)
TICKET_GAP = timedelta(seconds=36)
MUST_P99_S, AIM_P99_S = 0.050, 0.010
MUST_PAGES_S = 200.0
BUDGET_CLIENTS = 8
MIX_PAGES = 40
"""Distinct guides and distinct tickets in the throughput mix."""
# How many a day each category gets, relative (社会保障 is the busiest counter of a township hall).
CATEGORY_WEIGHTS = {
    "shebao": 30,
    "minzheng": 10,
    "nongye": 10,
    "jisheng": 8,
    "guotu": 8,
    "shuiwu": 8,
    "canlian": 6,
    "linye": 6,
    "minqing": 6,
    "guangdian": 4,
    "dangwu": 4,
}
PRIORITY_SHARE = 0.1
MOST_TICKETS = 3000
"""社会保障 gets ~30% of them, and a prefix has 999 numbers a day."""
WAITRESS_QUEUE = "waitress.queue"

# The clients: a child process reading one job a line on stdin and answering one JSON line on stdout.
_CLIENTS = r"""
import http.client, json, sys, threading, time

def fetch(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body)

def serial(job):
    targets = job["targets"]
    conns = [http.client.HTTPConnection("127.0.0.1", t["port"], timeout=30) for t in targets]
    out = [{"times": [], "bad": 0, "bytes": []} for _ in targets]
    warmup = job["warmup"]
    for r in range(warmup + max(t["repeat"] for t in targets)):
        for conn, target, result in zip(conns, targets, out):
            if r >= warmup + target["repeat"]:
                continue
            path = target["paths"][r % len(target["paths"])]
            start = time.perf_counter()
            status, size = fetch(conn, path)
            took = time.perf_counter() - start
            if r >= warmup:
                result["times"].append(took)
                result["bad"] += status != 200
                result["bytes"].append(size)
    for conn in conns:
        conn.close()
    return out

def load(job):
    port, paths, n = job["port"], job["paths"], job["clients"]
    barrier = threading.Barrier(n + 1)
    done = [[] for _ in range(n)]
    deadline = [0.0]

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        fetch(conn, paths[(2 * i) % len(paths)][1])
        barrier.wait()
        mine, k, clock = done[i], 2 * i, time.perf_counter
        while clock() < deadline[0]:
            label, path = paths[k % len(paths)]
            k += 1
            start = clock()
            try:
                status, _ = fetch(conn, path)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append((label, clock() - start, status))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    started = time.perf_counter()
    deadline[0] = started + job["seconds"]
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    by, errors = {}, 0
    for mine in done:
        for label, took, status in mine:
            if status == 200:
                by.setdefault(label, []).append(took)
            else:
                errors += 1
    return {"elapsed": elapsed, "cpu": cpu, "by": by, "errors": errors}

for line in sys.stdin:
    job = json.loads(line)
    result = serial(job) if job["kind"] == "serial" else load(job)
    print(json.dumps(result), flush=True)
"""


# -- the busy day ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    snapshot: Snapshot
    issued: int
    finished: int
    waiting: int
    far_back: q.Ticket
    """The last normal ticket issued in the category with the most waiting."""
    ahead: int
    waiting_in_category: int


def busy_day(content: Content, tickets: int, seed: int = 1) -> Day:
    """`tickets` tickets every 36 s from 08:30, across the categories by weight, a tenth of them priority; with
    every third ticket, the next window in turn that has someone to call calls them, and they are done 4 to 9
    minutes later (so the wait estimates have service times to go by)."""
    centre = content.centre
    rng = random.Random(seed)
    opens = datetime.combine(DAY, FIRST_TICKET, ZoneInfo(centre.timezone))
    state = q.roll_day(q.QueueState(), opens, centre.queue)
    categories = list(content.categories)
    weights = [CATEGORY_WEIGHTS.get(c.id, 5) for c in categories]
    windows = [w.id for w in centre.windows]
    now = opens
    for n in range(tickets):
        now = opens + n * TICKET_GAP
        category = rng.choices(categories, weights)[0]
        priority = rng.choice(("elderly", "disabled", "pregnant")) if rng.random() < PRIORITY_SHARE else None
        state = q.issue(state, category.id, category.prefix, priority, now)
        if n % 3 != 2:
            continue
        for turn in range(len(windows)):
            window = windows[(n // 3 + turn) % len(windows)]
            state, call = q.call_next(state, centre, window, None, now)
            if call is not None:
                state, _number = q.done(state, window, now + timedelta(minutes=rng.randint(4, 9)))
                break
    waiting = [t for t in state.tickets.values() if t.status == "waiting"]
    counts = {c.id: sum(1 for t in waiting if t.category == c.id) for c in categories}
    busiest = max(counts, key=lambda c: counts[c])
    far_back = max((t for t in waiting if t.category == busiest and t.priority is None), key=lambda t: t.issued)
    finished = sum(1 for t in state.tickets.values() if t.status == "done")
    snapshot = Snapshot(content, Live(queue=state), now + timedelta(minutes=5))
    return Day(
        snapshot, len(state.tickets), finished, len(waiting), far_back, q.ahead_of(state, far_back), counts[busiest]
    )


# -- the peers: pre-rendered bytes, from waitress and from the standard library's server -----------


@dataclass(frozen=True)
class Page:
    headers: list[tuple[str, str]]
    body: bytes


def fetch_pages(port: int, paths: Sequence[str]) -> dict[str, Page]:
    """Each path as our server answers it: status 200, the body and the headers it sent (Date, Server and
    Content-Length are each peer's own)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    pages = {}
    for path in paths:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: status {response.status}")
        skip = {"date", "server", "content-length"}
        pages[path] = Page([(k, v) for k, v in response.getheaders() if k.lower() not in skip], body)
    conn.close()
    return pages


class _StdlibServer(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, Page]


class _Prerendered(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as waitress
    disable_nagle_algorithm = True  # TCP_NODELAY, as waitress sets by default
    wbufsize = -1  # headers and body leave in one write, flushed after do_GET, as waitress sends them

    def do_GET(self) -> None:
        page = cast(_StdlibServer, self.server).pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        self.send_response(200)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class StdlibPeer:
    """The naive peer: `http.server.ThreadingHTTPServer` (a thread a connection) answering from `pages`."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self._server = _StdlibServer((LOOPBACK, free_port()), _Prerendered)
        self._server.pages = pages
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, name="bench-stdlib", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class WaitressPeer:
    """waitress as WebServer configures it, calling a bare WSGI app that answers from `pages`: what
    waitress costs without Flask and rendering."""

    def __init__(self, pages: dict[str, Page]) -> None:
        from waitress.server import TcpWSGIServer, create_server

        def app(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
            page = pages.get(environ["PATH_INFO"])
            if page is None:
                start_response("404 Not Found", [("Content-Length", "0")])
                return [b""]
            start_response("200 OK", [*page.headers, ("Content-Length", str(len(page.body)))])
            return [page.body]

        server = create_server(app, host=LOOPBACK, port=free_port(), threads=4, ident="hall")
        assert isinstance(server, TcpWSGIServer)
        self._server = server
        self.port = int(server.getsockname()[1])
        self._thread = threading.Thread(target=self._server.run, name="bench-waitress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)


# -- the clients ----------------------------------------------------------------------------------


class Clients:
    """The child process that runs the clients, one job at a time."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _CLIENTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )

    def run(self, job: dict[str, Any]) -> tuple[Any, float]:
        """The job's result, and the CPU seconds this process (the servers) used while it ran."""
        assert self._process.stdin is not None and self._process.stdout is not None
        cpu = time.process_time()
        self._process.stdin.write(json.dumps(job) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        cpu = time.process_time() - cpu
        if not line:
            raise SystemExit("the clients' process exited")
        return json.loads(line), cpu

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)


class QueueWarnings(logging.Handler):
    """Counts waitress's "Task queue depth is N" warnings: a request waiting for one of its 4 threads."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.deepest = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], int):
            self.deepest = max(self.deepest, record.args[0])

    def take(self) -> tuple[int, int]:
        seen = self.count, self.deepest
        self.count = self.deepest = 0
        return seen


class GcPauses:
    """The garbage collector's runs in this process (any thread), by generation, from `gc.callbacks`."""

    def __init__(self) -> None:
        self._runs: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._runs.append((info["generation"], time.perf_counter() - self._started))

    def take(self) -> list[tuple[int, float]]:
        runs, self._runs = self._runs, []
        return runs

    def close(self) -> None:
        gc.callbacks.remove(self._on_gc)


def gc_line(runs: Sequence[tuple[int, float]], seconds: float) -> str:
    full = [took for generation, took in runs if generation == 2]
    total = sum(took for _generation, took in runs)
    longest = f", longest {max(full) * 1000:.0f} ms" if full else ""
    return f"{len(full)} full{longest}; all runs {total * 1000:.0f} ms ({total / seconds:.1%} of the time)"


@dataclass(frozen=True)
class Load:
    clients: int
    elapsed: float
    by: dict[str, list[float]]
    errors: int
    server_cpu: float
    client_cpu: float
    queue_warnings: tuple[int, int]
    gc_runs: list[tuple[int, float]]

    @property
    def pages(self) -> int:
        return sum(len(v) for v in self.by.values())

    @property
    def per_s(self) -> float:
        return self.pages / self.elapsed


# -- in this process, without a socket ------------------------------------------------------------


def timed(runs: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """Seconds per call, `repeat` calls going round `runs`, each timed on its own (after one of each untimed)."""
    for run in runs:
        run()
    clock = time.perf_counter
    times = []
    for n in range(repeat):
        run = runs[n % len(runs)]
        start = clock()
        run()
        times.append(clock() - start)
    return times


def wsgi_call(app: Flask, path: str) -> Callable[[], bytes]:
    """A GET of `path` through the WSGI app, as waitress calls it (a fresh environ each time)."""
    environ = EnvironBuilder(path=path, base_url=f"http://{LOOPBACK}/").get_environ()

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None, /) -> Callable[[bytes], None]:
        if not status.startswith("200"):
            raise RuntimeError(f"{path}: {status}")
        return lambda data: None

    def run() -> bytes:
        return b"".join(app(dict(environ), start_response))

    return run


def in_process(app: Flask, day: Day, guides: Sequence[str], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per call by page and step: the view alone, the view and its template, the whole WSGI app; the
    guides going round the same items as over the socket. The template calls are the routes' own (content/web.py)."""
    snap, content, number = day.snapshot, day.snapshot.content, day.far_back.number

    def ticket_page() -> str:
        view = ticket_view(snap, DAY.isoformat(), number)
        return render_template("ticket.html", ticket=view, centre=content.centre, refresh_s=REFRESH_S)

    def guide_page(item: str) -> Callable[[], str]:
        return lambda: render_template("guide.html", guide=guide_view(content, item), centre=content.centre)

    def centre_page() -> str:
        return render_template("centre.html", centre=centre_view(content), weekdays=DAY_NAMES)

    def guide(item: str) -> Callable[[], object]:
        return lambda: guide_view(content, item)

    few = max(repeat // 10, 20)
    steps: dict[str, dict[str, list[float]]] = {}
    with app.test_request_context("/"):
        steps["q"] = {"view": timed([lambda: ticket_view(snap, DAY.isoformat(), number)], repeat)}
        steps["q"]["jinja"] = timed([ticket_page], repeat)
        steps["g"] = {"view": timed([guide(i) for i in guides], repeat)}
        steps["g"]["jinja"] = timed([guide_page(i) for i in guides], repeat)
        steps["centre"] = {"view": timed([lambda: centre_view(content)], few), "jinja": timed([centre_page], few)}
    steps["q"]["wsgi"] = timed([wsgi_call(app, f"/q/{DAY.isoformat()}/{number}")], repeat)
    steps["g"]["wsgi"] = timed([wsgi_call(app, f"/g/{i}") for i in guides], repeat)
    steps["centre"]["wsgi"] = timed([wsgi_call(app, "/")], few)
    return steps


def profile(app: Flask, ticket: str, repeat: int, gc_pauses: GcPauses) -> None:
    few = max(repeat // 10, 20)
    centre = wsgi_call(app, "/")
    print()
    print(
        f"the centre page's WSGI app, × {few}, before and after gc.freeze() (the content moved out of the collector's"
    )
    print("reach, as a service could do after each load; measured here, nothing in content/ changes):")
    print(f"  {'':<50} p50 / p90 / p99 / max")
    for label in ("as it is", "after gc.freeze()"):
        if label != "as it is":
            gc.freeze()
        gc_pauses.take()
        started = time.perf_counter()
        times = timed([centre], few)
        _row(f"GET / {label}", _us(times))
        _row("  garbage collector", gc_line(gc_pauses.take(), time.perf_counter() - started))
    gc.unfreeze()
    for path, n in ((ticket, repeat), ("/", max(repeat // 10, 20))):
        run = wsgi_call(app, path)
        run()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            run()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print()
        print(f"cProfile of the WSGI app, GET {path} × {n} (top 15 by own time; cProfile inflates call-heavy Python):")
        print("\n".join(f"  {line}" for line in lines[start : start + 16] if line.strip()))


# -- the report -----------------------------------------------------------------------------------


def _us(values: Sequence[float]) -> str:
    p = percentiles(values)
    return " / ".join(f"{p[k] * 1e6:7.0f}" for k in ("p50", "p90", "p99", "max")) + " µs"


def _row(what: str, figure: str, budget: str = "", verdict: str = "") -> None:
    print(f"  {what:<50} {figure:<38} {budget:<26} {verdict}".rstrip())


def _verdict_at_least(value: float, must: float) -> str:
    return "PASS" if value >= must else "below"


def _verdict_at_most(value: float, must: float, aim: float) -> str:
    if value > must:
        return "over"
    return "PASS, aim met" if value <= aim else "PASS, aim missed"


def _kib(sizes: Sequence[int]) -> str:
    low, high = min(sizes) / 1024, max(sizes) / 1024
    return f"{low:.1f} KiB" if round(low, 1) == round(high, 1) else f"{low:.1f}–{high:.1f} KiB"


def report_setup(day: Day, content: Content, guides: Sequence[str], tickets: Sequence[str]) -> None:
    far = day.far_back
    category = next(c.name for c in content.categories if c.id == far.category)
    print()
    print(
        f"the day: {day.issued} tickets issued from {FIRST_TICKET:%H:%M} every {TICKET_GAP.seconds} s, "
        f"{day.finished} called and done, {day.waiting} waiting; the pages' clock {day.snapshot.now:%Y-%m-%d %H:%M}"
    )
    print(
        f"  the ticket far back: {far.number} ({category}, issued {far.issued:%H:%M}), {day.ahead} ahead of it "
        f"among {day.waiting_in_category} waiting in its category"
    )
    print(
        f"  the mix: {len(guides)} guides spread over the catalog and {len(tickets)} waiting tickets "
        "spread over the day, /g and /q in turn"
    )


CONTENDERS = {
    "ours": "hall pages (waitress + Flask)",
    "waitress": "peer: waitress, a bare WSGI app",
    "stdlib": "naive peer: http.server",
}


def report_single(results: dict[str, list[dict[str, Any]]], labels: Sequence[str], gc_runs: Sequence[str]) -> None:
    print()
    print("1. single requests: one keep-alive connection a contender, one request at a time, contenders in turn")
    print(f"  {'':<50} {'p50 / p90 / p99 / max':<38} body")
    for index, label in enumerate(labels):
        print(f"  {label}")
        for name, title in CONTENDERS.items():
            got = results[name][index]
            bad = f", {got['bad']} not 200" if got["bad"] else ""
            _row(f"  {title} ({len(got['times'])})", percentiles_ms(got["times"]), _kib(got["bytes"]) + bad)
        _row("  garbage collector in the server process", gc_runs[index])
    print("  Each figure: request sent → whole body read, at the client. The peers answer each path with the")
    print("  body and headers our server sent for it, pre-rendered: waitress with the same settings and a WSGI")
    print("  app that only looks the page up; the standard library's threading server. They cost what serving")
    print("  costs without Flask and rendering.")


def report_load(runs: dict[str, list[Load]]) -> None:
    rate_budget = f"≥ {MUST_PAGES_S:,.0f}/s at {BUDGET_CLIENTS}"
    p99_budget = f"p99 ≤ {MUST_P99_S * 1000:g} ms (aim {AIM_P99_S * 1000:g}) at {BUDGET_CLIENTS}"
    print()
    print("2. throughput: N phones at once, each its own keep-alive connection, /g and /q in turn, as fast as answered")
    print(f"  {'':<50} {'pages a second | p50 / p90 / p99 / max':<38} {'must (aim)':<26} verdict")
    for name, title in CONTENDERS.items():
        for run in runs[name]:
            budgeted = name == "ours" and run.clients == BUDGET_CLIENTS
            errors = f", {run.errors} failed" if run.errors else ""
            rate = f"{run.per_s:7,.0f} /s ({run.pages:,} pages in {run.elapsed:.1f} s{errors})"
            verdict = _verdict_at_least(run.per_s, MUST_PAGES_S) if budgeted else ""
            _row(f"{title}, {run.clients} phones", rate, rate_budget if budgeted else "", verdict)
            q_p99 = percentiles(run.by["q"])["p99"]
            verdict = _verdict_at_most(q_p99, MUST_P99_S, AIM_P99_S) if budgeted else ""
            _row(
                f"  /q/<day>/<ticket> ({len(run.by['q']):,})",
                percentiles_ms(run.by["q"]),
                p99_budget if budgeted else "",
                verdict,
            )
            _row(f"  /g/<item> ({len(run.by['g']):,})", percentiles_ms(run.by["g"]))
            cpu = f"{run.server_cpu / run.pages * 1e6:5.0f} / {run.client_cpu / run.pages * 1e6:5.0f} µs"
            share = f"({run.server_cpu / run.elapsed:.0%} / {run.client_cpu / run.elapsed:.0%} of a core)"
            _row("  CPU a page: server / clients", f"{cpu} {share}")
            if name != "stdlib":
                warnings, deepest = run.queue_warnings
                waits = f"{warnings:,} ({run.pages:,} pages), depth up to {deepest}" if warnings else "none"
                _row("  waitress 'Task queue depth' warnings", waits)
            if name == "ours":
                _row("  garbage collector in the server process", gc_line(run.gc_runs, run.elapsed))
    print(f"  Verdicts at {BUDGET_CLIENTS} phones, the budget line; 32 shows how it degrades beyond it. Latency is the")
    print("  client's, request sent → body read; with the clients' Python on the same 2 cores it includes their own")
    print("  wait for a core and their interpreter lock, in the peers' figures as much as in ours. CPU: user +")
    print("  system time of each process over the run, all threads. The server's Python holds one interpreter")
    print("  lock, so its CPU a page sets its ceiling: 1 ms a page is ~1,000 pages a second, whatever the cores.")
    print("  waitress logs a WARNING each time a request has to wait for one of its 4 threads; `hall serve`")
    print("  logs WARNINGs to stderr, so each of those is a line in the service's log.")


def report_steps(
    steps: dict[str, dict[str, list[float]]], single: dict[str, list[dict[str, Any]]], ahead: int, gc_runs: str
) -> None:
    print()
    print("3. where a page's time goes: in this process, no socket, each call timed on its own")
    print(f"  {'':<50} p50 / p90 / p99 / max")
    pages = {
        "g": ("/g/<item>: guide_view", 0),
        "q": (f"/q/<day>/<far back>: ticket_view ({ahead} ahead)", 1),
        "centre": ("/: centre_view (every item of the catalog)", 2),
    }
    for key, (title, index) in pages.items():
        _row(title, _us(steps[key]["view"]))
        _row("  view + Jinja (render_template)", _us(steps[key]["jinja"]))
        _row("  whole WSGI app (+ Flask: routing, headers)", _us(steps[key]["wsgi"]))
        _row("  over the socket, section 1 (+ waitress, loopback)", _us(single["ours"][index]["times"]))
        _row("  peer over the socket: waitress, a bare app", _us(single["waitress"][index]["times"]))
        _row("  naive peer over the socket: http.server", _us(single["stdlib"][index]["times"]))
    _row("garbage collector in this process", gc_runs)
    print("  Rendering = view + Jinja; Flask's own share = whole WSGI app − that; serving = over the socket −")
    print("  whole WSGI app, next to the peers, which are serving alone.")


# -- main -----------------------------------------------------------------------------------------


def _clients(text: str) -> list[int]:
    try:
        counts = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected e.g. 8,32") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected e.g. 8,32")
    return counts


def spread(values: Sequence[str], n: int) -> list[str]:
    """`n` of `values` evenly apart, the last one included."""
    if len(values) <= n:
        return list(values)
    return [values[len(values) - 1 - round(i * (len(values) - 1) / (n - 1))] for i in reversed(range(n))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="catalog size (default 2000)")
    parser.add_argument("--tickets", type=int, default=600, help="tickets issued today (default 600)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each throughput run (default 4)")
    parser.add_argument("--clients", type=_clients, default="8,32", help="phones at once (default 8,32)")
    parser.add_argument("--repeat", type=int, default=500, help="single requests a page (default 500; / a tenth)")
    parser.add_argument("--profile", action="store_true", help="then a cProfile listing of the WSGI app")
    args = parser.parse_args()
    if args.tickets < 10 or args.tickets > MOST_TICKETS:
        parser.error(f"--tickets: from 10 to {MOST_TICKETS} (each prefix has {q.MAX_NUMBER} numbers a day)")
    args.repeat = max(args.repeat, 20)
    if BUDGET_CLIENTS not in args.clients:
        args.clients = sorted({BUDGET_CLIENTS, *args.clients})
    few = max(args.repeat // 10, 20)

    print(f"bench_web: the public pages over a {args.items:,}-item catalog and {args.tickets} tickets today")
    libs = ", ".join(f"{name} {version(name)}" for name in ("waitress", "Flask", "Jinja2", "Werkzeug"))
    extra = [
        f"libs      {libs}",
        "server    content.web.WebServer (waitress, 4 threads) in this process, on 127.0.0.1; the peers too",
        "clients   a child process: a thread and a keep-alive http.client connection a phone",
    ]
    print("\n".join(machine_lines(extra)))

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        write_synthetic_centre(Path(tmp) / "centre", args.items)
        content = load_content(Path(tmp) / "centre").content
    if content is None:
        raise SystemExit("the synthetic centre does not load")
    day = busy_day(content, args.tickets)
    snapshot = day.snapshot
    waiting = sorted((t for t in snapshot.live.queue.tickets.values() if t.status == "waiting"), key=lambda t: t.issued)
    guides = spread([i.id for i in content.items], MIX_PAGES)
    tickets = spread([t.number for t in waiting], MIX_PAGES)
    report_setup(day, content, guides, tickets)

    queued = QueueWarnings()
    logging.getLogger(WAITRESS_QUEUE).addHandler(queued)
    logging.getLogger(WAITRESS_QUEUE).propagate = False
    web = pages_server(LOOPBACK, free_port(), lambda: Snapshot(snapshot.content, snapshot.live, snapshot.now))
    web.start()
    far_back = f"/q/{DAY.isoformat()}/{day.far_back.number}"
    q_paths = [f"/q/{DAY.isoformat()}/{number}" for number in tickets]
    g_paths = [f"/g/{item}" for item in guides]
    pages = fetch_pages(web.port, ["/", far_back, *q_paths, *g_paths])
    expected = f"前面还有 {day.ahead} 人"
    if expected not in pages[far_back].body.decode():
        raise SystemExit(f"{far_back} does not say {expected}")
    waitress_peer, stdlib_peer = WaitressPeer(pages), StdlibPeer(pages)
    ports = {"ours": web.port, "waitress": waitress_peer.port, "stdlib": stdlib_peer.port}
    clients = Clients()
    gc_pauses = GcPauses()
    try:
        single = [
            ("/g/<item>", g_paths, args.repeat),
            ("/q/<day>/<ticket far back>", [far_back], args.repeat),
            ("/ (the centre, every guide listed)", ["/"], few),
        ]
        by_contender: dict[str, list[dict[str, Any]]] = {name: [] for name in ports}
        single_gc = []
        for _label, paths, n in single:
            targets = [{"port": port, "paths": paths, "repeat": n} for port in ports.values()]
            gc_pauses.take()
            started = time.perf_counter()
            result, _cpu = clients.run({"kind": "serial", "targets": targets, "warmup": 20})
            single_gc.append(gc_line(gc_pauses.take(), time.perf_counter() - started))
            for name, got in zip(ports, result, strict=True):
                by_contender[name].append(got)
        report_single(by_contender, [label for label, _paths, _n in single], single_gc)

        mix = [pair for g, q_path in zip(g_paths, q_paths, strict=False) for pair in (["g", g], ["q", q_path])]
        runs: dict[str, list[Load]] = {name: [] for name in ports}
        for n in args.clients:
            for name, port in ports.items():
                queued.take()
                gc_pauses.take()
                job = {"kind": "load", "port": port, "paths": mix, "clients": n, "seconds": args.seconds}
                out, server_cpu = clients.run(job)
                by = {k: list(v) for k, v in out["by"].items()}
                load = Load(
                    n, out["elapsed"], by, out["errors"], server_cpu, out["cpu"], queued.take(), gc_pauses.take()
                )
                runs[name].append(load)
        report_load(runs)
    finally:
        clients.close()
        stdlib_peer.stop()
        waitress_peer.stop()
        web.stop()

    app = create_app(lambda: snapshot)
    gc_pauses.take()
    started = time.perf_counter()
    steps = in_process(app, day, guides, args.repeat)
    report_steps(steps, by_contender, day.ahead, gc_line(gc_pauses.take(), time.perf_counter() - started))
    if args.profile:
        profile(app, far_back, args.repeat, gc_pauses)
    gc_pauses.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
