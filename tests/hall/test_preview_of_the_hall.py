"""`hall.preview` draws the centre's own displays as they are now: its name, its windows (the person's own on
the window screen), its queue and staff, at the moment the console gives, never a made-up hall."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from content.centre.loader import Content
from content.service import documents
from content.service.live import Live
from content.shared.contract import SCHEMA
from hall.preview import preview_now, preview_state, render_preview, render_previews

ZONE = ZoneInfo("Asia/Shanghai")


def _hall(content: Content) -> dict[str, object]:
    live = Live()
    docs = documents.all_documents(content, live, datetime.now(ZONE))
    return {topic: {"schema": SCHEMA, **docs[topic]} for topic in ("centre", "queue", "staff")}  # as published


def test_the_preview_is_the_centres_own_hall(content: Content) -> None:
    hall = _hall(content)
    state = preview_state({"text": "今天逢场", "documents": hall, "centre": "ignored when the centre says its name"})
    assert state.centre == content.centre.short_name
    assert [w.id for w in state.windows] == [w.id for w in content.centre.windows]
    assert "preview" not in {w.id for w in state.windows}  # no made-up window
    assert [a.text for a in state.announcements] == ["今天逢场"]
    # The window screen is the person's own window: another window draws another screen.
    own = render_preview("window-192x64", {"text": "", "documents": hall, "window": "shebao"})
    other = render_preview("window-192x64", {"text": "", "documents": hall, "window": "minzheng"})
    assert own.tobytes() != other.tobytes()


def test_the_preview_is_drawn_at_the_moment_given_else_now() -> None:
    state = preview_state({"text": "x"})
    given = datetime(2027, 3, 9, 15, 41, tzinfo=ZONE)
    assert preview_now({"now": given.isoformat()}, state) == given
    drawn = preview_now({}, state)
    assert abs(drawn - datetime.now(ZONE)) < timedelta(minutes=5)  # today, not a fixed day of 2026
    # The wall's clock shows the moment: two moments, two walls.
    at = {name: render_preview("wall-1920x1080", {"text": "x", "now": name}) for name in (
        given.isoformat(), (given + timedelta(hours=2, minutes=7)).isoformat())}  # fmt: skip
    first, second = at.values()
    assert first.tobytes() != second.tobytes()


def test_hostile_documents_draw_an_empty_hall(content: Content) -> None:
    junk = {"centre": {"name": 5}, "queue": ["not", "a", "document"], "staff": "x"}
    out = render_previews({"text": "x", "documents": junk, "window": {"evil": 1}, "now": "yesterday"})
    assert all(Image.open(io.BytesIO(png)).format == "PNG" for png in out.values())
