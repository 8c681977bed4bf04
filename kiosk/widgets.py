"""Shared widgets: big labels and buttons whose type follows the app's text scale, the header."""

from __future__ import annotations

from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.fonts import CJK, chain
from kiosk.linebreak import wrap
from kiosk.model import KioskModel

__all__ = ["CJK", "Emergency", "HallLabel", "Header", "KButton", "KLabel", "KioskScreen", "clear_into", "load_kv"]


class FallbackCoreLabel(CoreLabel):  # type: ignore[misc]
    """Kivy's core label drawing each run of a text with the first face of the chain that has it.

    Kivy lays a label out word by word through `get_extents` and draws each word with `_render_text`;
    both take the face from `options["font_name_r"]`, so each run is measured and drawn with that
    option set to its face, and raised or lowered so that the runs share the primary face's baseline.
    """

    def get_extents(self, text: str) -> tuple[int, int]:
        runs = chain().runs(text)
        if len(runs) <= 1 and (not runs or runs[0][0] == 0):
            return super().get_extents(text)  # type: ignore[no-any-return]
        width = height = 0
        for face, run in runs:
            with self._face(face):
                w, h = super().get_extents(run)
            width, height = width + w, max(height, h)
        return width, height

    def _render_text(self, text: str, x: int, y: int) -> None:
        runs = chain().runs(text)
        if len(runs) <= 1 and (not runs or runs[0][0] == 0):
            super()._render_text(text, x, y)
            return
        ascent = self.get_ascent()
        for face, run in runs:
            with self._face(face):
                super()._render_text(run, x, y + max(0, ascent - self.get_ascent()))
                x += super().get_extents(run)[0]

    def _face(self, index: int) -> _FaceOption:
        return _FaceOption(self.options, str(chain().paths[index]) if index else None)


class _FaceOption:
    """Sets a core label's font file for the length of a `with` block (None: leave it)."""

    def __init__(self, options: dict[str, Any], path: str | None) -> None:
        self.options, self.path, self.saved = options, path, options.get("font_name_r")

    def __enter__(self) -> None:
        if self.path is not None:
            self.options["font_name_r"] = self.path

    def __exit__(self, *exc: object) -> None:
        self.options["font_name_r"] = self.saved


class FallbackFonts:
    """Mixin for Kivy labels and buttons: plain (non-markup) text is drawn by `FallbackCoreLabel`."""

    markup: bool
    _label: Any

    def _create_label(self) -> None:
        if self.markup or isinstance(self._label, FallbackCoreLabel):
            super()._create_label()  # type: ignore[misc]
            return
        props: Any = self
        options = {name: getattr(props, name) for name in props._font_properties}
        options["usersize"] = props.text_size
        if props.disabled:
            options["color"] = props.disabled_color
            options["outline_color"] = props.disabled_outline_color
        self._label = FallbackCoreLabel(**options)


class HallLabel(FallbackFonts, Label):  # type: ignore[misc]
    """A plain Kivy label with the font chain (for labels that do not take the app's text scale)."""


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


class KLabel(FallbackFonts, Label):  # type: ignore[misc]
    base = NumericProperty(36)
    """Font size in pixels at the normal text scale."""
    bold_line = BooleanProperty(False)

    def texture_update(self, *largs: Any) -> None:
        _break_lines(self)
        super().texture_update(*largs)


class KButton(FallbackFonts, Button):  # type: ignore[misc]
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


def scroll_to_top(root: Any) -> None:
    """Every scrolling area under `root` back at its top: where a new citizen, or a new step, starts."""
    from kivy.uix.scrollview import ScrollView

    for widget in root.walk(restrict=True):
        if isinstance(widget, ScrollView):
            widget.scroll_y = 1


def clear_into(container: Any, widgets: list[Any]) -> None:
    container.clear_widgets()
    for widget in widgets:
        container.add_widget(widget)
