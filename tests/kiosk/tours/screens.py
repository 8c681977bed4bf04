"""The tests' tours that look at what a screen shows and keep a picture of it: an empty category, the
agents, a sample ticket (on a model, without a broker); a case looked up through the keypad."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from kiosk.checks import clipped_labels, screen_faults, texts_under
from kiosk.model import KioskModel
from kiosk.samples import sample_ticket
from kiosk.tour import Tour, save_screenshot
from tests.kiosk.tours.live import AttractTour, FlowFailed, LiveTour, emit

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


class ScrollTour(Tour):
    """The next citizen starts at the top: a category's list, the staff board and the ticket's priority
    step, each scrolled to its bottom by one citizen, show from their top once the kiosk went back home
    on its own (prints `SCROLL <screen>=<scroll_y> …`, 1 being the top)."""

    def touched(self) -> None:
        self.app.last_touch = time.monotonic()

    def steps(self) -> Iterator[float]:
        app = self.app
        ticket = app.screen("ticket")
        for name, show in (
            ("category", lambda: app.open_category("shebao")),
            ("staff", lambda: app.go("staff")),
            ("ticket", lambda: (app.start_ticket(), ticket.choose_category("shebao"))),
        ):
            self.touched()
            show()
            yield from self.settled()
            for view in _scroll_views(app.screen(name)):
                view.scroll_y = 0  # the last citizen scrolled down to the end
            yield from self.settled()
        yield from self.wait_until(lambda: app.sm.current == "home", 30.0)  # nobody touches it: back home
        seen = {}
        for name, show in (
            ("category", lambda: app.open_category("shebao")),
            ("staff", lambda: app.go("staff")),
            ("ticket", lambda: (app.start_ticket(), ticket.choose_category("shebao"))),
        ):
            self.touched()
            show()
            yield from self.settled()
            seen[name] = min(view.scroll_y for view in _scroll_views(app.screen(name)))
        emit("SCROLL", " ".join(f"{name}={y:.2f}" for name, y in seen.items()))


def _scroll_views(screen: Any) -> list[Any]:
    from kivy.uix.scrollview import ScrollView

    return [widget for widget in screen.walk(restrict=True) if isinstance(widget, ScrollView)]


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
