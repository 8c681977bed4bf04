"""Simulated devices for bench_queue: kiosks and staff that send commands, displays that receive calls.

Kiosks and staff go through the project's MqttTransport, as the devices will; displays and the
naive peer are plain paho clients. Every client here sets TCP_NODELAY (see `no_delay`).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import selectors
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from typing import Any

import paho.mqtt.client as mqtt
from _support import cpu_seconds
from paho.mqtt.enums import CallbackAPIVersion

from content.shared import contract
from content.shared.broker_url import BrokerUrl, parse_broker_url
from content.shared.transport import Message, MqttTransport, PublishRefused, Subscribed

WAIT_S = 30.0
EXPIRY_S = 30  # as `hall ticket` does: the broker drops a command the service did not take in time


def no_delay(client: Any, userdata: Any, sock: Any) -> None:
    """paho's on_socket_open: send small packets at once (paho leaves Nagle's algorithm on).

    With Nagle on, a client that has just sent a PUBACK holds its next PUBLISH until the broker
    acknowledges that PUBACK, which Linux delays by up to 40 ms: commands sent one after another,
    as this benchmark sends them, would measure that timer instead of the service.
    """
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def account_client(broker: BrokerUrl, run: str, *, inflight: int | None = None) -> mqtt.Client:
    """A paho MQTT 5 client of the broker URL's account under a client id of its own (`<account>.<run>`),
    with its password set and Nagle off; not yet connected."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=contract.client_id(broker.username or "bench", run), protocol=mqtt.MQTTv5
    )
    client.username_pw_set(broker.username, broker.password)
    if inflight is not None:
        client.max_inflight_messages_set(inflight)
    client.on_socket_open = no_delay
    return client


# -- kiosks and staff: one persistent connection each, replies matched by id -----------------------


@dataclass
class Sent:
    at: float
    """time.perf_counter() just before the publish."""
    reply_at: float = math.nan
    reply: dict[str, Any] = field(default_factory=dict)


class Client:
    """One device's persistent connection through the project's MqttTransport.

    Clients on one account share its reply topic, `reply/<account>`, and so see each other's
    replies: a reply whose id this client did not send is skipped. `pipeline` keeps `window`
    commands in flight, sending the next one from the network thread as each reply arrives.
    `name` is the account the commands are sent as (the last level of their topic): the login
    account, except for the echo peer, which logs in as the service and plays a kiosk. `nodelay=False` leaves the
    socket as MqttTransport makes it.
    """

    def __init__(
        self, url: str, run: str, prefix: str, reply_topic: str, name: str | None = None, *, nodelay: bool = True
    ) -> None:
        broker = parse_broker_url(url)
        self.name = name or broker.username or run
        self.sent: dict[str, Sent] = {}
        self.refused: list[str] = []
        self.done = threading.Event()
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        self._topic = ""
        self._jobs: list[dict[str, Any]] = []
        self._next = self._outstanding = 0
        self._transport = MqttTransport(broker, contract.client_id(broker.username or "bench", run), prefix, self._sink)
        if nodelay:
            self._transport._client.on_socket_open = no_delay  # MqttTransport has no option for it
        self._transport.subscribe([reply_topic])
        self._transport.start()

    def wait_subscribed(self) -> Client:
        if not self._subscribed.wait(WAIT_S):
            raise RuntimeError(f"{self.name}: no SUBACK")
        if self.refused:
            raise RuntimeError(f"{self.name}: {self.refused}")
        return self

    def send(self, topic: str, args: dict[str, Any]) -> Sent:
        payload = contract.command(args, datetime.now(UTC).astimezone())
        data = contract.encode(payload)
        sent = Sent(time.perf_counter())
        with self._cond:
            self.sent[payload["id"]] = sent
        self._transport.publish(topic, data, expiry_s=EXPIRY_S)
        return sent

    def wait_reply(self, sent: Sent, timeout: float = WAIT_S) -> Sent:
        with self._cond:
            if not self._cond.wait_for(lambda: bool(sent.reply), timeout):
                raise TimeoutError(f"{self.name}: no reply in {timeout:g} s")
        return sent

    def pipeline(self, topic: str, jobs: list[dict[str, Any]], window: int) -> None:
        """Start sending `jobs` (args) to `topic`, `window` in flight; `done` is set when all are answered."""
        with self._cond:
            self._topic, self._jobs, self._next, self._outstanding = topic, jobs, 0, 0
            self.done.clear()
        if not jobs:
            self.done.set()
        for _ in range(min(window, len(jobs))):
            self._send_next()

    def _send_next(self) -> None:
        with self._cond:
            if self._next >= len(self._jobs):
                return
            args = self._jobs[self._next]
            self._next += 1
            self._outstanding += 1
        self.send(self._topic, args)

    def _sink(self, event: Any) -> None:
        if isinstance(event, Message):
            at = time.perf_counter()
            reply = json.loads(event.payload)
            with self._cond:
                sent = self.sent.get(reply.get("id"))
                if sent is None or sent.reply:
                    return  # another client's reply on the same account
                sent.reply_at, sent.reply = at, reply
                self._cond.notify_all()
                self._outstanding -= 1
                more = self._next < len(self._jobs)
                if self._jobs and not more and self._outstanding == 0:
                    self.done.set()
            if more:
                self._send_next()
        elif isinstance(event, Subscribed):
            self.refused.extend(event.refused)
            self._subscribed.set()
        elif isinstance(event, PublishRefused):
            self.refused.append(f"publish refused: {event.reason}")
            self.done.set()

    def close(self) -> None:
        self._transport.stop()


@dataclass(frozen=True)
class Burst:
    """What K clients with W commands in flight each did: every command, and the CPU of each process."""

    clients: int
    window: int
    sent: list[Sent]
    start: float
    cpu: dict[str, float]
    """CPU seconds used during the burst, by process."""

    @property
    def ends(self) -> list[float]:
        return sorted(s.reply_at for s in self.sent)

    @property
    def per_s(self) -> float:
        """Commands answered a second; a reply that says ok false does not count (an echo has no ok)."""
        answered = sum(1 for s in self.sent if s.reply.get("ok", True))
        return answered / (self.ends[-1] - self.start)

    def rate_of_tenth(self, which: int) -> float:
        """Replies a second within one tenth of the burst (0 = the first, 9 = the last)."""
        ends = self.ends
        k = len(ends) // 10
        if k < 2:
            return math.nan
        chunk = ends[which * k : (which + 1) * k]
        before = ends[which * k - 1] if which else self.start
        return len(chunk) / (chunk[-1] - before)

    @property
    def latencies(self) -> list[float]:
        return [s.reply_at - s.at for s in self.sent]

    def cpu_per_command(self, process: str) -> float:
        return self.cpu[process] / len(self.sent) if process in self.cpu else math.nan


def burst(
    clients: Sequence[Client],
    topic: Callable[[Client], str],
    jobs: list[dict[str, Any]],
    window: int,
    pids: dict[str, int] | None = None,
) -> Burst:
    """Share `jobs` round-robin between `clients`, `window` in flight each, and wait for every reply.

    `pids` names processes whose CPU time during the burst is recorded.
    """
    pids = pids or {}
    for client in clients:
        client.sent.clear()
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.perf_counter()
    for k, client in enumerate(clients):
        client.pipeline(topic(client), jobs[k :: len(clients)], window)
    allowed = WAIT_S + len(jobs) / 50
    deadline = time.monotonic() + allowed
    for client in clients:
        if not client.done.wait(max(0.0, deadline - time.monotonic())):
            raise RuntimeError(f"{client.name}: replies missing after {allowed:g} s")
        if client.refused:
            raise RuntimeError(f"{client.name}: {client.refused}")
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    return Burst(len(clients), window, [s for c in clients for s in c.sent.values()], start, cpu)


def kiosk_burst(
    urls: Sequence[str], prefix: str, verb: str, jobs: list[dict[str, Any]], window: int, pids: dict[str, int]
) -> Burst:
    """Connect one kiosk per URL, run `burst` with `cmd/<verb>`, disconnect. Runs in a child process too."""
    clients = []
    try:
        for k, url in enumerate(urls):
            account = parse_broker_url(url).username
            clients.append(Client(url, f"bench-{k}", prefix, contract.reply_topic(str(account))))
        for client in clients:
            client.wait_subscribed()
        return burst(clients, lambda c: contract.command_topic(verb, c.name), jobs, window, pids)
    finally:
        for client in clients:
            client.close()


# -- displays: many paho clients in a few processes, stamping each arrival -------------------------


def _displays_worker(conn: Connection, url: str, first: int, count: int, topic: str) -> None:
    """`count` display clients driven by one thread: paho's loop_read/loop_write on a selector.

    Each client stamps time.perf_counter() (CLOCK_MONOTONIC, the same clock in every process)
    first thing in on_message and keeps the payload; nothing else happens in the callback. When
    every client here has its r-th message, the r-th arrival times go to the parent.
    """
    try:
        broker = parse_broker_url(url)
        arrivals: list[list[tuple[float, bytes]]] = [[] for _ in range(count)]
        reached: defaultdict[int, int] = defaultdict(int)  # message count -> clients that have it
        granted = [0]

        def on_message_for(slot: list[tuple[float, bytes]]) -> Callable[..., None]:
            def on_message(client: Any, userdata: Any, message: Any) -> None:
                slot.append((time.perf_counter(), message.payload))
                reached[len(slot)] += 1

            return on_message

        def on_subscribe(*_: Any) -> None:
            granted[0] += 1

        selector = selectors.DefaultSelector()
        clients = []
        for i in range(count):
            run_id = contract.client_id(broker.username or "bench", f"led-{first + i}")
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=run_id, protocol=mqtt.MQTTv5)
            client.username_pw_set(broker.username, broker.password)
            client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
            client.on_subscribe = on_subscribe
            client.on_message = on_message_for(arrivals[i])
            client.on_socket_open = no_delay
            client.connect(broker.host, broker.port, keepalive=60)
            sock = client.socket()
            assert sock is not None
            selector.register(sock, selectors.EVENT_READ, client)
            clients.append(client)
        ready = False
        reported = 0
        misc_at = time.monotonic()
        while not conn.poll():
            for key, _ in selector.select(timeout=0.05):
                client = key.data
                client.loop_read()
                if client.want_write():
                    client.loop_write()  # the PUBACK
            if not ready and granted[0] == count:
                conn.send(("ready",))
                ready = True
            while reached[reported + 1] == count:
                reported += 1
                times = [slot[reported - 1][0] for slot in arrivals]
                payloads = {slot[reported - 1][1] for slot in arrivals}
                conn.send(("round", reported, times, payloads))
            if time.monotonic() - misc_at > 1.0:
                misc_at = time.monotonic()
                for client in clients:
                    client.loop_misc()  # keepalive
                    if client.want_write():
                        client.loop_write()
        for client in clients:
            client.disconnect()
    except Exception as exc:  # the parent reports it
        conn.send(("error", repr(exc)))


class Displays:
    """S display clients with distinct client ids, spread over a few worker processes.

    Not 200 threads with loop_start: in one interpreter those take turns on the GIL, so the
    200th display waits for the other 199 callbacks and the thread switches (measured on the
    2-core machine with the broker alone: p50 16 ms, p99 32 ms, against 2.7 and 5.6 ms here).
    Each worker reads its sockets in one thread; the workers run in parallel on the cores.
    """

    def __init__(self, url: str, topic: str, count: int, procs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conns: list[Connection] = []
        self._procs = []
        first = 0
        for p in range(procs):
            size = count // procs + (1 if p < count % procs else 0)
            parent, child = context.Pipe()
            proc = context.Process(target=_displays_worker, args=(child, url, first, size, topic), daemon=True)
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
            first += size
        for conn in self._conns:
            self._expect(conn, "ready", WAIT_S)

    @staticmethod
    def _expect(conn: Connection, kind: str, timeout: float) -> tuple[Any, ...]:
        if not conn.poll(timeout):
            raise TimeoutError(f"display worker: no {kind} in {timeout:g} s")
        message: tuple[Any, ...] = conn.recv()
        if message[0] == "error":
            raise RuntimeError(f"display worker failed: {message[1]}")
        if message[0] != kind:
            raise RuntimeError(f"display worker: expected {kind}, got {message[0]}")
        return message

    def wait_round(self, number: int, timeout: float) -> tuple[list[float], set[bytes]]:
        """Arrival times of the `number`-th message at every display, and the distinct payloads."""
        times: list[float] = []
        payloads: set[bytes] = set()
        deadline = time.monotonic() + timeout
        pending = list(self._conns)
        while pending:
            ready = wait(pending, max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"message {number} did not reach every display in {timeout:g} s")
            for conn in ready:
                assert isinstance(conn, Connection)
                _, got, arrived, seen = self._expect(conn, "round", 0)
                if got != number:
                    raise RuntimeError(f"display worker reports message {got}, expected {number}")
                times += arrived
                payloads |= seen
                pending.remove(conn)
        return times, payloads

    def close(self) -> None:
        for conn in self._conns:
            conn.send("stop")
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


class Publisher:
    """A plain paho client that publishes QoS1 and stamps each PUBACK's arrival."""

    def __init__(self, url: str, run: str) -> None:
        broker = parse_broker_url(url)
        client_id = contract.client_id(broker.username or "bench", run)
        self._acked: dict[int, float] = {}
        self._cond = threading.Condition()
        self._connected = threading.Event()
        client = account_client(broker, run)
        client.on_connect = lambda *_: self._connected.set()
        client.on_publish = self._on_publish
        client.connect(broker.host, broker.port)
        client.loop_start()
        if not self._connected.wait(WAIT_S):
            raise RuntimeError(f"{client_id}: no CONNACK")
        self.client = client

    def _on_publish(self, client: Any, userdata: Any, mid: int, *_: Any) -> None:
        at = time.perf_counter()
        with self._cond:
            self._acked[mid] = at
            self._cond.notify_all()

    def wait_acked(self, mids: Sequence[int], timeout: float) -> dict[int, float]:
        """When the PUBACK of each message arrived (time.perf_counter())."""
        with self._cond:
            if not self._cond.wait_for(lambda: all(mid in self._acked for mid in mids), timeout):
                raise TimeoutError(f"no PUBACK in {timeout:g} s")
            return {mid: self._acked[mid] for mid in mids}

    def publish(self, topic: str, payload: bytes) -> tuple[float, int]:
        """(time.perf_counter() just before the publish, its message id)."""
        at = time.perf_counter()
        return at, self.client.publish(topic, payload, qos=1).mid

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
