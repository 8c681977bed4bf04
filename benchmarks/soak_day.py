"""Soak: a busy district hall's day at 10× its peak rate, for 30 minutes (budget in benchmarks/README.md).

    .venv/bin/python benchmarks/soak_day.py [--minutes 30] [--speed 10] [--sample 5] [--out FILE.png]

It runs for `--minutes` (30 by default) plus about 15 s to start and stop. The hall: the stress
centre `hall synth --stress` writes (a district centre, 20 windows, 40 categories, 60 staff), a fresh
Mosquitto with a roster of this run's own, and as their own processes the service (`hall serve` with its
public pages), a wall (`hall led --display wall-1920x1080 --output null`) and a kiosk model (a `KioskLink`
from kiosk/device.py, the kiosk without its screens: it applies every document, keeps the search index and
writes its cache, as the kiosk does). Each has its own broker account.

The day, at `--speed` times the peak of a busy district hall (see PEAK_PER_HOUR): tickets from four
kiosk accounts (a tenth of them priority); at the windows, from a staff account of each window's own, the
next number called where people wait (the queue document says where), recalls, no-shows and transfers of
the number being served; announcements put up and taken down by a manager's account, some that end by
themselves, and now and then an emergency with an end; cases opened at a window and taken step by step
(accepted, reviewing, decided, ready, collected) as the replies say what may follow. Every command goes
over one persistent connection an account (paho, TCP_NODELAY), each timed from its publish to its reply.

Every `--sample` seconds: the RSS (and its anonymous part, without mapped files such as fonts) and CPU
of the service, the wall, the kiosk model and the broker. At the end: the curves (RSS and anonymous RSS
of each process; command round trip p50 and p99 a minute) as a PNG drawn with Pillow, and two verdicts:
memory flat (the mean RSS of the last third of the run within 5 % of the first third's: the last 10
minutes against the first 10 of a 30-minute run), and latency not growing (the last
third's p50 within 1.2× and p99 within 1.5× of the first third's). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psutil
import yaml
from _devices import account_client
from _support import (
    REPO,
    Presence,
    machine_lines,
    mosquitto_version,
    percentiles,
    process_cpu_seconds,
    process_rss_kib,
)
from bench_rest import hall_command, processes, sigterm_as_exit
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(REPO))

from content.broker.config import Account, Roster
from content.broker.local import LOOPBACK, Mosquitto, free_port
from content.centre.stress import CATEGORIES, EMPTY_CATEGORY, WINDOWS
from content.shared import contract
from content.shared.broker_url import parse_broker_url

CENTRE = "stress"
PREFIX = contract.base(CENTRE)
READY_S = 90.0
REPLY_WAIT_S = 30.0
KIOSKS = tuple(f"kiosk-{k}" for k in range(1, 5))
WINDOW_IDS = tuple(f"w{n:02d}" for n in range(1, WINDOWS + 1))
CATEGORY_IDS = tuple(f"c{n:02d}" for n in range(1, CATEGORIES + 1) if f"c{n:02d}" != EMPTY_CATEGORY)
PEAK_PER_HOUR = {
    # A busy district hall at its peak: 20 windows, each done with a citizen every ~3.3 minutes.
    "ticket": 360.0,
    "call next": 360.0,
    "recall": 36.0,
    "no-show": 15.0,
    "transfer": 12.0,
    "announcement": 6.0,
    "emergency": 1.0,
    "case opened": 60.0,
}
"""Rates at the peak; the soak runs them at `--speed` times. Each case then takes up to five steps."""
CASE_PATH = ("accepted", "reviewing", "decided", "ready", "collected")
CASE_STEP_S = (5.0, 60.0)
"""Seconds between a case's steps (at the soak's own pace)."""
FLAT_WITHIN = 0.05
P50_GROWTH, P99_GROWTH = 1.2, 1.5
NOTICES = (
    "今日办件量较大，请耐心等候叫号，办事前请先看办事指南备齐材料。",
    "社保卡补办、医保参保登记可到2号、3号窗口办理。",
    "不动产登记请先在自助机预约，预约后按号办理。",
    "午间12:00至14:00综合窗口不间断受理。",
    "请勿代他人排号取号，扫码可跟踪办件进度。",
)
EMERGENCY = "紧急通知：因消防演练，请大厅内群众听从工作人员指引，有序从东侧安全出口离开。"


def roster() -> Roster:
    accounts = [
        Account(user="service", role="service"),
        Account(user="observer", role="staff"),
        Account(user="manager", role="staff", office=True),
        Account(user="led-wall", role="display"),
        Account(user="kiosk-model", role="kiosk"),
        *(Account(user=k, role="kiosk") for k in KIOSKS),
        *(Account(user=f"clerk-{w}", role="staff", window=w) for w in WINDOW_IDS),
    ]
    return Roster(centre=CENTRE, accounts=accounts)


def _roster_file(work: Path) -> Path:
    """The roster `hall serve --roster` reads: each clerk acts for its window, the manager as the office."""
    path = work / "roster.yaml"
    path.write_text(yaml.safe_dump(roster().model_dump(exclude_defaults=True), sort_keys=False), encoding="utf-8")
    return path


# The kiosk model in a process of its own, so that its memory is its own: the kiosk's device link,
# no screens. Its presence says when it is ready; on SIGTERM it says `disconnected` and stops.
_KIOSK_MODEL = """
import signal, sys, threading
from pathlib import Path
from content.shared.broker_url import parse_broker_url
from kiosk.device import KioskLink
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
link = KioskLink(parse_broker_url(sys.argv[1]), sys.argv[2], device_id="kiosk-model", cache_dir=Path(sys.argv[3]))
link.start()
while not stop.wait(1.0):
    pass
link.stop()
"""


# -- commands: one persistent connection an account -------------------------------------------------


@dataclass
class Timed:
    """One command: when it left (time.monotonic()), its verb, and once answered its round trip."""

    at: float
    verb: str
    seconds: float = math.nan
    ok: bool = False
    code: str = ""


class Sender:
    """A paho client on one account: publishes `cmd/<verb>/<account>`, matches `reply/<account>` by id."""

    def __init__(self, url: str, sink: Callable[[Timed, dict[str, Any]], None]) -> None:
        broker = parse_broker_url(url)
        self.name = str(broker.username)
        self._sink = sink
        self._pending: dict[str, tuple[Timed, Callable[[dict[str, Any]], None] | None]] = {}
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        client = account_client(broker, f"soak-{uuid.uuid4().hex[:8]}", inflight=100)
        client.on_connect = lambda c, *_: c.subscribe(PREFIX + contract.reply_topic(self.name), qos=1)
        client.on_subscribe = lambda *_: self._subscribed.set()
        client.on_message = self._on_message
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client

    def wait_subscribed(self) -> None:
        if not self._subscribed.wait(READY_S):
            raise RuntimeError(f"{self.name}: no SUBACK")

    def send(
        self,
        verb: str,
        args: dict[str, Any],
        then: Callable[[dict[str, Any]], None] | None = None,
        label: str | None = None,
    ) -> None:
        """Publish a command; `then` gets the result of an ok reply (on paho's thread: it must not block)."""
        payload = contract.command(args, datetime.now(UTC).astimezone())
        timed = Timed(time.monotonic(), label or verb)
        with self._lock:
            self._pending[payload["id"]] = (timed, then)
        properties = mqtt.Properties(mqtt.PacketTypes.PUBLISH)
        properties.MessageExpiryInterval = int(REPLY_WAIT_S)
        self.client.publish(
            PREFIX + contract.command_topic(verb, self.name), contract.encode(payload), qos=1, properties=properties
        )

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        at = time.monotonic()
        reply = json.loads(message.payload)
        with self._lock:
            found = self._pending.pop(reply.get("id"), None)
        if found is None:
            return
        timed, then = found
        timed.seconds, timed.ok, timed.code = at - timed.at, bool(reply.get("ok")), str(reply.get("code") or "")
        self._sink(timed, reply)
        if then is not None and timed.ok:
            then(reply.get("result") or {})

    def unanswered(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class QueueView:
    """The latest queue document, as the observer account receives it: where people wait, who is served."""

    def __init__(self, url: str) -> None:
        broker = parse_broker_url(url)
        self._lock = threading.Lock()
        self.waiting: dict[str, int] = {}
        self.serving: dict[str, str] = {}
        self.serves: dict[str, tuple[str, ...]] = {}
        self._have = threading.Event()
        client = account_client(broker, f"soak-{uuid.uuid4().hex[:8]}")
        client.on_connect = lambda c, *_: c.subscribe(PREFIX + "queue", qos=1)
        client.on_message = self._on_message
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        doc = json.loads(message.payload)
        with self._lock:
            self.waiting = {c["id"]: int(c.get("waiting") or 0) for c in doc.get("categories", [])}
            self.serving = {w["id"]: w["serving"] for w in doc.get("windows", []) if w.get("serving")}
            self.serves = {w["id"]: tuple(w.get("categories") or ()) for w in doc.get("windows", []) if w.get("open")}
        self._have.set()

    def wait(self) -> None:
        if not self._have.wait(READY_S):
            raise RuntimeError("no queue document")

    def where_to_call(self, rng: random.Random) -> str:
        """A window serving a category where people wait (weighted by how many), else any window."""
        with self._lock:
            waiting = [(c, n) for c, n in self.waiting.items() if n > 0]
            serves = dict(self.serves)
        if waiting:
            category = rng.choices([c for c, _ in waiting], [n for _, n in waiting])[0]
            windows = [w for w, cats in serves.items() if category in cats]
            if windows:
                return rng.choice(windows)
        return rng.choice(WINDOW_IDS)

    def served(self, rng: random.Random) -> tuple[str, str] | None:
        """A window and the number it serves now, if any window serves one."""
        with self._lock:
            serving = list(self.serving.items())
        return rng.choice(serving) if serving else None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# -- the day --------------------------------------------------------------------------------------


@dataclass
class Day:
    """The workload: Poisson streams at `speed` × the peak, and the follow-ups replies ask for."""

    accounts: dict[str, Sender]
    queue: QueueView
    speed: float
    rng: random.Random = field(default_factory=lambda: random.Random(23))
    _heap: list[tuple[float, int, Callable[[], None]]] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _announcements: list[str] = field(default_factory=list)
    _tickets: int = 0

    def at(self, delay: float, action: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), action))
            self._cond.notify()

    def _stream(self, name: str, action: Callable[[], None]) -> None:
        rate = PEAK_PER_HOUR[name] * self.speed / 3600.0

        def fire() -> None:
            action()
            self.at(self.rng.expovariate(rate), fire)

        self.at(self.rng.expovariate(rate), fire)

    def run(self, until: float) -> None:
        self._stream("ticket", self.ticket)
        self._stream("call next", self.call_next)
        self._stream("recall", lambda: self.at_window("recall"))
        self._stream("no-show", lambda: self.at_window("no_show"))
        self._stream("transfer", lambda: self.at_window("transfer"))
        self._stream("announcement", self.announce)
        self._stream("emergency", self.emergency)
        self._stream("case opened", self.open_case)
        while True:
            with self._cond:
                while True:
                    now = time.monotonic()
                    if now >= until:
                        return
                    if self._heap and self._heap[0][0] <= now:
                        _, _, action = heapq.heappop(self._heap)
                        break
                    wake = min(until, self._heap[0][0]) if self._heap else until
                    self._cond.wait(wake - now)
            action()

    # -- kiosks

    def ticket(self) -> None:
        self._tickets += 1
        kiosk = self.accounts[KIOSKS[self._tickets % len(KIOSKS)]]
        args: dict[str, Any] = {"category": self.rng.choice(CATEGORY_IDS)}
        if self.rng.random() < 0.1:
            args["priority"] = self.rng.choice(["elderly", "disabled", "pregnant", "military", "appointment"])
        kiosk.send("ticket", args)

    # -- staff at the windows

    def call_next(self) -> None:
        window = self.queue.where_to_call(self.rng)
        self.accounts[f"clerk-{window}"].send("call", {"window": window, "action": "next"}, label="call next")

    def at_window(self, action: str) -> None:
        served = self.queue.served(self.rng)
        if served is None:
            return
        window, _ = served
        args: dict[str, Any] = {"window": window, "action": action}
        if action == "transfer":
            args["category"] = self.rng.choice(CATEGORY_IDS)
        self.accounts[f"clerk-{window}"].send("call", args, label=f"call {action}")

    # -- the manager's announcements

    def announce(self) -> None:
        manager = self.accounts["manager"]
        if len(self._announcements) >= 8:  # the oldest comes down first
            manager.send("announce", {"clear": self._announcements.pop(0)}, label="announce clear")
            return
        args: dict[str, Any] = {"text": self.rng.choice(NOTICES), "priority": self.rng.choice(["normal", "high"])}
        if self.rng.random() < 0.4:  # ends by itself
            args["duration_s"] = self.rng.randint(60, 600)
        manager.send("announce", args, then=self._put_up, label=f"announce {args['priority']}")

    def _put_up(self, result: dict[str, Any]) -> None:
        if result.get("expires") is None and result.get("id"):
            self._announcements.append(str(result["id"]))

    def emergency(self) -> None:
        duration = self.rng.randint(20, 60)
        args = {"text": EMERGENCY, "priority": "emergency", "duration_s": duration}
        self.accounts["manager"].send("announce", args, label="announce emergency")

    # -- cases

    def open_case(self) -> None:
        window = self.rng.choice(WINDOW_IDS[:16])  # windows 17 to 20 have no staff
        category = int(self.rng.choice(CATEGORY_IDS)[1:])
        item = f"i{category:02d}-{self.rng.randint(1, 1 + category % 3)}"
        args: dict[str, Any] = {"item": item, "at": "district", "window": window}
        if self.rng.random() < 0.5:
            args |= {"applicant": "张三", "phone": f"1380000{self.rng.randint(0, 9999):04d}", "notify": True}
        self.accounts[f"clerk-{window}"].send("case_open", args, then=self._case_step(window))

    def _case_step(self, window: str) -> Callable[[dict[str, Any]], None]:
        def then(result: dict[str, Any]) -> None:
            number, allowed = result.get("number"), result.get("next") or []
            stage = next((s for s in CASE_PATH if s in allowed), None)
            if number and stage:
                account = self.accounts[f"clerk-{window}"]
                args = {"case": number, "stage": stage}
                step = partial(account.send, "case_advance", args, then, f"case_advance {stage}")
                self.at(self.rng.uniform(*CASE_STEP_S), step)

        return then


# -- sampling -------------------------------------------------------------------------------------


@dataclass
class Samples:
    pids: dict[str, int]
    at: list[float] = field(default_factory=list)
    rss: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """MB (2^20 bytes)."""
    anon: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """The anonymous part of the RSS, MB: without the pages of files mapped (fonts, libraries), which the
    kernel may drop and read again and which cannot outgrow the files."""
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """CPU seconds so far."""

    def take(self, start: float) -> None:
        self.at.append(time.monotonic() - start)
        for name, pid in self.pids.items():
            self.rss[name].append(process_rss_kib(pid) / 1024)
            self.anon[name].append(_rss_anon_kib(pid) / 1024)
            self.cpu[name].append(process_cpu_seconds(pid))


def _rss_anon_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def sample_every(samples: Samples, period: float, start: float, stop: threading.Event) -> None:
    while not stop.wait(period):
        samples.take(start)


# -- the picture ----------------------------------------------------------------------------------

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 5
    step = 10 ** math.floor(math.log10(raw))
    step = next(m * step for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _label(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value:,.0f}"


def draw_panel(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    title: str,
    ylabel: str,
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    minutes: float,
    font: Any,
    small: Any,
) -> None:
    """One line plot: axes from 0, round ticks, one line per series, a legend to the right."""
    x0, y0, x1, y1 = box
    left, bottom, top, right = x0 + 80, y1 - 50, y0 + 40, x1 - 260  # the legend to the right
    draw.text((x0 + 80, y0 + 5), title, fill="black", font=font)
    highest = max((y for _, points in series for _, y in points), default=1.0)
    yticks = _ticks(highest * 1.1)
    xticks = _ticks(minutes)
    ymax, xmax = yticks[-1], xticks[-1]

    def px(x: float, y: float) -> tuple[float, float]:
        return left + (right - left) * x / xmax, bottom - (bottom - top) * y / ymax

    for y in yticks:
        _, py = px(0, y)
        draw.line([(left, py), (right, py)], fill="#e4e4e4")
        draw.text((left - 8, py), _label(y), fill="black", font=small, anchor="rm")
    for x in xticks:
        qx, _ = px(x, 0)
        draw.line([(qx, bottom), (qx, bottom + 5)], fill="black")
        draw.text((qx, bottom + 8), _label(x), fill="black", font=small, anchor="mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill="black", width=2)
    draw.text(((left + right) / 2, bottom + 28), "minutes into the soak", fill="black", font=small, anchor="mt")
    draw.text((x0 + 10, (top + bottom) / 2), ylabel, fill="black", font=small, anchor="lm")
    for k, (name, points) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        if len(points) > 1:
            draw.line([px(x, y) for x, y in points], fill=colour, width=2)
        elif points:
            cx, cy = px(*points[0])
            draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill=colour)
        ly = top + 8 + 22 * k
        draw.line([(right + 20, ly), (right + 50, ly)], fill=colour, width=3)
        draw.text((right + 58, ly), name, fill="black", font=small, anchor="lm")


def write_png(path: Path, samples: Samples, minutes_p: dict[int, dict[str, float]], minutes: float, title: str) -> None:
    width, height, panel = 1400, 1400, 450
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, small = ImageFont.load_default(size=20), ImageFont.load_default(size=15)
    draw.text((20, 12), title, fill="black", font=font)
    to_min = [t / 60 for t in samples.at]
    top = 45
    for heading, which in (
        ("Resident memory (RSS)", samples.rss),
        ("Anonymous memory (RSS without mapped files: fonts, libraries)", samples.anon),
    ):
        memory = [(name, list(zip(to_min, values, strict=True))) for name, values in which.items()]
        draw_panel(draw, (0, top, width, top + panel), heading, "MB", memory, minutes, font, small)
        top += panel
    latency = [
        ("p50", [(m + 0.5, p["p50"] * 1000) for m, p in sorted(minutes_p.items())]),
        ("p99", [(m + 0.5, p["p99"] * 1000) for m, p in sorted(minutes_p.items())]),
    ]
    heading = "Command round trip (publish to reply), a minute at a time"
    draw_panel(draw, (0, top, width, height), heading, "ms", latency, minutes, font, small)
    image.save(path)


# -- verdicts -------------------------------------------------------------------------------------


def thirds(values: Sequence[float]) -> tuple[Sequence[float], Sequence[float]]:
    third = max(1, len(values) // 3)
    return values[:third], values[-third:]


def memory_verdicts(samples: Samples, which: dict[str, list[float]]) -> list[str]:
    lines = []
    for name, values in which.items():
        first, last = thirds(values)
        change = statistics.mean(last) / statistics.mean(first) - 1
        verdict = "flat" if abs(change) <= FLAT_WITHIN else "NOT flat"
        times = samples.at[-len(last) :]
        slope = statistics.linear_regression(times, last).slope * 600 if len(last) > 1 and times[0] < times[-1] else 0.0
        lines.append(
            f"  {name:<12} start {values[0]:6.1f}  first third {statistics.mean(first):6.1f}  last third "
            f"{statistics.mean(last):6.1f} MB ({change:+.1%})  max {max(values):6.1f} MB  "
            f"last third's trend {slope:+.2f} MB/10 min   {verdict}"
        )
    return lines


def latency_verdict(by_minute: dict[int, list[float]]) -> str:
    minutes = sorted(by_minute)
    first_m, last_m = thirds(minutes)
    first = percentiles([s for m in first_m for s in by_minute[m]])
    last = percentiles([s for m in last_m for s in by_minute[m]])
    grew = last["p50"] > P50_GROWTH * first["p50"] or last["p99"] > P99_GROWTH * first["p99"]
    return (
        f"  first third p50 {first['p50'] * 1000:.1f} ms, p99 {first['p99'] * 1000:.1f} ms; last third p50 "
        f"{last['p50'] * 1000:.1f} ms, p99 {last['p99'] * 1000:.1f} ms "
        f"(×{last['p50'] / first['p50']:.2f}, ×{last['p99'] / first['p99']:.2f}): "
        + ("GREW" if grew else f"no growth (p50 within ×{P50_GROWTH}, p99 within ×{P99_GROWTH})")
    )


# -- the run --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the day runs (default 30; +~15 s)")
    parser.add_argument("--speed", type=float, default=10.0, help="times the peak rate (default 10)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples (default 5)")
    parser.add_argument("--out", type=Path, default=Path("var/soak-day.png"), help="the PNG (default var/soak-day.png)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) and print it")
    args = parser.parse_args()
    for line in machine_lines([f"broker    {mosquitto_version()}", f"psutil    {psutil.__version__}"]):
        print(line)
    rates = ", ".join(f"{name} {rate * args.speed:g}" for name, rate in PEAK_PER_HOUR.items())
    print(f"the day: {args.minutes:g} min at {args.speed:g}× the peak; an hour: {rates}")
    with sigterm_as_exit(), ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="soak-day-"))
        if args.keep:
            print(f"working directory {work}")
        else:
            stack.callback(shutil.rmtree, work, ignore_errors=True)
        running = stack.enter_context(processes(work))
        hall = hall_command()
        content_dir = work / "centre"
        subprocess.run([*hall, "synth", "--stress", "--out", str(content_dir)], check=True, capture_output=True)
        broker = Mosquitto(work / "broker", roster()).start()
        stack.callback(broker.stop)
        stack.callback(running.stop_all)  # before the broker goes
        presence = Presence(broker.url("observer"), PREFIX)
        stack.callback(presence.close)
        service = running.spawn(
            "service",
            "hall serve",
            [
                *hall, "serve", "--content", str(content_dir), "--broker", broker.url("service"),
                "--state", str(work / "state.sqlite3"), "--http", f"{LOOPBACK}:{free_port()}",
                "--roster", str(_roster_file(work)),
            ],
        )  # fmt: skip
        presence.wait_ready(["service"], READY_S, running.ended)
        wall = running.spawn(
            "led-wall",
            "hall led wall-1920x1080",
            [
                *hall, "led", "--display", "wall-1920x1080", "--output", "null", "--broker", broker.url("led-wall"),
                "--centre", CENTRE, "--cache", str(work / "cache-wall"),
            ],
        )  # fmt: skip
        kiosk = running.spawn(
            "kiosk-model",
            "KioskLink",
            [sys.executable, "-c", _KIOSK_MODEL, broker.url("kiosk-model"), CENTRE, str(work / "cache-kiosk")],
        )
        presence.wait_ready(["led-wall", "kiosk-model"], READY_S, running.ended)
        queue = QueueView(broker.url("observer"))
        stack.callback(queue.close)
        queue.wait()
        by_minute: dict[int, list[float]] = defaultdict(list)
        by_kind: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        tally: Counter[str] = Counter()
        lock = threading.Lock()

        def sink(timed: Timed, reply: dict[str, Any]) -> None:
            with lock:
                minute = int((timed.at - start) // 60)
                by_minute[minute].append(timed.seconds)
                by_kind[timed.verb][minute].append(timed.seconds)
                tally[f"{timed.verb} ok" if timed.ok else f"{timed.verb} refused ({timed.code})"] += 1

        names = ["manager", *KIOSKS, *(f"clerk-{w}" for w in WINDOW_IDS)]
        accounts = {name: Sender(broker.url(name), sink) for name in names}
        for account in accounts.values():
            stack.callback(account.close)
            account.wait_subscribed()
        pids = {p.name: p.pid for p in (service, wall, kiosk)}
        process = broker._process  # private; read only for the broker's memory
        assert process is not None
        samples = Samples({**pids, "Mosquitto": process.pid})
        start = time.monotonic()
        samples.take(start)
        stop = threading.Event()
        sampler = threading.Thread(target=sample_every, args=(samples, args.sample, start, stop), daemon=True)
        sampler.start()
        day = Day(accounts, queue, args.speed)
        until = start + args.minutes * 60
        watcher = threading.Thread(target=_watch, args=(running, until, stop), daemon=True)
        watcher.start()
        day.run(until)
        drain = time.monotonic() + 10
        while sum(a.unanswered() for a in accounts.values()) and time.monotonic() < drain:
            time.sleep(0.1)  # the last replies: nothing else to wait on
        stop.set()
        sampler.join()
        samples.take(start)
        ended = running.ended()
        unanswered = sum(a.unanswered() for a in accounts.values())
        alive = {name: presence.status(name) for name in ("service", "led-wall", "kiosk-model")}
        report(args, samples, by_minute, by_kind, tally, unanswered, alive, ended)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        minutes_p = {m: percentiles(v) for m, v in by_minute.items() if len(v) >= 2}
        title = f"Soak: the stress district hall at {args.speed:g}x its peak for {args.minutes:g} min"
        title += f" ({datetime.now():%Y-%m-%d %H:%M})"
        write_png(args.out, samples, minutes_p, args.minutes, title)
        print(f"\ncurves: {args.out.resolve()}")
    return 0


def _watch(running: Any, until: float, stop: threading.Event) -> None:
    """Say at once when a process of the hall ends during the run."""
    while not stop.wait(2.0) and time.monotonic() < until:
        ended = running.ended()
        if ended:
            print(f"!! {ended}", flush=True)
            return


def report(
    args: argparse.Namespace,
    samples: Samples,
    by_minute: dict[int, list[float]],
    by_kind: dict[str, dict[int, list[float]]],
    tally: Counter[str],
    unanswered: int,
    alive: dict[str, str | None],
    ended: str | None,
) -> None:
    total = sum(tally.values())
    print(f"\ncommands answered: {total} in {args.minutes:g} min ({total / (args.minutes * 60):.1f} a second), "
          f"unanswered after 10 s: {unanswered}")  # fmt: skip
    for key, count in sorted(tally.items()):
        print(f"  {key:<40} {count:6d}")
    print("\nround trip by minute: commands, p50 / p99 / max (ms)")
    for minute in sorted(by_minute):
        values = by_minute[minute]
        if len(values) >= 2:
            p = percentiles(values)
            print(
                f"  {minute:3d}  {len(values):5d}  {p['p50'] * 1000:7.1f} {p['p99'] * 1000:8.1f} {p['max'] * 1000:8.1f}"
            )
    elapsed = samples.at[-1] - samples.at[0]
    print("\nCPU over the run (% of one core)")
    for name, values in samples.cpu.items():
        print(f"  {name:<12} {100 * (values[-1] - values[0]) / elapsed:6.1f} %")
    print(
        f"\nmemory (a sample every {args.sample:g} s; "
        f"flat: the last third's mean within {FLAT_WITHIN:.0%} of the first's)"
    )
    for line in memory_verdicts(samples, samples.rss):
        print(line)
    print("the anonymous part of it (without mapped files: fonts, libraries)")
    for line in memory_verdicts(samples, samples.anon):
        print(line)
    print("\nlatency")
    print(latency_verdict(by_minute))
    print("  by command, median round trip: first third → last third of the run")
    first_m, last_m = thirds(sorted(by_minute))
    for kind, minutes in sorted(by_kind.items()):
        first = [v for m in first_m for v in minutes.get(m, [])]
        last = [v for m in last_m for v in minutes.get(m, [])]
        if first and last:
            a, b = statistics.median(first) * 1000, statistics.median(last) * 1000
            print(f"    {kind:<28} {a:6.1f} → {b:6.1f} ms (×{b / a:.2f}; {len(first)} and {len(last)} commands)")
    print(
        f"\nat the end: presence {', '.join(f'{k} {v}' for k, v in alive.items())}"
        + (f"; ENDED: {ended}" if ended else "")
    )


if __name__ == "__main__":
    raise SystemExit(main())
