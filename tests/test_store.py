from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from content.commands import announce, set_staff_status
from content.live import Live
from content.loader import load_content
from content.store import Store
from content.synth import SAMPLE

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_commit_then_load_round_trips(tmp_path: Path) -> None:
    content = load_content(SAMPLE).content
    assert content is not None
    store = Store(tmp_path / "s.sqlite3")
    live = Live()
    out = announce(live, content, {"text": "今天逢场", "duration_s": 600}, "staff", NOW)
    store.commit("c1", "announce", "staff", {"text": "今天逢场"}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = set_staff_status(live, content, {"staff": "s03", "status": "away", "substitute": "s04"}, "staff", NOW)
    store.commit("c2", "staff", "staff", {}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = announce(live, content, {"text": "二"}, "staff", NOW)
    store.commit("c3", "announce", "staff", {}, {"ok": True}, live, out.live, NOW)
    live = out.live
    out = announce(live, content, {"clear": "a2"}, "staff", NOW)
    store.commit("c4", "announce", "staff", {}, {"ok": True}, live, out.live, NOW)
    store.close()

    reopened = Store(tmp_path / "s.sqlite3")
    loaded = reopened.load(NOW)
    assert set(loaded.announcements) == {"a1"}
    assert loaded.announcements["a1"] == out.live.announcements["a1"]
    assert loaded.staff["s03"].substitute == "s04"
    assert loaded.announcement_seq == 2
    assert reopened.reply_for("c2") == {"ok": True}
    assert reopened.reply_for("nope") is None
    assert [row["id"] for row in reopened.audit()] == ["c4", "c3", "c2", "c1"]
    # Expired announcements are not loaded as live.
    assert reopened.load(NOW + timedelta(hours=1)).announcements == {}
