"""A whole day in the hall, on a clock the test drives: the service, the hall's wall, a window's screen and a
kiosk on a real Mosquitto, walked from before opening through numbers and calls, a pause, a transfer, an
emergency put up and taken down, an announcement that runs out while the wall's broker is down, the lunch
break, closing, the night, the next morning's reset and a market day.

At every step each display's frame, drawn by its scheduler into the buffer it keeps all day, equals the
frame drawn fresh from the same state (nothing left over, pixel for pixel); the kiosk says what the hours
say; the devices show the queue document the service last published.

Deterministic: one clock for all, moved only by the test; the service is told when it moved
(`clock_moved`), the devices read it when they draw; the tickers are drawn at the start of their scroll
and the call banner without its flash, so every pixel follows the state and the clock alone; every wait
is for an event (a document's rev reaching a device), never a pause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import pytest
from PIL import Image

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, send_command
from kiosk.device import KioskLink
from kiosk.model import KioskModel
from kiosk.viewmodel import closed_notice, ticket_notice
from led_driver import render
from led_driver.device import LedController
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import Profile, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState
from tests.conftest import CENTRE, WAIT_S, Clock, RunningService, Subscriber

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, tzinfo=ZONE)
"""Not a market day (魏城's are the 2nd, 5th, 8th …); the next day is one."""


REST_WINDOW_S = 2.0
REST_BOUND_S = 0.2
"""CPU seconds the service's loop may spend at rest in the window: 10 % of a core, far above its budget
(1 %) and far below a loop that spins (a whole core)."""


def cpu_at_rest(thread: threading.Thread) -> float:
    """CPU seconds `thread` spends over `REST_WINDOW_S` of wall time."""

    def spent() -> float:
        times = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
        return times[thread.native_id]  # type: ignore[index]

    before = spent()
    time.sleep(REST_WINDOW_S)  # the measurement's window, not a wait for an event
    return spent() - before


class Display:
    """An LED controller whose frames the test draws: its scheduler's loop does not run, so each frame is
    composed when the test asks, at the test's time."""

    def __init__(self, name: str, account: str, url: str, cache: Path, clock: Clock, window: str | None = None) -> None:
        loaded, problems = load_profile(find_profile(name))
        assert loaded is not None, problems
        self.profile: Profile = loaded.for_window(window) if window else loaded
        self.clock = clock
        self.scheduler = Scheduler(self.profile, MemoryOutput(), wall_clock=clock, monotonic=lambda: 0.0)
        self.controller = LedController(
            parse_broker_url(url),
            CENTRE,
            self.scheduler,
            device_id=account,
            cache_dir=cache,
            clock=clock,
            window=window,
        )
        self.controller.start()

    def has(self, topic: str, rev: str) -> DisplayState:
        state = self.controller.wait_for(lambda s: s.revs.get(topic) == rev, WAIT_S)
        assert state is not None, f"{self.profile.name} never had {topic} {rev}"
        return state

    def frame(self) -> Image.Image:
        """The frame the display shows now, from the buffer it has kept since the morning."""
        state = self.controller.state
        return self.scheduler.compose(state, self.clock(), 0.0, None).copy()

    def fresh(self) -> Image.Image:
        return render.render_frame(self.profile, self.controller.state, self.clock())

    def check(self, what: str) -> None:
        frame, fresh = self.frame(), self.fresh()
        assert frame.tobytes() == fresh.tobytes(), f"{what}: {self.profile.name} differs from a fresh frame"


class Hall:
    def __init__(self, broker: Mosquitto, service: RunningService, sub: Subscriber, clock: Clock, tmp: Path) -> None:
        self.broker, self.service, self.sub, self.clock = broker, service, sub, clock
        self.docs: dict[str, dict[str, Any]] = {}
        """The documents as the service last published them."""
        self.wall = Display("wall-1920x1080", "led-wall", broker.url("led-wall"), tmp / "wall", clock)
        self.window = Display(
            "window-192x64", "led-window", broker.url("led-window"), tmp / "window", clock, window="shebao"
        )
        kiosk = parse_broker_url(broker.url("kiosk-1"))
        self.kiosk = KioskLink(kiosk, CENTRE, device_id="kiosk-1", cache_dir=tmp / "kiosk", clock=clock)
        self.kiosk.start()

    def close(self) -> None:
        for device in (self.wall.controller, self.window.controller, self.kiosk):
            device.stop()

    # -- moving through the day --------------------------------------------------------------------

    def at(self, hour: int, minute: int = 0, day: datetime = MONDAY) -> None:
        """The clock moves on; the service looks at it at once, and every device gets what follows."""
        self.clock.set(day.replace(hour=hour, minute=minute))
        self.settled()

    def send(self, verb: str, args: dict[str, Any], user: str = "staff") -> dict[str, Any]:
        result = send_command(parse_broker_url(self.broker.url(user)), CENTRE, verb, args, timeout=WAIT_S)
        self.settled()
        return result

    def settled(self) -> None:
        """Every device and the test's subscriber have the queue and announcements documents the service
        published once it had handled everything before (its loop handles one thing at a time, in order)."""
        revs = self.service.service.clock_moved().result(WAIT_S)
        for topic in ("queue", "announcements"):
            rev = revs[topic]
            self.docs[topic] = self.sub.doc_where(topic, lambda d, r=rev: d["rev"] == r, f"{topic} {rev}")
            self.wall.has(topic, rev)
            self.window.has(topic, rev)
            model = self.kiosk.wait_for(lambda m, t=topic, r=rev: m.revs.get(t) == r, WAIT_S)
            assert model is not None, f"the kiosk never had {topic} {rev}"

    def check(self, what: str) -> None:
        self.wall.check(what)
        self.window.check(what)

    @property
    def model(self) -> KioskModel:
        return self.kiosk.poll()


@pytest.fixture
def hall(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., RunningService],
    subscribe: Callable[..., Subscriber],
    tmp_path: Path,
) -> Iterator[Hall]:
    centre = sample_dir / "centre.yaml"  # the sample as shipped: numbers only in its hours
    centre.write_text(centre.read_text(encoding="utf-8").replace("  issue_any_time: true\n", ""), encoding="utf-8")
    clock = Clock(MONDAY.replace(hour=7, minute=40))
    service = start_service(sample_dir, clock=clock)
    sub = subscribe(["queue", "announcements", "call"], user="staff")
    made = Hall(broker, service, sub, clock, tmp_path)
    made.settled()
    yield made
    made.close()


def test_a_day_in_the_hall(hall: Hall, broker: Mosquitto) -> None:
    # -- before opening: the screens rest, the kiosk says when numbers start, the service agrees ----------
    hall.check("before opening")
    assert "09:00" in closed_notice(hall.model, hall.clock())
    notice = ticket_notice(hall.model, hall.clock())
    assert notice is not None and "08:30" in notice, notice
    with pytest.raises(CommandFailed) as refused:
        hall.send("ticket", {"category": "shebao"}, user="kiosk-1")
    assert refused.value.code == "numbers_not_yet" and "08:30" in str(refused.value)

    # -- half an hour before: people may queue early --------------------------------------------------------
    hall.at(8, 35)
    assert ticket_notice(hall.model, hall.clock()) is None
    first = hall.send("ticket", {"category": "shebao"}, user="kiosk-1")["ticket"]
    hall.check("queueing before opening")

    # -- opening: numbers, calls, a pause with its reason, a transfer ---------------------------------------
    hall.at(9, 0)
    hall.check("opening")
    assert closed_notice(hall.model, hall.clock()) == ""
    second = hall.send("ticket", {"category": "shebao"}, user="kiosk-1")["ticket"]
    called = hall.send("call", {"window": "shebao", "action": "next"})
    assert called["ticket"] == first, called
    queue = hall.docs["queue"]
    assert next(w for w in queue["windows"] if w["id"] == "shebao")["serving"] == first
    hall.check("the first call")
    hall.send("call", {"window": "shebao", "action": "done"})
    hall.send("window", {"window": "shebao", "state": "pause", "reason": "系统维护"})
    assert next(w for w in hall.window.controller.state.windows if w.id == "shebao").reason == "系统维护"
    hall.check("a paused window")
    hall.send("window", {"window": "shebao", "state": "open"})
    hall.send("call", {"window": "shebao", "action": "next"})
    hall.send("call", {"window": "shebao", "action": "transfer", "category": "minzheng"})
    hall.check("a transfer")
    queue = hall.docs["queue"]
    assert next(w for w in queue["windows"] if w["id"] == "shebao")["serving"] is None
    moved = next(c for c in queue["categories"] if c["id"] == "minzheng")
    assert moved["waiting"] == 1, (second, moved)  # the second citizen, keeping the number, waits there

    # -- an emergency, put up and taken down ---------------------------------------------------------------
    up = hall.send("announce", {"text": "大厅临时停电，请有序从东门离开", "priority": "emergency", "duration_s": 3600})
    assert hall.wall.controller.state.emergency(now=hall.clock()) is not None
    hall.check("the emergency")
    hall.send("announce", {"clear": up["id"]})
    assert hall.wall.controller.state.emergency(now=hall.clock()) is None
    hall.check("the emergency taken down")

    # -- an announcement runs out while the wall's broker is down ------------------------------------------
    notice_text = "今天社保窗口十点后恢复办理"
    hall.send("announce", {"text": notice_text, "priority": "normal", "duration_s": 600})
    assert notice_text in hall.wall.controller.state.ticker(now=hall.clock())
    hall.check("a notice on the ticker")
    broker.stop()
    hall.clock.set(hall.clock() + timedelta(minutes=11))
    assert notice_text not in hall.wall.controller.state.ticker(now=hall.clock())
    hall.check("the notice ran out with the broker down")
    broker.start()
    hall.at(10, 15)  # the devices and the service back on the broker, the notice gone from the document too
    assert notice_text not in hall.wall.controller.state.ticker()

    # -- lunch, closing, the night ----------------------------------------------------------------------------
    hall.at(12, 10)
    hall.check("lunch")
    assert "14:00" in closed_notice(hall.model, hall.clock())
    hall.at(17, 40)
    hall.check("closing")
    assert "今天的办公时间已结束" in closed_notice(hall.model, hall.clock())
    hall.at(23, 30)
    hall.check("the night")
    spent = cpu_at_rest(hall.service.thread)
    assert spent < REST_BOUND_S, f"at night the service's loop spent {spent:.2f} CPU s in {REST_WINDOW_S:.0f} s"

    # -- the next morning: the day turned over at reset_hour; a market day -----------------------------------
    tuesday = MONDAY + timedelta(days=1)
    hall.at(4, 30, tuesday)
    queue = hall.docs["queue"]
    assert queue["day"] == "2026-12-08" and queue["market_day"] is True
    assert all(not w["serving"] for w in queue["windows"])
    assert hall.model.queue.day == "2026-12-08"
    hall.check("after the reset")
    hall.at(9, 5, tuesday)
    hall.check("a market day")
    assert hall.send("ticket", {"category": "shebao"}, user="kiosk-1")["ticket"] == first  # numbers start again
