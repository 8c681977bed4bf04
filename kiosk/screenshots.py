"""A scripted walk through every screen of a running KioskApp, one PNG per screen (`--screenshots`).

The walk is a generator stepped by the Kivy clock on the main thread: each `yield` gives the
seconds to wait before the next step, so frames get drawn between steps. The emergency screenshot
shows a made-up announcement injected into the model through `app.override`, for that one picture
only; it is removed straight after.

The walk must not change the hall it looks at: the ticket screenshot shows a sample number (marked
样例 on screen, `sample_ticket`) and never sends `ticket`, which would put a real number in the
queue and in the statistics. Only the case lookup, which changes nothing, goes to the service.

Every screen is checked as it is shown, in normal and large text (`screen_faults`): no text cut, no
two widgets overlapping, no character that no face draws, no touch target under 120 px, and on the
guide every disclosure field word for word. The tour goes on to the end and then fails, naming each
screen and what is wrong on it, so one run shows every fault.
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

from content.shared.wording import PRIORITY_NAMES
from kiosk.device import CaseView, TicketResult, read_case, ticket_message
from kiosk.model import Announcement, Category, Item, KioskModel

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
    "attract",
    "large-text",
)
SETTLE_S: Final = 0.6
COMMAND_WAIT_S: Final = 20.0
SAMPLE_QUERY: Final = "shebao"
SAMPLE_CASE: Final = "20260001"
"""Typed on the case screen: no centre gives a number like it (six date digits and four), so the
lookup is answered "not found" and counts against no case's wrong tries."""
SAMPLE_DIGITS: Final = "0000"
SAMPLE_NUMBER: Final = 0
"""The sample ticket's number after its prefix (A000): numbers of a day start at 001."""
SAMPLE_AHEAD: Final = 3
SAMPLE_WAIT_MIN: Final = 24
SAMPLE_PRIORITY: Final = "elderly"
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


def sample_ticket(model: KioskModel, category: Category) -> TicketResult:
    """A made-up reply to a ticket in `category`, as the ticket screen shows a real one, numbered
    <prefix>000, which no day ever issues; its QR code opens that number's page, which says it is not
    found."""
    number = f"{category.prefix or 'A'}{SAMPLE_NUMBER:03d}"
    centre = model.centre
    day = model.queue.day or (centre.now().date().isoformat() if centre else "")
    url = f"{centre.public_url.rstrip('/')}/q/{day}/{number}" if centre and centre.public_url and day else None
    return TicketResult(
        ok=True,
        message=ticket_message(number, SAMPLE_AHEAD, SAMPLE_WAIT_MIN),
        ticket=number,
        category_name=category.name,
        priority_name=PRIORITY_NAMES[SAMPLE_PRIORITY],
        ahead=SAMPLE_AHEAD,
        estimate_min=SAMPLE_WAIT_MIN,
        url=url,
        detail="a sample for the screenshot: no command was sent",
    )


def sample_case(model: KioskModel) -> CaseView:
    """A made-up case for the case screen's picture (shown marked 样例, `CaseScreen.show_sample`): late,
    with documents missing and a few steps; its QR code opens a tracking page that finds no such case."""
    centre = model.centre
    base = centre.public_url.rstrip("/") if centre and centre.public_url else ""
    contacts = [{"label": "代办员 邓国平（青龙村）", "phone": "13800000000"}]
    if centre is not None:
        contacts += [
            {"label": "咨询电话", "phone": centre.hotline},
            {"label": "投诉电话", "phone": centre.complaint_phone},
        ]
    view = read_case(
        {
            "number": "WC-000000-0000",
            "item": "最低生活保障申请（样例）",
            "stage_name": "审批中",
            "holder_name": "区政务服务中心",
            "deciding_name": "区政务服务中心",
            "opened": "2026年1月5日 09:30",
            "due_text": "2026年1月28日前办结（承诺 17 个工作日）",
            "flag": "overdue",
            "flag_text": "已超过承诺时限",
            "applicant": "张**",
            "phone": "138****0000",
            "contacts": contacts,
            "timeline": [
                {"when": "2026年1月5日 09:30", "name": "已收件", "tier_name": "村(社区)", "note": "村代办员上门收件"},
                {"when": "2026年1月6日 14:10", "name": "转报至乡镇(街道)", "tier_name": "乡镇(街道)", "note": ""},
                {
                    "when": "2026年1月8日 10:02",
                    "name": "已受理",
                    "tier_name": "乡镇(街道)",
                    "note": "材料齐全，予以受理",
                },
                {
                    "when": "2026年1月12日 16:45",
                    "name": "审批中",
                    "tier_name": "区",
                    "note": "入户调查已完成，等待民主评议结果",
                    "basis": "《社会救助暂行办法》第十一条",
                },
            ],
            "missing": ["《家庭经济状况核对授权书》"],
            "received": ["申请人及共同生活家庭成员的居民身份证、户口簿", "《最低生活保障申请书》"],
            "url": f"{base}/t/WC-000000-0000" if base else None,
        }
    )
    assert view is not None
    return view


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

    def schedule(self, delay: float = SETTLE_S) -> None:
        from kivy.clock import Clock

        def begin(_dt: float) -> None:
            self._steps = self.steps()
            self._next(0)

        Clock.schedule_once(begin, delay)

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

    def wait_until(self, done: Callable[[], bool], timeout: float, step: float = 0.2) -> Iterator[float]:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            yield step


def save_screenshot(target: Path) -> Path:
    """The window as it is now, into `target` (a PNG)."""
    from kivy.core.window import Window

    made = Window.screenshot(name=str(target.with_name(f"{target.stem}-.png")))  # Kivy adds a number
    if not made:
        raise RuntimeError(f"the window gave no screenshot for {target.name}")
    os.replace(made, target)
    log.info("wrote %s", target)
    return target


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
        self.check_rows("home")

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
        self.shot("guide", item)

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
        ticket.show_sample(sample_ticket(app.model, category))  # never choose_priority: it takes a number
        yield SETTLE_S
        self.shot("ticket")

        app.go("case")
        case = app.screen("case")
        for key in SAMPLE_CASE:
            case.press(key)
        yield SETTLE_S
        self.check("case, number")
        case.press("下一步")
        for key in SAMPLE_DIGITS:
            case.press(key)
        yield SETTLE_S
        self.check("case, phone digits")
        case.press("查询")  # a real lookup, which changes nothing: it is answered "not found"
        yield from self.wait_until(lambda: case.step != "waiting", COMMAND_WAIT_S)
        yield SETTLE_S
        self.check("case, not found")
        case.show_sample(sample_case(app.model))  # the picture: a made-up case marked 样例
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

        home = app.screen("home")
        app.last_touch = time.monotonic() - app.attract_after_s  # as if untouched since: the loop begins
        yield from self.wait_until(lambda: home.slide is not None, 5.0)
        yield SETTLE_S
        self.shot("attract")
        app.last_touch = time.monotonic()
        home.hide_attract()
        yield SETTLE_S

        app.set_large(True)
        app.go("home")
        yield SETTLE_S
        # Rows even out a frame or two after large text wraps the tiles anew; the picture after they have.
        tiles, duty = home.ids.tiles, home.ids.duty
        yield from self.wait_until(lambda: not ragged_rows(tiles) and not ragged_rows(duty), 3.0)
        yield SETTLE_S
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
            yield SETTLE_S
            self.check(f"large text, {name}", item if name == "guide" else None)
        app.set_large(False)
        app.go("home")
        if self.faults:
            self.fail(f"{len(self.faults)} faults on screen:\n" + "\n".join(self.faults))


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


# -- flows for the tests and the benchmark: each prints markers, one line each, that the parent waits for


def emit(marker: str, detail: str = "") -> None:
    print(f"{marker} {detail}".rstrip(), flush=True)


def texts_under(widget: Any) -> list[str]:
    """Every non-empty text of the labels and buttons under `widget` (itself included), depth first."""
    found = []
    for child in widget.walk(restrict=True):
        text = getattr(child, "text", None)
        if isinstance(text, str) and text:
            found.append(text)
    return found


def clipped_labels(root: Any) -> list[str]:
    """The texts of the labels and buttons on view under `root` that their widget cuts: drawn wider or
    taller than the widget (a pixel of slack)."""
    from kivy.uix.label import Label

    cut = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text or widget.opacity == 0:
            continue
        width, height = widget.texture_size
        if width > widget.width + 1 or height > widget.height + 1:
            cut.append(f"{widget.text[:30]!r} {width}x{height} in {widget.width:g}x{widget.height:g}")
    return cut


# -- what the tour checks on every screen: each returns the offenders, empty when the screen is right

Box = tuple[float, float, float, float]
"""x, y, right, top in window coordinates."""
TOUCH_MIN_PX: Final = 120
"""The smallest touch target, either way: a finger, gloved or unsteady, at arm's length."""


def _window_box(widget: Any) -> Box:
    x, y = widget.to_window(*widget.pos)
    return (x, y, x + widget.width, y + widget.height)


def _meet(a: Box, b: Box) -> Box | None:
    """The intersection of `a` and `b`, None when it is not more than a pixel either way."""
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[2] - box[0] > 1 and box[3] - box[1] > 1 else None


def _covers(child: Any, parent: Any) -> bool:
    """`child` fills `parent`: an overlay (the emergency notice, the attract panel) hides what is under it."""
    return bool(
        child.opacity > 0
        and child.x <= parent.x + 1
        and child.y <= parent.y + 1
        and child.right >= parent.right - 1
        and child.top >= parent.top - 1
    )


def on_view(root: Any) -> Iterator[tuple[Any, Box]]:
    """The widgets a person can see under `root` with the part of each that shows, in window
    coordinates: not transparent (nor under a transparent parent), not of zero size, cut by the
    StencilViews (ScrollViews) around them, not under a sibling drawn later that covers their parent."""
    from kivy.uix.stencilview import StencilView

    def visit(widget: Any, clip: Box | None) -> Iterator[tuple[Any, Box]]:
        if widget.opacity == 0 or widget.width <= 0 or widget.height <= 0:
            return
        box = _window_box(widget)
        shown = _meet(box, clip) if clip is not None else box
        if shown is None:
            return
        yield widget, shown
        inner = shown if isinstance(widget, StencilView) else clip
        children = widget.children  # Kivy draws children[0] last: on top
        top = next((i for i, child in enumerate(children) if _covers(child, widget)), None)
        for child in children if top is None else children[: top + 1]:
            yield from visit(child, inner)

    yield from visit(root, None)


def _leaf(widget: Any) -> bool:
    from kivy.uix.button import Button
    from kivy.uix.image import Image
    from kivy.uix.label import Label

    if isinstance(widget, Image):
        return widget.texture is not None
    return isinstance(widget, Button) or (isinstance(widget, Label) and bool(widget.text))


def _name(widget: Any) -> str:
    text = getattr(widget, "text", "")
    return f"{type(widget).__name__} {text[:20]!r}" if text else type(widget).__name__


def _within(widget: Any, ancestor: Any) -> bool:
    parent = widget.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = None if parent.parent is parent else parent.parent  # the window is its own parent
    return False


def overlapping(root: Any) -> list[str]:
    """The pairs of labels, buttons and images on view under `root` whose shown parts overlap by more
    than a pixel, neither inside the other: one hides some of the other."""
    leaves = [(w, box) for w, box in on_view(root) if _leaf(w)]
    found = []
    for i, (a, box_a) in enumerate(leaves):
        for b, box_b in leaves[i + 1 :]:
            both = _meet(box_a, box_b)
            if both is not None and not _within(a, b) and not _within(b, a):
                size = f"{both[2] - both[0]:.0f}x{both[3] - both[1]:.0f}"
                found.append(f"{_name(a)} and {_name(b)} overlap by {size} at ({both[0]:.0f}, {both[1]:.0f})")
    return found


def missing_glyphs(root: Any) -> list[str]:
    """The labels and buttons under `root` (on view or scrolled away) given characters that no face
    of the kiosk's chain draws: they would show the missing-glyph box."""
    from kivy.uix.label import Label

    from kiosk.fonts import chain

    fonts = chain()
    found = []
    for widget in root.walk(restrict=True):
        if isinstance(widget, Label) and widget.text:
            missing = fonts.missing(widget.text)
            if missing:
                found.append(f"{widget.text[:20]!r}: {''.join(missing)}")
    return found


def small_targets(root: Any) -> list[str]:
    """The enabled buttons on view under `root` smaller than `TOUCH_MIN_PX` either way."""
    from kivy.uix.behaviors import ButtonBehavior

    return [
        f"{_name(w)} {w.width:.0f}x{w.height:.0f}"
        for w, _box in on_view(root)
        if isinstance(w, ButtonBehavior) and not w.disabled and min(w.width, w.height) < TOUCH_MIN_PX
    ]


def disclosure(item: Item) -> list[str]:
    """What a guide must show of `item` word for word (kiosk.viewmodel.guide_sections)."""
    fields = [item.limits, item.fee, item.basis, item.department, item.phone, *item.steps]
    for row in item.documents:
        fields += [row.name, row.note]
    return [field for field in fields if field]


def missing_disclosure(app: Any, item: Item) -> list[str]:
    """The disclosure fields of `item` that the guide screen does not show whole (scrolled away counts)."""
    shown = "\n".join(texts_under(app.screen("guide")))
    return [f"{field[:30]!r} ({len(field)} characters)" for field in disclosure(item) if field not in shown]


def screen_faults(app: Any, item: Item | None = None) -> list[str]:
    """Everything wrong on the screen on view now, each fault named; with `item`, also the guide of it."""
    root = app.root
    faults = [f"text does not fit its widget: {cut}" for cut in clipped_labels(root)]
    faults += [f"overlap: {pair}" for pair in overlapping(root)]
    faults += [f"no face draws: {text}" for text in missing_glyphs(root)]
    faults += [f"touch target under {TOUCH_MIN_PX} px: {button}" for button in small_targets(root)]
    if item is not None:
        faults += [f"not on the guide: {field}" for field in missing_disclosure(app, item)]
    return faults


def ragged_rows(grid: Any) -> list[list[float]]:
    """The rows of `grid` whose widgets differ in height or top (their heights), empty if all line up."""
    widgets = list(reversed(grid.children))  # Kivy keeps children last-first
    cols = grid.cols or 1
    rows = [widgets[start : start + cols] for start in range(0, len(widgets), cols)]
    return [[w.height for w in row] for row in rows if len({(w.height, w.top) for w in row}) > 1]


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
        yield SETTLE_S
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
            yield SETTLE_S
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
            yield SETTLE_S  # drawn, and laid out for a frame
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
            yield SETTLE_S
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
            yield SETTLE_S
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
            yield SETTLE_S
            ticket.choose_priority(None)
            yield from self.wait_text(lambda: ticket.step == "result", "the ticket result")
            first = ticket.result
            again = [w for w in ticket.ids.body.children if getattr(w, "text", "") == "重试"]
            if first.ok or not first.retry or not again:
                self.fail(f"no retry button after {first}")
                return
            if self.shot is not None:
                yield SETTLE_S
                save_screenshot(self.shot)
            emit("TICKET NO ANSWER", f"id={first.command_id} message={first.message}")
            yield from self.wait_text(lambda: is_live(app.model), "the service coming back")
            again[0].dispatch("on_release")
            yield from self.wait_text(lambda: ticket.step == "result", "the retried ticket result")
            result = ticket.result
            emit("TICKET RETRIED", f"id={result.command_id} ok={result.ok} ticket={result.ticket}")
        except FlowFailed:
            return
