"""Benchmark: LED frames (CPU a frame, at the profile's rate) and staff call → LED frame (see benchmarks/README.md).

    .venv/bin/python benchmarks/bench_led.py [--seconds 3] [--calls 100]

1. Frames, no broker: the real `Scheduler` on the 192×64 window screen (`window-192x64`) and the
   1920×1080 wall (`wall-1920x1080`), fed the display state a controller builds from the sample
   centre's documents, with a long ticker that scrolls and a new call every 10 s. (a) Uncapped:
   `Scheduler.compose` in a loop, the clock advancing one frame period a frame, into a null output
   and into one that turns each frame into RGB bytes as the DDP and E1.31 drivers do. (b) At the
   profile's rate (and 60 fps on the wall): `Scheduler.run()` for `--seconds`, CPU of this process
   over wall time. Naive peer in the same run, same sizes and font files: every frame `Image.new`,
   `ImageDraw.text` of every line and of the whole ticker at its offset, `tobytes`; and a stricter
   one that draws only the ticker's characters in view.
2. Call → frame: a fresh Mosquitto (the tests' roster), `hall serve` on a copy of the sample
   centre as a child process, and in this process a real `LedController` + `Scheduler` (account
   led-wall) whose output keeps, for a while after each call, each frame's time and the pixels of
   the zone that shows the number. A staff client sends `cmd/call {window, action: next}`; the
   latency is the first frame whose pixels equal that zone pre-rendered for the called ticket,
   minus the moment just before the publish.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import itertools
import logging
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import paho.mqtt
import PIL
from _devices import Client, kiosk_burst
from _support import machine_lines, mosquitto_version, percentiles
from bench_queue import PREFIX, Hall, served_hall
from PIL import Image, ImageDraw, ImageFont, features

from content.broker.local import mosquitto_available
from content.centre.loader import Content, load_content
from content.centre.synth import SAMPLE
from content.queue.rules import MAX_NUMBER
from content.service import documents
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.commands.queue import call, take_ticket
from content.service.live import Live
from content.shared import contract, wording
from content.shared.broker_url import parse_broker_url
from led_driver import render
from led_driver.device import LedController
from led_driver.outputs.base import check_frame, check_size, rgb_bytes
from led_driver.profile import Profile, Zone, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import CallRow, DisplayState, Guide, WindowRow, apply
from tests.conftest import CENTRE

# A Friday morning inside the sample centre's opening hours: the controller's wall clock starts
# here whenever the benchmark runs, so the display shows its zones, not the closed-hall screen.
WALL_START = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
CALL_EVERY_S = 10.0
"""In the frame loops, a new call (banner, windows, waiting and recent calls change) this often."""
LONG_TICKER = (
    "今天逢场，各窗口全员在岗，请按号有序办理。社保、医保、民政、不动产等事项请先在自助取号机取号，"
    "过号请重新取号；需要帮办代办的群众请到1号综合窗口咨询，村（社区）代办员每周三统一到区政务服务中心送件。"
    "便民服务热线0816-2731000，投诉电话0816-2731012。"
)
WARMUP_CALLS = 4
SETTLE_S = 0.1
"""After each call, wait this long before looking at the frames (the scheduler then has the GIL to itself)."""
FRAME_TIMEOUT_S = 3.0
WAIT_S = 30.0
MUST_P99_S, AIM_P99_S = 0.060, 0.020


@dataclass(frozen=True)
class Budget:
    name: str
    must_fps: int
    must_cpu: float
    """Share of one core at `must_fps`."""
    aim_ratio: float
    """Naive CPU a frame over ours."""
    aim_fps: int


BUDGETS = (Budget("window-192x64", 60, 0.10, 10.0, 60), Budget("wall-1920x1080", 30, 0.50, 5.0, 60))
LATENCY_RUNS = (("wall-1920x1080", ("zonghe", "shebao")), ("window-192x64", ("zonghe",)))
"""Profile, and the windows called in turn: the window screen shows only its own window (zonghe)."""


def load(name: str) -> Profile:
    profile, problems = load_profile(find_profile(name))
    if profile is None:
        raise SystemExit(f"{name}: {problems}")
    return profile.for_window("zonghe") if profile.needs_window else profile


# -- the display state ----------------------------------------------------------------------------


def _docs_state(content: Content, live: Live, now: datetime) -> DisplayState:
    """What a controller holds after the service's documents for `live` (the queue before the staff)."""
    docs = documents.all_documents(content, live, now)
    state = DisplayState()
    for topic in ("centre", "queue", "staff", "catalog", "announcements"):
        state = apply(state, topic, contract.encode(contract.state_document(docs[topic], now)))
    return state


def hall_states(content: Content, count: int) -> list[DisplayState]:
    """A busy morning as the controller sees it: `count` states, each after one more call.

    Built as tests/test_led_state.sample_state builds its state, through the service's pure
    functions and the real documents, with the long ticker announcement added.
    """
    now = WALL_START
    live = Live()
    # All taken in the same minute by one kiosk: past the sample's tickets_per_minute, so lifted here.
    queue = content.centre.queue.model_copy(update={"tickets_per_minute": 100_000})
    content = dataclasses.replace(content, centre=content.centre.model_copy(update={"queue": queue}))
    for i in range(4 * count):
        category = ("shebao", "minzheng", "guangdian", "shebao", "nongye")[i % 5]
        live = take_ticket(Context(live, content, {"category": category}, "kiosk-1", now)).live
    live = announce(Context(live, content, {"text": "今天逢场，各窗口全员在岗，请按号有序办理"}, "staff", now)).live
    live = announce(Context(live, content, {"text": LONG_TICKER}, "staff", now)).live
    states = []
    for i in range(count):
        out = call(Context(live, content, {"window": ("zonghe", "shebao")[i % 2]}, "staff", now))
        live = out.live
        state = _docs_state(content, live, now)
        event = contract.call_event(documents.call_json(out.calls[0]), now)
        states.append(apply(state, "call", contract.encode(event)))
    return states


# -- 1. frames ------------------------------------------------------------------------------------


class CountingOutput:
    """Counts frames; with `to_bytes`, turns each into RGB bytes first (`rgb_bytes`, as the DDP and
    E1.31 drivers do before they cut packets); with `timed`, keeps when each was shown."""

    max_fps: float | None = None

    def __init__(self, *, to_bytes: bool = False, timed: bool = False) -> None:
        self.to_bytes = to_bytes
        self.timed = timed
        self.frames = 0
        self.shown_at: list[float] = []
        self._size: tuple[int, int] | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "counting")
        self._size = size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "counting")
        if self.to_bytes:
            rgb_bytes(frame)
        self.frames += 1
        if self.timed:
            self.shown_at.append(time.monotonic())

    def close(self) -> None:
        self._size = None


@dataclass(frozen=True)
class Loop:
    frames: int
    wall_s: float
    cpu_s: float
    shown_at: Sequence[float] = ()

    @property
    def per_s(self) -> float:
        return self.frames / self.wall_s

    @property
    def cpu_per_frame(self) -> float:
        return self.cpu_s / self.frames

    @property
    def cpu_share(self) -> float:
        return self.cpu_s / self.wall_s

    def late(self, fps: float) -> int:
        """Frames shown more than 1.5 periods after the one before."""
        gaps = [b - a for a, b in zip(self.shown_at, self.shown_at[1:], strict=False)]
        return sum(1 for gap in gaps if gap > 1.5 / fps)


def _opened(profile: Profile, output: CountingOutput) -> CountingOutput:
    output.open((profile.size[0], profile.size[1]), render.mode_of(profile))
    return output


def uncapped(profile: Profile, states: Sequence[DisplayState], seconds: float, to_bytes: bool) -> Loop:
    """`Scheduler.compose` + the output in a loop, the clocks advancing one frame period a frame.

    Time is simulated, so zones that change with it (the clock each minute, table pages every few
    seconds, the banner flashing after each call) are redrawn as often as at the real rate.
    """
    output = _opened(profile, CountingOutput(to_bytes=to_bytes))
    scheduler = Scheduler(profile, output, wall_clock=lambda: WALL_START, monotonic=lambda: 0.0)
    period = 1.0 / profile.fps
    t, call_at, k = 0.0, 0.0, 0
    state = states[0]
    for _ in range(10):  # the first frame draws every zone: a start-up cost, not a frame's
        output.show(scheduler.compose(state, WALL_START, 0.0, call_at))
    output.frames = 0
    start, cpu = time.perf_counter(), time.thread_time()
    while time.perf_counter() - start < seconds:
        for _ in range(32):
            t += period
            if t - call_at >= CALL_EVERY_S:
                k, call_at = k + 1, t
                state = states[k % len(states)]
            output.show(scheduler.compose(state, WALL_START + timedelta(seconds=t), t, call_at))
    return Loop(output.frames, time.perf_counter() - start, time.thread_time() - cpu)


def paced(profile: Profile, states: Sequence[DisplayState], seconds: float, to_bytes: bool) -> Loop:
    """`Scheduler.run()` on this thread for `seconds` at the profile's fps, a call at once and then
    every CALL_EVERY_S from a feeder thread; CPU of the whole process (the feeder sleeps)."""
    output = _opened(profile, CountingOutput(to_bytes=to_bytes, timed=True))
    started = time.monotonic()
    scheduler = Scheduler(
        profile, output, wall_clock=lambda: WALL_START + timedelta(seconds=time.monotonic() - started)
    )
    stop = threading.Event()

    def feed() -> None:
        k = 0
        while True:
            scheduler.update(states[k % len(states)], call_arrived_at=time.monotonic())
            k += 1
            if stop.wait(CALL_EVERY_S):
                return

    feeder = threading.Thread(target=feed, name="feeder", daemon=True)
    start, cpu = time.perf_counter(), time.process_time()
    feeder.start()
    scheduler.run(stop, seconds=seconds)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    stop.set()
    feeder.join()
    return Loop(output.frames, wall, used, output.shown_at)


@dataclass(frozen=True)
class _NaiveTicker:
    x: int
    y: int
    width: int
    words: str
    """One period: the text and the gap."""
    edges: list[int]
    """Where each character of the period, twice over, starts (and where the last one ends)."""
    font: ImageFont.FreeTypeFont
    bitmap: bool
    colour: Any

    def draw(self, draw: ImageDraw.ImageDraw, offset: int, visible_only: bool) -> None:
        period = self.edges[len(self.words)]
        shift = offset % period
        draw.fontmode = "1" if self.bitmap else "L"
        if not visible_only:  # the whole text, and again behind it where it wraps round
            draw.text((self.x - shift, self.y), self.words, font=self.font, fill=self.colour)
            if period - shift < self.width:
                draw.text((self.x - shift + period, self.y), self.words, font=self.font, fill=self.colour)
            return
        first = bisect.bisect_right(self.edges, shift) - 1
        last = bisect.bisect_left(self.edges, shift + self.width)
        visible = (self.words * 2)[first:last]
        draw.text((self.x + self.edges[first] - shift, self.y), visible, font=self.font, fill=self.colour)


class NaiveLoop:
    """The naive peer: every frame from nothing. `Image.new`, `ImageDraw.text` of every line of every
    zone and of the whole ticker text at its offset (twice where it wraps round), `tobytes`.

    The same font files and sizes as the profile's zones, opened with `ImageFont.truetype` as they
    come (libraqm layout when Pillow has it); what to write where is worked out once per state and
    minute, so the figure is the drawing. `visible_only`: a stricter peer that draws only the
    ticker's characters that are in view, so that its cost does not grow with the ticker's length.
    """

    def __init__(self, profile: Profile, *, visible_only: bool = False) -> None:
        self.profile = profile
        self.visible_only = visible_only
        self._fonts: dict[int, tuple[ImageFont.FreeTypeFont, bool]] = {}
        for index, zone in enumerate(profile.zones):
            font = render.font_of(profile, zone)
            face = font.faces[0]
            self._fonts[index] = (ImageFont.truetype(face.path, face.size, index=face.index), font.bitmap)
        self._layout_key: Hashable = None
        self._layout: list[tuple[tuple[int, int], str, ImageFont.FreeTypeFont, bool, Any]] = []
        self._tickers: list[_NaiveTicker] = []

    def _lines(self, zone: Zone, step: int, state: DisplayState, wall: datetime) -> list[tuple[int, int, str, str]]:
        """(x, y, text, colour key) within the zone's box; `step` from one line to the next."""
        _, _, width, height = zone.box
        match zone.kind:
            case "title":
                return [(0, 0, state.centre, "accent")]
            case "clock":
                return [(0, 0, f"{wall:%Y年%m月%d日} {wording.weekday(wall.weekday())} {wall:%H:%M}", "text")]
            case "text":
                return [(0, 0, zone.text or "", "text")]
            case "call_banner":
                c = state.last_call
                words = (c.text or f"请{c.ticket}号到{c.window_name}办理") if c else "欢迎光临"
                return [(0, 0, words, "call")]
            case "windows":
                out = []
                for i, w in enumerate(state.windows[: zone.rows]):
                    out += [
                        (0, i * step, f"{w.number}号 {w.name}", "text"),
                        (width * 5 // 12, i * step, w.serving, "accent"),
                    ]
                    out.append((width * 8 // 12, i * step, w.staff, "text"))
                return out
            case "window":
                row = next((w for w in state.windows if w.id == zone.window), None)
                if row is None:
                    return []
                return [
                    (0, 0, f"{row.number}号 {row.name}", "accent"),
                    (0, height // 3, f"正在办理 {row.serving}", "text"),
                    (0, 2 * height // 3, f"工作人员 {row.staff}", "text"),
                ]
            case "waiting":
                return [
                    line
                    for i, r in enumerate(state.waiting[: zone.rows])
                    for line in ((0, i * step, r.name, "text"), (width // 2, i * step, f"等候{r.waiting}人", "accent"))
                ]
            case "recent_calls":
                return [(0, i * step, f"{c.ticket} → {c.window_name}", "text") for i, c in enumerate(state.recent)]
        return []

    def _lay_out(self, state: DisplayState, wall: datetime) -> None:
        key = (id(state), wall.strftime("%H:%M"))
        if key == self._layout_key:
            return
        paint = render.paint_for(self.profile, wall)
        self._layout, self._tickers = [], []
        for index, zone in enumerate(self.profile.zones):
            font, bitmap = self._fonts[index]
            x, y, width, height = zone.box
            if zone.kind == "ticker":
                words = (state.ticker() or state.centre) + render.GAP
                fill = paint(zone.colour or self.profile.colour("text"))
                edges = [0, *itertools.accumulate(round(font.getlength(ch)) for ch in words * 2)]
                top = y + max(0, height - round(font.size * 1.2)) // 2
                self._tickers.append(_NaiveTicker(x, top, width, words, edges, font, bitmap, fill))
                continue
            for dx, dy, words, colour in self._lines(zone, round(font.size * 1.3), state, wall):
                self._layout.append(((x + dx, y + dy), words, font, bitmap, paint(self.profile.colour(colour))))
        self._layout_key = key

    def frame(self, state: DisplayState, wall: datetime, offset: int) -> bytes:
        self._lay_out(state, wall)
        paint = render.paint_for(self.profile, wall)
        image = Image.new(
            paint.mode, (self.profile.size[0], self.profile.size[1]), paint(self.profile.colour("background"))
        )
        draw = ImageDraw.Draw(image)
        for xy, words, font, bitmap, colour in self._layout:
            draw.fontmode = "1" if bitmap else "L"
            draw.text(xy, words, font=font, fill=colour)
        for ticker in self._tickers:
            ticker.draw(draw, offset, self.visible_only)
        return image.tobytes()


def naive_uncapped(profile: Profile, states: Sequence[DisplayState], seconds: float, visible_only: bool) -> Loop:
    naive = NaiveLoop(profile, visible_only=visible_only)
    period = 1.0 / profile.fps
    t, call_at, k, frames = 0.0, 0.0, 0, 0
    state = states[0]
    naive.frame(state, WALL_START, 0)
    start, cpu = time.perf_counter(), time.thread_time()
    while time.perf_counter() - start < seconds:
        t += period
        if t - call_at >= CALL_EVERY_S:
            k, call_at = k + 1, t
            state = states[k % len(states)]
        naive.frame(state, WALL_START + timedelta(seconds=t), int(t * profile.scroll_px_per_s))
        frames += 1
    return Loop(frames, time.perf_counter() - start, time.thread_time() - cpu)


def naive_paced(profile: Profile, states: Sequence[DisplayState], seconds: float) -> Loop:
    """The naive loop at the profile's fps, sleeping until each frame is due."""
    naive = NaiveLoop(profile)
    period = 1.0 / profile.fps
    shown: list[float] = []
    start, cpu = time.perf_counter(), time.process_time()
    begun = due = time.monotonic()
    while (now := time.monotonic()) - begun < seconds:
        if due > now:
            time.sleep(due - now)
        now = time.monotonic()
        state = states[int((now - begun) // CALL_EVERY_S) % len(states)]
        naive.frame(state, WALL_START + timedelta(seconds=now - begun), int((now - begun) * profile.scroll_px_per_s))
        shown.append(time.monotonic())
        due += period
        if due < now:
            due = now + period
    return Loop(len(shown), time.perf_counter() - start, time.process_time() - cpu, shown)


@dataclass(frozen=True)
class FrameRun:
    budget: Budget
    profile: Profile
    ours: Loop
    ours_bytes: Loop
    naive: Loop
    naive_visible: Loop
    paced: list[tuple[int, Loop, Loop, Loop]]
    """(fps, ours with the null output, ours with RGB bytes, naive) at that rate."""


def frames_run(budget: Budget, states: Sequence[DisplayState], seconds: float) -> FrameRun:
    profile = load(budget.name)
    uncapped_s = max(0.5, seconds / 2)
    ours = uncapped(profile, states, uncapped_s, to_bytes=False)
    ours_bytes = uncapped(profile, states, uncapped_s, to_bytes=True)
    naive = naive_uncapped(profile, states, uncapped_s, visible_only=False)
    naive_visible = naive_uncapped(profile, states, uncapped_s, visible_only=True)
    rates = sorted({budget.must_fps, budget.aim_fps})
    runs = []
    for fps in rates:
        at = profile.model_copy(update={"fps": fps})
        runs.append(
            (
                fps,
                paced(at, states, seconds, to_bytes=False),
                paced(at, states, seconds, to_bytes=True),
                naive_paced(at, states, seconds),
            )
        )
    return FrameRun(budget, profile, ours, ours_bytes, naive, naive_visible, runs)


# -- 2. call → frame ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    at: float
    """time.monotonic() when the frame went to the output."""
    pixels: Image.Image
    """The zone that shows the number, cropped from the frame."""
    state: DisplayState
    """The scheduler's state when the frame was shown (it may be newer than the frame)."""


class RecordingOutput:
    """Counts frames; while armed, keeps each frame's time, the number's zone and the scheduler's state."""

    max_fps: float | None = None

    def __init__(self, box: tuple[int, int, int, int], state_of: Callable[[], DisplayState]) -> None:
        x, y, width, height = box
        self._box = (x, y, x + width, y + height)
        self._state_of = state_of
        self._size: tuple[int, int] | None = None
        self._cond = threading.Condition()
        self.frames = 0
        self.armed = False
        self.shots: list[Shot] = []

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "recording")
        self._size = size

    def show(self, frame: Image.Image) -> None:
        at = time.monotonic()
        check_frame(frame, self._size, "recording")
        self.frames += 1
        if self.armed:
            shot = Shot(at, frame.crop(self._box), self._state_of())
            with self._cond:
                self.shots.append(shot)
                self._cond.notify_all()

    def arm(self) -> None:
        with self._cond:
            self.shots = []
            self.armed = True

    def disarm(self) -> list[Shot]:
        with self._cond:
            self.armed = False
            return self.shots

    def snapshot(self) -> list[Shot]:
        with self._cond:
            return list(self.shots)

    def wait_shots(self, count: int, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.shots) >= count, timeout)

    def close(self) -> None:
        self._size = None


class NumberZone:
    """The zone that shows a called number, and what it looks like for a given ticket.

    The wall's call banner shows the call event (`state.last_call`); a window screen shows its
    window's row of the queue document ("正在办理 A001"). The expected pixels are rendered with
    `render.render_zone` from a state that names the ticket: for the banner both flash phases.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        banner = next((z for z in profile.zones if z.kind == "call_banner"), None)
        zone = banner or next(z for z in profile.zones if z.kind == "window")
        self.zone = zone
        self.box = (zone.box[0], zone.box[1], zone.box[2], zone.box[3])
        self._expected: dict[Hashable, set[bytes]] = {}

    def _part(self, state: DisplayState) -> CallRow | WindowRow | None:
        if self.zone.kind == "call_banner":
            return state.last_call
        return next((w for w in state.windows if w.id == self.zone.window), None)

    def names(self, state: DisplayState, ticket: str) -> bool:
        part = self._part(state)
        if isinstance(part, CallRow):
            return part.ticket == ticket
        return part is not None and part.serving == ticket

    def shows(self, shot: Shot, ticket: str) -> bool:
        if not self.names(shot.state, ticket):
            return False
        part = self._part(shot.state)
        if part not in self._expected:
            flashes = (False, True) if self.zone.kind == "call_banner" else (False,)
            self._expected[part] = {
                render.render_zone(self.profile, self.zone, shot.state, WALL_START, flash).tobytes()
                for flash in flashes
            }
        return shot.pixels.tobytes() in self._expected[part]


@dataclass
class CallSeries:
    profile: str
    fps: int
    windows: tuple[str, ...]
    shown: list[float] = field(default_factory=list)
    """Per call: publish → first frame whose pixels show the ticket (s)."""
    named: list[float] = field(default_factory=list)
    """Per call: publish → first frame shown while the scheduler's state named the ticket."""
    handed: list[float] = field(default_factory=list)
    """Per call: publish → the controller hands the scheduler a state naming the ticket."""
    event: list[float] = field(default_factory=list)
    """Per call: publish → the call event arrives at the controller (from the scheduler's figure)."""
    scheduler: list[float] = field(default_factory=list)
    """Per call: the scheduler's own last_call_latency_s (call event's arrival → its frame)."""
    replies: list[float] = field(default_factory=list)
    missing: int = 0
    """Calls for which no frame showed the ticket within FRAME_TIMEOUT_S."""
    stale: int = 0
    """Frames shown while the state named the ticket but whose pixels did not show it."""
    frames_per_s: float = 0.0


def calls_run(hall: Hall, name: str, windows: Sequence[str], staff: Client, calls: int, seed: int) -> CallSeries:
    """One LedController + Scheduler on the profile `name`; `calls` measured calls (after WARMUP_CALLS)."""
    profile = load(name)
    out = CallSeries(name, profile.fps, tuple(windows))
    with tempfile.TemporaryDirectory(prefix="bench-led-cache-") as cache:
        holder: list[Scheduler] = []
        number = NumberZone(profile)
        output = RecordingOutput(number.box, lambda: holder[0].state)
        started = time.monotonic()
        scheduler = Scheduler(
            profile, output, wall_clock=lambda: WALL_START + timedelta(seconds=time.monotonic() - started)
        )
        holder.append(scheduler)
        controller = LedController(
            parse_broker_url(hall.url("led-wall")), CENTRE, scheduler, device_id="led-wall", cache_dir=Path(cache)
        )
        handed: list[tuple[float, DisplayState]] = []
        shown_calls: list[tuple[float, float]] = []
        update, report = scheduler.update, scheduler.on_call_shown

        def recording_update(state: DisplayState, call_arrived_at: float | None = None) -> None:
            if output.armed:
                handed.append((time.monotonic(), state))
            update(state, call_arrived_at)

        def recording_report(latency_s: float) -> None:
            if output.armed:
                shown_calls.append((time.monotonic(), latency_s))
            if report is not None:
                report(latency_s)

        scheduler.update = recording_update  # type: ignore[method-assign]
        scheduler.on_call_shown = recording_report
        output.open((profile.size[0], profile.size[1]), render.mode_of(profile))
        stop = threading.Event()
        loop = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler", daemon=True)
        controller.start()
        loop.start()
        try:
            _wait_content(controller, scheduler)
            rng = random.Random(seed)
            period = 1.0 / profile.fps
            frames_before, run_start = output.frames, time.monotonic()
            for i in range(WARMUP_CALLS + calls):
                window = windows[i % len(windows)]
                handed.clear()
                shown_calls.clear()
                output.arm()
                t0 = time.monotonic()
                sent = staff.send(contract.command_topic("call", staff.name), {"window": window, "action": "next"})
                staff.wait_reply(sent)
                replied = time.monotonic()
                if not sent.reply.get("ok") or not sent.reply["result"].get("ticket"):
                    raise RuntimeError(f"cmd/call {window}: {sent.reply}")
                ticket = sent.reply["result"]["ticket"]
                time.sleep(max(0.0, t0 + SETTLE_S - time.monotonic()))
                shot = _wait_shown(output, number, ticket, t0 + FRAME_TIMEOUT_S)
                shots = output.disarm()
                if i < WARMUP_CALLS:
                    continue
                out.replies.append(replied - t0)
                if shot is None:
                    out.missing += 1
                    continue
                out.shown.append(shot.at - t0)
                named = next((s for s in shots if number.names(s.state, ticket)), None)
                if named is not None:
                    out.named.append(named.at - t0)
                out.stale += sum(1 for s in shots if s.at < shot.at and number.names(s.state, ticket))
                given = next((at for at, state in handed if number.names(state, ticket)), None)
                if given is not None:
                    out.handed.append(given - t0)
                if shown_calls:
                    at, latency = shown_calls[0]
                    out.scheduler.append(latency)
                    out.event.append(at - latency - t0)
                # The next call at a random moment of the frame period, as staff press the button.
                time.sleep(rng.uniform(0.0, period) + 0.01)
            out.frames_per_s = (output.frames - frames_before) / (time.monotonic() - run_start)
        finally:
            stop.set()
            loop.join(WAIT_S)
            controller.stop()
            output.close()
    return out


def _wait_content(controller: LedController, scheduler: Scheduler) -> None:
    wanted = {"centre", "queue", "staff", "catalog", "announcements"}
    deadline = time.monotonic() + WAIT_S
    while not (controller.ready.is_set() and wanted <= scheduler.state.revs.keys() and scheduler.state.ticker()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the controller did not get the hall's content: {sorted(scheduler.state.revs)}")
        time.sleep(0.02)


def _wait_shown(output: RecordingOutput, number: NumberZone, ticket: str, deadline: float) -> Shot | None:
    """The first frame recorded since arming whose pixels show `ticket`, waiting for more frames."""
    seen = 0
    while True:
        shots = output.snapshot()
        for shot in shots[seen:]:
            if number.shows(shot, ticket):
                return shot
        seen = len(shots)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not output.wait_shots(seen + 1, remaining):
            return None


def tickets_needed(calls: int) -> Counter[str]:
    """Calls each window makes over all the runs (warm-up included)."""
    counts: Counter[str] = Counter()
    for _, windows in LATENCY_RUNS:
        counts.update(windows[i % len(windows)] for i in range(WARMUP_CALLS + calls))
    return counts


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """The controller's log lines (one on each clean disconnect) to a file, not into the report."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("hall")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


def latency_runs(work: Path, calls: int) -> list[CallSeries]:
    needed = tickets_needed(calls)
    with served_hall(work) as hall, _logging_to(work / "led.log"):
        # guangdian's first: the comprehensive window (which on ordinary days serves every
        # category) takes those, and leaves shebao's to the shebao window.
        jobs = [{"category": "guangdian"}] * (needed["zonghe"] + 2) + [{"category": "shebao"}] * (needed["shebao"] + 2)
        issued = kiosk_burst(hall.kiosk_urls(1), PREFIX, "ticket", jobs, 8, {})
        if not all(s.reply.get("ok") for s in issued.sent):
            raise RuntimeError(f"could not issue the tickets: {issued.sent[0].reply}")
        staff = Client(hall.url("staff"), "bench", PREFIX, contract.reply_topic("staff")).wait_subscribed()
        try:
            sent = staff.wait_reply(staff.send(contract.command_topic("announce", staff.name), {"text": LONG_TICKER}))
            if not sent.reply.get("ok"):
                raise RuntimeError(f"cmd/announce: {sent.reply}")
            return [
                calls_run(hall, name, windows, staff, calls, seed) for seed, (name, windows) in enumerate(LATENCY_RUNS)
            ]
        finally:
            staff.close()


# -- the report -----------------------------------------------------------------------------------


def _ms(values: Sequence[float]) -> str:
    if len(values) < 2:
        return "—"
    p = percentiles(values)
    return " / ".join(f"{p[k] * 1000:6.2f}" for k in ("p50", "p90", "p99", "max")) + " ms"


def _row(what: str, figure: str, budget: str = "", verdict: str = "") -> None:
    print(f"  {what:<58} {figure:<38} {budget:<21} {verdict}".rstrip())


def _verdict_at_most(value: float, must: float, aim: float) -> str:
    if value > must:
        return "over"
    return "PASS, aim met" if value <= aim else "PASS, aim missed"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def _frames(loop: Loop) -> str:
    return f"{loop.per_s:9,.0f}/s  {_us(loop.cpu_per_frame):>11} CPU"


def _rate(loop: Loop, fps: int) -> str:
    return f"{loop.per_s:5.1f} fps, {loop.late(fps):3d} late  {loop.cpu_share * 100:5.1f}% of a core"


def report_frames(run: FrameRun, seconds: float) -> None:
    budget, profile = run.budget, run.profile
    ticker = next((z for z in profile.zones if z.kind == "ticker"), None)
    font = render.font_of(profile, ticker)
    print()
    print(
        f"1. frames: {budget.name} ({profile.name}, {profile.colour_mode}, {profile.fps} fps), "
        f"ticker {font.key} {font.size} px at {profile.scroll_px_per_s} px/s, a call every {CALL_EVERY_S:g} s"
    )
    print(f"  {'uncapped: compose() in a loop, time +1/fps a frame':<58} {'frames a second, CPU a frame':<38}")
    _row("Scheduler.compose + null output", _frames(run.ours))
    _row("Scheduler.compose + RGB bytes (rgb_bytes, as DDP/E1.31)", _frames(run.ours_bytes))
    _row("naive peer: Image.new + ImageDraw.text of it all + tobytes", _frames(run.naive))
    _row("  the same, drawing only the ticker's characters in view", _frames(run.naive_visible))
    aim = f"aim ≥ {budget.aim_ratio:g}×"
    for label, ours in (("null output", run.ours), ("both making bytes", run.ours_bytes)):
        ratios = [peer.cpu_per_frame / ours.cpu_per_frame for peer in (run.naive, run.naive_visible)]
        verdict = "aim met" if min(ratios) >= budget.aim_ratio else "aim missed"
        figure = f"{ratios[0]:9,.1f}× / {ratios[1]:,.1f}× (in view)"
        _row(f"  naive / ours, CPU a frame: {label}", figure, aim, verdict)
    print(f"  {f'at the rate, Scheduler.run() for {seconds:g} s':<58} {'frames a second, CPU of this process':<38}")
    for fps, ours, ours_bytes, naive in run.paced:
        must = f"≤ {budget.must_cpu * 100:g}% at {budget.must_fps} fps" if fps == budget.must_fps else ""
        if fps == budget.must_fps:
            verdict = "over" if ours.cpu_share > budget.must_cpu else "PASS"
        else:
            ok = ours.cpu_share <= budget.must_cpu and ours.per_s >= 0.97 * fps
            verdict = f"aim {'met' if ok else 'missed'} ({fps} fps ≤ {budget.must_cpu * 100:g}%)"
        _row(f"{fps} fps: Scheduler.run + null output", _rate(ours, fps), must, verdict)
        _row(f"{fps} fps: Scheduler.run + RGB bytes", _rate(ours_bytes, fps))
        _row(f"{fps} fps: naive peer, sleeping until each frame is due", _rate(naive, fps))
    print("  CPU a frame: time.thread_time of the loop. At the rate: time.process_time over wall time (the")
    print("  only other thread sleeps); late: frames shown more than 1.5 periods after the one before.")


def report_calls(series: Sequence[CallSeries], calls: int) -> None:
    budget = f"p99 ≤ {MUST_P99_S * 1000:g} ms (aim {AIM_P99_S * 1000:g})"
    print()
    print(
        f"2. staff call → LED frame showing the number: {calls} calls one at a time (after {WARMUP_CALLS} not "
        "counted), hall serve as a child, the LedController + Scheduler in this process"
    )
    for s in series:
        title = f"{s.profile} at {s.fps} fps, calling {' and '.join(s.windows)}"
        print(f"  {title:<58} {'p50 / p90 / p99 / max':<38}")
        verdict = _verdict_at_most(percentiles(s.shown)["p99"], MUST_P99_S, AIM_P99_S) if len(s.shown) > 1 else ""
        if s.missing:
            verdict = f"FAILED: {s.missing} calls never shown"
        _row(f"publish cmd/call → first frame whose pixels show it ({len(s.shown)})", _ms(s.shown), budget, verdict)
        _row("  → first frame while the state names it (cheap check)", _ms(s.named))
        _row("  → the state naming it handed to the scheduler", _ms(s.handed))
        _row("  → the call event at the controller", _ms(s.event))
        _row("  → reply at the staff client", _ms(s.replies))
        _row("scheduler's last_call_latency_s (call event → its frame)", _ms(s.scheduler))
        _row("frames a second during the calls", f"{s.frames_per_s:9.1f}")
        _row("frames the cheap check counts but whose pixels do not", f"{s.stale:9d}")
    print("  Pixels: each frame's zone that shows the number (the wall's call banner; the window screen's")
    print("  own window zone, 正在办理 A001, which follows the queue document, not the call event) against")
    print("  render.render_zone of that zone for the ticket (both flash phases). The cheap check reads the")
    print("  scheduler's state when the frame is shown, which can be newer than the frame. All times are")
    print("  time.monotonic(), from just before the staff client's publish.")


# -- main -----------------------------------------------------------------------------------------


def _layout_guides(heavy: bool) -> tuple[int, float]:
    """Pages of 200 guides (the most a display reads) on the 768×384 wall's guide zone, and the seconds
    laying them out takes: once a catalog. Heavy: every guide as long as
    `hall check` allows a real one (25 documents with 348-character notes, a 1,000-character fee, three
    1,000-character steps). The scheduler does it on a thread of its own, so that frames (and a call)
    do not wait for it: this is how long the guide screen shows the previous catalog's guides."""
    profile = load("wall-768x384")
    zone = next(z for z in profile.zones if z.kind == "guides")
    ref = zone.font if zone.font is not None else profile.font
    note = "须经公证并办理领事认证，" * 29
    guides = tuple(
        Guide(
            f"事项{i}",
            ("w1",),
            "承诺12个工作日，代办17个工作日",
            "不收费（工本费按省物价局核定标准收取）" * 50 if heavy else "不收费",
            tuple(
                f"材料{d}（原件和复印件）：{note}" if heavy else f"材料{d}（原件）" for d in range(25 if heavy else 5)
            ),
            tuple("第一步：申请人到村（社区）代办点提交材料；" * 48 for _ in range(3)) if heavy else ("受理", "办结"),
        )
        for i in range(200)
    )
    render.guide_layout.cache_clear()
    started = time.perf_counter()
    layout = render.guide_layout(ref, zone.box[2], zone.box[3], guides, (("w1", "1号窗口"),))
    return sum(len(pages) for pages in layout), time.perf_counter() - started


def report_guides() -> None:
    print()
    print("guide screen: a catalog's guides laid out in pages, once a catalog, on a thread beside the frame loop")
    for heavy, what in (
        (False, "200 typical guides (5 documents, short texts)"),
        (True, "200 guides at check's bounds"),
    ):
        pages, seconds = _layout_guides(heavy)
        _row(what, f"{pages} pages in {seconds * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="each run at a frame rate (default 3)")
    parser.add_argument("--calls", type=int, default=100, help="calls measured on each display (default 100)")
    args = parser.parse_args()
    if not mosquitto_available():
        raise SystemExit("Mosquitto is not installed: scripts/dev test installs it")
    loaded = load_content(SAMPLE).content
    assert loaded is not None
    if max(tickets_needed(args.calls).values()) + 2 > MAX_NUMBER:
        raise SystemExit(f"--calls {args.calls}: a category has only {MAX_NUMBER} numbers a day")
    states = hall_states(loaded, 12)
    assert render.is_open(states[0], WALL_START)
    fonts = sorted({str(render.font_of(load(b.name), None).faces[0].path) for b in BUDGETS})
    print(f"bench_led: {', '.join(b.name for b in BUDGETS)}; ticker of {len(states[0].ticker())} characters")
    extra = [
        f"mosquitto {mosquitto_version().removeprefix('mosquitto version ')}, paho-mqtt {paho.mqtt.__version__}, "
        f"Pillow {PIL.__version__} (libraqm {'yes' if features.check('raqm') else 'no'})",
        f"fonts     {', '.join(fonts)}",
        f"clock     the controllers' wall clock starts at {WALL_START:%a %Y-%m-%d %H:%M %z} (opening hours)",
    ]
    print("\n".join(machine_lines(extra)))
    for budget in BUDGETS:
        report_frames(frames_run(budget, states, args.seconds), args.seconds)
    report_guides()
    with tempfile.TemporaryDirectory(prefix="bench-led-") as tmp:
        report_calls(latency_runs(Path(tmp), args.calls), args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
