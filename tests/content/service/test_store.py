from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.commands.staff import set_staff_status
from content.service.live import Live
from content.service.store import SCHEMA_VERSION, Store, StoreInUse
from tests.modes import open_umask, watch_secrets

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_commit_then_load_round_trips(tmp_path: Path) -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    store = Store(tmp_path / "s.sqlite3")
    live = Live()
    out = announce(Context(live, content, {"text": "今天逢场", "duration_s": 600}, "staff", NOW))
    store.commit("c1", "announce", "staff", {"text": "今天逢场"}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = set_staff_status(
        Context(live, content, {"staff": "s03", "status": "away", "substitute": "s04"}, "staff", NOW)
    )
    store.commit("c2", "staff", "staff", {}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = announce(Context(live, content, {"text": "二"}, "staff", NOW))
    store.commit("c3", "announce", "staff", {}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = announce(Context(live, content, {"clear": "a2"}, "staff", NOW))
    store.commit("c4", "announce", "staff", {}, {"ok": True}, live, out.live, NOW)
    store.close()

    reopened = Store(tmp_path / "s.sqlite3")
    loaded = reopened.load(NOW)
    assert set(loaded.announcements) == {"a1"}
    assert loaded.announcements["a1"] == out.live.announcements["a1"]
    assert loaded.staff["s03"].substitute == "s04"
    assert loaded.announcement_seq == 2
    assert reopened.reply_for("staff", "c2") == {"ok": True}
    assert reopened.reply_for("staff", "nope") is None
    assert reopened.reply_for("kiosk-1", "c2") is None  # an id is its sender's own
    assert [row["id"] for row in reopened.audit()] == ["c4", "c3", "c2", "c1"]
    # Expired announcements are not loaded as live.
    assert reopened.load(NOW + timedelta(hours=1)).announcements == {}


def test_the_queue_round_trips_and_a_number_is_never_stored_twice(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    from content.queue.rules import service_day
    from content.service.commands.queue import call, take_ticket

    content = load_content(SAMPLE).content
    assert content is not None
    settings = content.centre.queue
    store = Store(tmp_path / "q.sqlite3")
    live = store.load(NOW, service_day(NOW, settings))
    for i, category in enumerate(["shebao", "shebao", "minzheng"]):
        out = take_ticket(Context(live, content, {"category": category}, "kiosk-1", NOW))
        store.commit(f"t{i}", "ticket", "kiosk-1", {}, {"ok": True}, live, out.live, NOW)
        live = out.live
    out = call(Context(live, content, {"window": "shebao"}, "staff", NOW))
    store.commit("c1", "call", "staff", {}, {"ok": True}, live, out.live, NOW, out.calls)
    live = out.live
    store.close()

    store = Store(tmp_path / "q.sqlite3")
    loaded = store.load(NOW, service_day(NOW, settings)).queue
    assert loaded.tickets == live.queue.tickets
    assert loaded.counters == {"A": 2, "C": 1}
    assert loaded.windows["shebao"].serving == "A001"
    assert loaded.seq == 1 and [c.ticket for c in loaded.recent] == ["A001"]
    # The next day: no tickets, no one at the windows, the call sequence carries on.
    tomorrow = NOW + timedelta(days=1)
    next_day = store.load(tomorrow, service_day(tomorrow, settings)).queue
    assert next_day.tickets == {} and next_day.windows["shebao"].serving is None and next_day.seq == 1
    # Issuing a number that is already stored fails the whole command instead of overwriting it.
    stale = Live()  # as if the service had forgotten today's tickets
    out = take_ticket(Context(stale, content, {"category": "shebao"}, "kiosk-1", NOW))
    with pytest.raises(sqlite3.IntegrityError):
        store.commit("t9", "ticket", "kiosk-1", {}, {"ok": True}, stale, out.live, NOW)
    assert store.reply_for("kiosk-1", "t9") is None
    assert len(store.tickets(service_day(NOW, settings))) == 3


def test_one_id_from_two_senders_is_two_commands(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    live = Live()
    store.commit("same", "ticket", "kiosk-1", {}, {"ok": True, "n": 1}, live, live, NOW)
    store.commit("same", "ticket", "kiosk-2", {}, {"ok": True, "n": 2}, live, live, NOW)
    assert store.reply_for("kiosk-1", "same") == {"ok": True, "n": 1}
    assert store.reply_for("kiosk-2", "same") == {"ok": True, "n": 2}


def test_a_state_file_of_the_first_schema_is_brought_up_to_date(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE commands (id TEXT PRIMARY KEY, verb TEXT NOT NULL, by TEXT NOT NULL,"
        " args TEXT NOT NULL, reply TEXT NOT NULL, ts TEXT NOT NULL)"
    )
    db.execute("INSERT INTO commands VALUES ('c1', 'announce', 'staff', '{}', '{\"ok\": true}', ?)", (NOW.isoformat(),))
    db.commit()
    db.close()
    store = Store(path)
    assert store.reply_for("staff", "c1") == {"ok": True}
    store.commit("c1", "ticket", "kiosk-1", {}, {"ok": True}, Live(), Live(), NOW)  # no longer a clash
    assert [row["by"] for row in store.audit()] == ["kiosk-1", "staff"]
    assert [row["person"] for row in store.audit()] == [None, None]  # the console's column, added
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_state_file_of_the_second_schema_keeps_its_tickets(tmp_path: Path) -> None:
    import sqlite3

    from content.queue.rules import service_day

    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE tickets (day TEXT NOT NULL, number TEXT NOT NULL, category TEXT NOT NULL, priority TEXT,"
        " issued TEXT NOT NULL, status TEXT NOT NULL, window TEXT, staff TEXT, called TEXT, finished TEXT,"
        " calls INTEGER NOT NULL, origin TEXT, PRIMARY KEY (day, number))"
    )
    db.execute(
        "INSERT INTO tickets VALUES ('2026-11-27', 'A001', 'shebao', NULL, ?, 'waiting', NULL, NULL,"
        " NULL, NULL, 0, NULL)",
        (NOW.isoformat(),),
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    content = load_content(SAMPLE).content
    assert content is not None
    store = Store(path)
    (ticket,) = store.tickets(service_day(NOW, content.centre.queue))
    assert ticket.number == "A001" and ticket.issued_by is None
    live = store.load(NOW, service_day(NOW, content.centre.queue))
    from content.service.commands.queue import take_ticket

    out = take_ticket(Context(live, content, {"category": "shebao"}, "kiosk-1", NOW))
    store.commit("t2", "ticket", "kiosk-1", {}, {"ok": True}, live, out.live, NOW)
    assert [t.issued_by for t in store.tickets(service_day(NOW, content.centre.queue))] == [None, "kiosk-1"]


def test_the_last_number_of_each_prefix_on_past_days(tmp_path: Path) -> None:
    from content.queue.rules import service_day
    from content.service.commands.queue import take_ticket

    content = load_content(SAMPLE).content
    assert content is not None
    store = Store(tmp_path / "s.sqlite3")
    for day, categories in ((NOW, ["shebao", "shebao", "minzheng"]), (NOW + timedelta(days=1), ["shebao"])):
        live = store.load(day, service_day(day, content.centre.queue))
        for k, category in enumerate(categories):
            out = take_ticket(Context(live, content, {"category": category}, "kiosk-1", day + timedelta(seconds=k)))
            store.commit(f"{day.date()}-{k}", "ticket", "kiosk-1", {}, {"ok": True}, live, out.live, day)
            live = out.live
    first, second = NOW.date(), NOW.date() + timedelta(days=1)
    assert store.issued(first, second + timedelta(days=1)) == {first: {"A": 2, "C": 1}, second: {"A": 1}}
    assert store.issued(first, second) == {first: {"A": 2, "C": 1}}  # the day of `before` is not past yet


def test_the_state_file_is_its_owners_only_from_its_first_byte(tmp_path: Path) -> None:
    """It holds applicants' names and phones: private whatever the umask, and so are SQLite's files beside
    it (which take its mode); a state file an older version left readable by others is tightened."""
    names = ("state.db", "state.db-wal", "state.db-shm", "state.db-journal")
    with open_umask(), watch_secrets(tmp_path, *names) as watch:
        store = Store(tmp_path / "state.db")
        beside = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("state.db-*")}
        store.close()
    assert watch.leaks == []
    assert beside == {"state.db-wal": 0o600, "state.db-shm": 0o600}
    (tmp_path / "state.db").chmod(0o644)
    Store(tmp_path / "state.db").close()
    assert stat.S_IMODE((tmp_path / "state.db").stat().st_mode) == 0o600


def test_a_state_file_in_use_names_the_other_service_in_the_halls_words(tmp_path: Path) -> None:
    first = Store(tmp_path / "state.sqlite3")
    try:
        with pytest.raises(StoreInUse) as second:
            Store(tmp_path / "state.sqlite3")
    finally:
        first.close()
    said = str(second.value)
    assert said == f"{tmp_path / 'state.sqlite3'} 正由另一个运行中的服务使用（进程号 {os.getpid()}）：请先停止那个服务"
