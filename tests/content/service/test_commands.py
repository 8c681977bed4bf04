from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from content.centre.loader import Content
from content.service.commands import MAX_ANNOUNCEMENTS, CommandError, announce, set_staff_status
from content.service.documents import announcements
from content.service.live import Live, next_change, prune

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_announce_adds_with_a_new_id_and_expiry(content: Content) -> None:
    out = announce(Live(), content, {"text": "  今天逢场  ", "duration_s": 1800}, "staff", NOW)
    assert out.result["id"] == "a1"
    assert out.result["text"] == "今天逢场"
    assert out.result["expires"] == (NOW + timedelta(minutes=30)).isoformat()
    second = announce(out.live, content, {"text": "午休时间综合窗口值班", "priority": "high"}, "staff", NOW)
    assert second.result["id"] == "a2"
    assert set(second.live.announcements) == {"a1", "a2"}


def test_targets_collapse_to_all(content: Content) -> None:
    out = announce(Live(), content, {"text": "x", "targets": ["led", "all"]}, "staff", NOW)
    assert out.result["targets"] == ["all"]
    out = announce(Live(), content, {"text": "x", "targets": ["led", "kiosk", "led"]}, "staff", NOW)
    assert out.result["targets"] == ["led", "kiosk"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "missing field 'text'"),
        ({"text": ""}, "'text'"),
        ({"text": "   "}, "'text'"),
        ({"text": 42}, "'text' should be text, got 42"),
        ({"text": "x" * 501}, "'text'"),
        ({"text": "x", "priority": "urgent"}, "'priority'"),
        ({"text": "x", "duration_s": -5}, "'duration_s'"),
        ({"text": "x", "duration_s": "30m"}, "'duration_s' should be a whole number"),
        ({"text": "x", "targets": []}, "'targets'"),
        ({"text": "x", "targets": ["wall"]}, "'targets'"),
        ({"text": "x", "colour": "red"}, "unknown key 'colour'"),
        ({"clear": 7}, "'clear' should be text"),
        ({"clear": "a9"}, "no current announcement 'a9' (current: none)"),
    ],
)
def test_bad_announce_is_refused_with_a_clear_error(content: Content, args: dict, message: str) -> None:
    with pytest.raises(CommandError) as error:
        announce(Live(), content, args, "staff", NOW)
    assert message in str(error.value)


def test_clear_removes_only_that_one(content: Content) -> None:
    live = announce(Live(), content, {"text": "一"}, "s", NOW).live
    live = announce(live, content, {"text": "二"}, "s", NOW).live
    out = announce(live, content, {"clear": "a1"}, "s", NOW)
    assert out.result == {"cleared": "a1"}
    assert set(out.live.announcements) == {"a2"}
    assert out.live.announcement_seq == 2  # ids are never reused


def test_expiry_prunes_and_schedules(content: Content) -> None:
    live = announce(Live(), content, {"text": "短", "duration_s": 60}, "s", NOW).live
    live = announce(live, content, {"text": "长"}, "s", NOW).live
    assert next_change(live, NOW) == NOW + timedelta(seconds=60)
    later = NOW + timedelta(seconds=61)
    assert [a["id"] for a in announcements(live, later)["announcements"]] == ["a2"]
    assert set(prune(live, later).announcements) == {"a2"}
    assert next_change(prune(live, later), later) is None


def test_announcements_are_ordered_by_priority(content: Content) -> None:
    live = Live()
    for text, priority in (("a", "normal"), ("b", "emergency"), ("c", "high")):
        live = announce(live, content, {"text": text, "priority": priority}, "s", NOW).live
    assert [a["priority"] for a in announcements(live, NOW)["announcements"]] == ["emergency", "high", "normal"]


def test_staff_status(content: Content) -> None:
    out = set_staff_status(Live(), content, {"staff": "s03", "status": "away", "substitute": "s04"}, "staff", NOW)
    assert out.result["status"] == "away"
    assert out.result["substitute"] == "s04"
    assert out.live.staff["s03"].since == NOW


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"staff": "s99", "status": "away"}, "no staff member 's99'"),
        ({"staff": "s03", "status": "lunch"}, "'status'"),
        ({"staff": "s03"}, "missing field 'status'"),
        ({"staff": "s03", "status": "on_duty", "substitute": "s04"}, "a substitute is named only when"),
        ({"staff": "s03", "status": "away", "substitute": "s99"}, "no staff member 's99' to substitute"),
        ({"staff": "s03", "status": "away", "substitute": "s03"}, "cannot substitute for themselves"),
        ({"staff": ["s03"], "status": "away"}, "'staff' should be text"),
    ],
)
def test_bad_staff_status(content: Content, args: dict, message: str) -> None:
    with pytest.raises(CommandError) as error:
        set_staff_status(Live(), content, args, "staff", NOW)
    assert message in str(error.value)


def test_past_the_most_a_hall_shows_an_announcement_is_refused_until_one_is_cleared(content: Content) -> None:
    live = Live()
    for k in range(MAX_ANNOUNCEMENTS):
        live = announce(live, content, {"text": f"通知{k}"}, "staff", NOW).live
    with pytest.raises(CommandError, match=r"20 announcements are current already.*clear one first.*a1, a2"):
        announce(live, content, {"text": "再来一条"}, "staff", NOW)
    live = announce(live, content, {"clear": "a1"}, "staff", NOW).live
    assert announce(live, content, {"text": "再来一条"}, "staff", NOW).result["id"] == "a21"


def test_a_refusal_stays_short_however_many_values_are_wrong(content: Content) -> None:
    with pytest.raises(CommandError) as refused:
        announce(Live(), content, {"text": "x", "targets": ["everyone" * 100] * 15_500}, "staff", NOW)
    message = str(refused.value)
    assert message.endswith("; and 15497 more") and len(message) < 1000
