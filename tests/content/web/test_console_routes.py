"""The console's route table, without a broker: every route behind its checks (session, CSRF on a POST,
role, JSON body), and each window action sent as the service's own command under the service's names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from content.accounts.users import UserStore
from content.service.store import Store
from content.web.console import add_console
from content.web.console.actions import ACTIONS, ActionRefused, command_for

PASSWORDS = {"li.na": "window-pass-1", "boss": "manager-pass-1", "jiancha": "supervisor-pass-1"}
OPEN = {"/console/login", "/console/logout", "/console/static/<name>"}
"""The routes a request without a session may use."""


class FakeLink:
    """The console's link as the pages use it: the documents it holds, and the commands asked of it."""

    closed = False

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any], str]] = []

    def state(self) -> tuple[int, dict[str, Any]]:
        return 1, {"online": True, "centre": {"name": "渭城区政务服务中心"}, "queue": {"day": "2024-05-01"}}

    def wait_newer(self, version: int, timeout: float) -> int:
        return version

    def watch_devices(self, listener: Any) -> None:
        pass

    def ask(self, verb: str, args: dict[str, Any], person: str, timeout: float = 10.0) -> dict[str, Any]:
        self.asked.append((verb, dict(args), person))
        return {"ok": True, "result": {"ticket": None}}


@pytest.fixture
def console(tmp_path: Path) -> tuple[Flask, FakeLink]:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("li.na", "staff", PASSWORDS["li.na"], window="shebao", staff_id="s02")
    users.add("boss", "manager", PASSWORDS["boss"])
    users.add("jiancha", "supervisor", PASSWORDS["jiancha"])
    link = FakeLink()
    Store(tmp_path / "state.sqlite3").close()  # the service's file, whose audit log the console reads
    app = Flask(__name__)
    add_console(app, users, link, state=tmp_path / "state.sqlite3")  # type: ignore[arg-type]
    return app, link


def logged_in(app: Flask, name: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = re.search(r'name="token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
    assert token is not None
    page = client.post("/console/login", data={"token": token[1], "name": name, "password": PASSWORDS[name]})
    assert page.status_code == 303
    csrf = re.search(r'<meta name="csrf" content="([^"]+)">', client.get("/console").get_data(as_text=True))
    assert csrf is not None
    return client, csrf[1]


def test_every_route_but_the_login_refuses_a_request_without_a_session(console: tuple[Flask, FakeLink]) -> None:
    app, link = console
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/console")]
    assert {r.rule for r in rules} >= {"/console", "/console/act", "/console/announce", "/console/audit"}
    for rule in rules:
        if rule.rule in OPEN:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(rule.rule, method=method, json={})
            if response.status_code == 303:
                assert response.headers["Location"].endswith("/console/login"), rule.rule
            else:
                assert response.status_code == 401, (method, rule.rule, response.status_code)
    assert link.asked == []


def test_a_post_needs_its_token_its_role_and_a_json_object(console: tuple[Flask, FakeLink]) -> None:
    app, link = console
    staff, csrf = logged_in(app, "li.na")
    assert staff.post("/console/act", json={"action": "next", "window": "shebao"}).status_code == 403  # no token
    forged = staff.post("/console/act", json={"action": "next"}, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    not_json = staff.post("/console/act", data="[1]", headers={"X-CSRF-Token": csrf})
    assert not_json.status_code == 400 and not_json.get_json()["error"] == "请求格式不正确"
    supervisor, token = logged_in(app, "jiancha")
    refused = supervisor.post("/console/announce", json={"text": "x"}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and refused.get_json()["error"] == "没有权限：只读账号不能发布公告"
    assert supervisor.get("/console/audit").status_code == 200
    assert staff.get("/console/audit").status_code == 403
    assert staff.get("/console/devices.json").status_code == 403
    assert link.asked == []


def test_each_action_is_the_service_command_of_that_name(console: tuple[Flask, FakeLink]) -> None:
    app, link = console
    manager, csrf = logged_in(app, "boss")

    def act(**body: Any) -> int:
        return manager.post("/console/act", json=body, headers={"X-CSRF-Token": csrf}).status_code

    assert act(action="next", window="shebao") == 200
    assert act(action="ticket", window="shebao", ticket="a012") == 200
    assert act(action="transfer", window="shebao", to_window="minzheng") == 200
    assert act(action="pause", window="shebao", reason="下村办件") == 200
    assert act(action="staff", window="shebao", status="away", staff="s01") == 200
    assert link.asked == [
        ("call", {"window": "shebao", "action": "next"}, "boss"),
        ("call", {"window": "shebao", "action": "ticket", "ticket": "A012"}, "boss"),
        ("call", {"window": "shebao", "action": "transfer", "to_window": "minzheng"}, "boss"),
        ("window", {"window": "shebao", "state": "pause", "reason": "下村办件"}, "boss"),
        ("staff", {"staff": "s01", "status": "away"}, "boss"),
    ]
    assert act(action="call_next", window="shebao") == 400  # the console has no words of its own
    assert act(action="transfer", window="shebao", category="shebao", to_window="minzheng") == 400


def test_the_table_names_each_action_by_the_service() -> None:
    calls = {name for name, command in ACTIONS.items() if command.verb == "call"}
    assert calls == {"next", "recall", "no_show", "ticket", "transfer", "done"}
    assert {name for name, command in ACTIONS.items() if command.verb == "window"} == {"pause", "open"}
    with pytest.raises(ActionRefused):
        command_for("drop_table", "shebao", {}, None)  # type: ignore[arg-type]
