"""What the console counts and cuts of text is what a reader sees: characters (grapheme clusters), never code
points or UTF-16 units; and the preview it asks for is of the hall as it is now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from content.accounts.users import User
from content.shared import limits as cap
from content.shared.contract import SCHEMA
from content.shared.wire import queue as queue_doc
from content.web.console.actions import ActionRefused, command_for
from content.web.console.announce import Refused, announce_args, hall_now
from tests.words import english

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=ZONE)
FAMILY = "👨‍👩‍👧"  # one character a reader sees, five code points, eight UTF-16 units
THUMB = "👍🏽"  # one character, two code points
STAFF = User(name="chen", role="staff", window="zonghe", staff_id="s03")
MANAGER = User(name="boss", role="manager")


def test_an_announcement_is_counted_in_characters_a_reader_sees() -> None:
    full = THUMB * cap.ANNOUNCEMENT
    assert announce_args({"text": full}, MANAGER, ZONE, NOW)["text"] == full
    with pytest.raises(Refused) as refused:
        announce_args({"text": full + THUMB}, MANAGER, ZONE, NOW)
    said = str(refused.value)
    assert f"最多 {cap.ANNOUNCEMENT} 个字" in said and f"现在 {cap.ANNOUNCEMENT + 1} 个" in said, said


def test_a_pause_reason_is_counted_in_characters_a_reader_sees() -> None:
    verb, args = command_for("pause", "zonghe", {"reason": FAMILY * 60}, STAFF)
    assert (verb, args["reason"]) == ("window", FAMILY * 60)
    with pytest.raises(ActionRefused) as refused:
        command_for("pause", "zonghe", {"reason": FAMILY * 61}, STAFF)
    assert "60" in str(refused.value) and not english(str(refused.value))


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("ticket", {"ticket": ""}),
        ("transfer", {}),
        ("pause", {"reason": " "}),
        ("staff", {"status": "asleep"}),
        ("nonsense", {}),
    ],
)
def test_the_consoles_refusals_are_chinese(action: str, body: dict[str, str]) -> None:
    with pytest.raises(ActionRefused) as refused:
        command_for(action, "zonghe", body, STAFF)
    assert not english(str(refused.value).replace("nonsense", "")), refused.value


@pytest.mark.parametrize(
    "body",
    [
        {"text": " "},
        {"text": "x", "priority": "urgent"},
        {"text": "x", "targets": ["wall"]},
        {"text": "x", "start": "tomorrow"},
        {"text": "x", "end": "yesterday"},
        {"text": "x", "duration_s": "forever"},
        {"text": "x", "start": "2026-12-07T10:00", "end": "2026-12-07T09:00"},
        {"text": "x", "priority": "emergency"},
        {"text": "x", "priority": "emergency", "duration_s": 600},
    ],
)
def test_the_forms_refusals_are_chinese(body: dict[str, object]) -> None:
    with pytest.raises(Refused) as refused:
        announce_args(body, MANAGER, ZONE, NOW)
    assert not english(str(refused.value)), refused.value


def test_a_preview_is_asked_of_the_hall_as_it_is_now() -> None:
    windows = tuple(queue_doc.WindowState(w, n, w, True, "", "", "") for n, w in ((2, "shebao"), (1, "zonghe")))
    state = {
        "centre": {"schema": 1, "name": "魏城镇"},
        "queue": {"schema": SCHEMA, **queue_doc.body(queue_doc.Queue("2026-12-07", False, (), windows, ()))},
        "staff": {"schema": 1, "staff": []},
        "announcements": {"schema": 1, "announcements": []},
        "online": True,
    }
    asked = hall_now(state, STAFF)
    assert set(asked["documents"]) == {"centre", "queue", "staff"} and asked["window"] == "zonghe"
    assert abs((datetime.fromisoformat(asked["now"]) - datetime.now(ZONE)).total_seconds()) < 300
    assert hall_now(state, MANAGER)["window"] == "shebao"  # no window of one's own: the hall's first
    nothing = hall_now({}, MANAGER)
    assert (nothing["documents"], nothing["window"]) == ({}, None)
