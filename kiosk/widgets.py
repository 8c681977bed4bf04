"""Shared widgets: big labels and buttons whose type follows the app's text scale, the header."""

from __future__ import annotations

from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.fonts import CJK
from kiosk.model import KioskModel

__all__ = ["CJK", "Emergency", "Header", "KButton", "KLabel", "KioskScreen", "clear_into", "load_kv", "no_break_spaces"]


class KLabel(Label):  # type: ignore[misc]
    base = NumericProperty(36)
    """Font size in pixels at the normal text scale."""
    bold_line = BooleanProperty(False)


class KButton(Button):  # type: ignore[misc]
    base = NumericProperty(40)
    kind = StringProperty("normal")
    min_height = NumericProperty(130)
    """Never below 120 px: a touch target for unsteady hands."""
    """normal / primary / marked: only the colours differ."""


class Header(BoxLayout):  # type: ignore[misc]
    title = StringProperty("")
    back = BooleanProperty(True)

    def go_home(self) -> None:
        app: Any = _app()
        app.go("home")

    def toggle_large(self) -> None:
        app: Any = _app()
        app.toggle_large()


def _app() -> Any:
    from kivy.app import App

    return App.get_running_app()


_loaded: set[str] = set()


def load_kv(path: str) -> None:
    """Load a kv file once (screens import their kv next to their code)."""
    if path not in _loaded:
        Builder.load_file(path)
        _loaded.add(path)


class KioskScreen(Screen):  # type: ignore[misc]
    """A screen that shows the model: `refresh` is called on the main thread with each new model."""

    def refresh(self, model: KioskModel) -> None:
        """Lay out what this screen shows of `model`."""


class Emergency(BoxLayout):  # type: ignore[misc]
    """Covers everything while an emergency announcement lasts; touches do not reach the screens."""

    text = StringProperty("")

    def on_touch_down(self, touch: Any) -> bool:
        return True


def clear_into(container: Any, widgets: list[Any]) -> None:
    container.clear_widgets()
    for widget in widgets:
        container.add_widget(widget)


def no_break_spaces(text: str) -> str:
    """Kivy wraps at spaces only, and moves a long run of hanzi after "1. " to a line of its own:
    with no-break spaces it fills each line and breaks the run where the line ends."""
    return text.replace(" ", "\u00a0")
