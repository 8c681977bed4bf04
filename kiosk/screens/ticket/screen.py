"""Take a number: the category, then an optional priority, then the number big (or why there is none).

`show_sample` shows a made-up result marked as one (the screenshot tour's), and sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from kivy.clock import Clock
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from content.shared.catalog import N_
from kiosk.device import TicketResult
from kiosk.model import KioskModel
from kiosk.qr import qr_texture
from kiosk.viewmodel import LARGE_TILE_NAME_CHARS, TILE_NAME_CHARS, closed_notice, home_tiles, ticket_notice
from kiosk.widgets import KButton, KioskScreen, KLabel, TileGrid, clear_into, load_kv, scroll_to_top
from kiosk.words import _

PRIORITIES: Final = (
    ("elderly", N_("Senior citizen")),
    ("disabled", N_("Person with a disability")),
    ("pregnant", N_("Pregnant woman")),
    ("military", N_("Service member")),
    ("appointment", N_("Appointment")),
)
NUMBER_COLOUR = (1, 0.82, 0.1, 1)
SAMPLE_COLOUR = (1, 0.35, 0.3, 1)
SAMPLE_MARK: Final = N_("Sample · example, not a real number")
"""Over the number of a sample result: nobody may queue with it."""
SAMPLE_PROMPT: Final = N_("Sample screen: this kiosk took no number")
QR_PX: Final = 360


class TicketScreen(KioskScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = "category"
        self.category = ""
        self.priority: str | None = None
        self.result: TicketResult | None = None
        self.sample = False
        """The result shown is a sample (`show_sample`), not the service's."""
        self._model: KioskModel | None = None
        self._shown_step = ""
        self._body = self.ids.body.__self__  # the widget, not the weak proxy that ids hold
        """The rows of every step but the first (kept here: the scroll holds one grid at a time)."""
        self._tiles = TileGrid(size_hint_y=None, padding=20, spacing=20, least=180)
        """The categories, in a grid as on home."""
        self._tiles.bind(minimum_height=self._tiles.setter("height"))

    def start(self) -> None:
        self.step, self.category, self.priority, self.result, self.sample = "category", "", None, None, False
        self._show()

    def refresh(self, model: KioskModel) -> None:
        self._model = model
        if self.step in ("category", "priority"):  # a result or a wait in progress is left alone
            self._show()

    def choose_category(self, category: str) -> None:
        self.step, self.category = "priority", category
        self._show()

    def choose_priority(self, priority: str | None) -> None:
        from kivy.app import App

        self.step, self.priority = "waiting", priority
        self._show()
        App.get_running_app().request_ticket(self.category, priority)

    def retry(self) -> None:
        """Send the same command again after no answer: its command id makes the service issue at most
        one number, even if the first one did arrive."""
        from kivy.app import App

        command_id = self.result.command_id if self.result is not None else ""
        self.step = "waiting"
        self._show()
        App.get_running_app().request_ticket(self.category, self.priority, command_id=command_id or None)

    def show_result(self, result: TicketResult) -> None:
        self.step, self.result, self.sample = "result", result, False
        self._show()

    def show_sample(self, result: TicketResult) -> None:
        """Show `result` as the service's would be, marked 样例 over the number and in the prompt: no
        command is sent, no number taken."""
        self.step, self.result, self.sample = "result", result, True
        self._show()

    def _show(self) -> None:
        from kivy.app import App
        from kivy.core.window import Window

        model = self._model
        widgets: list[Any] = []
        grid = self._tiles if self.step == "category" else self._body
        if grid.parent is None:
            scroll = self.ids.scroll
            scroll.remove_widget(self._body if grid is self._tiles else self._tiles)
            scroll.add_widget(grid)
        self._tiles.cols = 4 if Window.width > Window.height else 3  # as on home (this screen may not be laid out yet)
        if self.step == "category":
            prompt = _("Step 1: choose the kind of business you have come for")
            now = model.centre.now() if model and model.centre else None
            notice = closed_notice(model, now, with_hours=False) if model and now else ""
            numbers = ticket_notice(model, now) if model and now else None
            self.ids.prompt.text = "\n".join(t for t in (notice, numbers or prompt) if t)
            large = App.get_running_app().large
            for tile in home_tiles(model, LARGE_TILE_NAME_CHARS if large else TILE_NAME_CHARS) if model else ():
                button = KButton(text=f"{tile.name}\n{tile.caption}", base=42, min_height=180, disabled=bool(numbers))
                button.bind(on_release=lambda _b, c=tile.category: self.choose_category(c))
                widgets.append(button)
        elif self.step == "priority":
            category = model.category(self.category) if model else None
            name = category.name if category else ""
            self.ids.prompt.text = _(
                "Step 2: {category}\nIf one of these applies to you, you are served first; otherwise press "
                "\u201cNormal number\u201d"
            ).format(category=name)
            normal = KButton(text=_("Normal number"), base=48, kind="primary", min_height=160)
            normal.bind(on_release=lambda _b: self.choose_priority(None))
            widgets.append(normal)
            for code, label in PRIORITIES:
                button = KButton(text=_(label), base=44)
                button.bind(on_release=lambda _b, p=code: self.choose_priority(p))
                widgets.append(button)
        elif self.step == "waiting":
            self.ids.prompt.text = _("Taking a number, please wait…")
        elif self.result is not None:
            result = self.result
            if result.ok:
                self.ids.prompt.text = (
                    _(SAMPLE_PROMPT) if self.sample else _("Here is your number: please listen for it")
                )
                widgets.append(self._ticket(result, self.sample))
            else:
                self.ids.prompt.text = _("No number could be taken")
                widgets.append(KLabel(text=result.message, base=48, halign="center"))
                if result.retry:
                    again = KButton(text=_("Try again"), base=64, kind="primary", min_height=200)
                    again.bind(on_release=lambda _b: self.retry())
                    widgets.append(again)
            done = KButton(
                text=_("Done, back to the home screen"),
                base=44,
                kind="primary" if result.ok else "normal",
                min_height=160,
            )
            done.bind(on_release=lambda _b: self._go_home())
            widgets.append(done)
        clear_into(grid, widgets)
        if self.step != self._shown_step:  # a new step starts at its top: 普通取号 first, never scrolled away
            self._shown_step = self.step
            scroll_to_top(self)
            # and once the grid swapped in has been laid out: its scroll bounds are the old grid's until then
            Clock.schedule_once(lambda _dt: scroll_to_top(self))

    @staticmethod
    def _ticket(result: TicketResult, sample: bool = False) -> Any:
        """The number, what it is for and the wait; beside them in landscape (below in portrait) the QR code
        that follows it on a phone: number, QR code and 完成 all on one screen without scrolling. A sample
        has its mark over the number."""
        from kivy.core.window import Window

        landscape = Window.width > Window.height
        row = BoxLayout(orientation="horizontal" if landscape else "vertical", size_hint_y=None, spacing=16)
        row.bind(minimum_height=row.setter("height"))
        facts = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
        facts.bind(minimum_height=facts.setter("height"))
        if sample:
            facts.add_widget(KLabel(text=_(SAMPLE_MARK), base=48, halign="center", color=SAMPLE_COLOUR, bold=True))
        facts.add_widget(KLabel(text=result.ticket, base=200, halign="center", color=NUMBER_COLOUR))
        kind = "\u3000".join(t for t in (result.category_name, result.priority_name) if t)  # catalog: data
        if kind:
            facts.add_widget(KLabel(text=kind, base=44, halign="center"))
        facts.add_widget(KLabel(text=result.message, base=44, halign="center"))
        row.add_widget(facts)
        if result.url:
            follow = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
            follow.bind(minimum_height=follow.setter("height"))
            follow.add_widget(KLabel(text=_("Scan with your phone to follow the queue"), base=38, halign="center"))
            box = AnchorLayout(size_hint_y=None, height=QR_PX + 20)
            box.add_widget(Image(texture=qr_texture(result.url), size_hint=(None, None), size=(QR_PX, QR_PX)))
            follow.add_widget(box)
            row.add_widget(follow)
        return row

    @staticmethod
    def _go_home() -> None:
        from kivy.app import App

        App.get_running_app().go("home")


load_kv(str(Path(__file__).with_name("screen.kv")))
