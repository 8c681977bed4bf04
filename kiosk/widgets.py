"""Shared widgets: big labels and buttons whose type follows the app's text scale, the header."""

from __future__ import annotations

from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from kiosk.fonts import CJK, chain
from kiosk.linebreak import wrap
from kiosk.model import KioskModel
from kiosk.viewmodel import even_rows, whole_rows

__all__ = [
    "CJK",
    "Emergency",
    "HallLabel",
    "Header",
    "KButton",
    "KLabel",
    "KioskScreen",
    "RowScroll",
    "TileGrid",
    "clear_into",
    "load_kv",
]


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
    words = bool(getattr(label, "words", False))
    core.text = wrap(label.text, width - left - right - 1, lambda line: core.get_extents(line)[0], words=words)


class KLabel(FallbackFonts, Label):  # type: ignore[misc]
    base = NumericProperty(36)
    """Font size in pixels at the normal text scale."""
    bold_line = BooleanProperty(False)
    words = BooleanProperty(False)
    """A list of names (张磊、阿依古丽·买买提): lines break between the names, never inside one."""

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
            effect = widget.effect_y
            if effect is not None:  # and no fling or overscroll left from the content it held before
                effect.velocity = 0
                effect.overscroll = 0
                effect.reset(effect.max)


def clear_into(container: Any, widgets: list[Any]) -> None:
    container.clear_widgets()
    for widget in widgets:
        container.add_widget(widget)


class TileGrid(GridLayout):  # type: ignore[misc]
    """Tiles in rows, every tile as tall as the tallest of its row (large text wraps some names, not
    others): home's categories and the 取号 step's. Tiles are KButtons; `least` is a row's least height."""

    least = NumericProperty(160)
    padding_y = NumericProperty(40)
    """A KButton's height over its text's (widgets.kv)."""

    def __init__(self, **kwargs: Any) -> None:
        from kivy.clock import Clock

        super().__init__(**kwargs)
        self._even = Clock.create_trigger(self.even)
        self.bind(cols=self._even, least=self._even)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.bind(texture_size=self._even)
        self._even()

    def even(self, *_: Any) -> None:
        tiles = list(reversed(self.children))  # Kivy keeps children last-first
        natural = [t.texture_size[1] + self.padding_y for t in tiles]
        for tile, height in zip(tiles, even_rows(natural, self.cols or 1, self.least), strict=True):
            tile.min_height = height


class RowScroll(ScrollView):  # type: ignore[misc]
    """A scrolling list or grid of rows that shows its first rows whole and none in part: its height is
    that of the rows that fit its parent (an AnchorLayout at the top, whose height is the room there is;
    `viewmodel.whole_rows`), and the rest is scrolled to. Its one child is a GridLayout."""

    def __init__(self, **kwargs: Any) -> None:
        from kivy.clock import Clock

        kwargs.setdefault("do_scroll_x", False)
        kwargs.setdefault("bar_width", 12)
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self._fit = Clock.create_trigger(self.fit)
        self.bind(parent=self._follow)

    def _follow(self, _self: Any, parent: Any) -> None:
        if parent is not None:
            parent.bind(height=self._fit)
            self._fit()

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.bind(top=self._fit, children=self._rows)

    def _rows(self, _content: Any, children: list[Any]) -> None:
        for child in children:  # a row moves, or grows, when the content lays itself out again
            child.bind(y=self._fit, height=self._fit)
        self._fit()

    def fit(self, *_: Any) -> None:
        if self.parent is None or not self.children:
            return
        content = self.children[0]
        extents = [(content.top - child.top, content.top - child.y) for child in content.children]
        self.height = whole_rows(extents, self.parent.height)
