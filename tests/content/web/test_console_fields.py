"""The window page's script reads the documents by the field names the contract's builders write and its
readers read (`content.shared.wire`): a field renamed on one side and not the other fails here, not on a
window clerk's screen."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from content.accounts.users import User
from content.shared.wire import queue as queue_doc
from content.shared.wire import staff as staff_doc
from content.web.console import reading

SCRIPT = Path(__file__).resolve().parents[3] / "content" / "web" / "static" / "console.js"
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=timezone(timedelta(hours=8)))

WINDOW = queue_doc.WindowState("shebao", 2, "社保窗口", True, "", "A001", "陈静", "s01", ("shebao",))
LINE = queue_doc.QueueLine("shebao", "社保", "A", 3, 1, 24)
CALL = queue_doc.Call(7, "A001", "shebao", "社保窗口", 2, "请A001号到2号窗口办理", False, "shebao", NOW)
MEMBER = staff_doc.StaffMember("s01", "陈静", "社保专员", "shebao", "0816-1", None, "on_duty", "", None)


def _body() -> dict[str, object]:
    body = queue_doc.body(queue_doc.Queue("2026-12-07", False, (LINE,), (WINDOW,), (CALL,)))
    return {**body, "staff": staff_doc.body([MEMBER])["staff"]}


def _read_by(variable: str, script: str) -> set[str]:
    """The fields the script reads of objects it names `variable` (`w.serving`, `w.staff.name`)."""
    return set(re.findall(rf"\b{variable}\.([a-z_]+)\b", script))


def test_the_window_page_reads_only_fields_the_contract_writes() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    body = _body()
    window = body["windows"][0]  # type: ignore[index]
    line = body["categories"][0]  # type: ignore[index]
    call = body["last_calls"][0]  # type: ignore[index]
    member = body["staff"][0]  # type: ignore[index]
    windows = {"w": set(window), "mine": set(window)}
    for variable, written in windows.items():
        assert _read_by(variable, script) <= written, f"{variable}: {_read_by(variable, script) - written}"
    assert {"staff", "serving", "open", "reason", "number", "name", "id"} <= _read_by("w", script) | _read_by(
        "mine", script
    )
    # `c` names a category in one list and a call in the other
    assert _read_by("c", script) <= set(line) | set(call), _read_by("c", script) - (set(line) | set(call))
    assert {"waiting", "priority_waiting", "estimated_wait_min", "ticket", "window_name"} <= _read_by("c", script)
    assert _read_by("s", script) <= set(member), _read_by("s", script) - set(member)
    assert set(re.findall(r"\bw\.staff\.([a-z_]+)", script)) <= set(window["staff"])
    assert set(re.findall(r"\bstate\.([a-z_]+)", script)) <= set(reading.view({}, _user()))


def test_the_page_gets_what_the_readers_read_and_no_more() -> None:
    """A hostile queue document reaches the page as the contract reads it: bounded, typed, unknown keys gone."""
    hostile = {
        "day": "2026-12-07",
        "windows": [{"id": "shebao", "name": "社保" * 100, "serving": "<script>", "evil": 1, "staff": "x"}, 5],
        "categories": [{"id": "shebao", "name": "社保", "waiting": "many"}],
        "last_calls": [{"seq": "x", "ticket": "A001"}],
    }
    view = reading.view({"queue": hostile, "online": True}, _user())
    (window,) = view["windows"]
    assert "evil" not in window and window["staff"] is None and len(window["name"]) <= 40
    assert view["categories"][0]["waiting"] == 0 and view["last_calls"] == []
    assert reading.view({"queue": ["not", "a", "document"]}, _user())["windows"] == []


def _user() -> User:
    return User(name="chen", role="staff", window="shebao", staff_id="s01")
