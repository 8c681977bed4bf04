"""Previews of an announcement on the hall's displays, drawn by the LED driver's own renderers.

The staff console shows what an announcement will look like while it is typed (`content.web.console`'s
`Preview`): content may not import a device, so `hall` hands it `render_previews`. Each shipped profile is
drawn as the hall's own displays show it now: the centre's documents as the console holds them (its name,
windows, people waiting, the last calls, staff), the person's window on the window screen, at the moment
the console gives in the centre's time zone, with the announcement in it; PNG-encoded, and the small
displays scaled up ×4 pixel for pixel so that their dots can be read on a PC screen. The profiles are
drawn as open and at full brightness whatever the hour, so that the announcement is seen as a citizen
sees it by day even when the console looks at night.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
from dataclasses import replace
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

from content.shared import graphemes
from content.shared import limits as cap
from content.shared.contract import PayloadError
from content.shared.wire.announcements import Announcement
from led_driver.profile import Profile, find_profile, load_profile, rgb
from led_driver.render import render_frame
from led_driver.state import DisplayState, apply

PROFILES: Final = ("wall-1920x1080", "wall-768x384", "window-192x64", "strip-128x32")
"""The hall wall, the guide screen over the comprehensive window, a window's screen, the text strip."""
SMALL_PX: Final = 400
"""A display narrower than this is scaled up."""
SCALE: Final = 4
PRIORITIES: Final = ("normal", "high", "emergency")
TARGETS: Final = ("all", "led", "kiosk")
DOCUMENTS: Final = ("centre", "queue", "staff")
"""The hall's documents a preview reads, in the order a display applies them (staff names its windows)."""
NO_WINDOW: Final = "preview"
"""The window screen's window when the hall has none published yet: it draws no window of its own."""


@functools.lru_cache(maxsize=64)
def _profile(name: str, window: str) -> Profile:
    profile, problems = load_profile(find_profile(name))
    if profile is None:
        said = "; ".join(str(p) for p in problems)
        raise ValueError(f"the shipped profile {name} does not load: {said}")  # catalog: internal
    profile = profile.model_copy(update={"always_open": True, "brightness": []})  # as seen by day, on a PC
    return profile.for_window(window) if profile.needs_window else profile


def _text(value: Any, most: int) -> str:
    return graphemes.cut(" ".join(value.split()), most, mark="") if isinstance(value, str) else ""


def preview_state(announcement: dict[str, Any]) -> DisplayState:
    """The hall as its `documents` say (centre, queue, staff; each read as defensively as a display reads
    it) with `announcement` (text, priority, targets; optionally the centre's name) up in place of the
    current ones."""
    state = DisplayState()
    documents = announcement.get("documents")
    for topic in DOCUMENTS:
        doc = documents.get(topic) if isinstance(documents, dict) else None
        if isinstance(doc, dict):
            with contextlib.suppress(PayloadError):  # a display keeps what it had: here, nothing of it
                state = apply(state, topic, json.dumps(doc, ensure_ascii=False).encode())
    words = _text(announcement.get("text"), cap.ANNOUNCEMENT)
    priority = announcement.get("priority")
    given = announcement.get("targets")
    targets = tuple(t for t in given if t in TARGETS) if isinstance(given, list | tuple) else ()
    shown = (
        (Announcement("preview", words, priority if priority in PRIORITIES else "normal", targets or ("all",)),)
        if words
        else ()
    )
    centre = state.centre or _text(announcement.get("centre"), cap.CENTRE_NAME)
    return replace(state, centre=centre, announcements=shown)


def preview_now(announcement: dict[str, Any], state: DisplayState) -> datetime:
    """The moment the console asked for (ISO, with its offset), else now in the centre's time zone."""
    given = announcement.get("now")
    if isinstance(given, str) and len(given) <= 40:
        try:
            moment = datetime.fromisoformat(given)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    try:
        zone = ZoneInfo(state.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("Asia/Shanghai")
    return datetime.now(zone)


def _window(announcement: dict[str, Any], state: DisplayState) -> str:
    """The window the window screen shows: the one asked for when the hall has it, else its first."""
    ids = [w.id for w in state.windows]
    wanted = announcement.get("window")
    if isinstance(wanted, str) and wanted in ids:
        return wanted
    return ids[0] if ids else NO_WINDOW


def render_preview(name: str, announcement: dict[str, Any]) -> Image.Image:
    """One display's frame with `announcement` up, at its real size."""
    state = preview_state(announcement)
    return render_frame(_profile(name, _window(announcement, state)), state, preview_now(announcement, state))


def render_previews(announcement: dict[str, Any]) -> dict[str, bytes]:
    """A PNG of every display in `PROFILES` with `announcement` up, by profile name."""
    out = {}
    state = preview_state(announcement)
    now, window = preview_now(announcement, state), _window(announcement, state)
    for name in PROFILES:
        profile = _profile(name, window)
        frame = render_frame(profile, state, now)
        if frame.mode == "1":  # a single-colour panel: its lit dots in its colour
            frame = ImageOps.colorize(
                frame.convert("L"), rgb(profile.colour("background")), rgb(profile.colour("text"))
            )
        if frame.width < SMALL_PX:
            frame = frame.convert("RGB").resize((frame.width * SCALE, frame.height * SCALE), Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        frame.save(buffer, "PNG", compress_level=1)
        out[name] = buffer.getvalue()
    return out
