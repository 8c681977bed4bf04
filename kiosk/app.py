"""The touchscreen app: screens, the model handed over from the link on the main thread, idle, large text.

Threads: the link's worker calls `on_change`, which is a `Clock` trigger; its callback runs on the
main thread and takes the latest model with `link.poll()`. Command results arrive on the link's
executor thread and are handed over with `Clock.schedule_once`. Nothing else touches widgets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.device import CASE_NO_ANSWER, NO_ANSWER, CaseResult, KioskLink, TicketResult
from kiosk.fonts import register_cjk_font
from kiosk.model import TARGET, KioskModel
from kiosk.viewmodel import (
    ATTRACT_AFTER_S,
    ATTRACT_SLIDE_S,
    IDLE_TIMEOUT_S,
    attract_index,
    attract_slides,
    is_idle,
    text_scale,
)
from kiosk.widgets import Emergency, KioskScreen, load_kv, scroll_to_top
from kiosk.words import _

CHECK_EVERY_S = 1.0


class KioskApp(App):  # type: ignore[misc]
    scale = NumericProperty(1.0)
    """Font scale: viewmodel.text_scale(large)."""
    large = BooleanProperty(False)

    def __init__(
        self,
        link: KioskLink | None = None,
        model: KioskModel | None = None,
        *,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        attract_after_s: float = ATTRACT_AFTER_S,
        attract_slide_s: float = ATTRACT_SLIDE_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = _("Government services self-service")
        self.link = link
        self.model = model if model is not None else (link.poll() if link is not None else KioskModel())
        self.idle_timeout_s = idle_timeout_s
        self.attract_after_s = attract_after_s
        """Seconds without a touch on home before the attract loop (guides, announcements) starts."""
        self.attract_slide_s = attract_slide_s
        self.override: Callable[[KioskModel], KioskModel] | None = None
        """Changes every model before it is shown (screenshots inject an emergency this way)."""
        self.last_touch = time.monotonic()
        self.exit_code = 0
        self.exit_message = ""
        self.visited: list[str] = []
        self.tour: Any = None
        """A scripted walk (kiosk.tour), kept here because Kivy's clock holds callbacks weakly."""
        self.sm: Any = None
        self._overlay: Any = None
        self._model_changed = Clock.create_trigger(self._take_model)

    # -- building -------------------------------------------------------------------------------

    def build(self) -> Any:
        register_cjk_font()
        load_kv(str(Path(__file__).with_name("widgets.kv")))
        from kiosk.screens.case.screen import CaseScreen
        from kiosk.screens.category.screen import CategoryScreen
        from kiosk.screens.guide.screen import GuideScreen
        from kiosk.screens.home.screen import HomeScreen
        from kiosk.screens.search.screen import SearchScreen
        from kiosk.screens.staff.screen import StaffScreen
        from kiosk.screens.ticket.screen import TicketScreen

        self.sm = ScreenManager(transition=NoTransition())
        for name, cls in (
            ("home", HomeScreen),
            ("category", CategoryScreen),
            ("guide", GuideScreen),
            ("search", SearchScreen),
            ("staff", StaffScreen),
            ("ticket", TicketScreen),
            ("case", CaseScreen),
        ):
            self.sm.add_widget(cls(name=name))
        self._overlay = Emergency()
        root = FloatLayout()
        root.add_widget(self.sm)
        Window.bind(on_touch_down=self._touched)
        return root

    def on_start(self) -> None:
        if self.link is not None:
            self.link.on_change = self._model_changed
            self.link.start()
        Clock.schedule_interval(self._check, CHECK_EVERY_S)
        self.show_model(self.model)
        self.go("home")

    def on_stop(self) -> None:
        if self.link is not None:
            self.link.stop()

    # -- the model ------------------------------------------------------------------------------

    def _take_model(self, *_: Any) -> None:
        if self.link is not None:
            self.show_model(self.link.poll())

    def show_model(self, model: KioskModel) -> None:
        """Show `model` (main thread only): the current screen lays itself out again."""
        self.model = self.override(model) if self.override is not None else model
        self.current_screen().refresh(self.model)
        self._show_emergency()

    def media_path(self, sha256: str | None) -> Path | None:
        if self.link is None or not sha256:
            return None
        return self.link.media_path(sha256)

    # -- navigation -----------------------------------------------------------------------------

    def current_screen(self) -> KioskScreen:
        screen: KioskScreen = self.sm.current_screen
        return screen

    def screen(self, name: str) -> Any:
        return self.sm.get_screen(name)

    def go(self, name: str) -> None:
        screen = self.screen(name)
        if name == "case":
            screen.reset()
        if name == "home":
            screen.hide_attract()
        screen.refresh(self.model)
        scroll_to_top(screen)  # every way onto a screen starts a look at it from its top
        self.sm.current = name
        self.visited.append(name)

    def open_category(self, category: str) -> None:
        self.screen("category").category = category
        self.go("category")

    def open_guide(self, item: str) -> None:
        self.screen("guide").item = item
        self.go("guide")

    def start_ticket(self) -> None:
        self.screen("ticket").start()
        self.go("ticket")

    def toggle_large(self) -> None:
        self.set_large(not self.large)

    def set_large(self, large: bool) -> None:
        changed = large != self.large
        self.large = large
        self.scale = text_scale(large)
        if changed and self.sm is not None:
            self.current_screen().refresh(self.model)  # tiles cut their names shorter in large text

    # -- commands: results come back on the link's thread ---------------------------------------

    def request_ticket(self, category: str, priority: str | None, command_id: str | None = None) -> None:
        """Take a number; `command_id` of an earlier try that got no answer sends the same command again."""
        screen = self.screen("ticket")
        if self.link is None:
            screen.show_result(TicketResult(False, NO_ANSWER, command_id=command_id or "", retry=True))
            return
        self.link.take_ticket(
            category,
            priority,
            command_id=command_id,
            callback=lambda r: Clock.schedule_once(lambda _dt: screen.show_result(r)),
        )

    def request_case(self, number: str, digits: str, reply: Callable[[CaseResult], None] | None = None) -> None:
        """Look case `number` up with the applicant's phone digits; `reply` (by default the case screen's
        `show_result`) gets the answer on the main thread."""
        answer = reply if reply is not None else self.screen("case").show_result
        if self.link is None:
            answer(CaseResult(False, CASE_NO_ANSWER))
            return
        self.link.lookup_case(number, digits, callback=lambda r: Clock.schedule_once(lambda _dt: answer(r)))

    # -- idle and the emergency overlay ---------------------------------------------------------

    def _touched(self, *_: Any) -> None:
        self.last_touch = time.monotonic()

    def _check(self, _dt: float) -> None:
        self._show_emergency()
        if self.root is not None and self.sm.current == "home":
            self.screen("home").show_ticker(self.model)
            self._show_attract()
        if self.sm.current != "home" and is_idle(self.last_touch, time.monotonic(), self.idle_timeout_s):
            self.set_large(False)
            self.go("home")

    def _show_attract(self) -> None:
        """The attract slide due now on home, or none (touched lately)."""
        centre = self.model.centre
        slides = attract_slides(self.model, centre.now() if centre else datetime.now().astimezone())
        index = attract_index(
            self.last_touch, time.monotonic(), len(slides), self.attract_after_s, self.attract_slide_s
        )
        self.screen("home").show_attract(slides[index] if index is not None else None)

    def _show_emergency(self) -> None:
        if self.root is None:
            return
        centre = self.model.centre
        emergency = self.model.announcements.emergency(centre.now() if centre else datetime.now().astimezone(), TARGET)
        shown = self._overlay.parent is not None
        if emergency is not None:
            self._overlay.text = emergency.text
            if not shown:
                self.root.add_widget(self._overlay)
        elif shown:
            self.root.remove_widget(self._overlay)
