from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from content.centre.loader import Content
from content.service.commands.announcements import MAX_ANNOUNCEMENTS, announce
from content.service.commands.base import Context, Refusal
from content.service.commands.staff import set_staff_status
from content.service.documents import announcements
from content.service.live import Live, next_change, prune

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_announce_adds_with_a_new_id_and_expiry(content: Content) -> None:
    out = announce(Context(Live(), content, {"text": "  今天逢场  ", "duration_s": 1800}, "staff", NOW))
    assert out.result["id"] == "a1"
    assert out.result["text"] == "今天逢场"
    assert out.result["expires"] == (NOW + timedelta(minutes=30)).isoformat()
    second = announce(Context(out.live, content, {"text": "午休时间综合窗口值班", "priority": "high"}, "staff", NOW))
    assert second.result["id"] == "a2"
    assert set(second.live.announcements) == {"a1", "a2"}


def test_targets_collapse_to_all(content: Content) -> None:
    out = announce(Context(Live(), content, {"text": "x", "targets": ["led", "all"]}, "staff", NOW))
    assert out.result["targets"] == ["all"]
    out = announce(Context(Live(), content, {"text": "x", "targets": ["led", "kiosk", "led"]}, "staff", NOW))
    assert out.result["targets"] == ["led", "kiosk"]


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        ({}, "bad_args", "缺少文字"),
        ({"text": ""}, "bad_args", "文字不能为空"),
        ({"text": "   "}, "bad_args", "文字不能为空"),
        ({"text": 42}, "bad_args", "文字应为文本，收到 42"),
        ({"text": "x" * 501}, "bad_args", "文字有 501 个字符，多于上限 500"),
        (
            {"text": "x", "priority": "urgent"},
            "bad_args",
            "优先级应为 “normal”、“high”、“emergency” 之一，收到 “urgent”",
        ),
        ({"text": "x", "duration_s": -5}, "bad_args", "显示时长（秒）应大于 0，收到 -5"),
        ({"text": "x", "duration_s": "30m"}, "bad_args", "显示时长（秒）应为整数，收到 “30m”"),
        ({"text": "x", "targets": []}, "bad_args", "显示位置至少要有 1 项"),
        ({"text": "x", "targets": ["wall"]}, "bad_args", "显示位置应为 “all”、“led”、“kiosk” 之一，收到 “wall”"),
        ({"text": "x", "colour": "red"}, "bad_args", "不认识的参数“colour”"),
        ({"clear": 7}, "bad_args", "要撤下的公告应为文本，收到 7"),
        ({"clear": "a9"}, "no_announcement", "当前没有编号为“a9”的公告（当前的公告：—）"),
    ],
)
def test_bad_announce_is_refused_with_a_clear_error(content: Content, args: dict, code: str, said: str) -> None:
    with pytest.raises(Refusal) as error:
        announce(Context(Live(), content, args, "staff", NOW))
    assert error.value.code == code and said in str(error.value)


def test_clear_removes_only_that_one(content: Content) -> None:
    live = announce(Context(Live(), content, {"text": "一"}, "s", NOW)).live
    live = announce(Context(live, content, {"text": "二"}, "s", NOW)).live
    out = announce(Context(live, content, {"clear": "a1"}, "s", NOW))
    assert out.result == {"cleared": "a1"}
    assert set(out.live.announcements) == {"a2"}
    assert out.live.announcement_seq == 2  # ids are never reused


def test_expiry_prunes_and_schedules(content: Content) -> None:
    live = announce(Context(Live(), content, {"text": "短", "duration_s": 60}, "s", NOW)).live
    live = announce(Context(live, content, {"text": "长"}, "s", NOW)).live
    assert next_change(live, NOW) == NOW + timedelta(seconds=60)
    later = NOW + timedelta(seconds=61)
    assert [a["id"] for a in announcements(live, later)["announcements"]] == ["a2"]
    assert set(prune(live, later).announcements) == {"a2"}
    assert next_change(prune(live, later), later) is None


def test_announcements_are_ordered_by_priority(content: Content) -> None:
    live = Live()
    for text, priority in (("a", "normal"), ("b", "emergency"), ("c", "high")):
        live = announce(Context(live, content, {"text": text, "priority": priority}, "s", NOW)).live
    assert [a["priority"] for a in announcements(live, NOW)["announcements"]] == ["emergency", "high", "normal"]


def test_staff_status(content: Content) -> None:
    out = set_staff_status(
        Context(Live(), content, {"staff": "s03", "status": "away", "substitute": "s04"}, "staff", NOW)
    )
    assert out.result["status"] == "away"
    assert out.result["substitute"] == "s04"
    assert out.live.staff["s03"].since == NOW


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        ({"staff": "s99", "status": "away"}, "no_staff", "没有工作人员“s99”"),
        (
            {"staff": "s03", "status": "lunch"},
            "bad_args",
            "状态应为 “on_duty”、“away”、“off”、“leave” 之一，收到 “lunch”",
        ),
        ({"staff": "s03"}, "bad_args", "缺少状态"),
        ({"staff": "s03", "status": "on_duty", "substitute": "s04"}, "substitute_when_away", "才指定代岗人"),
        ({"staff": "s03", "status": "away", "substitute": "s99"}, "no_substitute", "没有工作人员“s99”可以代岗"),
        ({"staff": "s03", "status": "away", "substitute": "s03"}, "self_substitute", "不能为自己代岗"),
        ({"staff": ["s03"], "status": "away"}, "bad_args", "工作人员应为文本，收到 ['s03']"),
    ],
)
def test_bad_staff_status(content: Content, args: dict, code: str, said: str) -> None:
    with pytest.raises(Refusal) as error:
        set_staff_status(Context(Live(), content, args, "staff", NOW))
    assert error.value.code == code and said in str(error.value)


def test_past_the_most_a_hall_shows_an_announcement_is_refused_until_one_is_cleared(content: Content) -> None:
    live = Live()
    for k in range(MAX_ANNOUNCEMENTS):
        live = announce(Context(live, content, {"text": f"通知{k}"}, "staff", NOW)).live
    with pytest.raises(Refusal, match=r"已有 20 条公告.*请先撤下一条.*a1, a2") as refused:
        announce(Context(live, content, {"text": "再来一条"}, "staff", NOW))
    assert refused.value.code == "too_many_announcements"
    live = announce(Context(live, content, {"clear": "a1"}, "staff", NOW)).live
    assert announce(Context(live, content, {"text": "再来一条"}, "staff", NOW)).result["id"] == "a21"


def test_a_refusal_stays_short_however_many_values_are_wrong(content: Content) -> None:
    with pytest.raises(Refusal) as refused:
        announce(Context(Live(), content, {"text": "x", "targets": ["everyone" * 100] * 15_500}, "staff", NOW))
    message = str(refused.value)
    assert message.endswith("；另有 15497 处") and len(message) < 1000
