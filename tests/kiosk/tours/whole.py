"""The tour that measures whether what a screen lists is shown whole: home's category tiles and duty
cards, the search results, the 取号 step's categories, a guide with 1,000-character steps. On the stress
centre (content.centre.stress), without a broker; prints `WHOLE <json>` and keeps a PNG of each screen."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.checks import clipped_labels, missing_disclosure, overlapping, texts_under
from kiosk.model import KioskModel
from kiosk.tour import Tour, save_screenshot
from tests.kiosk.tours.live import emit

QUERY = "shebao"


def stress_model() -> KioskModel:
    """The stress centre as the kiosk reads it."""
    from content.centre.loader import load_content
    from content.centre.stress import write_stress_centre
    from tests.kiosk.test_model import full_model

    out = Path(tempfile.mkdtemp(prefix="stress-centre-")) / "stress"
    write_stress_centre(out)
    content = load_content(out).content
    assert content is not None
    return full_model(content)


def _box(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(*widget.pos)
    return (x, y, x + widget.width, y + widget.height)


def _scroll_of(widget: Any) -> Any:
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and not isinstance(parent, ScrollView):
        parent = parent.parent
    return parent


def listing(content: Any) -> dict[str, Any]:
    """How the children of `content` (a grid in a ScrollView) show: wholly on view, wholly scrolled
    away, or in part (sliced by the view's edge); those taller than the view (never seen whole); how many
    the first row holds."""
    scroll = _scroll_of(content)
    view = _box(scroll)
    children = list(reversed(content.children))
    whole, hidden, part, taller = 0, 0, [], []
    for child in children:
        box = _box(child)
        name = (getattr(child, "text", "") or type(child).__name__)[:12]
        if child.height > scroll.height + 1:
            taller.append(name)
        inside = box[0] >= view[0] - 1 and box[2] <= view[2] + 1 and box[1] >= view[1] - 1 and box[3] <= view[3] + 1
        apart = box[1] >= view[3] - 1 or box[3] <= view[1] + 1
        if inside:
            whole += 1
        elif apart:
            hidden += 1
        else:
            part.append(name)
    first_row = sum(1 for child in children if children and abs(child.top - children[0].top) < 1)
    return {
        "count": len(children),
        "whole": whole,
        "hidden": hidden,
        "part": part,
        "taller": taller,
        "first_row": first_row,
        "view": scroll.height,
    }


def duty_text_on_top(grid: Any) -> list[str]:
    """The duty cards whose text does not start at their top (the window's name below empty space)."""
    low = []
    for card in grid.children:
        label = card.children[-1]  # the window's name, the first line of the card
        if card.top - label.top > 20:
            low.append(f"{label.text[:12]} {card.top - label.top:.0f} px below the top")
    return low


class WholeTour(Tour):
    """Home, search (`shebao`), the 取号 category step and the guide of the item with the longest steps, in
    the app's text size (`--large`): `WHOLE <json>` with `listing` of each list, overlaps, cut text and
    the disclosure missing on the guide; a PNG of each into `out`, named `<screen>-<tag>.png`."""

    def __init__(self, app: Any, out: Path, tag: str, large: bool) -> None:
        super().__init__(app)
        self.out, self.tag, self.large = out, tag, large

    def shot(self, name: str) -> None:
        save_screenshot(self.out / f"{name}-{self.tag}.png")

    def faults(self) -> dict[str, Any]:
        """What is wrong on the screen on view, and every text on it (the tests look for English)."""
        root = self.app.root
        return {"overlap": overlapping(root), "cut": clipped_labels(root), "texts": texts_under(root)}

    def steps(self) -> Iterator[float]:
        app = self.app
        self.out.mkdir(parents=True, exist_ok=True)
        app.set_large(self.large)
        report: dict[str, Any] = {}
        app.go("home")
        yield from self.settled()
        home = app.screen("home")
        self.shot("home")
        report["home"] = {
            "tiles": listing(home.ids.tiles),
            "duty": listing(home.ids.duty),
            "duty_low": duty_text_on_top(home.ids.duty),
            **self.faults(),
        }

        app.go("search")
        search = app.screen("search")
        search.clear()
        for key in QUERY:
            search.type_key(key)
        yield from self.settled()
        self.shot("search")
        found = [item.id for item in app.model.search(QUERY, 20)]
        report["search"] = {"results": listing(search.ids.results), "found": len(found), **self.faults()}

        app.start_ticket()
        yield from self.settled()
        self.shot("ticket-category")
        ticket = app.screen("ticket")
        buttons = [w for w in ticket.walk(restrict=True) if getattr(w, "text", "").endswith("无需等候")]
        grid = buttons[0].parent if buttons else ticket.ids.body
        report["ticket"] = {"tiles": listing(grid), **self.faults()}

        model: KioskModel = app.model
        item = max(model.items.values(), key=lambda i: max((len(s) for s in i.steps), default=0))
        app.open_guide(item.id)
        yield from self.settled()
        self.shot("guide")
        guide = app.screen("guide")
        longest = max(len(s) for s in item.steps)
        scroll = _scroll_of(guide.ids.body)
        step = next(w for w in guide.walk(restrict=True) if len(getattr(w, "text", "")) >= longest)
        scroll.scroll_to(step, padding=0, animate=False)
        yield from self.settled()
        self.shot("guide-step")
        report["guide"] = {
            "longest": longest,
            "missing": missing_disclosure(app, item),
            "shown": sum(1 for text in texts_under(guide) if len(text) >= longest),
            **self.faults(),
        }
        emit("WHOLE", json.dumps(report, ensure_ascii=False))
