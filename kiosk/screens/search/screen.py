"""Search as you type, from an on-screen keyboard of pinyin letters and digits."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from kiosk.model import KioskModel
from kiosk.widgets import KButton, KioskScreen, KLabel, clear_into, load_kv
from kiosk.words import _

KEYS = (*string.ascii_lowercase, *string.digits)
MAX_RESULTS = 20


class SearchScreen(KioskScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._model: KioskModel | None = None
        keys = []
        for key in KEYS:
            button = KButton(text=key, base=48, min_height=120)
            button.bind(on_release=lambda _b, k=key: self.type_key(k))
            keys.append(button)
        clear_into(self.ids.keypad, keys)
        edits = []
        for label, action in ((_("Delete"), self.backspace), (_("Clear"), self.clear)):
            button = KButton(text=label, base=40, min_height=120, kind="primary")
            button.bind(on_release=lambda _b, a=action: a())
            edits.append(button)
        clear_into(self.ids.edit_keys, edits)

    def refresh(self, model: KioskModel) -> None:
        self._model = model
        self.on_query(self.ids.query.text)

    def type_key(self, key: str) -> None:
        self.ids.query.text += key

    def backspace(self) -> None:
        self.ids.query.text = self.ids.query.text[:-1]

    def clear(self) -> None:
        self.ids.query.text = ""

    def on_query(self, text: str) -> None:
        from kivy.app import App

        app: Any = App.get_running_app()
        if self._model is None:
            return
        if not text.strip():
            clear_into(self.ids.results, [KLabel(text=_("Type on the keyboard."), base=38)])
            return
        hits = self._model.search(text, MAX_RESULTS)
        if not hits:
            nothing = _("Nothing found: try other words, or ask at the general window.")
            clear_into(self.ids.results, [KLabel(text=nothing, base=38)])
            return
        rows = []
        for item in hits:
            text = _("[Same day] {name}").format(name=item.name) if item.instant else item.name
            button = KButton(text=text, base=40)
            button.bind(on_release=lambda _b, i=item.id: app.open_guide(i))
            rows.append(button)
        clear_into(self.ids.results, rows)


load_kv(str(Path(__file__).with_name("screen.kv")))
