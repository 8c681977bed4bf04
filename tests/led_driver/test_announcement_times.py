"""An announcement leaves a display at its end, told or not: a controller whose broker is gone takes an
emergency down at its end time, and one that starts from its cache never shows what has ended. The frame
then equals the one drawn fresh from the same state, pixel for pixel: nothing of the emergency is left."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.broker.local import Mosquitto, free_port
from content.centre.loader import Content
from content.service import documents
from content.service.live import Announcement, Live
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from content.shared.wire import announcements as wire_announcements
from led_driver import render
from led_driver.device import LedController
from led_driver.profile import Profile, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState
from tests.conftest import CENTRE, WAIT_S, Clock


class Frames:
    """An output that keeps the last frame and lets a test wait for frames composed after a moment."""

    max_fps: float | None = None

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.last: Image.Image | None = None
        self.count = 0

    def open(self, size: tuple[int, int], mode: str) -> None:
        pass

    def show(self, frame: Image.Image) -> None:
        with self._cond:
            self.last, self.count = frame.copy(), self.count + 1
            self._cond.notify_all()

    def close(self) -> None:
        pass

    def after(self, state: Callable[[], DisplayState], holds: Callable[[DisplayState], bool], what: str) -> Image.Image:
        """A frame composed wholly after `holds(state)` became true: the second one shown after it was seen
        true (the first may have been composed just before)."""
        with self._cond:
            assert self._cond.wait_for(lambda: holds(state()), WAIT_S), f"the display never had {what}"
            seen = self.count
            assert self._cond.wait_for(lambda: self.count >= seen + 2, WAIT_S), f"no frame after {what}"
            assert self.last is not None
            return self.last


def _profile() -> Profile:
    """The guide screen's wall, without its ticker (whose scroll follows the real monotonic clock) and
    open all hours: every other pixel follows the state and the wall clock alone."""
    loaded, problems = load_profile(find_profile("wall-768x384"))
    assert loaded is not None, problems
    zones = [zone for zone in loaded.zones if zone.kind != "ticker"]
    return loaded.model_copy(update={"always_open": True, "zones": zones})


class Display:
    def __init__(self, url: str, cache: Path, clock: Clock) -> None:
        self.profile, self.clock, self.output = _profile(), clock, Frames()
        self.scheduler = Scheduler(self.profile, self.output, wall_clock=clock)
        self.controller = LedController(
            parse_broker_url(url), CENTRE, self.scheduler, device_id="led-wall", cache_dir=cache
        )
        self.stop_event = threading.Event()
        self.controller.start()
        self.thread = threading.Thread(target=self.scheduler.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def frame_when(self, holds: Callable[[DisplayState], bool], what: str) -> Image.Image:
        return self.output.after(lambda: self.scheduler.shown, holds, what)

    def fresh(self) -> Image.Image:
        """The frame drawn from nothing for the state and time the display shows now (its guides laid out
        off the frame loop's thread)."""
        return render.render_frame(self.profile, self.scheduler.shown, self.clock())

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.update(self.scheduler.state)
        self.thread.join(WAIT_S)
        self.controller.stop()


@pytest.fixture
def start_display() -> Iterator[Callable[[str, Path, Clock], Display]]:
    running: list[Display] = []

    def start(url: str, cache: Path, clock: Clock) -> Display:
        running.append(Display(url, cache, clock))
        return running[-1]

    yield start
    for display in running:
        display.stop()


def _same(frame: Image.Image, fresh: Image.Image) -> bool:
    return frame.size == fresh.size and frame.tobytes() == fresh.tobytes()


def test_an_emergency_leaves_at_its_end_while_the_broker_is_down(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_display: Callable[[str, Path, Clock], Display],
    tmp_path: Path,
) -> None:
    clock = Clock(datetime.now().astimezone())
    start_service(sample_dir, clock=clock)  # one clock for the service and the display
    display = start_display(broker.url("led-wall"), tmp_path / "cache", clock)
    display.frame_when(lambda s: bool(s.windows) and bool(s.guides), "the content")
    before = display.fresh()

    words = "大厅临时停电，请有序从东门离开"
    args = {"text": words, "priority": "emergency", "duration_s": 600}
    send_command(parse_broker_url(broker.url("staff")), CENTRE, "announce", args, timeout=WAIT_S)
    shown = display.frame_when(lambda s: s.emergency(now=clock()) is not None, "the emergency")
    emergency = display.scheduler.state.emergency(now=clock())
    assert emergency is not None and emergency.text == words and emergency.expires is not None
    assert not _same(shown, before)

    broker.stop()  # the service can no longer take it down: the display must, on its own
    clock.set(emergency.expires - timedelta(seconds=1))
    still = display.frame_when(lambda s: clock() < emergency.expires, "a second before the end")
    assert display.scheduler.state.emergency(now=clock()) is not None and not _same(still, before)

    clock.set(emergency.expires)  # to the second
    after = display.frame_when(lambda s: s.emergency(now=clock()) is None, "the end of the emergency")
    fresh = display.fresh()
    assert _same(after, fresh), "the frame after the emergency differs from one drawn fresh: a ghost is left"


def _cached(cache: Path, content: Content, live: Live, now: datetime) -> None:
    """A display's cache as the service's documents left it at `now`, announcements and all."""
    cache.mkdir(parents=True)
    bodies = {
        "centre": documents.centre(content),
        "queue": documents.queue(content, live),
        "catalog": documents.catalog(content),
        "staff": documents.staff(content, live),
        "announcements": wire_announcements.body(a.on_the_wire() for a in live.announcements.values()),
    }
    for topic, body in bodies.items():
        (cache / f"{topic}.json").write_bytes(contract.encode(contract.state_document(body, now)))


def _announcement(key: str, text: str, priority: str, starts: datetime, minutes: int) -> Announcement:
    return Announcement(
        id=key,
        text=text,
        priority=priority,  # type: ignore[arg-type]
        starts=starts,
        expires=starts + timedelta(minutes=minutes),
        targets=("all",),
        by="staff",
        created=starts,
    )


def test_a_display_started_from_its_cache_shows_nothing_that_has_ended(
    content: Content, start_display: Callable[[str, Path, Clock], Display], tmp_path: Path
) -> None:
    now = datetime.now().astimezone().replace(microsecond=0)
    ended = _announcement("a1", "上午十点停电检修，暂停办理业务", "emergency", now - timedelta(hours=3), 60)
    running = _announcement("a2", "系统升级，社保业务暂停办理", "emergency", now - timedelta(minutes=5), 10)
    live = Live(announcements={a.id: a for a in (ended, running)})
    _cached(tmp_path / "cache", content, live, now - timedelta(hours=3))
    clock = Clock(now)
    # No broker at all: nothing listens on this port.
    display = start_display(f"mqtt://led-wall:x@127.0.0.1:{free_port()}", tmp_path / "cache", clock)

    shown = display.frame_when(lambda s: bool(s.windows) and bool(s.announcements), "the cached content")
    emergency = display.scheduler.state.emergency(now=clock())
    assert emergency is not None and emergency.id == "a2", "the running one shows, the ended one never"
    assert _same(shown, render.render_emergency(display.profile, running.text, clock(), 0.0))

    assert running.expires is not None
    clock.set(running.expires)
    after = display.frame_when(lambda s: s.emergency(now=clock()) is None, "the end of the cached emergency")
    assert _same(after, display.fresh()), "a ghost of the emergency is left"
