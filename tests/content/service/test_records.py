"""Old audit rows and finished announcements leave the state file for the archive, and nothing is lost."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from content.centre.schema import RecordSettings
from content.service import records
from content.service.live import Announcement, Live
from content.service.store import Store

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _announcement(n: int, at: datetime) -> Announcement:
    return Announcement(
        id=f"a{n}", text=f"公告{n}", priority="normal", starts=at, expires=at + timedelta(hours=1),
        targets=(), by="staff", created=at,
    )  # fmt: skip


def test_what_is_over_moves_to_the_archive_a_month_a_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    store = Store(state)
    empty = Live({}, {}, 0)
    for days in (400, 200, 31, 3):
        at = NOW - timedelta(days=days)
        live = Live({}, {f"a{days}": _announcement(days, at)}, 0)
        store.commit(f"c{days}", "announce", "staff", {"text": "x"}, {"ok": True}, empty, live, at)
    moved = records.move_over(store.db, state, RecordSettings(audit_days=180, announcement_days=30), NOW)
    assert moved == {"audit": 2, "announcements": 3}
    kept = [row[0] for row in store.db.execute("SELECT id FROM commands ORDER BY ts")]
    assert kept == ["c31", "c3"]
    assert [row[0] for row in store.db.execute("SELECT id FROM announcements")] == ["a3"]
    archive = records.archive_dir(state)
    files = sorted(p.name for p in archive.iterdir())
    assert files == [
        "announcements-2025-11.jsonl.gz",
        "announcements-2026-05.jsonl.gz",
        "announcements-2026-11.jsonl.gz",
        "audit-2025-11.jsonl.gz",
        "audit-2026-05.jsonl.gz",
    ]
    assert [r["id"] for r in records.read_archive(archive / "audit-2025-11.jsonl.gz")] == ["c400"]
    assert all(os.stat(archive / name).st_mode & 0o777 == 0o600 for name in files)
    # A second run finds nothing more; a later one appends to the month's file, which reads as one.
    assert records.move_over(store.db, state, RecordSettings(audit_days=180, announcement_days=30), NOW) == {
        "audit": 0,
        "announcements": 0,
    }
    later = NOW + timedelta(days=200)
    records.move_over(store.db, state, RecordSettings(audit_days=180, announcement_days=30), later)
    assert [r["id"] for r in records.read_archive(archive / "audit-2026-11.jsonl.gz")] == ["c31"]
    assert [r["id"] for r in records.read_archive(archive / "audit-2026-12.jsonl.gz")] == ["c3"]
    store.close()


def test_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.sqlite3"
    store = Store(state)
    empty = Live({}, {}, 0)
    for n in range(7):
        store.commit(f"c{n}", "staff", "staff", {}, {"ok": True}, empty, empty, NOW - timedelta(days=400))
    monkeypatch.setattr(records, "BATCH", 3)
    settings = RecordSettings()
    assert [records.move_over(store.db, state, settings, NOW)["audit"] for _ in range(4)] == [3, 3, 1, 0]
    assert len(records.read_archive(records.archive_dir(state) / "audit-2025-11.jsonl.gz")) == 7
    store.close()
