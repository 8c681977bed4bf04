"""Benchmark: durable tickets through the broker, and a staff call reaching 200 displays (benchmarks/README.md).

    .venv/bin/python benchmarks/bench_queue.py [--tickets 2000] [--subscribers 200] [--calls 200]
        [--settings 1x1,2x8,2x32] [--receiver-procs CORES] [--profile]

Each measurement gets a fresh Mosquitto with the project's configuration (the tests' roster), a
copy of the sample centre and a fresh SQLite state file, and runs the real service as a child
process, `hall serve`, as in production: the simulated devices share the cores with it, not its
interpreter lock.

1. Tickets: K kiosks (accounts kiosk-1, kiosk-2), each one persistent connection through the
   project's MqttTransport, send `cmd/ticket` with W commands in flight each; a ticket counts when
   its reply says ok. Afterwards the tickets must be distinct, and the state file, read through a
   read-only connection while the service still runs, must hold exactly those tickets. Peers in
   the same run: SQLite WAL commits alone (synchronous=FULL, one INSERT a transaction), and the
   same clients and payloads answered by a bare paho echo process through the same broker.
2. Calls: S displays (account led-wall) in a few worker processes, subscribed to the call topic;
   a staff client sends `cmd/call {window, action: next}`, one call at a time; latency is the
   arrival at a display minus the moment just before the publish. Peer, interleaved call by call:
   a plain paho client (service account) publishes the same bytes to the same topic, QoS1.

`--profile` then runs the service in a thread of this process, with the kiosks in a child
process, and shows where a ticket's time goes. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import math
import multiprocessing
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import paho.mqtt
from _devices import Burst, Client, Displays, Publisher, Sent, burst, kiosk_burst, no_delay
from _support import REPO, TimedSubscriber, machine_lines, mosquitto_version, percentiles, percentiles_ms

sys.path.insert(0, str(REPO))  # for the tests' roster

from content.broker.local import Mosquitto, mosquitto_available
from content.centre.loader import load_content
from content.centre.synth import SAMPLE, lift_limits, numbers_at_any_hour
from content.queue.rules import MAX_NUMBER
from content.service import documents as documents_module
from content.service import loop as service_module
from content.service.commands.table import COMMANDS
from content.service.loop import ContentService
from content.service.store import Store
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.transport import MqttTransport
from tests.conftest import CENTRE, ROSTER, roster_file

PREFIX = contract.base(CENTRE)
CALL_TOPIC = PREFIX + "call"
SERVICE_STATE = PREFIX + contract.device_topic("service")
WAIT_S = 30.0
ROUND_TIMEOUT_S = 10.0
MUST_TPS, AIM_TPS = 200.0, 1000.0
MUST_P99_S, AIM_P99_S = 0.050, 0.010
KIOSKS = ("kiosk-1", "kiosk-2")
CALL_WINDOWS = ("zonghe", "shebao")
WARMUP_CALLS = 4
NAGLE_CALLS = 20

# The echo peer: a bare paho client that sends each request back unchanged (service account),
# with TCP_NODELAY like the benchmark's other clients.
_ECHO = """
import socket
import sys
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from content.shared.broker_url import parse_broker_url
broker, prefix = parse_broker_url(sys.argv[1]), sys.argv[2]
client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=broker.username + ".echo", protocol=mqtt.MQTTv5)
client.username_pw_set(broker.username, broker.password)
client.on_connect = lambda c, *_: c.subscribe(prefix + "bench/echo/+", qos=1)
client.on_subscribe = lambda *_: print("ready", flush=True)
client.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
client.on_message = lambda c, u, m: c.publish(prefix + "bench/reply/" + m.topic.rsplit("/", 1)[1], m.payload, qos=1)
client.connect(broker.host, broker.port)
client.loop_forever()
"""


# -- a fresh hall: broker, sample centre, state file, service -------------------------------------


@dataclass
class Hall:
    broker: Mosquitto
    content_dir: Path
    state: Path
    log: Path
    service_pid: int = 0

    def url(self, account: str) -> str:
        return self.broker.url(account)

    @property
    def broker_pid(self) -> int:
        process = self.broker._process  # private; read only for the broker's CPU time
        assert process is not None
        return process.pid

    def kiosk_urls(self, count: int) -> list[str]:
        """One URL a kiosk, the accounts taken in turn: kiosks on one account share its replies."""
        return [self.url(KIOSKS[k % len(KIOSKS)]) for k in range(count)]


def _wait_ready(hall: Hall, gave_up: Callable[[], bool]) -> None:
    """Until the service says `ready` on its device topic (state published, subscriptions granted)."""
    sub = TimedSubscriber(hall.url("led-wall"), [SERVICE_STATE]).wait_subscribed()
    deadline = time.monotonic() + WAIT_S
    try:
        while True:
            try:
                sub.wait_for(lambda a: bool(a.payload) and json.loads(a.payload)["status"] == "ready", 0.5)
                return
            except TimeoutError:
                if gave_up() or time.monotonic() > deadline:
                    tail = hall.log.read_text(errors="replace")[-3000:] if hall.log.exists() else ""
                    raise RuntimeError(f"the service did not become ready:\n{tail}") from None
    finally:
        sub.close()


@contextmanager
def _broker_and_content(work: Path) -> Iterator[Hall]:
    content_dir = work / "centre"
    shutil.copytree(SAMPLE, content_dir)
    numbers_at_any_hour(content_dir)  # a benchmark runs at any hour
    # The rate of the service, not of the policy: a kiosk account here takes thousands a minute.
    # The broker's own bound on an account's commands (hall_clientid.so) is lifted for the same reason.
    lift_limits(content_dir)
    broker = Mosquitto(work / "broker", ROSTER, commands=LIFTED_COMMANDS).start()
    try:
        yield Hall(broker, content_dir, work / "state.sqlite3", work / "service.log")
    finally:
        broker.stop()


SERVICE_ROSTER = ROSTER.model_copy(
    update={"accounts": [a.model_copy(update={"office": a.role == "staff" and not a.window}) for a in ROSTER.accounts]}
)
"""What the service is told of the accounts: each staff account of the tests' roster acts for every window
(the benchmarks' callers call them all)."""


def _hall_command() -> list[str]:
    script = Path(sys.executable).with_name("hall")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hall"]


@contextmanager
def served_hall(work: Path) -> Iterator[Hall]:
    """A fresh broker, a copy of the sample centre, and `hall serve` on a fresh state file."""
    with _broker_and_content(work) as hall:
        argv = [*_hall_command(), "serve", "--content", str(hall.content_dir), "--broker", hall.url("service")]
        argv += ["--roster", str(roster_file(SERVICE_ROSTER))]
        with hall.log.open("wb") as log:
            service = subprocess.Popen(
                [*argv, "--state", str(hall.state)], stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        hall.service_pid = service.pid
        try:
            _wait_ready(hall, lambda: service.poll() is not None)
            yield hall
        finally:
            service.terminate()
            try:
                service.wait(15)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()


LIFTED_COMMANDS = (1_000_000, 1_000_000)
"""Commands a second and the burst the broker lets one account send here: no bound."""


@contextmanager
def _patched(module: ModuleType, name: str, value: Any) -> Iterator[None]:
    """Replace a module attribute in this process for a while (the service itself is unchanged)."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """`hall.*` at INFO to a file, as `hall serve` logs to its stderr: a line a command."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("hall")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextmanager
def in_process_hall(
    work: Path, transport: type[MqttTransport] = MqttTransport
) -> Iterator[tuple[Hall, ContentService]]:
    """The same with the service in a thread of this process; `transport` is the class it connects with."""
    with _broker_and_content(work) as hall, _logging_to(hall.log):
        store = Store(hall.state)
        url = parse_broker_url(hall.url("service"))
        service = ContentService(hall.content_dir, url, store, roster=SERVICE_ROSTER)
        codes: list[int] = []
        thread = threading.Thread(target=lambda: codes.append(service.run()), name="service", daemon=True)
        with _patched(service_module, "MqttTransport", transport):
            thread.start()
            _wait_ready(hall, lambda: bool(codes))
        try:
            yield hall, service
        finally:
            service.request_stop()
            thread.join(WAIT_S)
            store.close()


def ticket_jobs(n: int, categories: Sequence[str]) -> list[dict[str, Any]]:
    """`n` ticket requests spread round-robin over `categories`; every tenth one a priority ticket."""
    return [
        {"category": categories[i % len(categories)], **({"priority": "elderly"} if i % 10 == 9 else {})}
        for i in range(n)
    ]


# -- 1. durable tickets a second ------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRun:
    service: Burst
    echo: Burst
    errors: list[str]
    distinct: int
    stored: int
    stored_match: bool


def stored_tickets(state: Path) -> set[tuple[str, str]]:
    """Every (day, number) in the state file, through a read-only connection."""
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        return set(db.execute("SELECT day, number FROM tickets"))
    finally:
        db.close()


def tickets_run(work: Path, n: int, clients: int, window: int, categories: Sequence[str]) -> TicketRun:
    with served_hall(work) as hall:
        pids = {"service": hall.service_pid, "mosquitto": hall.broker_pid}
        result = kiosk_burst(hall.kiosk_urls(clients), PREFIX, "ticket", ticket_jobs(n, categories), window, pids)
        # While the service still runs: a reply must mean the ticket is in the file already.
        stored = stored_tickets(hall.state)
        echo = echo_run(hall, n, clients, window, categories)
    errors = [str(s.reply.get("error")) for s in result.sent if not s.reply.get("ok")]
    issued = {(s.reply["result"]["day"], s.reply["result"]["ticket"]) for s in result.sent if s.reply.get("ok")}
    return TicketRun(result, echo, errors, len(issued), len(stored), stored == issued)


def echo_run(hall: Hall, n: int, clients: int, window: int, categories: Sequence[str]) -> Burst:
    """The naive peer: the same clients and payloads, answered by a bare paho echo process."""
    echo = subprocess.Popen(
        [sys.executable, "-c", _ECHO, hall.url("service"), PREFIX], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
    )
    peers: list[Client] = []
    try:
        assert echo.stdout is not None
        if echo.stdout.readline().strip() != b"ready":
            raise RuntimeError("the echo peer did not start")
        # Requests name a kiosk account in their topic and come back on bench/reply/<account>, so
        # two clients on one account see each other's replies, as on reply/<account>.
        for k in range(clients):
            account = KIOSKS[k % len(KIOSKS)]
            peers.append(Client(hall.url("service"), f"echo-{k}", PREFIX, f"bench/reply/{account}", account))
        for peer in peers:
            peer.wait_subscribed()
        pids = {"echo": echo.pid, "mosquitto": hall.broker_pid}
        return burst(peers, lambda c: f"bench/echo/{c.name}", ticket_jobs(n, categories), window, pids)
    finally:
        for peer in peers:
            peer.close()
        echo.terminate()
        echo.wait(10)
        if echo.stdout is not None:
            echo.stdout.close()


def sqlite_peer(path: Path, seconds: float = 1.0) -> tuple[float, float]:
    """(commits a second, CPU seconds a commit) with WAL and synchronous=FULL, as Store opens its file."""
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        count, start, cpu = 0, time.perf_counter(), time.process_time()
        while (elapsed := time.perf_counter() - start) < seconds:
            db.execute("INSERT INTO t (v) VALUES (?)", (f"A{count:03d}",))
            count += 1
        return count / elapsed, (time.process_time() - cpu) / count
    finally:
        db.close()


# -- 2. a call reaching S displays ----------------------------------------------------------------


@dataclass
class CallSeries:
    service: list[list[float]] = field(default_factory=list)
    """Per call, the latency at each display (s)."""
    replies: list[float] = field(default_factory=list)
    peer: list[list[float]] = field(default_factory=list)
    """Per peer message, the latency at each display (s)."""
    peer_acks: list[float] = field(default_factory=list)
    payload_bytes: int = 0


@dataclass(frozen=True)
class CallRun:
    main: CallSeries
    nagle: CallSeries
    """A few calls from a staff client whose socket is left as MqttTransport makes it."""


class _CallLoop:
    """Calls one at a time, each followed by the peer's message; every display must have each one."""

    def __init__(self, displays: Displays, peer: Publisher) -> None:
        self.displays, self.peer = displays, peer
        self.received = 0
        self.calls = 0

    def series(self, staff: Client, count: int, warmup: int) -> CallSeries:
        out = CallSeries()
        published: list[tuple[int, float]] = []
        for i in range(warmup + count):
            window = CALL_WINDOWS[self.calls % len(CALL_WINDOWS)]
            self.calls += 1
            sent = staff.send(contract.command_topic("call", staff.name), {"window": window, "action": "next"})
            self.received += 1
            times, payloads = self.displays.wait_round(self.received, ROUND_TIMEOUT_S)
            staff.wait_reply(sent)
            event = _check_call(sent, window, payloads)
            peer_at, mid = self.peer.publish(CALL_TOPIC, event)
            self.received += 1
            peer_times, peer_payloads = self.displays.wait_round(self.received, ROUND_TIMEOUT_S)
            if peer_payloads != {event}:
                raise RuntimeError("the displays got something other than the peer's message")
            if i >= warmup:
                out.service.append([t - sent.at for t in times])
                out.replies.append(sent.reply_at - sent.at)
                out.peer.append([t - peer_at for t in peer_times])
                published.append((mid, peer_at))
            out.payload_bytes = len(event)
        # A PUBACK may come after the message reached every display: collect them at the end.
        acks = self.peer.wait_acked([mid for mid, _ in published], WAIT_S)
        out.peer_acks = [acks[mid] - at for mid, at in published]
        return out


def _check_call(sent: Sent, window: str, payloads: set[bytes]) -> bytes:
    """Every display got the same call event, for the ticket the staff client was told about."""
    if not sent.reply.get("ok"):
        raise RuntimeError(f"cmd/call refused: {sent.reply.get('error')}")
    result = sent.reply["result"]
    if len(payloads) != 1:
        raise RuntimeError(f"the displays got {len(payloads)} different payloads for one call")
    (payload,) = payloads
    event = json.loads(payload)
    if result["ticket"] is None or (event.get("ticket"), event.get("window")) != (result["ticket"], window):
        raise RuntimeError(f"call event {event} does not match the reply {result}")
    return payload


def calls_needed(calls: int) -> int:
    """Tickets to issue for each of the two windows."""
    return math.ceil((calls + NAGLE_CALLS + 2 * WARMUP_CALLS) / 2) + 2


def calls_run(work: Path, calls: int, subscribers: int, procs: int) -> CallRun:
    with served_hall(work) as hall:
        # Enough waiting tickets for every `next`, guangdian's first: the comprehensive window
        # (which on ordinary days serves every category) then takes those and leaves shebao's.
        each = calls_needed(calls)
        jobs = [{"category": "guangdian"}] * each + [{"category": "shebao"}] * each
        issued = kiosk_burst(hall.kiosk_urls(1), PREFIX, "ticket", jobs, 8, {})
        if not all(s.reply.get("ok") for s in issued.sent):
            raise RuntimeError(f"could not issue the tickets: {issued.sent[0].reply}")

        displays = Displays(hall.url("led-wall"), CALL_TOPIC, subscribers, procs)
        clients: list[Any] = [displays]
        try:
            peer = Publisher(hall.url("service"), "peer")
            clients.append(peer)
            staff = Client(hall.url("staff"), "bench", PREFIX, contract.reply_topic("staff"))
            clients.append(staff)
            plain = Client(hall.url("staff-2"), "bench", PREFIX, contract.reply_topic("staff-2"), nodelay=False)
            clients.append(plain)
            loop = _CallLoop(displays, peer)
            main = loop.series(staff.wait_subscribed(), calls, WARMUP_CALLS)
            nagle = loop.series(plain.wait_subscribed(), NAGLE_CALLS, WARMUP_CALLS)
        finally:
            for client in reversed(clients):
                client.close()
    return CallRun(main, nagle)


# -- --profile: where a ticket's time goes, the service in this process ----------------------------


class _Phases:
    """Wall and CPU time of each phase of each command, by wrapping the service's own functions.

    Only the service's thread calls what is wrapped; the kiosks run in a child process.
    """

    def __init__(self) -> None:
        self.commands: list[dict[str, list[float]]] = []
        """Per command: phase -> [wall s, thread CPU s], summed over the phase's calls."""
        self._current: defaultdict[str, list[float]] | None = None

    def wrap(self, name: str, function: Callable[..., Any], *, command: bool = False) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if command:
                self._current = defaultdict(lambda: [0.0, 0.0])
            current = self._current
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                if current is not None:  # not for the republishing the service does when idle
                    entry = current[name]
                    entry[0] += time.perf_counter() - wall
                    entry[1] += time.thread_time() - cpu
                if command:
                    self.commands.append(dict(current or {}))
                    self._current = None

        return timed

    @contextmanager
    def installed(self, service: ContentService) -> Iterator[None]:
        store = service.store
        store.reply_for = self.wrap("reply_for", store.reply_for)  # type: ignore[method-assign]
        store.commit = self.wrap("commit", store.commit)  # type: ignore[method-assign]
        service._reply = self.wrap("reply", service._reply)  # type: ignore[method-assign]
        service._publish_state = self.wrap("publish_state", service._publish_state)  # type: ignore[method-assign]
        service._on_command = self.wrap("command", service._on_command, command=True)  # type: ignore[method-assign]
        commands = dict(
            COMMANDS, ticket=replace(COMMANDS["ticket"], handler=self.wrap("handler", COMMANDS["ticket"].handler))
        )
        # The service and the document cache look these names up in their modules at each command.
        with (
            _patched(service_module, "COMMANDS", commands),
            _patched(documents_module, "queue", self.wrap("doc.queue", documents_module.queue)),
            _patched(documents_module, "stats", self.wrap("doc.stats", documents_module.stats)),
            _patched(documents_module, "rev_of", self.wrap("rev_of", contract.rev_of)),
        ):
            yield

    def mean(self, commands: Sequence[dict[str, list[float]]], name: str, which: int) -> float:
        return statistics.fmean(c[name][which] if name in c else 0.0 for c in commands)


class _NoDelayTransport(MqttTransport):
    """MqttTransport setting TCP_NODELAY itself as well: should match the transport as it is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client.on_socket_open = no_delay


def _burst_in_child(hall: Hall, n: int, clients: int, window: int, categories: Sequence[str]) -> Burst:
    """The kiosks in a child process, so that only the service runs Python in this one."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = ticket_jobs(n, categories)
        return pool.submit(kiosk_burst, hall.kiosk_urls(clients), PREFIX, "ticket", jobs, window, {}).result()


def profile(work: Path, n: int, clients: int, window: int, categories: Sequence[str]) -> None:
    """Where a ticket's time goes: phases, then cProfile, then the service's socket with TCP_NODELAY."""
    phases = _Phases()
    with in_process_hall(work / "phases") as (hall, service), phases.installed(service):
        result = _burst_in_child(hall, n, clients, window, categories)
    _report_phases(phases, result, n)

    profiler = cProfile.Profile()
    with in_process_hall(work / "cprofile") as (hall, service):
        on_command = service._on_command
        service._on_command = lambda *a: profiler.runcall(on_command, *a)  # type: ignore[method-assign]
        _burst_in_child(hall, n, clients, window, categories)
    _report_cprofile(profiler, n)

    print()
    print("the service's socket with TCP_NODELAY (the service in this process; `hall serve` is as it is)")
    print(f"  {'K × W, tickets':<22} {'service socket':<28} {'tickets/s':>10}   reply p50 / p90 / p99 / max")
    for k, w in sorted({(1, 1), (clients, window)}):
        for label, transport in (("as MqttTransport makes it", MqttTransport), ("TCP_NODELAY", _NoDelayTransport)):
            with in_process_hall(work / f"nodelay-{k}x{w}-{transport.__name__}", transport) as (hall, _):
                b = _burst_in_child(hall, n // 2, k, w, categories)
            print(f"  {f'{k} × {w}, {n // 2:,}':<22} {label:<28} {b.per_s:10,.0f}   {percentiles_ms(b.latencies)}")


def _report_phases(phases: _Phases, result: Burst, n: int) -> None:
    commands = phases.commands
    k = max(1, len(commands) // 10)
    first, last = commands[:k], commands[-k:]
    print()
    print(
        f"--profile: the service in a thread of this process, the kiosks in a child; {n:,} tickets, "
        f"{result.clients} × {result.window}: {result.per_s:,.0f}/s (first tenth {result.rate_of_tenth(0):,.0f}/s, "
        f"last {result.rate_of_tenth(9):,.0f}/s)"
    )
    print("mean time a ticket on the service's thread, over the first tenth of the tickets and over the last,")
    print("when the day holds ~N tickets; wall time includes waiting for the disk and for the GIL")

    def derived(name: str, parts: Sequence[str]) -> Callable[[Sequence[dict[str, list[float]]], int], float]:
        return lambda cs, which: phases.mean(cs, name, which) - sum(phases.mean(cs, p, which) for p in parts)

    def plain(name: str) -> Callable[[Sequence[dict[str, list[float]]], int], float]:
        return lambda cs, which: phases.mean(cs, name, which)

    direct = ("reply_for", "handler", "commit", "reply", "publish_state")
    rows = [
        ("_on_command, all of it", plain("command")),
        ("  store.reply_for: SELECT, is the id a repeat?", plain("reply_for")),
        ("  take_ticket: parse, issue, ahead, estimated wait", plain("handler")),
        ("  store.commit: INSERTs and COMMIT (fsync)", plain("commit")),
        ("  _reply: encode and publish", plain("reply")),
        ("  _publish_state", plain("publish_state")),
        ("    queue document (documents.queue)", plain("doc.queue")),
        ("    stats document (documents.stats)", plain("doc.stats")),
        ("    rev_of: hash of each rebuilt document", plain("rev_of")),
        ("    the rest: cache checks, encode, publish", derived("publish_state", ("doc.queue", "doc.stats", "rev_of"))),
        ("  the rest: decode, build the reply, log line", derived("command", direct)),
    ]
    print(f"  {'':<52} {'wall, first':>12} {'wall, last':>12} {'CPU, last':>12}")
    for label, value in rows:
        figures = [value(first, 0), value(last, 0), value(last, 1)]
        print(f"  {label:<52} " + " ".join(f"{x * 1e6:9.0f} µs" for x in figures))


def _report_cprofile(profiler: cProfile.Profile, n: int) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print()
    print(f"cProfile of the service's _on_command, {n:,} tickets (top 20 by own time; cProfile inflates call-heavy")
    print("Python, and the time inside sqlite3's execute is mostly the fsync):")
    print("\n".join(f"  {line}" for line in lines[start : start + 21] if line.strip()))


# -- the report -----------------------------------------------------------------------------------


def _row(what: str, figure: str, budget: str = "", verdict: str = "") -> None:
    print(f"  {what:<50} {figure:<38} {budget:<21} {verdict}".rstrip())


def _verdict_at_least(value: float, must: float, aim: float) -> str:
    if value < must:
        return "below"
    return "PASS, aim met" if value >= aim else "PASS, aim missed"


def _verdict_at_most(value: float, must: float, aim: float) -> str:
    if value > must:
        return "over"
    return "PASS, aim met" if value <= aim else "PASS, aim missed"


def _rate(b: Burst) -> str:
    return f"{b.per_s:7,.0f}   ({b.rate_of_tenth(0):,.0f} / {b.rate_of_tenth(9):,.0f})"


def _cpu(b: Burst, *processes: str) -> str:
    return " / ".join(f"{b.cpu_per_command(p) * 1e6:.0f}" for p in processes) + " µs"


def report_tickets(runs: list[TicketRun], n: int, sqlite: tuple[float, float]) -> None:
    budget = f"≥ {MUST_TPS:,.0f}/s (aim {AIM_TPS:,.0f})"
    print()
    print(f"1. durable tickets through the broker: {n:,} tickets a setting, each setting on a fresh hall")
    print(f"  {'K kiosks × W in flight each':<50} {'a second (first / last tenth)':<38} {'must (aim)':<21} verdict")
    for run in runs:
        b, e = run.service, run.echo
        _row(f"{b.clients} × {b.window}: hall serve", _rate(b), budget, _verdict_at_least(b.per_s, MUST_TPS, AIM_TPS))
        _row("    reply p50 / p90 / p99 / max", percentiles_ms(b.latencies))
        _row("    CPU a ticket: service / mosquitto", _cpu(b, "service", "mosquitto"))
        ok = not run.errors and run.distinct == n == run.stored and run.stored_match
        same = "yes" if run.stored_match else "NO"
        check = f"{run.distinct:,} distinct; state file: {run.stored:,}, same: {same}"
        _row("    tickets", check, "", "ok" if ok else f"FAILED ({len(run.errors)} refused: {run.errors[:1]})")
        _row(f"  naive peer {e.clients} × {e.window}: bare paho echo", _rate(e))
        _row("    round trip p50 / p90 / p99 / max", percentiles_ms(e.latencies))
        _row("    CPU a round trip: echo / mosquitto", _cpu(e, "echo", "mosquitto"))
    per_s, cpu = sqlite
    _row("naive peer: SQLite WAL commits alone", f"{per_s:7,.0f}   ({cpu * 1e6:.0f} µs CPU a commit)")
    print("  Verdicts on the rate over the whole burst. Tickets go round the 11 categories (prefixes A…K,")
    print("  999 numbers each a day); every step of the service that looks at the day's tickets grows with")
    print("  them, hence the last tenth. CPU from /proc/<pid>/stat (10 ms ticks), all threads, during the burst.")


def report_calls(run: CallRun, subscribers: int, procs: int) -> None:
    budget = f"p99 ≤ {MUST_P99_S * 1000:g} ms (aim {AIM_P99_S * 1000:g})"
    main, nagle = run.main, run.nagle
    flat = [x for call in main.service for x in call]
    peer_flat = [x for call in main.peer for x in call]
    print()
    print(
        f"2. staff call → call event at {subscribers} displays: {len(main.service)} calls one at a time "
        f"(after {WARMUP_CALLS} not counted), the displays in {procs} processes"
    )
    print(f"  {'':<50} {'p50 / p90 / p99 / max':<38} {'must (aim)':<21} verdict on p99")
    _row(
        f"publish cmd/call → event at a display ({len(flat):,})",
        percentiles_ms(flat),
        budget,
        _verdict_at_most(percentiles(flat)["p99"], MUST_P99_S, AIM_P99_S),
    )
    _row("  → event at the last display, per call", percentiles_ms([max(call) for call in main.service]))
    _row("  → reply at the staff client", percentiles_ms(main.replies))
    _row(f"naive peer: publish → message at a display ({len(peer_flat):,})", percentiles_ms(peer_flat))
    _row("  → message at the last display", percentiles_ms([max(call) for call in main.peer]))
    _row("  → PUBACK at the publisher", percentiles_ms(main.peer_acks))
    nagle_flat = [x for call in nagle.service for x in call]
    _row(f"staff socket as MqttTransport makes it ({len(nagle.service)} calls)", percentiles_ms(nagle_flat))
    _row("  → reply at the staff client", percentiles_ms(nagle.replies))
    print(f"  Call events are {main.payload_bytes} bytes; the peer sends the same bytes. The benchmark's clients set")
    print("  TCP_NODELAY; the last two rows use a staff socket as MqttTransport makes it (it sets TCP_NODELAY too).")


# -- main -----------------------------------------------------------------------------------------


def _settings(text: str) -> list[tuple[int, int]]:
    try:
        pairs = [tuple(int(x) for x in item.lower().split("x")) for item in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected e.g. 1x1,2x8,2x32") from None
    if any(len(p) != 2 or min(p) < 1 for p in pairs):
        raise argparse.ArgumentTypeError(f"{text!r}: expected e.g. 1x1,2x8,2x32")
    return [(p[0], p[1]) for p in pairs]


def _filesystem(path: Path) -> str:
    """The filesystem type and mount point holding `path`, from /proc/mounts."""
    best = ("?", "?")
    resolved = str(path.resolve())
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, kind = line.split()[1:3]
        if (resolved == mount or resolved.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best[0]):
            best = (mount, kind)
    return f"{best[1]} on {best[0]}"


def main() -> int:
    cores = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets a setting (default 2000)")
    parser.add_argument("--subscribers", type=int, default=200, help="displays subscribed to calls (default 200)")
    parser.add_argument("--calls", type=int, default=200, help="calls measured (default 200)")
    parser.add_argument(
        "--settings", type=_settings, default="1x1,2x8,2x32", help="K kiosks × W in flight (default 1x1,2x8,2x32)"
    )
    parser.add_argument(
        "--receiver-procs", type=int, default=cores, help=f"processes the displays run in (default {cores}, the cores)"
    )
    parser.add_argument("--profile", action="store_true", help="then show where a ticket's time goes in the service")
    args = parser.parse_args()
    if not mosquitto_available():
        raise SystemExit("Mosquitto is not installed: scripts/dev test installs it")
    loaded = load_content(SAMPLE).content
    assert loaded is not None
    categories = [c.id for c in loaded.categories]
    if args.tickets > len(categories) * MAX_NUMBER:
        args.tickets = len(categories) * MAX_NUMBER
        print(f"--tickets: a service day has {len(categories)} prefixes × {MAX_NUMBER} numbers; using {args.tickets}")
    most_calls = 2 * (MAX_NUMBER - calls_needed(0)) - 2
    if args.calls > most_calls:
        args.calls = most_calls
        print(f"--calls: each window's category has {MAX_NUMBER} numbers a day; using {args.calls}")

    print(
        f"bench_queue: {args.tickets:,} tickets a setting over {len(categories)} categories, "
        f"{args.calls} calls to {args.subscribers} displays"
    )
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        root = Path(tmp)
        extra = [
            f"mosquitto {mosquitto_version().removeprefix('mosquitto version ')}, "
            f"paho-mqtt {paho.mqtt.__version__}, SQLite {sqlite3.sqlite_version}",
            f"state     SQLite files in {root} ({_filesystem(root)})",
            "service   `hall serve` as a child process, logging a line a command at INFO to a file",
        ]
        print("\n".join(machine_lines(extra)))

        runs = [tickets_run(root / f"tickets-{k}x{w}", args.tickets, k, w, categories) for k, w in args.settings]
        report_tickets(runs, args.tickets, sqlite_peer(root / "peer.sqlite3"))
        calls = calls_run(root / "calls", args.calls, args.subscribers, args.receiver_procs)
        report_calls(calls, args.subscribers, args.receiver_procs)
        if args.profile:
            k, w = args.settings[-1]
            profile(root / "profile", args.tickets, k, w, categories)
    return 0


if __name__ == "__main__":
    sys.exit(main())
