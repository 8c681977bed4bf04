"""The tests' tours of a kiosk on its content, each a flow that prints markers, one line each, for the
test (or a benchmark) to wait for and act on: the touch flow, home drawn, an update reaching the
screens, an emergency covering them, an item renamed, the attract loop, a ticket retried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.checks import texts_under
from kiosk.model import KioskModel
from kiosk.screenshots import has_content
from kiosk.tour import Tour, save_screenshot


def emit(marker: str, detail: str = "") -> None:
    print(f"{marker} {detail}".rstrip(), flush=True)


class FlowTour(Tour):
    """Home → a category → an item's guide, through the app's own methods; prints the screens passed."""

    def steps(self) -> Iterator[float]:
        app = self.app
        yield from self.wait_until(lambda: has_content(app.model), 30.0)
        if not has_content(app.model):
            self.fail("no content")
            return
        app.go("home")
        yield from self.settled()
        home = app.screen("home")
        tiles = list(reversed(home.ids.tiles.children))  # Kivy keeps children last-first
        tiles[0].dispatch("on_release")
        yield from self.settled()
        rows = list(reversed(app.screen("category").ids.rows.children))
        rows[0].dispatch("on_release")
        yield from self.settled()
        print("FLOW " + " ".join(app.visited) + f" current={app.sm.current} at {datetime.now():%H:%M:%S}", flush=True)


def home_summary(app: Any) -> str:
    """`name=<centre> stale=<marker or -> tiles=<n>: <category names> duty: <window>: <names> | …` as the
    home screen shows them."""
    home = app.screen("home")
    tiles = [t.text.split("\n")[0] for t in reversed(home.ids.tiles.children)]
    duty = " | ".join(f"{c.window}: {c.names}" for c in reversed(home.ids.duty.children))
    return (
        f"name={home.ids.name.text} stale={home.ids.stale.text or '-'} tiles={len(tiles)}: {' '.join(tiles)}"
        f" duty: {duty}"
    )


def is_live(model: KioskModel) -> bool:
    """Content, subscribed, and the service says it is ready: what the broker sends now will show."""
    return has_content(model) and not model.stale


class FlowFailed(Exception):
    """Raised inside a flow after `fail()`: the flow stops, the app already has its exit code."""


class LiveTour(Tour):
    """Waits for live content on the home screen and prints `KIOSK READY`; subclasses go on from there."""

    def __init__(self, app: Any, timeout_s: float = 30.0) -> None:
        super().__init__(app)
        self.timeout_s = timeout_s

    def ready(self) -> Iterator[float]:
        app = self.app
        yield from self.wait_until(lambda: is_live(app.model), self.timeout_s)
        if not is_live(app.model):
            self.fail(f"no live content within {self.timeout_s:g} s")
            raise FlowFailed()
        app.go("home")
        yield from self.settled()
        emit("KIOSK READY", app.model.centre.name if app.model.centre else "")

    def wait_text(self, found: Callable[[], bool], what: str) -> Iterator[float]:
        yield from self.wait_until(found, self.timeout_s, step=0.05)
        if not found():
            self.fail(f"never shown: {what}")
            raise FlowFailed()


class UpdateTour(LiveTour):
    """After `KIOSK READY`: waits for `ticker` in the home ticker (prints `TICKER SHOWN`), then opens
    the staff screen and waits for the card of `staff_name` to show `status` (prints `STAFF SHOWN`);
    back home, prints what it shows (`HOME SHOWS`, see `home_summary`)."""

    def __init__(self, app: Any, ticker: str, staff_name: str, status: str, timeout_s: float = 30.0) -> None:
        super().__init__(app, timeout_s)
        self.ticker, self.staff_name, self.status = ticker, staff_name, status

    def steps(self) -> Iterator[float]:
        app = self.app
        try:
            yield from self.ready()
            home = app.screen("home")
            yield from self.wait_text(lambda: self.ticker in home.ids.ticker.text, f"ticker {self.ticker!r}")
            emit("TICKER SHOWN", home.ids.ticker.text)
            app.go("staff")
            yield from self.wait_text(lambda: self.card() is not None, f"{self.staff_name} {self.status}")
            emit("STAFF SHOWN", " | ".join(self.card() or []))
            app.go("home")
            yield from self.settled()
            emit("HOME SHOWS", home_summary(app))
        except FlowFailed:
            return

    def card(self) -> list[str] | None:
        """The texts of the staff card for `staff_name` when it shows `status`, else None."""
        rows = self.app.screen("staff").ids.rows
        for card in rows.children:
            texts = texts_under(card)
            if self.staff_name in texts and self.status in texts:
                return texts
        return None


class EmergencyTour(LiveTour):
    """After `KIOSK READY`: waits for the emergency overlay with `text` on top of everything (prints
    `EMERGENCY SHOWN`), then for it to go (prints `EMERGENCY GONE`)."""

    def __init__(self, app: Any, text: str, timeout_s: float = 30.0) -> None:
        super().__init__(app, timeout_s)
        self.text = text

    def steps(self) -> Iterator[float]:
        app = self.app
        try:
            yield from self.ready()
            overlay = app._overlay

            def covering() -> bool:
                root = app.root
                return (
                    overlay.parent is root
                    and root.children[0] is overlay  # Kivy draws children[0] last: on top
                    and self.text in overlay.text
                    and tuple(overlay.size) == tuple(root.size)
                    and tuple(overlay.pos) == tuple(root.pos)
                )

            yield from self.wait_text(covering, f"the emergency overlay with {self.text!r}")
            yield from self.settled()  # drawn, and laid out for a frame
            size = "x".join(str(int(v)) for v in overlay.size)
            emit("EMERGENCY SHOWN", f"size={size} screen={app.sm.current} text={overlay.text}")
            yield from self.wait_text(lambda: overlay.parent is None, "the overlay leaving")
            emit("EMERGENCY GONE", f"screen={app.sm.current} ticker={app.screen('home').ids.ticker.text!r}")
        except FlowFailed:
            return


class HomeTour(Tour):
    """From the start: waits for content (live only with `live`), shows home, waits until home shows
    the centre name and one tile per category and a frame is drawn, prints `HOME DRAWN` and stops.
    Polls every frame and starts at once (`schedule(0)`): the benchmark times it."""

    def __init__(self, app: Any, *, live: bool, timeout_s: float = 30.0) -> None:
        super().__init__(app)
        self.live = live
        self.timeout_s = timeout_s
        self.flips = 0

    def _flipped(self, *_: Any) -> None:
        self.flips += 1

    def steps(self) -> Iterator[float]:
        from kivy.core.window import Window

        app = self.app
        wanted = is_live if self.live else has_content
        yield from self.wait_until(lambda: wanted(app.model), self.timeout_s, step=0)
        if not wanted(app.model):
            self.fail(f"no {'live ' if self.live else ''}content within {self.timeout_s:g} s")
            return
        app.go("home")
        home = app.screen("home")
        model: KioskModel = app.model
        name = model.centre.name if model.centre else ""

        def filled() -> bool:
            return home.ids.name.text == name and len(home.ids.tiles.children) == len(app.model.categories)

        yield from self.wait_until(filled, self.timeout_s, step=0)
        Window.bind(on_flip=self._flipped)
        flips = self.flips
        yield from self.wait_until(lambda: self.flips > flips, self.timeout_s, step=0)
        Window.unbind(on_flip=self._flipped)
        emit("HOME DRAWN", home_summary(app))


class ItemNameTour(LiveTour):
    """After `KIOSK READY`: opens `category` and prints `CATEGORY OPEN`; then, for each of `names` in
    turn, waits until the category screen lists it and prints `ITEM SHOWN <n> <name>` (benchmarks
    time a catalog edit to the screen with it)."""

    def __init__(self, app: Any, category: str, names: list[str], timeout_s: float = 30.0) -> None:
        super().__init__(app, timeout_s)
        self.category, self.names = category, names

    def steps(self) -> Iterator[float]:
        app = self.app
        try:
            yield from self.ready()
            app.open_category(self.category)
            yield from self.settled()
            emit("CATEGORY OPEN", self.category)
            rows = app.screen("category").ids.rows
            for number, name in enumerate(self.names):

                def listed(wanted: str = name) -> bool:
                    return wanted in texts_under(rows)

                yield from self.wait_text(listed, f"item {name!r}")
                emit("ITEM SHOWN", f"{number} {name}")
        except FlowFailed:
            return


class AttractTour(LiveTour):
    """After `KIOSK READY`, untouched on home (the app made with a small `attract_after_s`): waits for
    the attract panel (prints `ATTRACT SHOWN <kind> <title> | <text>`), for the next slide (prints
    `ATTRACT NEXT ...`), then for a guide slide, which it taps like a finger; prints `ATTRACT TAPPED
    current=<screen> item=<id> panel=<shown|gone>`."""

    def steps(self) -> Iterator[float]:
        app = self.app
        try:
            yield from self.ready()
            home = app.screen("home")

            def shown() -> Any:
                return home.slide if home.attract.parent is home else None

            yield from self.wait_text(lambda: shown() is not None, "the attract panel")
            first = shown()
            emit("ATTRACT SHOWN", f"{first.kind} {first.title} | {first.text}")
            yield from self.wait_text(lambda: shown() not in (None, first), "the next attract slide")
            second = shown()
            emit("ATTRACT NEXT", f"{second.kind} {second.title} | {second.text}")
            yield from self.wait_text(lambda: shown() is not None and shown().kind == "guide", "a guide slide")
            slide = shown()
            yield from self.tap(*home.attract.to_window(*home.attract.center))
            yield from self.settled()
            panel = "shown" if home.attract.parent is not None else "gone"
            emit("ATTRACT TAPPED", f"current={app.sm.current} item={slide.item} panel={panel}")
        except FlowFailed:
            return

    @staticmethod
    def tap(x: float, y: float) -> Iterator[float]:
        """A touch through the window, as the touchscreen gives it."""
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        yield 0.05
        touch.touch_up()


class TicketRetryTour(LiveTour):
    """After `KIOSK READY`: waits until the service is gone (the test stops it), takes a number in
    `category` and waits for the no-answer result with its 重试 button (prints `TICKET NO ANSWER
    id=<command id>`); once the service is back, presses 重试 and prints `TICKET RETRIED id=<command
    id> ok=<bool> ticket=<number>`."""

    def __init__(self, app: Any, category: str, timeout_s: float = 30.0, shot: Path | None = None) -> None:
        super().__init__(app, timeout_s)
        self.category = category
        self.shot = shot
        """Where to save the screen with the 重试 button, if anywhere."""

    def steps(self) -> Iterator[float]:
        app = self.app
        try:
            yield from self.ready()
            yield from self.wait_text(lambda: app.model.stale, "the service going away")
            app.start_ticket()
            ticket = app.screen("ticket")
            ticket.choose_category(self.category)
            yield from self.settled()
            ticket.choose_priority(None)
            yield from self.wait_text(lambda: ticket.step == "result", "the ticket result")
            first = ticket.result
            again = [w for w in ticket.ids.body.children if getattr(w, "text", "") == "重试"]
            if first.ok or not first.retry or not again:
                self.fail(f"no retry button after {first}")
                return
            if self.shot is not None:
                yield from self.settled()
                save_screenshot(self.shot)
            emit("TICKET NO ANSWER", f"id={first.command_id} message={first.message}")
            yield from self.wait_text(lambda: is_live(app.model), "the service coming back")
            again[0].dispatch("on_release")
            yield from self.wait_text(lambda: ticket.step == "result", "the retried ticket result")
            result = ticket.result
            emit("TICKET RETRIED", f"id={result.command_id} ok={result.ok} ticket={result.ticket}")
        except FlowFailed:
            return
