"""An item's guide: its name and a QR code to read it on a phone, then every disclosure section, scrollable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.model import KioskModel
from kiosk.qr import qr_texture
from kiosk.viewmodel import guide_sections
from kiosk.widgets import KioskScreen, KLabel, clear_into, load_kv
from kiosk.words import _

HEADING = (1, 0.82, 0.1, 1)
QR_PX = 280


class GuideScreen(KioskScreen):
    title = StringProperty("")
    item = StringProperty("")

    def refresh(self, model: KioskModel) -> None:
        guide = model.guide(self.item)
        if guide is None:
            self.title = _("Service guide")
            none = _("There is no guide for this item yet: please ask at the general window.")
            clear_into(self.ids.body, [KLabel(text=none, base=40)])
            return
        # The header has room for one line: the item's name, however long, heads the body instead,
        # with the QR code beside it, seen without scrolling.
        self.title = _("Service guide")
        names = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8, pos_hint={"top": 1})
        names.bind(minimum_height=names.setter("height"))
        names.add_widget(KLabel(text=guide.category_name, base=36, color=HEADING))
        names.add_widget(KLabel(text=guide.item.name, base=56, bold=True))
        top = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=20)
        top.add_widget(names)
        if guide.url:
            code = BoxLayout(
                orientation="vertical", size_hint=(None, None), width=QR_PX, spacing=4, pos_hint={"top": 1}
            )
            code.add_widget(Image(texture=qr_texture(guide.url), size_hint=(None, None), size=(QR_PX, QR_PX)))
            code.add_widget(KLabel(text=_("Scan to take the guide with you"), base=26, halign="center"))
            code.bind(minimum_height=code.setter("height"))
            top.add_widget(code)
            top.bind(minimum_height=top.setter("height"))
        else:
            names.bind(height=top.setter("height"))
        widgets: list[Any] = [top]
        for section in guide_sections(guide):
            widgets.append(KLabel(text=section.title, base=44, color=HEADING))
            widgets.extend(KLabel(text=f"□ {line}" if section.checklist else line, base=38) for line in section.lines)
        clear_into(self.ids.body, widgets)


load_kv(str(Path(__file__).with_name("screen.kv")))
