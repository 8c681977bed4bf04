"""A category: its items, 即办 marked; a touch opens the item's guide. With none, where to ask instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import StringProperty

from kiosk.model import KioskModel
from kiosk.viewmodel import TILE_NAME_CHARS, category_notice, item_rows, waiting_caption
from kiosk.widgets import KButton, KioskScreen, KLabel, clear_into, load_kv
from kiosk.words import _


class CategoryScreen(KioskScreen):
    title = StringProperty("")
    category = StringProperty("")

    def refresh(self, model: KioskModel) -> None:
        from kivy.app import App

        app: Any = App.get_running_app()
        category = model.category(self.category)
        self.title = category.name if category else _("Kinds of business")
        notice = category_notice(model, self.category)
        line = model.queue.line(self.category)
        waiting = waiting_caption(line.waiting, line.estimate_min) if line else ""
        self.ids.caption.text = (
            "" if notice else _("Choose the item you have come for. {waiting}").format(waiting=waiting)
        )
        widgets: list[Any] = []
        if category and len(category.name) > TILE_NAME_CHARS:  # the header shortens it to one line: here whole
            widgets.append(KLabel(text=category.name, base=44, color=(1, 0.82, 0.1, 1)))
        if notice:
            widgets.append(KLabel(text=notice, base=44))
        for row in item_rows(model, self.category):
            text = _("[{marker}] {name}").format(marker=row.marker, name=row.name) if row.marker else row.name
            button = KButton(text=text, base=40, kind="marked" if row.instant else "normal")
            button.bind(on_release=lambda _b, i=row.id: app.open_guide(i))
            widgets.append(button)
        clear_into(self.ids.rows, widgets)


load_kv(str(Path(__file__).with_name("screen.kv")))
