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
from kiosk.linebreak import wrap
from kiosk.model import KioskModel

__all__ = ["CJK", "Emergency", "Header", "KButton", "KLabel", "KioskScreen", "clear_into", "load_kv"]


def _break_lines(label: Any) -> None:
    """Give the core label of `label` (a Kivy Label) its text with Chinese line breaks for the width of
    `text_size`; `label.text` stays as it was set. Kivy itself wraps only at spaces.

    Called before the core label renders: by then it holds the current font options.
    """
    core = label._label
    if label.markup:  # the markup core label takes `text` as it is
        return
    width = label.text_size[0]
    if not label.text or not width or label.shorten:
        core.text = label.text
        return
    core.resolve_font_name()
    left, _, right, _ = core.options["padding"]
    # one pixel spare: Kivy's own wrapping must find each line fits as it stands
    core.text = wrap(label.text, width - left - right - 1, lambda line: core.get_extents(line)[0])


class KLabel(Label):  # type: ignore[misc]
    base = NumericProperty(36)
    """Font size in pixels at the normal text scale."""
    bold_line = BooleanProperty(False)

    def texture_update(self, *largs: Any) -> None:
        _break_lines(self)
        super().texture_update(*largs)


class KButton(Button):  # type: ignore[misc]
    base = NumericProperty(40)
    kind = StringProperty("normal")
    min_height = NumericProperty(130)
    """Never below 120 px: a touch target for unsteady hands."""
    """normal / primary / marked: only the colours differ."""

    def texture_update(self, *largs: Any) -> None:
        _break_lines(self)
        super().texture_update(*largs)


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
