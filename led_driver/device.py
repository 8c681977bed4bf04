"""The LED controller as a device on the bus: subscriptions, the local cache, presence, latency.

Messages arrive on paho's thread and are only queued there; a worker applies them to the display
state and hands it to the scheduler, which runs on the caller's thread. The last good payload of
every document is kept on disk, so a controller that starts without a broker shows what it
showed before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from content.shared import contract
from content.shared.broker_url import BrokerUrl
from content.shared.transport import (
    DEVICE_KEEPALIVE_S,
    Connected,
    Disconnected,
    Event,
    Message,
    MqttTransport,
    Refused,
    Subscribed,
    device_transport,
)
from led_driver.scheduler import Scheduler
from led_driver.state import TOPICS, DisplayState, apply

log = logging.getLogger("hall.led")

CACHED = tuple(topic for topic in TOPICS if topic != "call")
LATENCY_REPORT_EVERY_S = 5.0


class Cache:
    """The last good payload per topic, one file each, replaced atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self) -> dict[str, bytes]:
        found = {}
        for topic in CACHED:
            path = self.directory / f"{topic}.json"
            with contextlib.suppress(OSError):
                found[topic] = path.read_bytes()
        return found

    def store(self, topic: str, payload: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{topic}.json.tmp"
            temporary.write_bytes(payload)
            os.replace(temporary, self.directory / f"{topic}.json")
        except OSError as exc:  # a full or read-only disk must not stop the display
            log.warning("cannot cache %s: %s", topic, exc)


def restore(cache: Cache) -> DisplayState:
    state = DisplayState()
    payloads = cache.load()
    # The queue before the staff: staff rows name windows from it.
    for topic in ("centre", "queue", "staff", "catalog", "announcements", "pickup"):
        payload = payloads.get(topic)
        if payload is None:
            continue
        try:
            state = apply(state, topic, payload)
        except contract.PayloadError as exc:
            log.warning("cached %s ignored: %s", topic, exc)
    return state


class LedController:
    def __init__(
        self,
        broker: BrokerUrl | None,
        centre: str,
        scheduler: Scheduler,
        *,
        device_id: str,
        cache_dir: Path,
        on_call: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        keepalive: int = DEVICE_KEEPALIVE_S,
        window: str | None = None,
        on_unknown_window: Callable[[str], None] | None = None,
        on_window_found: Callable[[], None] | None = None,
    ) -> None:
        """`window`: the window this display's window zones show; `on_unknown_window(message)` is called when
        the broker's queue document has no such window (once until it has it again)."""
        self.broker = broker
        self.window = window
        self._on_unknown_window = on_unknown_window
        self._on_window_found = on_window_found
        self._window_missing = False
        self.centre = centre
        self.scheduler = scheduler
        self._keepalive = keepalive
        self.device_id = device_id
        self.cache = Cache(cache_dir)
        self._on_call = on_call
        self._clock = clock
        self._boot = uuid.uuid4().hex[:12]
        self._events: queue.Queue[tuple[Event, float] | None] = queue.Queue()
        self._transport: MqttTransport | None = None
        self._worker: threading.Thread | None = None
        self._reported_at = 0.0
        self.ready = threading.Event()
        scheduler.on_call_shown = self._call_shown

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        state = restore(self.cache)
        if state.revs:
            log.info("showing cached content (%s)", ", ".join(f"{k}={v}" for k, v in sorted(state.revs.items())))
        self.scheduler.update(state)
        self._worker = threading.Thread(target=self._work, name="led-apply", daemon=True)
        self._worker.start()
        if self.broker is None:
            return
        self._transport = device_transport(
            self.broker,
            self.centre,
            self.device_id,
            lambda event: self._events.put((event, time.monotonic())),
            self._presence("lost"),
            TOPICS,
            keepalive=self._keepalive,
        )

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.stop(final=(contract.device_topic(self.device_id), self._presence("disconnected")))
        self._events.put(None)
        if self._worker is not None:
            self._worker.join(timeout=5)

    # -- the worker -----------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            item = self._events.get()
            if item is None:
                return
            event, arrived = item
            try:
                self._handle(event, arrived)
            except Exception:  # whatever arrives, the display goes on
                log.exception("failed to handle %s", event)

    def _handle(self, event: Event, arrived: float) -> None:
        match event:
            case Message(topic=topic, payload=payload):
                self._message(topic, payload, arrived)
            case Subscribed():
                self._publish_presence("ready")
                self.ready.set()
                log.info("ready: subscribed to %s", ", ".join(TOPICS))
            case Connected():
                log.info("connected to %s", self.broker.redacted() if self.broker else "")
            case Refused(reason=reason, permanent=permanent):
                log.error("broker refused the controller: %s%s", reason, "" if permanent else "; retrying")
            case Disconnected(reason=reason, requested=requested):
                self.ready.clear()
                if requested:
                    log.info("disconnected")
                else:
                    log.warning("disconnected (%s): showing the last content while reconnecting", reason)

    def _message(self, topic: str, payload: bytes, arrived: float) -> None:
        if topic not in TOPICS:
            return
        before = self.scheduler.state
        try:
            state = apply(before, topic, payload)
        except contract.PayloadError as exc:
            log.warning("%s ignored: %s", topic, exc)
            return
        if topic == "call":
            if state is before:
                return
            self.scheduler.update(state, call_arrived_at=arrived)
            if self._on_call is not None and state.last_call is not None:
                self._on_call(state.last_call.text or state.last_call.ticket)
            return
        self.scheduler.update(state)
        self.cache.store(topic, payload)
        if topic == "queue" and self.window is not None:
            self._check_window(state)

    def _check_window(self, state: DisplayState) -> None:
        ids = [w.id for w in state.windows]
        missing = self.window not in ids
        if missing and not self._window_missing:
            message = (
                f"window {self.window!r} is not one of centre {self.centre}'s windows "
                f"({', '.join(ids) or 'none'}): give --window one of them"
            )
            log.error("%s", message)
            if self._on_unknown_window is not None:
                self._on_unknown_window(message)
        if not missing and self._on_window_found is not None:
            self._on_window_found()
        self._window_missing = missing

    # -- presence -------------------------------------------------------------------------------

    def _presence(self, status: contract.DeviceStatus) -> bytes:
        latency = self.scheduler.last_call_latency_s
        return contract.encode(
            contract.device_state(
                status,
                "led",
                self._boot,
                self._clock(),
                dict(self.scheduler.state.revs),
                round(latency * 1000, 1) if latency is not None else None,
            )
        )

    def _publish_presence(self, status: contract.DeviceStatus) -> None:
        if self._transport is not None:
            self._transport.publish(contract.device_topic(self.device_id), self._presence(status), retain=True)

    def _call_shown(self, latency_s: float) -> None:
        """From the scheduler's thread: report latency now and then, not on every call."""
        now = time.monotonic()
        if self.ready.is_set() and now - self._reported_at >= LATENCY_REPORT_EVERY_S:
            self._reported_at = now
            self._publish_presence("ready")
