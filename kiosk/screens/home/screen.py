"""Home: the centre, the time, the categories with their queues, the ways in, the ticker."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock

from kiosk.model import KioskModel
from kiosk.viewmodel import home_tiles, stale_marker
from kiosk.widgets import KButton, KioskScreen, clear_into, load_kv

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
TICKER_PX_PER_S = 120.0


class HomeScreen(KioskScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick = Clock.schedule_interval(self._update, 1 / 30)
        self._clock_text = ""

    def refresh(self, model: KioskModel) -> None:
        app: Any = self._app()
        centre = model.centre
        self.ids.name.text = centre.name if centre else "政务服务中心"
        self.ids.stale.text = stale_marker(model)
        tiles = []
        for tile in home_tiles(model):
            button = KButton(text=f"{tile.name}\n{tile.caption}", base=42, min_height=190)
            button.bind(on_release=lambda _b, c=tile.category: app.open_category(c))
            tiles.append(button)
        clear_into(self.ids.tiles, tiles)
        self.show_ticker(model)

    def show_ticker(self, model: KioskModel) -> None:
        """The announcements in force now: also called every second, since one may start or end while
        the kiosk is offline and no new model arrives."""
        ticker = model.announcements.ticker(model.centre.now() if model.centre else datetime.now().astimezone())
        if self.ids.ticker.text != ticker:
            self.ids.ticker.text = ticker
            self.ids.ticker.x = self.ids.ticker_box.right

    def take_ticket(self) -> None:
        self._app().start_ticket()

    def _update(self, dt: float) -> None:
        centre = self._app().model.centre
        now = centre.now() if centre else datetime.now().astimezone()
        text = f"{now.year}年{now.month}月{now.day}日 {WEEKDAYS[now.weekday()]} {now:%H:%M}"
        if text != self._clock_text:
            self._clock_text = self.ids.clock.text = text
        ticker, box = self.ids.ticker, self.ids.ticker_box
        if not ticker.text:
            return
        if ticker.width <= box.width:
            ticker.x = box.x + 20
            return
        ticker.x -= TICKER_PX_PER_S * dt
        if ticker.right < box.x:
            ticker.x = box.right

    @staticmethod
    def _app() -> Any:
        from kivy.app import App

        return App.get_running_app()


load_kv(str(Path(__file__).with_name("screen.kv")))
