"""Benchmark: one account floods commands, the others are still answered (budget in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_flood.py [--seconds 30] [--quiet 10] [--flooders 4] [--only a,b,...] [--keep]

Issue 24's item 2 again, against the real parts: a fresh Mosquitto with the project's generated
configuration and a roster of the tests' accounts (plus `staff-3`, a second stolen account, a staff one),
a copy of the sample centre that takes numbers at any hour with `queue.tickets_per_minute` at 100,000
(what limits a kiosk is then the service's own budgets, `rates:` in centre.yaml, as shipped), and
`hall serve` as a child process. Each flood gets a broker, a state file and a service of its own, so
that nothing one flood left queued reaches the next.

While one account floods for `--seconds`, publishing as fast as `--flooders` raw paho connections can
from a process of its own (so that its threads do not hold this one's GIL; at most 1,000 messages unsent
or unacknowledged on each connection, so that its own memory stays bounded), the other accounts each
send one command a second through `content.shared.client.send_command` (a connection of its own per
command, as the CLI does; timeout 10 s) and time it to its reply:

- kiosk-2 takes a ticket (社会保障), staff calls the next number at 社会保障窗口, staff-2 sets a staff
  member away or back on duty.

The floods: (a) kiosk-1 tickets at QoS 1, (b) the same at QoS 0, (c) kiosk-1 case lookups at QoS 1,
a new case number each, (d) kiosk-1 a junk verb at QoS 0 and 1 (half the connections each), (d') the
same junk from staff-3, whose account may publish any verb, (e) staff-3 status changes at QoS 1. The
quiet hall first, the same commands with no flood: the naive peer of the budget line.

Each flood prints the other accounts' commands sent / answered / unanswered and their round trip
p50 / p99 / max; the service's RSS (VmRSS, every 0.5 s: before, across and after the flood) and CPU; the
flooding account's commands published, refused by the broker, answered (ok, or refused by code) and
never answered; the state file (with its WAL) and the service's log before and after; and how long
`hall serve` took from SIGTERM, sent while the flood is still running, to its exit.

Then (f), issue 24's C002: two `call` commands whose sender gives up after 3 s must never be applied.
First with the service kept busy by a flood of four kinds at once (do they still time out?), then
with the service stalled (SIGSTOP for as long as both senders wait, then SIGCONT): does the audit log
say `expired`, and is the window still serving the number it served before? Figures are printed, never
asserted. About 3.5 minutes with the defaults (longer when floods back up: each ends once the others'
commands under way are answered or given up).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt
import paho.mqtt.client as mqtt
import yaml
from _devices import account_client
from _support import REPO, Presence, cpu_seconds, machine_lines, mosquitto_version, percentiles
from bench_rest import hall_command, sigterm_as_exit

sys.path.insert(0, str(REPO))

from content.accounts.roster import Account, Roster
from content.broker.local import Mosquitto
from content.centre.synth import SAMPLE, numbers_at_any_hour
from content.shared import contract
from content.shared.broker_url import BrokerUrl, parse_broker_url
from content.shared.client import CommandFailed, NoReply, send_command

CENTRE = "weicheng"
PREFIX = contract.base(CENTRE)
READY_S = 60.0
OTHERS_TIMEOUT_S = 10.0
"""The other accounts' send_command timeout: the CLI's default."""
GIVE_UP_S = 3.0
"""(f): the `call` senders' timeout."""
STOP_WAIT_S = 120.0
UNSENT_MOST = 1000
"""Messages a flooding connection has handed to paho and not yet seen sent (QoS 0) or acknowledged (QoS 1)."""
MUST_P99_S = 1.0
AIM_TIMES_QUIET = 2.0
RSS_MUST_MB = 150.0
"""The service's only RSS budget in the design (publishing a 2,000-item catalog); there is none of its own
for a flood, so it is shown beside it."""

ROSTER = Roster(
    centre=CENTRE,
    accounts=[
        Account(user="service", role="service"),
        Account(user="staff", role="staff", office=True),
        Account(user="staff-2", role="staff", office=True),
        Account(user="staff-3", role="staff", office=True),
        Account(user="kiosk-1", role="kiosk"),
        Account(user="kiosk-2", role="kiosk"),
        Account(user="led-wall", role="display"),
    ],
)
"""tests/conftest.py's accounts that send commands, and staff-3: a stolen staff account. Every staff account
is the centre's office (it may call, and set the status of, anyone), so that none is refused for what it
may not do: what is measured is how much it sends."""


# -- the floods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flood:
    key: str
    what: str
    account: str
    verb: str
    qos: tuple[int, ...]
    """The QoS of each connection, in turn."""
    args: Callable[[int], dict[str, Any]]


def _lookup(n: int) -> dict[str, Any]:
    return {"case": f"WC-{datetime.now().strftime('%y%m%d')}-{n % 10_000:04d}", "digits": "1234"}


FLOODS = (
    Flood("a", "kiosk-1: tickets at QoS 1", "kiosk-1", "ticket", (1,), lambda n: {"category": "jisheng"}),
    Flood("b", "kiosk-1: tickets at QoS 0", "kiosk-1", "ticket", (0,), lambda n: {"category": "jisheng"}),
    Flood("c", "kiosk-1: case lookups at QoS 1, a new number each", "kiosk-1", "case", (1,), _lookup),
    Flood("d", "kiosk-1: a junk verb at QoS 0 and 1", "kiosk-1", "junk", (0, 1), lambda n: {"n": n}),
    Flood("d'", "staff-3: the same junk verb at QoS 0 and 1", "staff-3", "junk", (0, 1), lambda n: {"n": n}),
    Flood(
        "e",
        "staff-3: staff status changes at QoS 1",
        "staff-3",
        "staff",
        (1,),
        lambda n: {"staff": "s01", "status": "away" if n % 2 else "on_duty"},
    ),
)
MIXED = (
    # (f)'s flood: four kinds at once, one connection each.
    Flood("f", "kiosk-1 tickets QoS 1", "kiosk-1", "ticket", (1,), lambda n: {"category": "jisheng"}),
    Flood("f", "kiosk-1 tickets QoS 0", "kiosk-1", "ticket", (0,), lambda n: {"category": "jisheng"}),
    Flood("f", "staff-3 status QoS 1", "staff-3", "staff", (1,), lambda n: {"staff": "s01", "status": "away"}),
    Flood("f", "staff-3 junk QoS 0", "staff-3", "junk", (0,), lambda n: {"n": n}),
)


class Flooder:
    """One raw paho connection of the flooding account, publishing from a thread of its own."""

    def __init__(self, url: str, flood: Flood, qos: int, tag: str, stop: threading.Event) -> None:
        broker = parse_broker_url(url)
        self.account = str(broker.username)
        self.flood, self.qos, self.stop = flood, qos, stop
        self.published = 0
        self.acknowledged = 0
        self.refused: Counter[str] = Counter()
        """PUBACKs with a failure reason code, by reason (the broker's ACL)."""
        self.disconnects = 0
        self._room = threading.BoundedSemaphore(UNSENT_MOST)
        self._connected = threading.Event()
        client = account_client(broker, f"flood-{tag}-{uuid.uuid4().hex[:6]}", inflight=100)
        client.on_connect = lambda *_: self._connected.set()
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client
        self.thread = threading.Thread(target=self._run, name=f"flood-{tag}", daemon=True)

    def _on_disconnect(self, *_: Any) -> None:
        self.disconnects += 1

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason_code: Any, properties: Any) -> None:
        if self.qos and getattr(reason_code, "is_failure", False):
            self.refused[str(reason_code)] += 1
        else:
            self.acknowledged += 1
        with suppress(ValueError):
            self._room.release()

    def wait_connected(self) -> None:
        if not self._connected.wait(READY_S):
            raise RuntimeError(f"{self.account}: no CONNACK")

    def _run(self) -> None:
        topic = PREFIX + contract.command_topic(self.flood.verb, self.account)
        stamp = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        run = uuid.uuid4().hex[:8]
        for n in itertools.count():
            if self.stop.is_set():
                return
            if not self._room.acquire(timeout=0.2):
                continue
            payload = {"schema": contract.SCHEMA, "ts": stamp, "id": f"{run}-{n}", "args": self.flood.args(n)}
            info = self.client.publish(topic, json.dumps(payload).encode(), qos=self.qos)
            if info.rc != mqtt.MQTT_ERR_SUCCESS and (self.qos == 0 or info.rc != mqtt.MQTT_ERR_NO_CONN):
                self._room.release()  # not sent and not queued: no on_publish will come for it
            self.published += 1

    def close(self) -> None:
        self.client.on_disconnect = None  # our own disconnect is not the broker's
        self.client.disconnect()
        self.client.loop_stop()


class Replies:
    """The replies to one account, counted by what they say: `ok`, or the refusal's code."""

    def __init__(self, url: str) -> None:
        broker = parse_broker_url(url)
        self.account = str(broker.username)
        self.codes: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        client = account_client(broker, f"replies-{uuid.uuid4().hex[:6]}")
        client.on_connect = lambda c, *_: c.subscribe(PREFIX + contract.reply_topic(self.account), qos=1)
        client.on_subscribe = lambda *_: self._subscribed.set()
        client.on_message = self._on_message
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        try:
            reply = json.loads(message.payload)
            code = "ok" if reply.get("ok") else str(reply.get("code") or "refused, no code")
        except (ValueError, AttributeError):
            code = "undecodable"
        with self._lock:
            self.codes[code] += 1

    def wait_subscribed(self) -> None:
        if not self._subscribed.wait(READY_S):
            raise RuntimeError(f"{self.account}: no SUBACK")

    def counted(self) -> Counter[str]:
        with self._lock:
            return Counter(self.codes)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass
class Flooded:
    """What a flood process did, as it reports it."""

    connections: int = 0
    qos: tuple[int, ...] = ()
    published: int = 0
    acknowledged: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    disconnects: int = 0
    replies: Counter[str] = field(default_factory=Counter)
    cpu_s: float = 0.0


def flood_child(urls: dict[str, str], floods: list[tuple[str, int]], n: int, go: Any, stop: Any, out: Any) -> None:
    """The flood, in a process of its own (spawned), so that neither its threads nor the GIL they hold slow
    the accounts that are timed: `n` connections over `floods` (a table's name and an index in it), the
    replies to each flooding account counted, started by `go`, ended by `stop`; reports a `Flooded`."""
    tables = {"FLOODS": FLOODS, "MIXED": MIXED}
    chosen = [tables[table][index] for table, index in floods]
    halt = threading.Event()
    flooders = []
    for i in range(n):
        flood = chosen[i % len(chosen)]
        flooders.append(
            Flooder(urls[flood.account], flood, flood.qos[(i // len(chosen)) % len(flood.qos)], f"{i}", halt)
        )
    replies = [Replies(urls[account]) for account in sorted({f.account for f in chosen})]
    for flooder in flooders:
        flooder.wait_connected()
    for listener in replies:
        listener.wait_subscribed()
    out.send("ready")
    go.wait()
    began = os.times()
    for flooder in flooders:
        flooder.thread.start()
    stop.wait()
    halt.set()
    for flooder in flooders:
        flooder.thread.join()
    ended = os.times()
    time.sleep(0.3)  # the last acknowledgements and replies on their way: nothing to wait on
    out.send(
        Flooded(
            connections=len(flooders),
            qos=tuple(sorted({f.qos for f in flooders})),
            published=sum(f.published for f in flooders),
            acknowledged=sum(f.acknowledged for f in flooders if f.qos),
            refused=sum((f.refused for f in flooders), Counter[str]()),
            disconnects=sum(f.disconnects for f in flooders),
            replies=sum((r.counted() for r in replies), Counter[str]()),
            cpu_s=ended.user + ended.system - began.user - began.system,
        )
    )
    for flooder in flooders:
        flooder.close()
    for listener in replies:
        listener.close()


class FloodProcess:
    """A flood_child, ready to go once constructed."""

    def __init__(self, h: Hall, floods: list[tuple[str, int]], n: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._go, self._stop = context.Event(), context.Event()
        self._conn, child_end = context.Pipe()
        urls = {account.user: h.url(account.user) for account in ROSTER.accounts}
        self._process = context.Process(
            target=flood_child, args=(urls, floods, n, self._go, self._stop, child_end), daemon=True
        )
        self._process.start()
        if not self._conn.poll(READY_S) or self._conn.recv() != "ready":
            self._process.kill()
            raise RuntimeError("the flood process did not get ready")

    def go(self) -> None:
        self._go.set()

    def stop(self) -> Flooded:
        self._stop.set()
        if not self._conn.poll(READY_S):
            self._process.kill()
            raise RuntimeError("the flood process did not report")
        flooded: Flooded = self._conn.recv()
        self._process.join(10)
        return flooded


# -- the other accounts -----------------------------------------------------------------------------


@dataclass
class Other:
    """One account sending one command a second through send_command."""

    account: str
    what: str
    verb: str
    args: Callable[[int], dict[str, Any]]
    sent: int = 0
    seconds: list[float] = field(default_factory=list)
    """Round trips of the answered commands (ok or refused)."""
    codes: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0


OTHERS: tuple[tuple[str, str, str, Callable[[int], dict[str, Any]]], ...] = (
    ("kiosk-2", "ticket (社会保障)", "ticket", lambda n: {"category": "shebao"}),
    ("staff", "call next at 社会保障窗口", "call", lambda n: {"window": "shebao", "action": "next"}),
    ("staff-2", "staff s05 away / on duty", "staff", lambda n: {"staff": "s05", "status": ("away", "on_duty")[n % 2]}),
)


def run_other(broker: BrokerUrl, other: Other, until: threading.Event, started: float) -> None:
    """Commands at started, started + 1 s, … until `until`; one that comes back late skips the seconds missed."""
    for n in itertools.count():
        due = started + n
        if due < time.monotonic() - 0.5:
            continue  # the last command took longer than a second: no burst to catch up
        if until.wait(max(0.0, due - time.monotonic())):
            return
        other.sent += 1
        began = time.perf_counter()
        try:
            send_command(broker, CENTRE, other.verb, other.args(n), timeout=OTHERS_TIMEOUT_S)
            other.codes["ok"] += 1
        except NoReply:
            other.unanswered += 1
            continue
        except CommandFailed as refused:
            other.codes[refused.code or "refused, no code"] += 1
        other.seconds.append(time.perf_counter() - began)


# -- a hall of one flood's own ------------------------------------------------------------------------


def centre_copy(work: Path) -> Path:
    target = work / "centre"
    shutil.copytree(SAMPLE, target)
    numbers_at_any_hour(target)
    yaml_path = target / "centre.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    text, changed = re.subn(r"tickets_per_minute: *\d+", "tickets_per_minute: 100000", text, count=1)
    if changed != 1:
        raise RuntimeError("the sample's centre.yaml has no queue.tickets_per_minute to raise")
    yaml_path.write_text(text, encoding="utf-8")
    return target


@dataclass
class Hall:
    broker: Mosquitto
    service: subprocess.Popen[bytes]
    state: Path
    log: Path

    def url(self, user: str) -> str:
        return self.broker.url(user)

    def parsed(self, user: str) -> BrokerUrl:
        return parse_broker_url(self.broker.url(user))


def roster_argv(work: Path) -> list[str]:
    """`--roster FILE`: what the service is told of the accounts."""
    path = work / "roster.yaml"
    path.write_text(yaml.safe_dump(ROSTER.model_dump(exclude_defaults=True), sort_keys=False), encoding="utf-8")
    return ["--roster", str(path)]


@contextmanager
def hall(work: Path, content: Path, name: str, roster: list[str]) -> Iterator[Hall]:
    """A fresh broker, state file and `hall serve` (stopped, if still running, on the way out)."""
    broker = Mosquitto(work / f"broker-{name}", ROSTER).start()
    service: subprocess.Popen[bytes] | None = None
    try:
        state = work / f"state-{name}.sqlite3"
        log = work / f"serve-{name}.log"
        with log.open("wb") as out:
            argv = [*hall_command(), "serve", "--content", str(content), "--broker", broker.url("service")]
            service = subprocess.Popen(
                [*argv, "--state", str(state), *roster],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                cwd=work,
                start_new_session=True,  # Ctrl-C reaches this process only; it stops the service
            )
        presence = Presence(broker.url("led-wall"), PREFIX)
        try:
            presence.wait_ready(["service"], READY_S, lambda: None if service.poll() is None else "hall serve")
        finally:
            presence.close()
        yield Hall(broker, service, state, log)
    finally:
        if service is not None and service.poll() is None:
            os.kill(service.pid, signal.SIGCONT)
            service.terminate()
            try:
                service.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
        broker.stop()


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def vm_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler:
    """VmRSS of a process every 0.5 s, from now until it ends or `stop`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.kib: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            kib = vm_rss_kib(self.pid)
            if kib is None:
                return
            self.kib.append(kib)
            if self._stop.wait(0.5):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def file_bytes(path: Path) -> int:
    """A SQLite file and its WAL."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


# -- one flood ----------------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    what: str
    seconds: float
    others: list[Other]
    rss_kib: list[int]
    """The service's VmRSS every 0.5 s, from just before the flood until SIGTERM."""
    rss_stopping_kib: list[int]
    """The same from SIGTERM until it exited."""
    cpu_percent: float
    broker_cpu_percent: float
    own_cpu_percent: float
    """This process: the other accounts."""
    flood_cpu_percent: float
    state_before: int
    state_after: int
    log_before: int
    log_after: int
    stop_s: float
    exit_code: int | None
    flooded: Flooded | None


def measure(
    work: Path,
    content: Path,
    roster: list[str],
    key: str,
    what: str,
    floods: list[tuple[str, int]],
    seconds: float,
    n: int,
) -> Result:
    with hall(work, content, key.replace("'", "2"), roster) as h:
        flood = FloodProcess(h, floods, n) if floods else None
        stop_others = threading.Event()
        others = [Other(account, label, verb, args) for account, label, verb, args in OTHERS]
        started = time.monotonic() + 0.2
        threads = [
            threading.Thread(target=run_other, args=(h.parsed(o.account), o, stop_others, started), daemon=True)
            for o in others
        ]
        pid = h.service.pid
        state_before, log_before = file_bytes(h.state), h.log.stat().st_size
        rss = RssSampler(pid)
        broker_pid = h.broker._process.pid if h.broker._process else pid  # private; read only for its CPU time
        cpu_before, cpu_at = (cpu_seconds(pid), cpu_seconds(broker_pid), own_cpu_seconds()), time.monotonic()
        if flood:
            flood.go()
        for thread in threads:
            thread.start()
        time.sleep(seconds)  # the flood's length: nothing to wait on
        stop_others.set()  # no new command; the ones under way are answered or give up, the flood going on
        for thread in threads:
            thread.join()
        cpu_after, cpu_span = (cpu_seconds(pid), cpu_seconds(broker_pid), own_cpu_seconds()), time.monotonic() - cpu_at
        cpu = [100.0 * (after - before) / cpu_span for after, before in zip(cpu_after, cpu_before, strict=True)]
        sent_at = time.monotonic()
        h.service.send_signal(signal.SIGTERM)  # while the flood is still running
        flooding = len(rss.kib)
        try:
            exit_code: int | None = h.service.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            exit_code = None
        stop_s = time.monotonic() - sent_at
        flooded = flood.stop() if flood else None
        rss.stop()
        return Result(
            key=key,
            what=what,
            seconds=seconds,
            others=others,
            rss_kib=rss.kib[:flooding],
            rss_stopping_kib=rss.kib[flooding:],
            cpu_percent=cpu[0],
            broker_cpu_percent=cpu[1],
            own_cpu_percent=cpu[2],
            flood_cpu_percent=100.0 * flooded.cpu_s / cpu_span if flooded else 0.0,
            state_before=state_before,
            state_after=file_bytes(h.state),
            log_before=log_before,
            log_after=h.log.stat().st_size,
            stop_s=stop_s,
            exit_code=exit_code,
            flooded=flooded,
        )


# -- (f): commands whose sender gave up ----------------------------------------------------------------


@dataclass
class GaveUp:
    label: str
    command_id: str
    sent: datetime
    outcome: str
    seconds: float
    audit: str = "no row in the audit log: dropped unseen (by the broker, or not taken)"
    applied: bool = False
    after: float = 0.0
    """Seconds from the send to the service's audit row."""


def give_up_call(h: Hall, window: str, label: str) -> GaveUp:
    command_id = uuid.uuid4().hex
    sent = datetime.now(UTC)
    began = time.perf_counter()
    try:
        result = send_command(
            h.parsed("staff"), CENTRE, "call", {"window": window}, timeout=GIVE_UP_S, command_id=command_id
        )
        outcome = f"answered: called {result.get('ticket')}"
    except NoReply:
        outcome = "NoReply (the sender gave up)"
    except CommandFailed as refused:
        outcome = f"answered: refused {refused.code}"
    return GaveUp(label, command_id, sent, outcome, time.perf_counter() - began)


def read_audit(state: Path, calls: list[GaveUp], wait_s: float) -> None:
    """The audit rows of `calls`, waiting up to `wait_s` for each to appear."""
    deadline = time.monotonic() + wait_s
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        for call in calls:
            while True:
                row = db.execute(  # an expired command's row has an id of its own: <id>~expired~<run>
                    "SELECT reply, ts FROM commands WHERE by = 'staff' AND (id = ? OR id LIKE ?)",
                    (call.command_id, f"{call.command_id}~%"),
                ).fetchone()
                if row is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.2)  # another process writes the row: nothing to wait on
            if row is not None:
                reply = json.loads(row[0])
                call.after = after = (datetime.fromisoformat(row[1]) - call.sent).total_seconds()
                call.applied = bool(reply.get("ok"))
                ticket = (reply.get("result") or {}).get("ticket")
                said = f"APPLIED (called {ticket})" if call.applied else f"refused {reply.get('code')}"
                call.audit = f"audit: {said} {after:.2f} s after it was sent"
    finally:
        db.close()


def drained(h: Hall) -> float:
    """Seconds until a question from kiosk-2 is answered: what the service still had to get through."""
    began = time.perf_counter()
    with suppress(CommandFailed):  # not_found, or no reply in two minutes
        send_command(h.parsed("kiosk-2"), CENTRE, "case", {"case": "WC-000000-0000", "digits": "0000"}, timeout=120)
    return time.perf_counter() - began


def serving(state: Path, window: str) -> str:
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT serving FROM windows WHERE id = ?", (window,)).fetchone()
        waiting = [
            r[0]
            for r in db.execute(
                "SELECT number FROM tickets WHERE status = 'waiting' AND category = "
                "(SELECT category FROM tickets WHERE number = ? LIMIT 1) ORDER BY number",
                (row[0] if row else "",),
            )
        ]
    finally:
        db.close()
    return f"serving {row[0] if row else None}, waiting {', '.join(waiting) or 'none'}"


def scenario_f(work: Path, content: Path, roster: list[str], seconds: float, n: int) -> list[str]:
    lines = []
    with hall(work, content, "f", roster) as h:
        kiosk = h.parsed("kiosk-2")
        for category in ("nongye", "minzheng"):
            for _ in range(3):
                send_command(kiosk, CENTRE, "ticket", {"category": category})
        first = {w: send_command(h.parsed("staff"), CENTRE, "call", {"window": w}) for w in ("nongye", "minzheng")}
        lines.append(
            f"  set-up: D001–D003 and C001–C003 taken; 农业农村窗口 called {first['nongye'].get('ticket')}, "
            f"民政窗口 called {first['minzheng'].get('ticket')}"
        )

        # f1: the loop kept busy by a flood of four kinds at once.
        flood = FloodProcess(h, [("MIXED", i) for i in range(len(MIXED))], max(n, len(MIXED)))
        flood.go()
        time.sleep(min(3.0, seconds))  # the flood under way: nothing to wait on
        busy = [give_up_call(h, "nongye", f"call {k} (flood)") for k in (1, 2)]
        flooded = flood.stop()
        flood_ended = time.monotonic()
        drained(h)
        behind = time.monotonic() - flood_ended
        read_audit(h.state, busy, 15.0)
        lines.append(f"  f1 flood ({', '.join(f.what for f in MIXED)}; {flooded.published:,} published):")
        for call in busy:
            lines.append(f"    {call.label}: {call.outcome} after {call.seconds * 1000:.0f} ms; {call.audit}")
        lines.append(f"    农业农村窗口 now {serving(h.state, 'nongye')}")
        lines.append(f"    a kiosk-2 question sent when the flood stopped was answered {behind:.1f} s later")

        # f2: the service stalled for as long as both senders wait.
        before = serving(h.state, "minzheng")
        os.kill(h.service.pid, signal.SIGSTOP)
        try:
            stalled = [give_up_call(h, "minzheng", f"call {k} (stalled)") for k in (1, 2)]
        finally:
            os.kill(h.service.pid, signal.SIGCONT)
        resumed = time.monotonic()
        read_audit(h.state, stalled, 15.0)
        lines.append(
            f"  f2 service stopped (SIGSTOP) for {sum(c.seconds for c in stalled):.1f} s while both senders waited "
            f"{GIVE_UP_S:g} s each, then SIGCONT; 民政窗口 before: {before}"
        )
        for call in stalled:
            lines.append(f"    {call.label}: {call.outcome} after {call.seconds * 1000:.0f} ms; {call.audit}")
        lines.append(
            f"    民政窗口 now {serving(h.state, 'minzheng')} ({time.monotonic() - resumed:.1f} s after SIGCONT)"
        )
        gave_up = [c for c in busy + stalled if c.outcome.startswith("NoReply")]
        late = [c.label for c in gave_up if c.applied and c.after > c.seconds]
        unseen = [c.label for c in gave_up if c.applied and c.after <= c.seconds]
        lines.append(
            "  applied after its sender gave up: "
            + (", ".join(late) + "  <-- the README's promise broken" if late else "none")
        )
        lines.append(
            "  applied in time, but the reply never reached the sender: " + (", ".join(unseen) if unseen else "none")
        )
    return lines


# -- the report -----------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def latency(values: list[float]) -> tuple[str, float | None]:
    if len(values) < 2:
        return ("too few answers", None)
    p = percentiles(values)
    return (f"p50 {ms(p['p50'])}  p99 {ms(p['p99'])}  max {ms(p['max'])}", p["p99"])


def codes_text(codes: Counter[str]) -> str:
    return ", ".join(f"{code} {count:,}" for code, count in codes.most_common()) or "none"


def report(result: Result, quiet_p99: float | None) -> None:
    print()
    print(f"({result.key}) {result.what}, {result.seconds:g} s")
    every = [s for o in result.others for s in o.seconds]
    sent = sum(o.sent for o in result.others)
    answered = sum(len(o.seconds) for o in result.others)
    unanswered = sum(o.unanswered for o in result.others)
    text, _ = latency(every)
    print(f"  others      sent {sent}, answered {answered}, unanswered {unanswered}; round trip of the answered {text}")
    text, p99 = latency(every + [OTHERS_TIMEOUT_S] * unanswered)
    if unanswered:
        print(f"              an unanswered one counted as its {OTHERS_TIMEOUT_S:g} s: {text}")
    for o in result.others:
        print(
            f"    {o.account:<8} {o.what:<28} sent {o.sent:3d}, answered {len(o.seconds):3d} "
            f"({codes_text(o.codes)}), unanswered {o.unanswered}; {latency(o.seconds)[0]}"
        )
    flooded = result.flooded
    if flooded:
        qos = "/".join(str(q) for q in flooded.qos)
        answered_flood = sum(flooded.replies.values())
        print(
            f"  flood       {flooded.connections} connections at QoS {qos}: published {flooded.published:,} "
            f"({flooded.published / result.seconds:,.0f}/s), QoS 1 acknowledged {flooded.acknowledged:,}, refused by "
            f"the broker: {codes_text(flooded.refused)}; cut off by the broker {flooded.disconnects} times"
        )
        print(
            f"              answered {answered_flood:,}: {codes_text(flooded.replies)}; "
            f"never answered {max(0, flooded.published - answered_flood):,}"
        )
    rss = result.rss_kib or [0]
    curve = ", ".join(
        f"{rss[min(len(rss) - 1, round(q * result.seconds * 2))] / 1024:.0f}" for q in (0.25, 0.5, 0.75, 1)
    )
    print(
        f"  service     RSS before {rss[0] / 1024:.1f} MB, max during it {max(rss) / 1024:.1f} MB "
        f"(at a quarter, half, three quarters and the end of the flood: {curve} MB); CPU {result.cpu_percent:.0f} % "
        f"of a core (the broker {result.broker_cpu_percent:.0f} %, the flood's process {result.flood_cpu_percent:.0f} "
        f"%, the others' {result.own_cpu_percent:.0f} %)"
    )
    print(
        f"  state file  {result.state_before / 1e6:.2f} MB before, {result.state_after / 1e6:.2f} MB after; "
        f"log {result.log_before / 1e3:.1f} kB before, {result.log_after / 1e3:.1f} kB after"
    )
    stopped = f"{result.stop_s:.2f} s, exit {result.exit_code}" if result.exit_code is not None else "did not stop"
    stopping = (
        f"; RSS max while stopping {max(result.rss_stopping_kib) / 1024:.0f} MB" if result.rss_stopping_kib else ""
    )
    print(f"  stop        SIGTERM during the flood → exit: {stopped}{stopping}")
    if flooded and p99 is not None:
        must = "PASS" if p99 <= MUST_P99_S and unanswered == 0 else "over"
        aim = ""
        if quiet_p99:
            aim = f"; aim ≤ {AIM_TIMES_QUIET:g}× quiet ({ms(AIM_TIMES_QUIET * quiet_p99)}): "
            aim += "met" if p99 <= AIM_TIMES_QUIET * quiet_p99 else f"missed ({p99 / quiet_p99:.1f}×)"
        print(f"  budget      others' p99 {ms(p99)} ≤ {ms(MUST_P99_S)}, none unanswered: {must}{aim}")
        most = max(rss + result.rss_stopping_kib) / 1024
        over = "over" if most > RSS_MUST_MB else "within"
        print(
            f"              service RSS max {most:.0f} MB (flood and stop) beside the design's only service RSS "
            f"budget, ≤ {RSS_MUST_MB:g} MB (a 2,000-item catalog): {over}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="each flood's length (default 30)")
    parser.add_argument("--quiet", type=float, default=10.0, help="the quiet hall's window (default 10)")
    parser.add_argument("--flooders", type=int, default=4, help="paho connections a flood (default 4)")
    parser.add_argument("--only", default="", help="floods to run, e.g. a,b,f (default: quiet and all)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) and print it")
    args = parser.parse_args()
    chosen = set(filter(None, args.only.split(","))) or {"quiet", *(f.key for f in FLOODS), "f"}
    for line in machine_lines([f"broker    {mosquitto_version()}", f"paho      {paho.mqtt.__version__}"]):
        print(line)
    print(
        f"floods of {args.seconds:g} s from {args.flooders} paho connections; the others: one command a second "
        f"each through send_command (a connection per command, timeout {OTHERS_TIMEOUT_S:g} s)"
    )
    began = time.monotonic()
    with sigterm_as_exit(), ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="bench-flood-"))
        if args.keep:
            print(f"working directory {work}")
        else:
            stack.callback(shutil.rmtree, work, ignore_errors=True)
        content = centre_copy(work)
        roster = roster_argv(work)
        quiet_p99 = None
        if "quiet" in chosen:
            quiet = measure(work, content, roster, "quiet", "the quiet hall: no flood", [], args.quiet, 0)
            report(quiet, None)
            quiet_p99 = latency([s for o in quiet.others for s in o.seconds])[1]
        for index, flood in enumerate(FLOODS):
            if flood.key in chosen:
                floods = [("FLOODS", index)]
                result = measure(work, content, roster, flood.key, flood.what, floods, args.seconds, args.flooders)
                report(result, quiet_p99)
        if "f" in chosen:
            print()
            print(f"(f) issue 24's C002: two `call`s whose sender gives up after {GIVE_UP_S:g} s")
            for line in scenario_f(work, content, roster, args.seconds, args.flooders):
                print(line)
    print()
    print(f"took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
