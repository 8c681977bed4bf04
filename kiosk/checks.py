"""What is wrong on the kiosk's screen now: cut text, widgets overlapping, characters no face draws,
touch targets too small, a guide missing its disclosure, rows of tiles that do not line up.

Each check takes the widgets as Kivy laid them out and returns the offenders, empty when the screen
is right; it changes nothing. The screenshot tour (`kiosk.screenshots`) runs them on every screen,
the tests on the screens they drive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from content.shared.wire.catalog import Item

Box = tuple[float, float, float, float]
"""x, y, right, top in window coordinates."""
TOUCH_MIN_PX: Final = 120
"""The smallest touch target, either way: a finger, gloved or unsteady, at arm's length."""


def texts_under(widget: Any) -> list[str]:
    """Every non-empty text of the labels and buttons under `widget` (itself included), depth first."""
    found = []
    for child in widget.walk(restrict=True):
        text = getattr(child, "text", None)
        if isinstance(text, str) and text:
            found.append(text)
    return found


def clipped_labels(root: Any) -> list[str]:
    """The texts of the labels and buttons on view under `root` that their widget cuts: drawn wider or
    taller than the widget (a pixel of slack)."""
    from kivy.uix.label import Label

    cut = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text or widget.opacity == 0:
            continue
        width, height = widget.texture_size
        if width > widget.width + 1 or height > widget.height + 1:
            cut.append(f"{widget.text[:30]!r} {width}x{height} in {widget.width:g}x{widget.height:g}")
    return cut


def _window_box(widget: Any) -> Box:
    x, y = widget.to_window(*widget.pos)
    return (x, y, x + widget.width, y + widget.height)


def _meet(a: Box, b: Box) -> Box | None:
    """The intersection of `a` and `b`, None when it is not more than a pixel either way."""
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[2] - box[0] > 1 and box[3] - box[1] > 1 else None


def _covers(child: Any, parent: Any) -> bool:
    """`child` fills `parent`: an overlay (the emergency notice, the attract panel) hides what is under it."""
    return bool(
        child.opacity > 0
        and child.x <= parent.x + 1
        and child.y <= parent.y + 1
        and child.right >= parent.right - 1
        and child.top >= parent.top - 1
    )


def on_view(root: Any) -> Iterator[tuple[Any, Box]]:
    """The widgets a person can see under `root` with the part of each that shows, in window
    coordinates: not transparent (nor under a transparent parent), not of zero size, cut by the
    StencilViews (ScrollViews) around them, not under a sibling drawn later that covers their parent."""
    from kivy.uix.stencilview import StencilView

    def visit(widget: Any, clip: Box | None) -> Iterator[tuple[Any, Box]]:
        if widget.opacity == 0 or widget.width <= 0 or widget.height <= 0:
            return
        box = _window_box(widget)
        shown = _meet(box, clip) if clip is not None else box
        if shown is None:
            return
        yield widget, shown
        inner = shown if isinstance(widget, StencilView) else clip
        children = widget.children  # Kivy draws children[0] last: on top
        top = next((i for i, child in enumerate(children) if _covers(child, widget)), None)
        for child in children if top is None else children[: top + 1]:
            yield from visit(child, inner)

    yield from visit(root, None)


def _leaf(widget: Any) -> bool:
    from kivy.uix.button import Button
    from kivy.uix.image import Image
    from kivy.uix.label import Label

    if isinstance(widget, Image):
        return widget.texture is not None
    return isinstance(widget, Button) or (isinstance(widget, Label) and bool(widget.text))


def _name(widget: Any) -> str:
    text = getattr(widget, "text", "")
    return f"{type(widget).__name__} {text[:20]!r}" if text else type(widget).__name__


def _within(widget: Any, ancestor: Any) -> bool:
    parent = widget.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = None if parent.parent is parent else parent.parent  # the window is its own parent
    return False


def overlapping(root: Any) -> list[str]:
    """The pairs of labels, buttons and images on view under `root` whose shown parts overlap by more
    than a pixel, neither inside the other: one hides some of the other."""
    leaves = [(w, box) for w, box in on_view(root) if _leaf(w)]
    found = []
    for i, (a, box_a) in enumerate(leaves):
        for b, box_b in leaves[i + 1 :]:
            both = _meet(box_a, box_b)
            if both is not None and not _within(a, b) and not _within(b, a):
                size = f"{both[2] - both[0]:.0f}x{both[3] - both[1]:.0f}"
                found.append(f"{_name(a)} and {_name(b)} overlap by {size} at ({both[0]:.0f}, {both[1]:.0f})")
    return found


def missing_glyphs(root: Any) -> list[str]:
    """The labels and buttons under `root` (on view or scrolled away) given characters that no face
    of the kiosk's chain draws: they would show the missing-glyph box."""
    from kivy.uix.label import Label

    from kiosk.fonts import chain

    fonts = chain()
    found = []
    for widget in root.walk(restrict=True):
        if isinstance(widget, Label) and widget.text:
            missing = fonts.missing(widget.text)
            if missing:
                found.append(f"{widget.text[:20]!r}: {''.join(missing)}")
    return found


def small_targets(root: Any) -> list[str]:
    """The enabled buttons on view under `root` smaller than `TOUCH_MIN_PX` either way."""
    from kivy.uix.behaviors import ButtonBehavior

    return [
        f"{_name(w)} {w.width:.0f}x{w.height:.0f}"
        for w, _box in on_view(root)
        if isinstance(w, ButtonBehavior) and not w.disabled and min(w.width, w.height) < TOUCH_MIN_PX
    ]


def disclosure(item: Item) -> list[str]:
    """What a guide must show of `item` word for word (kiosk.viewmodel.guide_sections)."""
    fields = [item.limits, item.fee, item.basis, item.department, item.phone, *item.steps]
    for row in item.documents:
        fields += [row.name, row.note]
    return [field for field in fields if field]


def missing_disclosure(app: Any, item: Item) -> list[str]:
    """The disclosure fields of `item` that the guide screen does not show whole (scrolled away counts)."""
    shown = "\n".join(texts_under(app.screen("guide")))
    return [f"{field[:30]!r} ({len(field)} characters)" for field in disclosure(item) if field not in shown]


def screen_faults(app: Any, item: Item | None = None) -> list[str]:
    """Everything wrong on the screen on view now, each fault named; with `item`, also the guide of it."""
    root = app.root
    faults = [f"text does not fit its widget: {cut}" for cut in clipped_labels(root)]
    faults += [f"overlap: {pair}" for pair in overlapping(root)]
    faults += [f"no face draws: {text}" for text in missing_glyphs(root)]
    faults += [f"touch target under {TOUCH_MIN_PX} px: {button}" for button in small_targets(root)]
    if item is not None:
        faults += [f"not on the guide: {field}" for field in missing_disclosure(app, item)]
    return faults


def ragged_rows(grid: Any) -> list[list[float]]:
    """The rows of `grid` whose widgets differ in height or top (their heights), empty if all line up."""
    widgets = list(reversed(grid.children))  # Kivy keeps children last-first
    cols = grid.cols or 1
    rows = [widgets[start : start + cols] for start in range(0, len(widgets), cols)]
    return [[w.height for w in row] for row in rows if len({(w.height, w.top) for w in row}) > 1]
