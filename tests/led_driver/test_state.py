"""Display state from contract documents: real ones from the service, and hostile ones."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from content.centre.loader import Content
from content.service import documents
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.commands.queue import call, take_ticket
from content.service.live import Live
from content.shared import contract
from led_driver.state import DisplayState, apply

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def _doc(body: dict[str, Any]) -> bytes:
    return contract.encode(contract.state_document(body, NOW))


def sample_state(content: Content) -> DisplayState:
    """The display state a controller builds from the sample centre with a call and announcements."""
    live = Live()
    for category in ("shebao", "shebao", "minzheng"):
        live = take_ticket(Context(live, content, {"category": category}, "kiosk-1", NOW)).live
    out = call(Context(live, content, {"window": "shebao"}, "staff", NOW))
    live = out.live
    live = announce(Context(live, content, {"text": "今天逢场，各窗口全员在岗，请按号有序办理"}, "staff", NOW)).live
    docs = documents.all_documents(content, live, NOW)
    state = DisplayState()
    for topic in ("centre", "queue", "staff", "catalog", "announcements"):
        state = apply(state, topic, _doc(docs[topic]))
    event = contract.call_event(documents.call_json(out.calls[0]), NOW)
    return apply(state, "call", contract.encode(event))


def test_documents_from_the_service(content: Content) -> None:
    state = sample_state(content)
    assert state.centre == "魏城镇便民服务中心"
    assert state.timezone == "Asia/Shanghai"
    assert state.hours and state.hours[0].open == "09:00"
    shebao = next(w for w in state.windows if w.id == "shebao")
    assert (shebao.number, shebao.serving, shebao.open) == (2, "A001", True)
    assert state.last_call is not None and state.last_call.text == "请A001号到2号窗口办理"
    assert state.recent[0].ticket == "A001"
    assert any(row.name == "社会保障" and row.waiting == 1 for row in state.waiting)
    assert state.ticker() == "今天逢场，各窗口全员在岗，请按号有序办理"
    assert len(state.guides) == 30 and state.guides[0].documents
    assert any(member.status == "在岗" for member in state.staff)
    assert set(state.revs) == {"centre", "queue", "staff", "catalog", "announcements"}


def test_emergency_and_targets() -> None:
    body = {
        "announcements": [
            {"id": "a1", "text": "常规", "priority": "normal", "targets": ["kiosk"]},
            {"id": "a2", "text": "停电，暂停办理", "priority": "emergency", "targets": ["led"]},
        ]
    }
    state = apply(DisplayState(), "announcements", _doc(body))
    assert state.ticker("led") == ""
    assert state.emergency("led") is not None and state.emergency("kiosk") is None


def test_an_old_call_delivered_again_changes_nothing(content: Content) -> None:
    state = sample_state(content)
    assert state.last_call is not None
    again = {
        **json.loads(contract.encode(contract.call_event({"seq": state.last_call.seq - 1, "ticket": "A000"}, NOW))),
        "recall": False,
    }
    assert apply(state, "call", json.dumps(again).encode()) is state


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("queue", b"\xff\xfe"),
        ("queue", b"{not json"),
        ("queue", b"[1, 2, 3]"),
        ("queue", b'{"schema": 2}'),
        ("call", b'{"schema": 1, "ticket": "A001"}'),
        ("call", b'{"schema": 1, "seq": "1", "ticket": "A001"}'),
        ("centre", b'{"schema": 1, "name": "x", "timezone": "Asia"}'),  # a directory of zones, no zone
        ("centre", b'{"schema": 1, "name": "x", "timezone": "../../etc/passwd"}'),
        ("queue", b"[" * 100_000),
        # A document without what it is for: refused whole, so the last good one stays on screen.
        ("queue", b'{"schema": 1, "windows": "nope", "categories": []}'),
        ("queue", b'{"schema": 1, "windows": []}'),
        ("centre", b'{"schema": 1, "windows": []}'),
        ("staff", b'{"schema": 1, "staff": {"s01": {}}}'),
        ("catalog", b'{"schema": 1}'),
        ("announcements", b'{"schema": 1, "announcements": null}'),
        ("catalog", b'{"schema": 1, "items": [], "x": "' + b"x" * (8 * 1024 * 1024) + b'"}'),  # past 8 MiB: unread
    ],
)
def test_malformed_payloads_raise_and_change_nothing(topic: str, payload: bytes) -> None:
    with pytest.raises(contract.PayloadError):
        apply(DisplayState(), topic, payload)


@pytest.mark.parametrize(
    "body",
    [
        {"windows": [], "categories": [], "last_calls": None},
        {"windows": [1, "x", None, {"id": 5, "name": ["a"], "serving": {"x": 1}, "number": "3", "open": "no"}]},
        {"windows": [{"id": "w", "name": "𠮷" * 100000, "serving": "A001😀"}]},
        {"categories": [{"name": "x" * 1_000_000, "waiting": 1e300, "estimated_wait_min": True}]},
        {"last_calls": [{"seq": 2**80, "ticket": "A1"}, {"seq": 3, "ticket": ""}]},
        {"windows": [{} for _ in range(100000)]},
    ],
)
def test_hostile_fields_are_skipped_or_cut(body: dict[str, Any]) -> None:
    state = apply(DisplayState(), "queue", _doc({"windows": [], "categories": [], **body}))
    assert len(state.windows) <= 200
    for window in state.windows:
        assert isinstance(window.name, str) and len(window.name) <= 40
        assert window.number is None or isinstance(window.number, int)
    for row in state.waiting:
        assert len(row.name) <= 20 and isinstance(row.waiting, int)
    assert all(call.ticket for call in state.recent)


def test_an_unknown_topic_is_ignored() -> None:
    state = DisplayState()
    assert apply(state, "media/abc", _doc({})) is state
