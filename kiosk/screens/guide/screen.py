"""An item's guide: every disclosure section, scrollable, and a QR code to read it on a phone."""

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

HEADING = (1, 0.82, 0.1, 1)


class GuideScreen(KioskScreen):
    title = StringProperty("")
    item = StringProperty("")

    def refresh(self, model: KioskModel) -> None:
        guide = model.guide(self.item)
        if guide is None:
            self.title = "办事指南"
            clear_into(self.ids.body, [KLabel(text="该事项暂无办事指南，请到综合窗口咨询。", base=40)])
            return
        # The header has room for one line: the item's name, however long, heads the body instead.
        self.title = "办事指南"
        widgets: list[Any] = [
            KLabel(text=guide.category_name, base=36, color=HEADING),
            KLabel(text=guide.item.name, base=56, bold=True),
        ]
        for section in guide_sections(guide):
            widgets.append(KLabel(text=section.title, base=44, color=HEADING))
            widgets.extend(KLabel(text=line, base=38) for line in section.lines)
        if guide.url:
            widgets.append(KLabel(text="用手机扫码，带走这份指南", base=40, color=HEADING))
            row = BoxLayout(size_hint_y=None, height=380)
            row.add_widget(Image(texture=qr_texture(guide.url), size_hint=(None, None), size=(360, 360)))
            row.add_widget(BoxLayout())
            widgets.append(row)
        clear_into(self.ids.body, widgets)


load_kv(str(Path(__file__).with_name("screen.kv")))
