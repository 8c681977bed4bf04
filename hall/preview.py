"""Previews of an announcement on the hall's displays, drawn by the LED driver's own renderers.

The staff console shows what an announcement will look like while it is typed (`content.web.console`'s
`Preview`): content may not import a device, so `hall` hands it `render_previews`. Each shipped profile is
drawn as an empty hall shows it (the centre's name, one window with nobody waiting, no calls) with the
announcement in it, at a fixed moment inside opening hours, and PNG-encoded; the small displays are
scaled up ×4 pixel for pixel so that their dots can be read on a PC screen.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

from content.shared import limits as cap
from content.shared.wire.announcements import Announcement
from content.shared.wire.queue import WindowState
from led_driver.profile import Profile, find_profile, load_profile, rgb
from led_driver.render import render_frame
from led_driver.state import DisplayState

PROFILES: Final = ("wall-1920x1080", "wall-768x384", "window-192x64", "strip-128x32")
"""The hall wall, the guide screen over the comprehensive window, a window's screen, the text strip."""
SMALL_PX: Final = 400
"""A display narrower than this is scaled up."""
SCALE: Final = 4
NOW: Final = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""A Tuesday morning: inside any hall's opening hours, at full brightness."""
WINDOW: Final = WindowState(id="preview", number=1, name="综合窗口", open=True, reason="", serving="", staff="")
PRIORITIES: Final = ("normal", "high", "emergency")
TARGETS: Final = ("all", "led", "kiosk")
CENTRE: Final = "便民服务中心"


@functools.cache
def _profile(name: str) -> Profile:
    profile, problems = load_profile(find_profile(name))
    if profile is None:
        raise ValueError(f"the shipped profile {name} does not load: {'; '.join(str(p) for p in problems)}")
    profile = profile.model_copy(update={"always_open": True})
    return profile.for_window(WINDOW.id) if profile.needs_window else profile


def _text(value: Any, most: int) -> str:
    return " ".join(value.split())[:most] if isinstance(value, str) else ""


def preview_state(announcement: dict[str, Any]) -> DisplayState:
    """An empty hall with `announcement` (text, priority, targets; optionally the centre's name) up, read
    as defensively as a display reads the `announcements` document."""
    words = _text(announcement.get("text"), cap.ANNOUNCEMENT)
    priority = announcement.get("priority")
    given = announcement.get("targets")
    targets = tuple(t for t in given if t in TARGETS) if isinstance(given, list | tuple) else ()
    shown = (
        (Announcement("preview", words, priority if priority in PRIORITIES else "normal", targets or ("all",)),)
        if words
        else ()
    )
    return DisplayState(
        centre=_text(announcement.get("centre"), cap.CENTRE_NAME) or CENTRE, windows=(WINDOW,), announcements=shown
    )


def render_preview(name: str, announcement: dict[str, Any]) -> Image.Image:
    """One display's frame with `announcement` up, at its real size."""
    return render_frame(_profile(name), preview_state(announcement), NOW)


def render_previews(announcement: dict[str, Any]) -> dict[str, bytes]:
    """A PNG of every display in `PROFILES` with `announcement` up, by profile name."""
    out = {}
    for name in PROFILES:
        frame = render_preview(name, announcement)
        if frame.mode == "1":  # a single-colour panel: its lit dots in its colour
            profile = _profile(name)
            frame = ImageOps.colorize(
                frame.convert("L"), rgb(profile.colour("background")), rgb(profile.colour("text"))
            )
        if frame.width < SMALL_PX:
            frame = frame.convert("RGB").resize((frame.width * SCALE, frame.height * SCALE), Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        frame.save(buffer, "PNG", compress_level=1)
        out[name] = buffer.getvalue()
    return out
