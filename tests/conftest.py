"""Shared fixtures: a real Mosquitto with the project's configuration, the service, subscribers."""

from __future__ import annotations

import os

# The hall's language, for this process and every one the tests start, whatever this machine's locale: the
# tests read the words a hall reads. (The English catalog has its own tests, in processes of their own.)
os.environ["HALL_LANG"] = "zh_CN"

import hashlib
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import yaml
from hypothesis import HealthCheck, settings
from paho.mqtt.enums import CallbackAPIVersion

from content.broker.config import Account, Roster
from content.broker.local import Mosquitto, mosquitto_available
from content.centre.loader import Content, load_content
from content.centre.synth import SAMPLE, numbers_at_any_hour
from content.service.loop import ContentService
from content.service.store import Store
from content.shared import contract
from content.shared.broker_url import parse_broker_url

REPO = Path(__file__).resolve().parent.parent
"""The repository's root: the broker's files and the scripts are found from here."""
# Property-based tests (the fault suite's fuzzers): a few hundred examples a surface in CI; the thorough
# run (HYPOTHESIS_PROFILE=thorough pytest -m fault) tries 10,000. Never a deadline: tests assert
# behaviour, not timing.
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The brokers the tests start load this checkout's build of the plugin (scripts/dev makes it), not
# an older one installed on the machine.
os.environ.setdefault("HALL_CLIENTID_PLUGIN", str(REPO / "broker_config" / "plugin" / "hall_clientid.so"))
HALL = [sys.executable, "-m", "hall"]
CENTRE = "weicheng"
PREFIX = f"hall/v1/{CENTRE}/"
WAIT_S = 15.0

ROSTER = Roster(
    centre=CENTRE,
    accounts=[
        Account(user="service", role="service"),
        Account(user="staff", role="staff", office=True),  # the CLI's: acts for every window
        Account(user="staff-2", role="staff"),  # the console's in the tests that run one: its people act
        Account(user="clerk-zonghe", role="staff", window="zonghe"),  # the comprehensive window's own
        Account(user="kiosk-1", role="kiosk"),
        Account(user="kiosk-2", role="kiosk"),
        Account(user="led-wall", role="display"),
        Account(user="led-window", role="display"),
        Account(user="bridge-weicheng", role="bridge", parent="youxian"),
    ],
)


def roster_file(roster: Roster = ROSTER) -> Path:
    """`roster` as a file `hall serve --roster` reads (named by its content, so writing it again is harmless)."""
    text = yaml.safe_dump(roster.model_dump(exclude_defaults=True), sort_keys=False)
    path = (
        Path(tempfile.gettempdir())
        / f"hall-tests-{os.getuid()}"
        / f"roster-{hashlib.sha256(text.encode()).hexdigest()[:16]}.yaml"
    )
    if not path.is_file():
        path.parent.mkdir(mode=0o700, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return path


def serve_argv(content_dir: Path, url: str, state: Path, *extra: str) -> list[str]:
    """`hall serve` as a real process would be started, with the tests' roster."""
    argv = [*HALL, "serve", "--content", str(content_dir), "--broker", url, "--state", str(state)]
    return [*argv, "--roster", str(roster_file()), *extra]


@pytest.fixture(scope="session")
def content() -> Content:
    """The sample centre as loaded (immutable: tests that change it make changed copies)."""
    loaded = load_content(SAMPLE).content
    assert loaded is not None
    return loaded


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A private copy of the sample centre that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    numbers_at_any_hour(target)  # whatever hour a test runs; the tests of the hours drive their own clock
    return target


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    if not mosquitto_available():
        pytest.fail("Mosquitto is not installed: run the tests through scripts/dev test")
    instance = Mosquitto(tmp_path / "broker", ROSTER).start()
    yield instance
    instance.stop()


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload)
        return value


class Subscriber:
    """A plain paho client that records what it receives; tests wait on conditions, not sleeps."""

    def __init__(self, url: str, topics: list[str], client_id: str | None = None) -> None:
        self.messages: list[Received] = []
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        self.connect_result: Any = None
        self._connected = threading.Event()
        broker = parse_broker_url(url)
        # The broker lets an account connect only as itself or `<account>.<run>` (broker_config/plugin).
        default_id = contract.client_id(broker.username or "test", f"test-{uuid.uuid4().hex[:8]}")
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or default_id, protocol=mqtt.MQTTv5)
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        client.on_connect = self._on_connect
        client.on_subscribe = lambda *a: self._subscribed.set()
        client.on_message = self._on_message
        self._topics = topics
        self.client = client
        client.connect(broker.host, broker.port)
        client.loop_start()

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self.connect_result = reason_code
        self._connected.set()
        if not reason_code.is_failure and self._topics:
            client.subscribe([(PREFIX + t, 1) for t in self._topics])

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self._cond:
            self.messages.append(Received(message.topic.removeprefix(PREFIX), bytes(message.payload), message.retain))
            self._cond.notify_all()

    def wait_connected(self) -> Any:
        assert self._connected.wait(WAIT_S), "no CONNACK"
        return self.connect_result

    def wait_subscribed(self) -> Subscriber:
        assert self._subscribed.wait(WAIT_S), "no SUBACK"
        return self

    def mark(self) -> int:
        """A position in what was received; `wait_for(..., after=mark)` looks only past it."""
        with self._cond:
            return len(self.messages)

    def wait_for(self, predicate: Callable[[Received], bool], what: str = "a message", after: int = 0) -> Received:
        deadline = time.monotonic() + WAIT_S
        seen = after
        with self._cond:
            while True:
                for message in self.messages[seen:]:
                    if predicate(message):
                        return message
                seen = len(self.messages)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {what}; got {[m.topic for m in self.messages]}")
                self._cond.wait(remaining)

    def latest(self, topic: str) -> dict[str, Any]:
        return self.wait_for(lambda m: m.topic == topic, topic).json()

    def doc_where(
        self, topic: str, predicate: Callable[[dict[str, Any]], bool], what: str, after: int = 0
    ) -> dict[str, Any]:
        """The first `topic` document received (past `after`) that satisfies `predicate`."""
        return self.wait_for(lambda m: m.topic == topic and bool(m.payload) and predicate(m.json()), what, after).json()

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> Any:
        info = self.client.publish(PREFIX + topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(WAIT_S)
        return info

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        # Break the client <-> callbacks cycle so paho frees its socket pair now (see transport.stop).
        client = self.client
        client.on_connect = client.on_disconnect = client.on_subscribe = client.on_message = client.on_publish = None


@pytest.fixture
def subscribe(broker: Mosquitto) -> Iterator[Callable[..., Subscriber]]:
    made: list[Subscriber] = []

    def make(topics: list[str], user: str = "led-wall") -> Subscriber:
        subscriber = Subscriber(broker.url(user), topics)
        made.append(subscriber)
        if not topics:  # a publisher only
            subscriber.wait_connected()
            return subscriber
        return subscriber.wait_subscribed()

    yield make
    for subscriber in made:
        subscriber.close()


class Clock:
    """A clock a test moves (`set`), read from any thread: the service's, the devices'."""

    def __init__(self, now: datetime) -> None:
        self._now, self._lock = now, threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, now: datetime) -> None:
        with self._lock:
            self._now = now


class RunningService:
    def __init__(
        self, content_dir: Path, url: str, state: Path, clock: Callable[[], Any] | None = None, **options: Any
    ) -> None:
        self.store = Store(state)
        options.setdefault("roster", ROSTER)
        self.service = ContentService(content_dir, parse_broker_url(url), self.store, clock=clock, **options)
        self.exit_code: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.service.ready.wait(WAIT_S) or self.exit_code is not None, "service did not become ready"

    def _run(self) -> None:
        self.exit_code = self.service.run()

    def stop(self) -> int | None:
        self.service.request_stop()
        self.thread.join(WAIT_S)
        self.store.close()
        return self.exit_code


@pytest.fixture
def start_service(broker: Mosquitto, tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    running: list[RunningService] = []

    def start(content_dir: Path, state: Path | None = None, **kwargs: Any) -> RunningService:
        service = RunningService(content_dir, broker.url("service"), state or tmp_path / "state.sqlite3", **kwargs)
        running.append(service)
        return service

    yield start
    for service in running:
        if service.thread.is_alive():
            service.stop()
