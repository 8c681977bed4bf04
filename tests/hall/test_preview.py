"""`hall.preview`: an announcement drawn on every shipped display by the LED driver's own renderers, fast
enough to follow typing."""

from __future__ import annotations

import io
import time

from PIL import Image

from content.shared import limits as cap
from hall.preview import PROFILES, preview_state, render_previews

SIZES = {
    "wall-1920x1080": (1920, 1080),
    "wall-768x384": (768, 384),
    "window-192x64": (768, 256),
    "strip-128x32": (512, 128),
}


def _images(out: dict[str, bytes]) -> dict[str, Image.Image]:
    return {name: Image.open(io.BytesIO(png)) for name, png in out.items()}


def test_every_display_is_drawn_and_what_is_typed_changes_it() -> None:
    empty = render_previews({"text": ""})
    typed = render_previews({"text": "今天逢场，各窗口全员在岗"})
    urgent = render_previews({"text": "今天逢场，各窗口全员在岗", "priority": "emergency"})
    kiosk_only = render_previews({"text": "今天逢场，各窗口全员在岗", "targets": ["kiosk"]})
    assert list(empty) == list(PROFILES)
    for name, image in _images(typed).items():
        assert image.format == "PNG" and image.size == SIZES[name]
        assert typed[name] != empty[name] and urgent[name] != typed[name]
        assert kiosk_only[name] == empty[name]  # not on an LED display at all
    # An emergency covers the whole display in its colour: the window screen's background is dark red.
    assert _images(urgent)["window-192x64"].convert("RGB").getpixel((4, 250)) == (0x60, 0, 0)
    # The single-colour strip is drawn in its own colour (red), not as black and white.
    colours = {c for _, c in _images(typed)["strip-128x32"].convert("RGB").getcolors(1 << 16) or []}
    assert colours <= {(0, 0, 0), (255, 0, 0)} and (255, 0, 0) in colours


def test_whatever_it_is_sent_it_draws_bounded_text() -> None:
    state = preview_state({"text": "<script>alert(1)</script>" * 1000, "priority": "DROP", "targets": "all"})
    (shown,) = state.announcements
    assert len(shown.text) == cap.ANNOUNCEMENT and shown.priority == "normal" and shown.targets == ("all",)
    for junk in ({}, {"text": 42}, {"text": None, "priority": []}, {"text": "x", "targets": [1, "wall"]}):
        assert set(render_previews(junk)) == set(PROFILES)
    assert preview_state({"text": "x", "centre": "测试中心"}).centre == "测试中心"


def test_fast_enough_for_typing() -> None:
    render_previews({"text": "预热"})  # profiles and fonts loaded once
    texts = ["今", "今天逢场", "今天逢场，各窗口全员在岗，请按号有序办理" * 5, "紧急疏散" * 125]
    took = []
    for text in texts:
        for priority in ("normal", "emergency"):
            started = time.perf_counter()
            render_previews({"text": text, "priority": priority})
            took.append((time.perf_counter() - started) * 1000)
    took.sort()
    print(f"\npreview of the 4 displays: median {took[len(took) // 2]:.0f} ms, slowest {took[-1]:.0f} ms")
    assert took[-1] < 400, took
