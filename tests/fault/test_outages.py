"""Faults of the network and the broker, with real parts: Mosquitto, `hall serve`, `hall led`, the devices.

- The broker goes away while kiosks take numbers and staff call them: stopped with its store kept,
  killed with its store wiped, and away for longer than the old 15 s reconnect back-off. Every ticket
  and call acknowledged to a kiosk or a counter is in the service's store exactly once, numbers and
  call sequences run without gaps or repeats, and after each outage an LED wall and a kiosk (the real
  controller and the real kiosk link, in this process) hold the state the service published.
- A display's link is cut (a proxy that stops forwarding, as a pulled cable would: no FIN, no reset):
  the broker marks it `lost` through its last will within 1.5 x its keepalive, and it is back, ready,
  once the link is mended.

The service `kill -9`'d again and again is in tests/content/service/test_queue_service.py (marked `fault`).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from content.broker.local import LOOPBACK, Mosquitto
from content.centre.loader import load_content
from content.queue.rules import service_day
from content.service.store import Store
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, NoReply, send_command
from kiosk.device import TOPICS as KIOSK_TOPICS
from kiosk.device import KioskLink
from led_driver.device import LedController
from led_driver.profile import find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import TOPICS as LED_TOPICS
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber, serve_argv
from tests.fault.link import CuttableLink

pytestmark = [pytest.mark.fault, pytest.mark.broker]

ANSWER_WITHIN_S = 120.0
"""How long a kiosk or a counter keeps asking again (with the same command id) before it counts as lost."""


@dataclass(frozen=True)
class Outage:
    label: str
    kill: bool  # SIGKILL: the broker writes nothing on the way down
    wipe: bool  # and its persistence is gone: no retained document, no session, no queued command
    seconds: float


OUTAGES = (
    Outage("stopped 2 s, store kept", kill=False, wipe=False, seconds=2),
    Outage("killed 2 s, store wiped", kill=True, wipe=True, seconds=2),
    Outage("away 17 s, store kept", kill=False, wipe=False, seconds=17),
)


# -- the devices, as they run in a hall --------------------------------------------------------


class History:
    """When a device came to hold which revisions (monotonic time, its revs), from its own state."""

    def __init__(self, topics: set[str]) -> None:
        self.topics = topics
        self._cond = threading.Condition()
        self.changes: list[tuple[float, dict[str, str]]] = []

    def record(self, revs: dict[str, str]) -> None:
        mine = {t: r for t, r in revs.items() if t in self.topics}
        with self._cond:
            if not self.changes or self.changes[-1][1] != mine:
                self.changes.append((time.monotonic(), mine))
                self._cond.notify_all()

    def current(self) -> dict[str, str]:
        with self._cond:
            return self.changes[-1][1] if self.changes else {}

    def holding_since(self, wanted: dict[str, str]) -> float | None:
        """Since when the device has held `wanted` (its topics of it) without a break; None if it does not."""
        want = {t: r for t, r in wanted.items() if t in self.topics}
        with self._cond:
            since = None
            for at, revs in reversed(self.changes):
                if revs != want:
                    break
                since = at
            return since


class RecordingOutput:
    """An LED output that keeps no pixels, only what state each shown frame was drawn from."""

    max_fps: float | None = 20.0

    def __init__(self, history: History, state: Callable[[], Any]) -> None:
        self._history = history
        self._state = state

    def open(self, size: tuple[int, int], mode: str) -> None:
        pass

    def show(self, frame: Image.Image) -> None:
        self._history.record(dict(self._state().revs))

    def close(self) -> None:
        pass


@dataclass
class Devices:
    led: History
    kiosk: History
    stop: Callable[[], None]


@pytest.fixture
def devices(broker: Mosquitto, tmp_path: Path) -> Iterator[Devices]:
    profile, problems = load_profile(find_profile("wall-768x384"))
    assert profile is not None, problems
    profile = profile.model_copy(update={"always_open": True})
    led_history = History(set(LED_TOPICS) & set(contract.STATE_TOPICS))
    scheduler: Scheduler

    output = RecordingOutput(led_history, lambda: scheduler.state)
    scheduler = Scheduler(profile, output, wall_clock=lambda: datetime.now().astimezone())
    led = LedController(
        parse_broker_url(broker.url("led-wall")), CENTRE, scheduler, device_id="led-wall", cache_dir=tmp_path / "led"
    )
    stop_led = threading.Event()
    led.start()
    drawing = threading.Thread(target=scheduler.run, args=(stop_led,), daemon=True)
    drawing.start()

    kiosk_history = History(set(KIOSK_TOPICS) & set(contract.STATE_TOPICS))
    kiosk: KioskLink
    kiosk = KioskLink(
        parse_broker_url(broker.url("kiosk-2")),
        CENTRE,
        device_id="kiosk-2",
        cache_dir=tmp_path / "kiosk",
        on_change=lambda: kiosk_history.record(dict(kiosk.poll().revs)),
    )
    kiosk.start()

    def stop() -> None:
        stop_led.set()
        scheduler.update(scheduler.state)
        drawing.join(WAIT_S)
        led.stop()
        kiosk.stop()

    yield Devices(led_history, kiosk_history, stop)
    stop()


# -- the counters and the kiosks that keep asking ----------------------------------------------


@dataclass
class Workload:
    """Kiosks taking numbers and counters calling them, each asking again with the same command id
    until it is answered, as the kiosk app and `hall call` do. `pause()` lets each finish what it has
    in hand (answered, however long that takes) and start nothing new."""

    broker: Mosquitto
    tickets: list[tuple[str, str, float]] = field(default_factory=list)  # (command id, number, when)
    calls: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)  # (command id, reply, when)
    errors: list[str] = field(default_factory=list)
    progress: threading.Condition = field(default_factory=threading.Condition)
    paused: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    idle: int = 0
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        workers: list[tuple[str, Callable[[random.Random], tuple[str, dict[str, Any]]]]] = [
            ("kiosk-1", lambda rng: ("ticket", {"category": rng.choice(["shebao", "minzheng", "jisheng"])})),
            ("kiosk-2", lambda rng: ("ticket", {"category": rng.choice(["shebao", "minzheng", "jisheng"])})),
            ("staff", lambda rng: ("call", {"window": rng.choice(["shebao", "minzheng", "weijian"])})),
        ]
        for seed, (user, make) in enumerate(workers):
            self.threads.append(threading.Thread(target=self._work, args=(user, make, seed), daemon=True))
        for thread in self.threads:
            thread.start()

    def _work(self, user: str, make: Callable[[random.Random], tuple[str, dict[str, Any]]], seed: int) -> None:
        rng = random.Random(seed)
        url = parse_broker_url(self.broker.url(user))
        while not self.done.is_set():
            if self.paused.is_set():
                with self.progress:
                    self.idle += 1
                    self.progress.notify_all()
                    self.progress.wait_for(lambda: not self.paused.is_set() or self.done.is_set())
                    self.idle -= 1
                continue
            verb, args = make(rng)
            command_id = uuid.uuid4().hex
            deadline = time.monotonic() + ANSWER_WITHIN_S
            while True:
                try:
                    reply = send_command(url, CENTRE, verb, args, timeout=2, command_id=command_id)
                    break
                except CommandFailed as exc:
                    # Unreachable or unanswered (NoReply) is asked again under the same id; a refusal fails.
                    if not isinstance(exc, NoReply):
                        self._fail(f"{user} {verb} {args}: {exc}")
                        return
                    if time.monotonic() > deadline:
                        self._fail(f"{user} {verb} {command_id}: never answered")
                        return
            with self.progress:
                if verb == "ticket":
                    self.tickets.append((command_id, reply["ticket"], time.monotonic()))
                else:
                    self.calls.append((command_id, reply, time.monotonic()))
                self.progress.notify_all()

    def _fail(self, error: str) -> None:
        with self.progress:
            self.errors.append(error)
            self.progress.notify_all()

    def wait_answers(self, tickets: int, calls: int) -> None:
        with self.progress:
            ok = self.progress.wait_for(
                lambda: (len(self.tickets) >= tickets and len(self.calls) >= calls) or bool(self.errors), 90
            )
        assert ok and not self.errors, self.errors or f"{len(self.tickets)} tickets, {len(self.calls)} calls"

    def pause(self) -> None:
        self.paused.set()

    def wait_idle(self) -> None:
        with self.progress:
            ok = self.progress.wait_for(lambda: self.idle == len(self.threads) or bool(self.errors), ANSWER_WITHIN_S)
        assert ok and not self.errors, self.errors

    def resume(self) -> None:
        with self.progress:
            self.paused.clear()
            self.progress.notify_all()

    def stop(self) -> None:
        self.done.set()
        with self.progress:
            self.progress.notify_all()
        for thread in self.threads:
            thread.join(ANSWER_WITHIN_S)

    def first_answer_after(self, since: float) -> float | None:
        with self.progress:
            times = [at for _, _, at in self.tickets + self.calls if at >= since]
        return min(times) - since if times else None


class Published:
    """What the service has published: the latest retained revision of each state topic, as an account
    that may read them all receives it (through every outage: it reconnects as quickly as the devices)."""

    def __init__(self, broker: Mosquitto) -> None:
        self.sub = Subscriber(broker.url("staff-2"), [*contract.STATE_TOPICS, "device/service/state"])
        self.sub.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.sub.wait_subscribed()

    def revs(self) -> dict[str, str]:
        latest: dict[str, str] = {}
        with self.sub._cond:
            for message in self.sub.messages:
                if message.topic in contract.STATE_TOPICS and message.payload:
                    latest[message.topic] = message.json()["rev"]
        return latest

    def ready_after(self, mark: int) -> None:
        self.sub.doc_where("device/service/state", lambda d: d["status"] == "ready", "the service ready", mark)


def _converged(devices: Devices, published: Published, back: float) -> tuple[float, float]:
    """Seconds after `back` when the LED wall and the kiosk came to hold what the service published,
    waiting (up to WAIT_S) until they do and nothing more is published."""
    deadline = time.monotonic() + WAIT_S
    while True:
        wanted = published.revs()
        since = [h.holding_since(wanted) for h in (devices.led, devices.kiosk)]
        if all(s is not None for s in since) and published.revs() == wanted:
            return tuple(max(0.0, s - back) for s in since if s is not None)  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the devices never came to hold what the service published: {wanted}; "
                f"LED {devices.led.current()}, kiosk {devices.kiosk.current()}"
            )
        with devices.led._cond:  # woken by the next change on the wall (it draws several frames a second)
            devices.led._cond.wait(0.5)


def test_broker_outages_lose_nothing_acknowledged_and_the_devices_converge(
    sample_dir: Path, broker: Mosquitto, devices: Devices, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    centre = sample_dir / "centre.yaml"  # kiosks as fast as they go: past the sample's 10 a minute
    centre.write_text(
        centre.read_text(encoding="utf-8").replace("tickets_per_minute: 10", "tickets_per_minute: 100000")
    )
    state = tmp_path / "state.sqlite3"
    published = Published(broker)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            serve_argv(sample_dir, broker.url("service"), state, "--no-watch"), stdout=out, stderr=out
        )
    work = Workload(broker)
    rows: list[str] = []
    try:
        published.ready_after(0)
        work.start()
        for n, outage in enumerate(OUTAGES, start=1):
            work.wait_answers(tickets=12 * n, calls=4 * n)
            # Down while commands are in flight; the workers finish what they have in hand after it.
            broker.stop(kill=outage.kill)
            work.pause()
            if outage.wipe:
                shutil.rmtree(broker.directory / "data")
                (broker.directory / "data").mkdir()
            time.sleep(outage.seconds)  # the outage itself, not a wait for anything
            mark = published.sub.mark()
            broker.start()
            back = time.monotonic()
            published.ready_after(mark)
            work.wait_idle()
            answered = work.first_answer_after(back)
            led, kiosk = _converged(devices, published, back)
            rows.append(
                f"  {outage.label:<26} first answer {_s(answered)}   "
                f"LED wall current {_s(led)}   kiosk current {_s(kiosk)}"
            )
            work.resume()
        work.wait_answers(tickets=12 * (len(OUTAGES) + 1), calls=4 * (len(OUTAGES) + 1))
    finally:
        work.stop()
        serve.terminate()
        serve.wait(WAIT_S)
    with capsys.disabled():
        print("\nbroker outages during ticketing and calls (seconds after the broker listens again):")
        print("\n".join(rows))
        print(f"  {len(work.tickets)} tickets and {len(work.calls)} calls acknowledged")
    assert not work.errors, work.errors

    loaded = load_content(sample_dir).content
    assert loaded is not None
    store = Store(state)
    try:
        day = service_day(datetime.now(ZoneInfo(loaded.centre.timezone)), loaded.centre.queue)
        stored = [t.number for t in store.tickets(day)]
        stored_calls = store.calls(day)
    finally:
        store.close()
    numbers = [number for _, number, _ in work.tickets]
    assert len(numbers) == len(set(numbers)), "a number was handed out twice"
    assert sorted(stored) == sorted(numbers), "the store and what the kiosks were told differ"
    for prefix in {n[0] for n in stored}:
        mine = sorted(int(n[1:]) for n in stored if n[0] == prefix)
        assert mine == list(range(1, len(mine) + 1)), f"a gap in {prefix}: {mine}"
    made = [reply for _, reply, _ in work.calls if reply.get("ticket")]
    seqs = sorted(reply["seq"] for reply in made)
    assert seqs == list(range(1, len(seqs) + 1)), f"call sequence numbers repeat or skip: {seqs}"
    called = [reply["ticket"] for reply in made]
    assert len(called) == len(set(called)), "a number was called twice"
    assert set(called) <= set(numbers)
    assert sorted(c.seq for c in stored_calls) == seqs, "the calls stored and the calls acknowledged differ"


def _s(value: float | None) -> str:
    return f"{value:5.2f} s" if value is not None else " none"


# -- a cut link ---------------------------------------------------------------------------------

KEEPALIVE_S = 3


def test_a_cut_display_is_marked_lost_within_its_keepalive_and_comes_back(
    broker: Mosquitto, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real `hall led` behind a link that stops forwarding: `lost` (its will) within 1.5 x keepalive,
    as MQTT has the broker do, and `ready` again once the link is mended."""
    link = CuttableLink(broker.port).start()
    url = f"mqtt://led-wall:{broker.passwords['led-wall']}@{LOOPBACK}:{link.port}"
    watch = Subscriber(broker.url("staff"), ["device/led-wall/state"]).wait_subscribed()
    with (tmp_path / "led.log").open("wb") as led_log:
        led = subprocess.Popen(
            [*HALL, "led", "--display", "wall-768x384", "--output", "null", "--broker", url, "--centre", CENTRE,
             "--keepalive", str(KEEPALIVE_S), "--cache", str(tmp_path / "cache")],
            stdout=subprocess.DEVNULL, stderr=led_log,
        )  # fmt: skip
    try:
        watch.doc_where("device/led-wall/state", lambda d: d["status"] == "ready", "the wall ready")
        mark = watch.mark()
        link.cut()
        cut_at = time.monotonic()
        watch.doc_where("device/led-wall/state", lambda d: d["status"] == "lost", "the wall lost", mark)
        lost_after = time.monotonic() - cut_at
        mark = watch.mark()
        link.mend()
        mended_at = time.monotonic()
        watch.doc_where("device/led-wall/state", lambda d: d["status"] == "ready", "the wall back", mark)
        back_after = time.monotonic() - mended_at
        assert led.poll() is None, "the controller died"
    finally:
        led.terminate()
        code = led.wait(WAIT_S)
        watch.close()
        link.close()
    with capsys.disabled():
        print(
            f"\nlink cut: keepalive {KEEPALIVE_S} s, marked lost {lost_after:.2f} s after the cut "
            f"(MQTT: 1.5 x keepalive = {1.5 * KEEPALIVE_S:g} s, in Mosquitto's whole seconds),"
            f" ready {back_after:.2f} s after the link was mended"
        )
    # MQTT has the broker give up on a silent client after 1.5 x keepalive (Mosquitto's clock ticks in whole
    # seconds); the rest is slack for a busy machine.
    assert lost_after <= 1.5 * KEEPALIVE_S + 3, lost_after
    assert code == 0, (tmp_path / "led.log").read_text(errors="replace")[-2000:]
