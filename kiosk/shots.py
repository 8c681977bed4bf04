"""A scripted walk through every screen of a running KioskApp, one PNG per screen (`--screenshots`).

The walk is a generator stepped by the Kivy clock on the main thread: each `yield` gives the
seconds to wait before the next step, so frames get drawn between steps. The emergency screenshot
shows a made-up announcement injected into the model through `app.override`, for that one picture
only; it is removed straight after.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from kiosk.model import Announcement, KioskModel

log = logging.getLogger("hall.kiosk.shots")

SCREENS: Final = (
    "home",
    "category",
    "guide",
    "search",
    "staff",
    "ticket",
    "case",
    "emergency",
    "large-text",
)
SETTLE_S: Final = 0.6
COMMAND_WAIT_S: Final = 20.0
SAMPLE_QUERY: Final = "shebao"
SAMPLE_CASE: Final = "20260001"
INJECTED_EMERGENCY: Final = Announcement(
    id="screenshot-emergency",
    text="（截图示例）大厅临时停电，请有序从东门离开，听从工作人员指引。",
    priority="emergency",
    targets=("all",),
    starts=None,
    expires=None,
)


def has_content(model: KioskModel) -> bool:
    return model.centre is not None and bool(model.categories) and bool(model.items)


def with_emergency(model: KioskModel) -> KioskModel:
    """`model` with the screenshot's emergency announcement added."""
    rows = (*model.announcements.rows, INJECTED_EMERGENCY)
    return replace(model, announcements=replace(model.announcements, rows=rows))


class Tour:
    """Steps a generator of waits on the Kivy clock; stops the app at the end or on an error."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._steps: Iterator[float] | None = None
        app.tour = self  # Kivy's clock holds callbacks weakly: the app keeps the tour alive

    def steps(self) -> Iterator[float]:
        raise NotImplementedError

    def schedule(self) -> None:
        from kivy.clock import Clock

        def begin(_dt: float) -> None:
            self._steps = self.steps()
            self._next(0)

        Clock.schedule_once(begin, SETTLE_S)

    def _next(self, _dt: float) -> None:
        from kivy.clock import Clock

        assert self._steps is not None
        try:
            wait = next(self._steps)
        except StopIteration:
            self.app.stop()
            return
        except Exception as exc:
            log.exception("the tour failed")
            self.fail(f"the tour failed: {exc!r}")
            return
        Clock.schedule_once(self._next, wait)

    def fail(self, message: str) -> None:
        log.error("%s", message)
        self.app.exit_code = 1
        self.app.exit_message = message
        self.app.stop()

    def wait_until(self, done: Callable[[], bool], timeout: float) -> Iterator[float]:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            yield 0.2


class ScreenshotTour(Tour):
    def __init__(self, app: Any, out: Path, *, content_timeout_s: float = 30.0) -> None:
        super().__init__(app)
        self.out = out
        self.content_timeout_s = content_timeout_s
        self.written: list[Path] = []

    def shot(self, name: str) -> None:
        from kivy.core.window import Window

        target = self.out / f"{name}.png"
        made = Window.screenshot(name=str(self.out / f"{name}-.png"))  # Kivy adds a number: name-0001.png
        if not made:
            raise RuntimeError(f"the window gave no screenshot for {name}")
        os.replace(made, target)
        log.info("wrote %s", target)
        self.written.append(target)

    def steps(self) -> Iterator[float]:
        app = self.app
        self.out.mkdir(parents=True, exist_ok=True)
        log.info("waiting for content")
        yield from self.wait_until(lambda: has_content(app.model), self.content_timeout_s)
        log.info("content: %s", has_content(app.model))
        if not has_content(app.model):
            self.fail(f"no content within {self.content_timeout_s:g} s: neither the broker nor the cache gave any")
            return
        yield from self.wait_until(lambda: not app.model.stale, 5.0)  # live content if it is coming
        app.go("home")
        yield SETTLE_S
        self.shot("home")

        model: KioskModel = app.model
        category = next((c for c in model.categories if model.items_of(c.id)), model.categories[0])
        app.open_category(category.id)
        yield SETTLE_S
        self.shot("category")

        items = model.items_of(category.id)
        item = max(items, key=lambda i: len(i.documents) + len(i.steps)) if items else None
        if item is not None:
            app.open_guide(item.id)
        yield SETTLE_S
        self.shot("guide")

        app.go("search")
        search = app.screen("search")
        search.clear()
        for key in SAMPLE_QUERY:
            search.type_key(key)
            yield 0.05
        yield SETTLE_S
        self.shot("search")

        app.go("staff")
        yield SETTLE_S
        self.shot("staff")

        app.start_ticket()
        ticket = app.screen("ticket")
        ticket.choose_category(category.id)
        yield SETTLE_S
        ticket.choose_priority("elderly")
        yield from self.wait_until(lambda: ticket.step == "result", COMMAND_WAIT_S)
        yield SETTLE_S
        self.shot("ticket")

        app.go("case")
        case = app.screen("case")
        for key in SAMPLE_CASE:
            case.press(key)
        case.press("查询")
        yield from self.wait_until(lambda: not case.message.startswith("正在"), COMMAND_WAIT_S)
        yield SETTLE_S
        self.shot("case")

        app.go("home")
        app.override = with_emergency  # for this screenshot only
        app.show_model(app.link.poll() if app.link is not None else app.model)
        yield SETTLE_S
        self.shot("emergency")
        app.override = None
        app.show_model(app.link.poll() if app.link is not None else app.model)
        yield SETTLE_S

        app.set_large(True)
        app.go("home")
        yield SETTLE_S
        self.shot("large-text")


class FlowTour(Tour):
    """Home → a category → an item's guide, through the app's own methods; prints the screens passed."""

    def steps(self) -> Iterator[float]:
        app = self.app
        yield from self.wait_until(lambda: has_content(app.model), 30.0)
        if not has_content(app.model):
            self.fail("no content")
            return
        app.go("home")
        yield SETTLE_S
        home = app.screen("home")
        tiles = list(reversed(home.ids.tiles.children))  # Kivy keeps children last-first
        tiles[0].dispatch("on_release")
        yield SETTLE_S
        rows = list(reversed(app.screen("category").ids.rows.children))
        rows[0].dispatch("on_release")
        yield SETTLE_S
        print("FLOW " + " ".join(app.visited) + f" current={app.sm.current} at {datetime.now():%H:%M:%S}", flush=True)
