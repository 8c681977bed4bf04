"""The tests' tours of a running kiosk, each a flow that prints markers, one line each, for the test
(or a benchmark) to wait for and act on. A Kivy app needs a process of its own, so a test runs one as

    python -m tests.kiosk.tours TOUR [--broker URL --centre ID --cache DIR] [--size WxH] [options]

with DISPLAY set (`command()` builds that line); `python -m tests.kiosk.tours --help` lists the tours.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.checks import clipped_labels, screen_faults, texts_under
from kiosk.model import KioskModel
from kiosk.samples import sample_ticket
from kiosk.screenshots import has_content
from kiosk.tour import SETTLE_S, Tour, save_screenshot

MODULE = "tests.kiosk.tours"


def command(tour: str, *args: str) -> list[str]:
    """The command line that runs `tour` with `args` in a process of its own (from the repository)."""
    return [sys.executable, "-m", MODULE, tour, *args]


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


class ScreensTour(Tour):
    """On a model without a broker: the empty category `xinban` (prints `CATEGORY <texts>`), the staff
    board scrolled down to its agents (`AGENTS <texts>`) and a sample ticket (`TICKET <texts>`), each
    saved as a PNG into `out`; fails on text its widget cuts."""

    def __init__(self, app: Any, out: Path) -> None:
        super().__init__(app)
        self.out = out

    def show(self, name: str, marker: str, widget: Any) -> None:
        save_screenshot(self.out / f"{name}.png")
        cut = clipped_labels(self.app.root)
        if cut:
            raise RuntimeError(f"{name}: text does not fit its widget: {cut}")
        emit(marker, " | ".join(texts_under(widget)))

    def steps(self) -> Iterator[float]:
        app = self.app
        self.out.mkdir(parents=True, exist_ok=True)
        app.open_category(EMPTY_CATEGORY)
        yield from self.settled()
        self.show("category-empty", "CATEGORY", app.screen("category"))
        app.go("staff")
        agents = app.screen("staff").ids.agents
        agents.parent.parent.scroll_y = 0  # down to the agents
        yield from self.settled()
        self.show("staff-agents", "AGENTS", agents)
        app.start_ticket()
        ticket = app.screen("ticket")
        ticket.choose_category("shebao")
        ticket.show_sample(sample_ticket(app.model, app.model.category("shebao")))
        yield from self.settled()
        self.show("ticket-sample", "TICKET", ticket)


EMPTY_CATEGORY = "xinban"


def sample_with_an_empty_category() -> KioskModel:
    """The sample centre as the kiosk reads it, plus a category with no items (新办事项)."""
    from content.centre import schema
    from content.centre.loader import load_content
    from content.centre.synth import SAMPLE
    from tests.kiosk.test_model import full_model

    content = load_content(SAMPLE).content
    assert content is not None
    empty = schema.Category(id=EMPTY_CATEGORY, name="新办事项", prefix="Z")
    return full_model(dataclasses.replace(content, categories=(*content.categories, empty)))


State = Generator[float, None, dict[str, Any]]


class CaseTour(LiveTour):
    """Driven by taps on the window, as a citizen does: looks `number` up with the phone digits 5678
    (prints `CASE SHOWN <json>`), with wrong ones (`CASE REFUSED <json>`), then again and waits for the
    idle reset (`CASE CLEARED <json>`); a screenshot of each step into `out`/<tag>-<step>.png."""

    def __init__(self, app: Any, number: str, out: Path, tag: str, timeout_s: float = 30.0) -> None:
        super().__init__(app, timeout_s)
        self.number, self.out, self.tag = number, out, tag

    def tap(self, text: str) -> Iterator[float]:
        """The one button labelled `text` on view (the current screen, and the overlay if any)."""
        from kivy.uix.button import Button

        found = [w for w in self.app.root.walk(restrict=True) if isinstance(w, Button) and w.text == text]
        if len(found) != 1:
            self.fail(f"{len(found)} buttons {text!r} on {self.app.sm.current}")
            raise FlowFailed()
        yield from AttractTour.tap(*found[0].to_window(*found[0].center))
        yield 0.05

    def type(self, keys: str) -> Iterator[float]:
        for key in keys:
            yield from self.tap(key)

    def texts(self) -> dict[str, Any]:
        case = self.app.screen("case")
        return {
            "step": case.step,
            "number": case.number,
            "digits": case.digits,
            "result": case.result is not None,
            "texts": texts_under(case),
        }

    def state(self, shot: str) -> State:
        from kivy.uix.image import Image

        yield from self.settled()
        save_screenshot(self.out / f"{self.tag}-{shot}.png")
        case = self.app.screen("case")
        return {
            **self.texts(),
            "qr": sum(1 for w in case.walk(restrict=True) if isinstance(w, Image) and w.texture is not None),
            "faults": screen_faults(self.app),
        }

    def steps(self) -> Iterator[float]:
        app = self.app
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            yield from self.ready()
            case = app.screen("case")
            yield from self.tap("查询办件")  # from home, as a citizen does
            yield from self.type(self.number)
            keypad = yield from self.state("number")
            yield from self.tap("下一步")
            yield from self.type("5678")
            digits = yield from self.state("digits")
            yield from self.tap("查询")
            yield from self.wait_text(lambda: case.step == "result", "the case")
            shown = yield from self.state("result")
            case.ids.scroll.scroll_y = 0
            shown["bottom"] = (yield from self.state("result-bottom"))["faults"]
            app.set_large(True)
            case.ids.scroll.scroll_y = 1
            shown["large"] = (yield from self.state("result-large"))["faults"]
            app.set_large(False)
            emit("CASE SHOWN", json.dumps(dict(shown, keypad=keypad, digits_step=digits), ensure_ascii=False))

            yield from self.tap("重新查询")
            yield from self.type(self.number)
            yield from self.tap("下一步")
            yield from self.type("0000")
            yield from self.tap("查询")
            yield from self.wait_text(lambda: case.step == "refused", "the refusal")
            emit("CASE REFUSED", json.dumps((yield from self.state("not-found")), ensure_ascii=False))

            yield from self.tap("重新输入手机号")  # the number stays, the digits go
            yield from self.type("5678")
            yield from self.tap("查询")
            yield from self.wait_text(lambda: case.step == "result", "the case again")
            app.last_touch = time.monotonic() - app.idle_timeout_s - 1  # as if the citizen walked away
            yield from self.wait_text(lambda: app.sm.current == "home", "the idle reset")
            emit("CASE CLEARED", json.dumps(self.texts(), ensure_ascii=False))
        except FlowFailed:
            return


# -- the command line: one subcommand a tour


Make = Callable[[Any, argparse.Namespace], Tour]


def _parser() -> argparse.ArgumentParser:
    kiosk = argparse.ArgumentParser(add_help=False)
    kiosk.add_argument("--broker", help="mqtt://user:pass@host:port; without it, no link (the screens tour)")
    kiosk.add_argument("--centre", default="weicheng")
    kiosk.add_argument("--cache", type=Path, help="the link's cache dir")
    kiosk.add_argument("--size", default="1080x1920", metavar="WxH")
    kiosk.add_argument("--idle", type=float, help="KioskApp's idle_timeout_s")
    kiosk.add_argument("--attract-after", type=float, help="KioskApp's attract_after_s")
    kiosk.add_argument("--attract-slide", type=float, help="KioskApp's attract_slide_s")
    kiosk.add_argument("--timeout", type=float, default=30.0, help="how long a tour waits for what it expects")

    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    tours = parser.add_subparsers(dest="tour", required=True)

    def tour(name: str, cls: type[Tour], make: Make) -> argparse.ArgumentParser:
        sub = tours.add_parser(name, parents=[kiosk], help=(cls.__doc__ or "").split("\n")[0])
        sub.set_defaults(make=make)
        return sub

    tour("flow", FlowTour, lambda app, _: FlowTour(app))
    sub = tour("update", UpdateTour, lambda app, a: UpdateTour(app, a.ticker, a.staff, a.status, a.timeout))
    sub.add_argument("--ticker", required=True, help="the announcement to wait for in the ticker")
    sub.add_argument("--staff", required=True, help="the name on the staff card to wait for")
    sub.add_argument("--status", required=True, help="the status that card must show")
    sub = tour("emergency", EmergencyTour, lambda app, a: EmergencyTour(app, a.text, a.timeout))
    sub.add_argument("--text", required=True)
    sub = tour("home", HomeTour, lambda app, a: HomeTour(app, live=not a.cached, timeout_s=a.timeout))
    sub.add_argument("--cached", action="store_true", help="content from the cache will do (no broker)")
    sub.set_defaults(delay=0)  # the benchmark times it from the start
    sub = tour("item-names", ItemNameTour, lambda app, a: ItemNameTour(app, a.category, a.names, a.timeout))
    sub.add_argument("--category", required=True)
    sub.add_argument("names", nargs="+", help="the item names to wait for, in turn")
    tour("attract", AttractTour, lambda app, a: AttractTour(app, a.timeout))
    sub = tour("ticket-retry", TicketRetryTour, lambda app, a: TicketRetryTour(app, a.category, a.timeout, shot=a.shot))
    sub.add_argument("--category", required=True)
    sub.add_argument("--shot", type=Path, help="where to save the screen with the 重试 button")
    sub = tour("screens", ScreensTour, lambda app, a: ScreensTour(app, a.out))
    sub.add_argument("--out", type=Path, required=True)
    sub = tour("case", CaseTour, lambda app, a: CaseTour(app, a.number, a.out, a.tag, a.timeout))
    sub.add_argument("--number", required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--tag", required=True, help="the screenshots' names start with it")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse, build the kiosk as `hall kiosk` does (or on the sample model, without a broker), run the
    tour, and exit with the app's code."""
    args = _parser().parse_args(argv)
    from kiosk.cli import configure_kivy, parse_size

    configure_kivy(parse_size(args.size), False)
    from content.shared.broker_url import parse_broker_url
    from kiosk.app import KioskApp
    from kiosk.device import KioskLink

    options = {
        name: value
        for name, value in (
            ("idle_timeout_s", args.idle),
            ("attract_after_s", args.attract_after),
            ("attract_slide_s", args.attract_slide),
        )
        if value is not None
    }
    if args.broker:
        cache = args.cache or Path("var") / "kiosk-cache" / "kiosk-1"
        link = KioskLink(parse_broker_url(args.broker), args.centre, device_id="kiosk-1", cache_dir=cache)
        app = KioskApp(link, **options)
    else:
        app = KioskApp(model=sample_with_an_empty_category(), **options)
    made: Tour = args.make(app, args)
    made.schedule(getattr(args, "delay", SETTLE_S))
    app.run()
    return int(app.exit_code)


if __name__ == "__main__":
    sys.exit(main())
