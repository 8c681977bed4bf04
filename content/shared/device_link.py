"""A device on the bus, the part every device shares: the last good documents on disk, subscriptions,
presence with its last will, and one worker that applies what arrives. The kiosk and the LED controller
each say only what their state is and what they do with it.

Threads. paho's network thread only records what arrived: the latest payload per topic (a burst of queue
updates is applied once), every message of the topics a device must see each of (`EACH`: the calls), and
connection events, in order, each with the moment it arrived. The worker applies them to the device's
immutable state, stores each document that applied on disk, and hands the state on once per batch
(`settle`). A device that starts without a broker shows what its cache holds.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar

from content.shared import contract
from content.shared import limits as cap
from content.shared.broker_url import BrokerUrl
from content.shared.catalog import domain
from content.shared.files import UnsafeFile, read_regular, write_file
from content.shared.transport import (
    DEVICE_KEEPALIVE_S,
    Connected,
    Disconnected,
    Event,
    Message,
    MqttTransport,
    PublishRefused,
    Refused,
    Subscribed,
    device_transport,
)

_ = domain("shared").gettext


class HasRevs(Protocol):
    @property
    def revs(self) -> Mapping[str, str]: ...


S = TypeVar("S", bound=HasRevs)


class DocumentCache:
    """The last good payload of each document topic, one file each. A payload is stored only after it
    applied, so what a device reads back at its next start is what it showed. Whatever else someone put in
    the directory (a link, a FIFO, a file larger than a document may be) is refused when read back, said once
    in the log, and the device starts from the rest as if it were absent."""

    def __init__(self, directory: Path, topics: Iterable[str], log: logging.Logger) -> None:
        self.directory = directory
        self.topics = tuple(topics)
        self._log = log

    def load(self) -> dict[str, bytes]:
        """The stored payload of each document topic that has one."""
        found = {}
        for topic in self.topics:
            try:
                found[topic] = read_regular(self.directory / f"{topic}.json", cap.DOCUMENT_BYTES)
            except FileNotFoundError:
                pass
            except (UnsafeFile, OSError) as exc:
                self._log.warning(_("cached {topic} ignored: {why}").format(topic=topic, why=exc))
        return found

    def store(self, topic: str, payload: bytes) -> bool:
        if topic not in self.topics:
            raise ValueError(f"{topic!r} is not a cached document")  # catalog: internal
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_file(self.directory / f"{topic}.json", payload)
        except OSError as exc:  # a full or read-only disk must not stop the screen
            self._log.warning(_("cannot cache {topic}: {why}").format(topic=topic, why=exc))
            return False
        return True


class DeviceLink(Generic[S]):
    """Subclasses set the class attributes and `apply`; they may extend `received` and `settle`."""

    KIND: ClassVar[str]
    """What the device says it is in its presence: "kiosk", "led"."""
    TOPICS: ClassVar[tuple[str, ...]]
    """What it subscribes to, relative to the centre."""
    CACHED: ClassVar[tuple[str, ...]]
    """The documents it keeps on disk, in the order they are read back at start."""
    EACH: ClassVar[frozenset[str]] = frozenset()
    """Topics whose every message counts, not only the latest."""
    PRESENCE_REVS: ClassVar[tuple[str, ...]] = ("centre", "catalog", "staff", "agents")
    """A change of these revs is worth a new presence message; the queue and announcements change too often."""

    def __init__(
        self,
        broker: BrokerUrl | None,
        centre: str,
        state: S,
        *,
        device_id: str,
        cache: DocumentCache,
        log: logging.Logger,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        keepalive: int = DEVICE_KEEPALIVE_S,
    ) -> None:
        self.broker = broker
        self.centre = centre
        self.device_id = device_id
        self.cache = cache
        self.log = log
        self._clock = clock
        self._keepalive = keepalive
        self._boot = uuid.uuid4().hex[:12]
        self._cond = threading.Condition()
        self._pending: dict[tuple[str, str], tuple[Event, float]] = {}
        """Messages keyed by ("msg", topic), the others by a unique key; dicts keep insertion order."""
        self._seq = 0
        self._stopping = False
        self._state = state
        self._revs_announced: dict[str, str] = {}
        self._transport: MqttTransport | None = None
        self._worker: threading.Thread | None = None
        self._presence_lock = threading.Lock()
        self._closed = False
        """Stopping: no presence but the final `disconnected` goes out."""
        self.ready = threading.Event()
        """Set while subscribed (after the broker acknowledged the subscriptions)."""

    # -- what a device says -----------------------------------------------------------------------

    def apply(self, state: S, topic: str, payload: bytes) -> S:
        """The state after one message; PayloadError for one that is not a document."""
        raise NotImplementedError

    def first_state(self) -> S:
        """The state before the cache is read back (on the worker, at start)."""
        return self._state

    def connection(self, state: S, connected: bool) -> S:
        """The state once subscribed (True) or cut off (False)."""
        return state

    def latency_ms(self) -> float | None:
        return None

    def received(self, state: S, topic: str, payload: bytes, arrived: float) -> S:
        """One message on the worker: applied, and stored when it is a document that applied."""
        try:
            updated = self.apply(state, topic, payload)
        except contract.PayloadError as exc:
            self.log.warning(_("{topic} ignored: {why}").format(topic=topic, why=exc))
            return state
        if topic in self.CACHED:
            self.cache.store(topic, payload)
        return updated

    def settle(self, state: S) -> None:
        """Hand a batch's state on to the screen (once per batch, on the worker)."""

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Show what the cache holds (on the worker), then connect; returns at once."""
        self._worker = threading.Thread(target=self._work, name=f"{self.KIND}-apply", daemon=True)
        self._worker.start()
        if self.broker is None:
            return
        self._transport = device_transport(
            self.broker,
            self.centre,
            self.device_id,
            self._receive,
            self.presence("lost"),
            self.TOPICS,
            keepalive=self._keepalive,
        )

    def stop(self) -> None:
        """End the worker, then publish `disconnected` and disconnect. `disconnected` is the last presence
        the broker keeps: nothing (the worker's revs, a display's latency report) publishes after it."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5)
        with self._presence_lock:
            self._closed = True
        if self._transport is not None:
            self._transport.stop(final=(contract.device_topic(self.device_id), self.presence("disconnected")))

    @property
    def state(self) -> S:
        return self._state

    def wait_for(self, predicate: Callable[[S], bool], timeout: float) -> S | None:
        """The first state that satisfies `predicate` within `timeout` seconds, else None (tools, tests)."""
        with self._cond:
            if self._cond.wait_for(lambda: predicate(self._state), timeout):
                return self._state
        return None

    # -- paho's thread: record and return --------------------------------------------------------

    def _receive(self, event: Event) -> None:
        arrived = time.monotonic()
        with self._cond:
            self._seq += 1
            if isinstance(event, Message) and event.topic not in self.EACH:
                self._pending[("msg", event.topic)] = (event, arrived)  # the latest per topic, at its first place
            else:
                self._pending[("event", str(self._seq))] = (event, arrived)
            self._cond.notify_all()

    # -- the worker -----------------------------------------------------------------------------

    def _work(self) -> None:
        self._publish(self._restore())
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._stopping)
                if self._stopping:
                    return
                batch = list(self._pending.values())
                self._pending.clear()
            state = self._state
            for event, arrived in batch:
                try:
                    state = self._handle(state, event, arrived)
                except Exception:  # whatever arrives, the screen goes on
                    self.log.exception(_("could not handle {event}").format(event=event))
            self._publish(state)
            self._announce_revs(state)

    def _restore(self) -> S:
        state = self.first_state()
        payloads = self.cache.load()
        for topic in self.CACHED:
            payload = payloads.get(topic)
            if payload is None:
                continue
            try:
                state = self.apply(state, topic, payload)
            except contract.PayloadError as exc:
                self.log.warning(_("cached {topic} ignored: {why}").format(topic=topic, why=exc))
        if state.revs:
            revs = _(", ").join(f"{k}={v}" for k, v in sorted(state.revs.items()))
            self.log.info(_("showing the cached content ({revs})").format(revs=revs))
        return state

    def _publish(self, state: S) -> None:
        with self._cond:
            changed = state is not self._state
            self._state = state
            self._cond.notify_all()
        if changed:
            try:
                self.settle(state)
            except Exception:
                self.log.exception(_("could not hand on the new state to the screen"))

    def _handle(self, state: S, event: Event, arrived: float) -> S:
        match event:
            case Message(topic=topic, payload=payload):
                return self.received(state, topic, payload, arrived)
            case Subscribed(refused=refused):
                if refused:
                    self.log.error(
                        _("the broker refused these subscriptions: {topics}").format(topics=_(", ").join(refused))
                    )
                self.ready.set()
                state = self.connection(state, True)
                self.publish_presence("ready", state)
                self.log.info(_("ready: subscribed to {topics}").format(topics=_(", ").join(self.TOPICS)))
            case Connected():
                self.log.info(_("connected to {broker}").format(broker=self.broker.redacted() if self.broker else ""))
            case Refused(reason=reason, permanent=permanent):
                if permanent:
                    said = _("the broker refused the connection of this device ({kind}): {reason}")
                else:
                    said = _("the broker refused the connection of this device ({kind}): {reason}; retrying")
                self.log.error(said.format(kind=self.KIND, reason=reason))
            case Disconnected(reason=reason, requested=requested):
                self.ready.clear()
                if requested:
                    self.log.info(_("disconnected"))
                else:
                    self.log.warning(
                        _("disconnected ({reason}): showing the last content while reconnecting").format(reason=reason)
                    )
                state = self.connection(state, False)
            case PublishRefused(reason=reason):
                self.log.error(_("the broker refused a message this device published: {reason}").format(reason=reason))
        return state

    # -- presence -------------------------------------------------------------------------------

    def presence(self, status: contract.DeviceStatus, state: S | None = None) -> bytes:
        revs = dict((state or self._state).revs)
        latency = self.latency_ms()
        return contract.encode(contract.device_state(status, self.KIND, self._boot, self._clock(), revs, latency))

    def publish_presence(self, status: contract.DeviceStatus, state: S | None = None) -> None:
        """From the worker, or another thread of the device's (a display's latency report)."""
        shown = state or self._state
        with self._presence_lock:
            if self._transport is None or self._closed:
                return
            self._transport.publish(contract.device_topic(self.device_id), self.presence(status, shown), retain=True)
            self._revs_announced = {k: v for k, v in shown.revs.items() if k in self.PRESENCE_REVS}

    def _announce_revs(self, state: S) -> None:
        if not self.ready.is_set():
            return
        revs = {k: v for k, v in state.revs.items() if k in self.PRESENCE_REVS}
        if revs != self._revs_announced:
            self.publish_presence("ready", state)
