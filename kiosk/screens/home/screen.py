"""Home: the centre, the time, the categories with their queues, the ways in, the ticker."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from content.shared import wording
from kiosk.model import TARGET, KioskModel
from kiosk.qr import qr_texture
from kiosk.viewmodel import (
    LARGE_TILE_NAME_CHARS,
    TILE_NAME_CHARS,
    DutyRow,
    Slide,
    closed_notice,
    duty_rows,
    even_rows,
    home_tiles,
    stale_marker,
    ticket_notice,
)
from kiosk.widgets import KButton, KioskScreen, clear_into, load_kv
from kiosk.words import _

TICKER_PX_PER_S = 120.0
TICKER_HZ = 30
"""Steps a second of a ticker that scrolls."""
REST_TICK_S = 1.0
"""Otherwise home looks at its clock once a second: a kiosk at rest asks nothing of its renderer."""
TILE_MIN_HEIGHT = 160
NAME_LINES = 2
"""The centre's name on home in at most this many lines: a longer name gives way to its short name,
so that the categories keep the room (the full name is on every printed slip)."""
DUTY_MIN_HEIGHT = 120
DUTY_SHARE = 0.22
"""In portrait, the duty panel's most height, of the screen's: it scrolls, the category tiles keep the rest."""


class AttractPanel(BoxLayout):  # type: ignore[misc]
    """Covers the home screen while idle, one slide at a time; a touch ends it (and opens a guide)."""

    kind = StringProperty("")
    title = StringProperty("")
    text = StringProperty("")
    call = StringProperty("")
    item = StringProperty("")
    has_qr = BooleanProperty(False)

    def show(self, slide: Slide, url: str | None = None) -> None:
        """`slide`, with the QR code of `url` (a guide's public page) when there is one."""
        self.kind, self.title, self.text, self.call, self.item = (
            slide.kind,
            slide.title,
            slide.text,
            slide.call,
            slide.item,
        )
        self.has_qr = url is not None
        self.ids.qr.texture = qr_texture(url) if url is not None else None

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        item = self.item if self.kind == "guide" else ""
        screen = self.parent
        if screen is not None:
            screen.hide_attract()
        if item:
            HomeScreen._app().open_guide(item)
        return True


class DutyCard(ButtonBehavior, BoxLayout):  # type: ignore[misc]
    """One window and who serves at it now; a touch opens the staff board."""

    window = StringProperty("")
    names = StringProperty("")
    note = StringProperty("")
    staffed = BooleanProperty(True)
    row_height = NumericProperty(0)
    """The tallest card of its row: the cards of a row line up (HomeScreen._even_duty)."""

    def show(self, row: DutyRow) -> None:
        self.window, self.names, self.note, self.staffed = row.window, row.names, row.note, row.staffed

    def on_release(self) -> None:
        HomeScreen._app().go("staff")


class HomeScreen(KioskScreen):
    duty_share = NumericProperty(DUTY_SHARE)
    numbers_closed = BooleanProperty(False)
    """No number may be taken now (`ticket_notice`): 取号 is greyed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick_s = REST_TICK_S
        self._tick = Clock.schedule_interval(self._update, REST_TICK_S)
        self._clock_text = ""
        self._name = ("", "")
        self._short_at = (0.0, 0.0)
        """The type size and width at which the full name took too many lines."""
        self.ids.name.bind(texture_size=self._fit_name, width=self._fit_name)
        self._even_cards = Clock.create_trigger(self._even_duty)
        self.ids.duty.bind(cols=self._even_cards)
        self.attract = AttractPanel()
        self.slide: Slide | None = None
        """The attract slide shown now, or None."""

    def show_attract(self, slide: Slide | None) -> None:
        """Show `slide` on top of home (None: the normal home)."""
        if slide is None:
            self.hide_attract()
            return
        if slide != self.slide:
            url = self._app().model.guide_url(slide.item) if slide.kind == "guide" else None
            self.attract.show(slide, url)
            self.slide = slide
        if self.attract.parent is None:
            self.add_widget(self.attract)

    def hide_attract(self) -> None:
        self.slide = None
        if self.attract.parent is not None:
            self.remove_widget(self.attract)

    def refresh(self, model: KioskModel) -> None:
        app: Any = self._app()
        centre = model.centre
        names = (centre.name, centre.short_name or centre.name) if centre else (_("Government service centre"),) * 2
        if names != self._name:
            self._name = names
            self.ids.name.text = names[0]
        self.ids.stale.text = stale_marker(model)
        tiles = []
        for tile in home_tiles(model, LARGE_TILE_NAME_CHARS if app.large else TILE_NAME_CHARS):
            button = KButton(text=f"{tile.name}\n{tile.caption}", base=40, min_height=TILE_MIN_HEIGHT)
            button.bind(on_release=lambda _b, c=tile.category: app.open_category(c))
            tiles.append(button)
        clear_into(self.ids.tiles, tiles)
        self.show_duty(model)
        self.show_ticker(model)
        self.show_hours(model, centre.now() if centre else datetime.now().astimezone())

    def show_duty(self, model: KioskModel) -> None:
        rows = duty_rows(model)
        cards = list(reversed(self.ids.duty.children))
        if len(cards) != len(rows):
            cards = [DutyCard() for _ in rows]
            for card in cards:
                card.bind(minimum_height=self._even_cards)
            clear_into(self.ids.duty, cards)
        for card, row in zip(cards, rows, strict=True):
            card.show(row)
        self._even_cards()

    def _even_duty(self, *_: Any) -> None:
        """Every duty card as tall as the tallest of its row: one window's long name makes a row taller."""
        grid = self.ids.duty
        cards = list(reversed(grid.children))  # Kivy keeps children last-first
        natural = [c.minimum_height for c in cards]
        for card, height in zip(cards, even_rows(natural, grid.cols or 1, DUTY_MIN_HEIGHT), strict=True):
            card.row_height = height

    def _fit_name(self, label: Any, _size: Any) -> None:
        """The centre's full name while it takes at most NAME_LINES lines, else its short name."""
        full, short = self._name
        if full == short:
            return
        if label.text == short and (label.font_size, label.width) != self._short_at:
            label.text = full  # another type size or width (the first layout's): the full name may fit now
            return
        lines = len(getattr(label._label, "_cached_lines", ()))
        if label.text == full and lines > NAME_LINES:
            self._short_at = (label.font_size, label.width)
            label.text = short

    def show_ticker(self, model: KioskModel) -> None:
        """The announcements in force now: also called every second, since one may start or end while
        the kiosk is offline and no new model arrives."""
        ticker = model.announcements.ticker(model.centre.now() if model.centre else datetime.now().astimezone(), TARGET)
        if self.ids.ticker.text != ticker:
            self.ids.ticker.text = ticker
            self.ids.ticker.x = self.ids.ticker_box.right
            self._pace(scrolling=bool(ticker))  # at once, not at the next slow look

    def take_ticket(self) -> None:
        self._app().start_ticket()

    def show_hours(self, model: KioskModel, now: datetime) -> None:
        """Outside the hours: when the hall opens, and 取号 greyed with when numbers start."""
        numbers = ticket_notice(model, now)
        self.numbers_closed = numbers is not None
        self.ids.closed.text = "\n".join(t for t in (closed_notice(model, now), numbers) if t)

    def _pace(self, scrolling: bool) -> None:
        """`TICKER_HZ` steps a second while the ticker scrolls, once a second otherwise."""
        wanted = 1 / TICKER_HZ if scrolling else REST_TICK_S
        if wanted != self._tick_s:
            self._tick.cancel()
            self._tick_s = wanted
            self._tick = Clock.schedule_interval(self._update, wanted)

    def _update(self, dt: float) -> None:
        centre = self._app().model.centre
        now = centre.now() if centre else datetime.now().astimezone()
        text = _("{month}/{day}/{year} {weekday} {time}").format(
            year=now.year, month=now.month, day=now.day, weekday=wording.weekday(now.weekday()), time=f"{now:%H:%M}"
        )
        if text != self._clock_text:
            self._clock_text = self.ids.clock.text = text
            self.show_hours(self._app().model, now)  # by the minute, like the clock
        ticker, box = self.ids.ticker, self.ids.ticker_box
        if not ticker.text:
            self._pace(scrolling=False)
            return
        if ticker.width <= box.width:
            ticker.x = box.x + 20
            self._pace(scrolling=False)
            return
        self._pace(scrolling=True)
        ticker.x -= TICKER_PX_PER_S * min(dt, 1 / TICKER_HZ * 2)
        if ticker.right < box.x:
            ticker.x = box.right

    @staticmethod
    def _app() -> Any:
        from kivy.app import App

        return App.get_running_app()


load_kv(str(Path(__file__).with_name("screen.kv")))
