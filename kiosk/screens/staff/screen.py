"""Who works here: photo, name, post, window, phone, status; then the proxy agents, by tier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.model import KioskModel
from kiosk.viewmodel import agent_groups, staff_rows
from kiosk.widgets import KioskScreen, KLabel, clear_into, load_kv
from kiosk.words import _

HEADING = (1, 0.82, 0.1, 1)
ON_DUTY = (0.4, 1, 0.5, 1)
AWAY = (1, 0.7, 0.3, 1)


class StaffCard(BoxLayout):  # type: ignore[misc]
    pass


class StaffScreen(KioskScreen):
    def refresh(self, model: KioskModel) -> None:
        from kivy.app import App

        app: Any = App.get_running_app()
        widgets: list[Any] = []
        for row in staff_rows(model):
            card = StaffCard()
            path = app.media_path(row.photo)
            if path is not None:
                card.ids.photo.add_widget(Image(source=str(path), size_hint=(None, None), size=(160, 200)))
            else:
                card.ids.photo.add_widget(
                    KLabel(text=_("No photo"), base=30, halign="center", size_hint_x=None, width=160)
                )
            lines = [
                KLabel(text=row.name, base=48, words=True),
                KLabel(text=row.post, base=34),
            ]
            if row.window:
                lines.append(KLabel(text=_("Window: {window}").format(window=row.window), base=34))
            if row.phone:
                lines.append(KLabel(text=_("Phone: {phone}").format(phone=row.phone), base=34))
            if row.status:
                lines.append(KLabel(text=row.status, base=38, color=ON_DUTY if row.on_duty else AWAY))
            clear_into(card.ids.info, lines)
            widgets.append(card)
        agents: list[Any] = []
        for group in agent_groups(model):
            agents.append(KLabel(text=group.heading, base=44, color=HEADING))
            agents.extend(KLabel(text=line, base=36) for line in group.lines)
        if not widgets and not agents:
            widgets.append(KLabel(text=_("No staff information yet."), base=38))
        clear_into(self.ids.rows, widgets)
        clear_into(self.ids.agents, agents)


load_kv(str(Path(__file__).with_name("screen.kv")))
