"""`hall kiosk --screenshots`: a scripted walk through every screen of a running KioskApp, one PNG
per screen.

The walk must not change the hall it looks at: the ticket screenshot shows a sample number (marked
样例 on screen, `kiosk.samples`) and never sends `ticket`, which would put a real number in the queue
and in the statistics. Only the case lookup, which changes nothing, goes to the service. The
emergency screenshot shows a made-up announcement injected through `app.override`, for that one
picture only; it is removed straight after.

Every screen is checked once its layout has settled, in normal and large text (`kiosk.checks`): no
text cut, no two widgets overlapping, no character that no face draws, no touch target under 120 px,
the tiles of a row lined up, and on the guide every disclosure field word for word. The tour goes on
to the end and then fails, naming each screen and what is wrong on it, so one run shows every fault.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from content.shared.wire.catalog import Item
from kiosk.checks import ragged_rows, screen_faults
from kiosk.model import KioskModel
from kiosk.samples import sample_case, sample_ticket, with_emergency
from kiosk.tour import Tour, save_screenshot
from kiosk.words import _

log = logging.getLogger("hall.kiosk.screenshots")

SCREENS: Final = (
    "home",
    "category",
    "guide",
    "search",
    "staff",
    "ticket",
    "case",
    "emergency",
    "attract",
    "large-text",
)
"""The pictures, one `<name>.png` each."""
COMMAND_WAIT_S: Final = 20.0
SAMPLE_QUERY: Final = "shebao"
SAMPLE_CASE: Final = "20260001"
"""Typed on the case screen: no centre gives a number like it (six date digits and four), so the
lookup is answered "not found" and counts against no case's wrong tries."""
SAMPLE_DIGITS: Final = "0000"


def has_content(model: KioskModel) -> bool:
    return model.centre is not None and bool(model.categories) and bool(model.items)


class ScreenshotTour(Tour):
    def __init__(self, app: Any, out: Path, *, content_timeout_s: float = 30.0) -> None:
        super().__init__(app)
        self.out = out
        self.content_timeout_s = content_timeout_s
        self.written: list[Path] = []
        self.faults: list[str] = []
        """`screen_faults` of every screen so far, each line naming its screen: the tour fails at the end."""

    def shot(self, name: str, item: Item | None = None) -> None:
        self.written.append(save_screenshot(self.out / f"{name}.png"))
        self.check(name, item)

    def check(self, name: str, item: Item | None = None) -> None:
        """Note what `screen_faults` finds on the screen on view, under `name`."""
        self.faults += [f"{name}: {fault}" for fault in screen_faults(self.app, item)]

    def check_rows(self, name: str) -> None:
        """Note the rows of home's tiles or duty cards whose widgets differ in height or top."""
        home = self.app.screen("home")
        for what, grid in (("tiles", home.ids.tiles), ("duty cards", home.ids.duty)):
            ragged = ragged_rows(grid)
            if ragged:
                self.faults.append(f"{name}: {what} of a row differ in height: {ragged}")

    def steps(self) -> Iterator[float]:
        app = self.app
        self.out.mkdir(parents=True, exist_ok=True)
        log.info(_("waiting for content"))
        yield from self.wait_until(lambda: has_content(app.model), self.content_timeout_s)
        log.info("content: %s", has_content(app.model))
        if not has_content(app.model):
            self.fail(
                _("no content within {seconds:g} s: neither the broker nor the cache gave any").format(
                    seconds=self.content_timeout_s
                )
            )
            return
        yield from self.wait_until(lambda: not app.model.stale, 5.0)  # live content if it is coming
        app.go("home")
        yield from self.settled()
        self.shot("home")
        self.check_rows("home")

        model: KioskModel = app.model
        category = next((c for c in model.categories if model.items_of(c.id)), model.categories[0])
        app.open_category(category.id)
        yield from self.settled()
        self.shot("category")

        items = model.items_of(category.id)
        item = max(items, key=lambda i: len(i.documents) + len(i.steps)) if items else None
        if item is not None:
            app.open_guide(item.id)
        yield from self.settled()
        self.shot("guide", item)

        app.go("search")
        search = app.screen("search")
        search.clear()
        for key in SAMPLE_QUERY:
            search.type_key(key)
            yield 0.05
        yield from self.settled()
        self.shot("search")

        app.go("staff")
        yield from self.settled()
        self.shot("staff")

        app.start_ticket()
        ticket = app.screen("ticket")
        ticket.choose_category(category.id)
        yield from self.settled()
        ticket.show_sample(sample_ticket(app.model, category))  # never choose_priority: it takes a number
        yield from self.settled()
        self.shot("ticket")

        from kiosk.screens.case.screen import LOOK_UP, NEXT

        app.go("case")
        case = app.screen("case")
        for key in SAMPLE_CASE:
            case.press(key)
        yield from self.settled()
        self.check("case, number")
        case.press(NEXT)
        for key in SAMPLE_DIGITS:
            case.press(key)
        yield from self.settled()
        self.check("case, phone digits")
        case.press(LOOK_UP)  # a real lookup, which changes nothing: it is answered "not found"
        yield from self.wait_until(lambda: case.step != "waiting", COMMAND_WAIT_S)
        yield from self.settled()
        self.check("case, not found")
        case.show_sample(sample_case(app.model))  # the picture: a made-up case marked 样例
        yield from self.settled()
        self.shot("case")

        app.go("home")
        app.override = with_emergency  # for this screenshot only
        app.show_model(app.link.poll() if app.link is not None else app.model)
        yield from self.settled()
        self.shot("emergency")
        app.override = None
        app.show_model(app.link.poll() if app.link is not None else app.model)
        yield from self.settled()

        home = app.screen("home")
        app.last_touch = time.monotonic() - app.attract_after_s  # as if untouched since: the loop begins
        yield from self.wait_until(lambda: home.slide is not None, 5.0)
        yield from self.settled()
        self.shot("attract")
        app.last_touch = time.monotonic()
        home.hide_attract()
        yield from self.settled()

        app.set_large(True)
        app.go("home")
        yield from self.settled()  # rows even out a frame or two after large text wraps the tiles anew
        self.shot("large-text")
        self.check_rows("large-text")
        # Every other screen in large text too: no picture, but the same checks.
        visits: list[tuple[str, Callable[[], None]]] = [
            ("category", lambda: app.open_category(category.id)),
            ("guide", lambda: app.open_guide(item.id) if item is not None else None),
            ("search", lambda: app.go("search")),
            ("staff", lambda: app.go("staff")),
            ("ticket", app.start_ticket),
            ("case", lambda: app.go("case")),
            ("case result", lambda: app.screen("case").show_sample(sample_case(app.model))),
        ]
        for name, visit in visits:
            visit()
            yield from self.settled()
            self.check(f"large text, {name}", item if name == "guide" else None)
        app.set_large(False)
        app.go("home")
        if self.faults:
            self.fail(
                _("{count} faults on screen:\n{faults}").format(count=len(self.faults), faults="\n".join(self.faults))
            )
