"""Announcements that wait for a manager (centre.yaml `announcements: {approval: true}`), through a real
Mosquitto: the console's account marks a window's announcement `review: "pending"`; it is kept but not
published until `announce_review` approves it; a rejection needs a reason; an edit sends it back to
review; an emergency needs an end; only the console's account may do any of it, for people of the console's
users file; and with approval on, every account's announcement waits, whichever client sent it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from content.accounts.users import User
from content.broker.local import Mosquitto
from content.service.store import SCHEMA_VERSION, Store
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S, Subscriber
from tests.content.service.expect import refused

CONSOLE = "staff-2"
USERS = {"li.na": User("li.na", "staff", window="shebao", staff_id="s05"), "boss": User("boss", "manager")}
"""The console's people: a window's staff, whose announcements wait, and the manager, who approves."""


def _approval_on(content_dir: Path) -> Path:
    centre = content_dir / "centre.yaml"
    centre.write_text(centre.read_text(encoding="utf-8") + "\nannouncements:\n  approval: true\n", encoding="utf-8")
    return content_dir


def _send(broker: Mosquitto, verb: str, args: dict[str, Any], *, user: str = CONSOLE, person: str | None = None) -> Any:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=WAIT_S, person=person)


def _ids(doc: dict[str, Any]) -> list[str]:
    return [a["id"] for a in doc["announcements"]]


def test_a_windows_announcement_waits_for_a_manager(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    running = start_service(_approval_on(sample_dir), console_accounts=frozenset({CONSOLE}), users=USERS)
    wall = subscribe(["announcements"])
    assert wall.latest("announcements")["announcements"] == []

    # A window's announcement from the console: kept, not published.
    made = _send(
        broker, "announce", {"text": "<b>下午停电</b>", "duration_s": 3600, "review": "pending"}, person="li.na"
    )
    assert made["review"] == "pending" and made["id"] == "a1"
    listed = _send(broker, "announce_list", {}, person="boss")
    assert listed["approval"] is True
    assert [(a["id"], a["review"], a["person"], a["by"]) for a in listed["announcements"]] == [
        ("a1", "pending", "li.na", CONSOLE)
    ]
    # A manager's goes up at once (the console sends no `review` for one).
    _send(broker, "announce", {"text": "今天逢场"}, person="boss")
    wall.doc_where("announcements", lambda d: _ids(d) == ["a2"], "only the manager's published")

    # A rejection needs a reason; an approval publishes it.
    with refused("reject_needs_reason"):
        _send(broker, "announce_review", {"id": "a1", "decision": "reject"}, person="boss")
    seen = wall.mark()
    approved = _send(broker, "announce_review", {"id": "a1", "decision": "approve"}, person="boss")
    assert (approved["review"], approved["reviewed_by"]) == ("approved", "boss")
    doc = wall.doc_where("announcements", lambda d: set(_ids(d)) == {"a1", "a2"}, "a1 approved", after=seen)
    assert next(a for a in doc["announcements"] if a["id"] == "a1")["text"] == "<b>下午停电</b>"  # text, as given
    with refused("not_pending"):
        _send(broker, "announce_review", {"id": "a1", "decision": "approve"}, person="boss")

    # An edit of an approved one sends it back to review, and off the screens.
    seen = wall.mark()
    edited = _send(broker, "announce_edit", {"id": "a1", "text": "下午三点停电"}, person="li.na")
    assert edited["review"] == "pending" and edited["text"] == "下午三点停电"
    wall.doc_where("announcements", lambda d: _ids(d) == ["a2"], "a1 back to review", after=seen)
    rejected = _send(broker, "announce_review", {"id": "a1", "decision": "reject", "reason": "时间不对"}, person="boss")
    assert (rejected["review"], rejected["reason"]) == ("rejected", "时间不对")
    listed = _send(broker, "announce_list", {}, person="li.na")["announcements"]
    assert [(a["id"], a["review"], a["reason"]) for a in listed] == [
        ("a1", "rejected", "时间不对"),
        ("a2", "approved", None),
    ]

    # An emergency must end; one that does, with its start ahead, is kept until then.
    with refused("emergency_needs_end"):
        _send(broker, "announce", {"text": "紧急疏散", "priority": "emergency"}, person="boss")
    later = (datetime.now().astimezone() + timedelta(hours=2)).replace(microsecond=0)
    ahead = _send(
        broker, "announce", {"text": "明日停水", "start": later.isoformat(), "duration_s": 600}, person="boss"
    )
    assert datetime.fromisoformat(ahead["starts"]) == later
    assert datetime.fromisoformat(ahead["expires"]) == later + timedelta(seconds=600)

    # The review survives a restart, and the audit log has every command with its person.
    assert running.stop() == 0
    state = running.store.path
    with closing(sqlite3.connect(state)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        row = db.execute("SELECT review, reason, reviewed_by, person FROM announcements WHERE id = 'a1'").fetchone()
        verbs = db.execute("SELECT verb, by, person FROM commands ORDER BY rowid").fetchall()
    assert row == ("rejected", "时间不对", "boss", "li.na")
    assert ("announce_review", CONSOLE, "boss") in verbs and ("announce_edit", CONSOLE, "li.na") in verbs
    assert not any(verb == "announce_list" for verb, _, _ in verbs)  # a question: answered, not recorded
    store = Store(state)
    try:
        kept = store.load(datetime.now().astimezone()).announcements
        assert (kept["a1"].review, kept["a1"].reason) == ("rejected", "时间不对")
    finally:
        store.close()


def test_only_the_consoles_account_reviews_edits_or_lists(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    start_service(_approval_on(sample_dir), console_accounts=frozenset({CONSOLE}), users=USERS)
    with refused("console_only") as said:
        _send(broker, "announce", {"text": "我自己批准", "review": "pending"}, user="staff")
    assert "只有工作台账号可以使用 'review'" in str(said.value)
    _send(broker, "announce", {"text": "窗口通知", "review": "pending"}, person="li.na")
    for verb, args in (
        ("announce_review", {"id": "a2", "decision": "approve"}),
        ("announce_edit", {"id": "a2", "text": "改了"}),
        ("announce_list", {}),
    ):
        with refused("console_only"):
            _send(broker, verb, args, user="staff")
    # `hall announce` (the office's account, not the console) waits too: no account approves, only a manager
    # through the console, under their own name …
    assert _send(broker, "announce", {"text": "广播"}, user="staff")["review"] == "pending"
    # … and with approval on, an emergency from it must end too.
    with refused("emergency_needs_end"):
        _send(broker, "announce", {"text": "紧急", "priority": "emergency"}, user="staff")


def test_without_approval_the_console_announces_at_once(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir, console_accounts=frozenset({CONSOLE}), users=USERS)
    wall = subscribe(["announcements"])
    made = _send(broker, "announce", {"text": "今天逢场", "review": "pending"}, person="li.na")
    assert made["review"] == "approved"
    wall.doc_where("announcements", lambda d: _ids(d) == [made["id"]], "published at once")
    edited = _send(broker, "announce_edit", {"id": made["id"], "priority": "high"}, person="li.na")
    assert (edited["review"], edited["priority"]) == ("approved", "high")
    with refused("emergency_needs_end"):
        _send(broker, "announce_edit", {"id": made["id"], "priority": "emergency"}, person="li.na")
    with refused("nothing_to_change"):
        _send(broker, "announce_edit", {"id": made["id"]}, person="li.na")


def test_a_state_file_of_schema_4_gets_the_review_columns(tmp_path: Path) -> None:
    """Announcements stored before review existed were published: they load as approved."""
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            """
            CREATE TABLE announcements (id TEXT PRIMARY KEY, text TEXT NOT NULL, priority TEXT NOT NULL,
                starts TEXT NOT NULL, expires TEXT, targets TEXT NOT NULL, by TEXT NOT NULL, created TEXT NOT NULL,
                cleared TEXT, cleared_by TEXT);
            INSERT INTO announcements VALUES ('a1', '旧通知', 'normal', '2026-11-27T09:00:00+08:00', NULL, '["all"]',
                'staff', '2026-11-27T09:00:00+08:00', NULL, NULL);
            PRAGMA user_version = 4;
            """
        )
    store = Store(path)
    try:
        (old,) = store.load(datetime.fromisoformat("2026-11-27T10:00:00+08:00")).announcements.values()
        assert (old.text, old.review, old.reason, old.person) == ("旧通知", "approved", None, None)
    finally:
        store.close()
    with closing(sqlite3.connect(path)) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(announcements)")}
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"review", "reason", "reviewed_by", "person"} <= columns
