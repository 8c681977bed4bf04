"""The staff console against a real `hall serve`, a real Mosquitto and a real headless Chromium (Playwright,
driving Debian's Chromium): log in, call next and see the page follow without reloading; and every refusal."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from content.accounts.users import UserStore
from content.broker.local import Mosquitto, free_port
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S, Subscriber, serve_argv

SHOTS = Path(os.environ.get("HALL_SHOTS", "/tmp/console"))
PASSWORDS = {"li.na": "window-pass-1", "boss": "manager-pass-1", "jiancha": "supervisor-pass-1"}


@dataclass
class Hall:
    url: str
    broker: Mosquitto
    state: Path


@pytest.fixture
def hall(sample_dir: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path) -> Iterator[Hall]:
    state = tmp_path / "s.sqlite3"
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("li.na", "staff", PASSWORDS["li.na"], window="shebao", staff_id="s02")
    users.add("boss", "manager", PASSWORDS["boss"])
    users.add("jiancha", "supervisor", PASSWORDS["jiancha"])
    with serving(sample_dir, broker, subscribe, tmp_path, state) as running:
        yield running


@contextmanager
def serving(
    content: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path, state: Path
) -> Iterator[Hall]:
    """`hall serve` of `content` with its console on a port of its own, the logins of
    `tmp_path/users.sqlite3`, once the service says it is ready."""
    port = free_port()
    argv = serve_argv(content, broker.url("service"), state, "--no-watch", "--console-http", f"127.0.0.1:{port}")
    argv += ["--console-broker", broker.url("staff-2"), "--users", str(tmp_path / "users.sqlite3")]
    ready = subscribe(["device/service/state"])
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready.wait_for(lambda m: m.json()["status"] == "ready", "the service ready")
        yield Hall(f"http://127.0.0.1:{port}", broker, state)
    finally:
        process.terminate()
        process.wait(WAIT_S)
        assert process.stderr is not None
        process.stderr.close()


class Browser:
    """A plain HTTP client with cookies, for the refusals (the real browser is below)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=WAIT_S) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, name: str, password: str) -> tuple[int, str]:
        _, form = self.request("/console/login")
        token = re.search(r'name="token" value="([^"]+)"', form)
        assert token is not None
        body = urllib.parse.urlencode({"token": token[1], "name": name, "password": password}).encode()
        status, page = self.request("/console/login", body)
        found = re.search(r'<meta name="csrf" content="([^"]+)">', page)
        self.csrf = found[1] if found else ""
        return status, page

    def wait_state(self, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The console's state once `done` says so: it follows the retained documents as they come."""
        deadline = time.monotonic() + WAIT_S
        while True:
            status, text = self.request("/console/state")
            assert status == 200, status
            state: dict[str, Any] = json.loads(text)["state"]
            if done(state):
                return state
            assert time.monotonic() < deadline, state
            time.sleep(0.05)  # polling as the page itself does when it cannot hold a stream

    def act(self, csrf: str | None = None, **body: Any) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf if csrf is None else csrf}
        status, text = self.request("/console/act", json.dumps(body).encode(), headers)
        return status, json.loads(text)


def test_every_refusal(hall: Hall) -> None:
    anonymous = Browser(hall.url)
    assert anonymous.act(action="next", window="shebao")[0] == 401
    assert anonymous.request("/console/state")[0] == 401
    status, page = anonymous.request("/console")
    assert status == 200 and "登录" in page  # redirected to the login form

    wrong = Browser(hall.url)
    assert wrong.login("li.na", "not-the-password")[0] == 401

    staff = Browser(hall.url)
    assert staff.login("li.na", PASSWORDS["li.na"])[0] == 200 and staff.csrf
    assert staff.act(csrf="forged", action="next", window="shebao")[0] == 403
    refused = staff.act(action="next", window="minzheng")
    assert refused[0] == 403 and "本窗口" in refused[1]["error"]
    assert staff.act(action="staff", window="shebao", status="away", staff="s01")[0] == 403  # not theirs
    assert staff.act(action="drop_table", window="shebao")[0] == 400
    assert staff.act(action="pause", window="shebao", reason="")[0] == 400  # a pause says why

    supervisor = Browser(hall.url)
    assert supervisor.login("jiancha", PASSWORDS["jiancha"])[0] == 200
    assert supervisor.act(action="next", window="shebao")[0] == 403
    assert supervisor.request("/console/state")[0] == 200

    # Script in a text field goes to the service as text, and comes back as text.
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    script = "<script>alert(1)</script>"
    status, reply = manager.act(action="pause", window="guotu", reason=script)
    assert status == 200 and reply["ok"], reply
    manager.wait_state(lambda s: any(w.get("reason") == script for w in s["windows"]))  # the queue doc came
    _, page = manager.request("/console")
    assert script not in page and "\\u003cscript\\u003e" in page  # escaped in the page's data

    # The audit log has the console's account and the person.
    send_command(parse_broker_url(hall.broker.url("staff")), CENTRE, "window", {"window": "guotu", "state": "open"})
    with closing(sqlite3.connect(f"file:{hall.state}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT verb, by, person FROM commands ORDER BY rowid").fetchall()
    assert rows[-2:] == [("window", "staff-2", "boss"), ("window", "staff", None)]
    flood = Browser(hall.url)
    statuses = [flood.login("boss", f"guess-{n}")[0] for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    assert Browser(hall.url).login("boss", PASSWORDS["boss"])[0] == 429  # the name is locked for a while


def test_call_next_in_a_real_browser_follows_without_reloading(
    hall: Hall, subscribe: Callable[..., Subscriber]
) -> None:
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    wall = subscribe(["call", "queue"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            page.goto(hall.url + "/console")
            assert page.url.endswith("/console/login")
            page.screenshot(path=str(SHOTS / "login.png"))
            page.fill("input[name=name]", "li.na")
            page.fill("input[name=password]", PASSWORDS["li.na"])
            page.click("button[type=submit]")
            page.wait_for_url(hall.url + "/console")
            page.wait_for_selector("#window option[value=shebao]", state="attached")
            # A citizen takes a number at a kiosk: the page shows them waiting, without a reload.
            loaded = page.evaluate("performance.timeOrigin")
            send_command(parse_broker_url(hall.broker.url("kiosk-1")), CENTRE, "ticket", {"category": "shebao"})
            page.wait_for_function(
                "() => [...document.querySelectorAll('#waiting tbody tr')]"
                ".some(r => r.cells[0].textContent === '社会保障' && r.cells[1].textContent === '1')"
            )
            page.click("button[data-action=next]")
            page.wait_for_function("() => document.getElementById('serving').textContent === 'A001'")
            assert page.evaluate("performance.timeOrigin") == loaded  # the same page: never reloaded
            event = wall.wait_for(lambda m: m.topic == "call", "the call event")
            assert event.json()["ticket"] == "A001" and event.json()["window"] == "shebao"
            wall.doc_where("queue", lambda d: any(w["serving"] == "A001" for w in d["windows"]), "A001 served")
            page.wait_for_function("() => document.getElementById('message').textContent.includes('A001')")
            page.screenshot(path=str(SHOTS / "window.png"))
            # A pause waits for the citizen at the window to be finished: the service's own rule, shown.
            page.fill("#reason", "下村办件")
            page.click("button[data-action=pause]")
            page.wait_for_function("() => document.getElementById('message').textContent.startsWith('未完成')")
            assert "请先办结、转办或标记过号" in (page.text_content("#message") or "")
            page.click("button[data-action=done]")
            page.wait_for_function("() => document.getElementById('serving').textContent === '—'")
            page.click("button[data-action=pause]")
            page.wait_for_function("() => !document.getElementById('message').textContent.startsWith('正在')")
            assert page.text_content("#message") == "2号窗口已暂停服务：下村办件", page.text_content("#message")
            page.wait_for_function("() => document.getElementById('window-state').textContent.includes('下村办件')")
            page.screenshot(path=str(SHOTS / "paused.png"))
            page.click("button[data-action=open]")
            page.wait_for_function("() => document.getElementById('window-state').textContent === '服务中'")
        finally:
            chromium.close()


def test_call_next_never_gives_one_ticket_twice(hall: Hall) -> None:
    """Two browsers on one window and a manager on another window hammer "call next" at once."""
    import threading

    for kiosk in ("kiosk-1", "kiosk-2"):  # each account may take 10 a minute
        for _ in range(10):
            send_command(parse_broker_url(hall.broker.url(kiosk)), CENTRE, "ticket", {"category": "shebao"})
    first, second, manager = Browser(hall.url), Browser(hall.url), Browser(hall.url)
    first.login("li.na", PASSWORDS["li.na"])
    second.login("li.na", PASSWORDS["li.na"])
    manager.login("boss", PASSWORDS["boss"])
    got: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def hammer(browser: Browser, window: str) -> None:
        start.wait()
        for _ in range(12):
            status, reply = browser.act(action="next", window=window)
            assert status == 200, reply
            ticket = reply["result"]["ticket"]
            if ticket is not None:
                with lock:
                    got.append(ticket)

    threads = [
        threading.Thread(target=hammer, args=(first, "shebao")),
        threading.Thread(target=hammer, args=(second, "shebao")),
        threading.Thread(target=hammer, args=(manager, "zonghe")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 4)
    assert len(got) == len(set(got)), sorted(got)
    assert set(got) <= {f"A{n:03d}" for n in range(1, 21)}
    # Each call finishes the one before at that window: all 20 are called, whoever asked first.
    assert len(got) >= 12


def test_managers_and_supervisors_read_the_audit_log_staff_do_not(hall: Hall) -> None:
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    script = '"><img src=x onerror=alert(1)>'
    assert manager.act(action="pause", window="guotu", reason=script)[0] == 200
    status, page = manager.request("/console/audit")
    assert status == 200 and "staff-2" in page and "boss" in page
    assert script not in page and "&lt;img src=x" in page  # what staff typed, as text
    status, filtered = manager.request("/console/audit?who=nobody")
    assert status == 200 and "没有记录" in filtered
    assert manager.request("/console/audit?verb=%27%3B--")[0] == 400
    supervisor = Browser(hall.url)
    supervisor.login("jiancha", PASSWORDS["jiancha"])
    assert supervisor.request("/console/audit")[0] == 200
    staff = Browser(hall.url)
    staff.login("li.na", PASSWORDS["li.na"])
    status, page = staff.request("/console/audit")
    assert status == 403 and "没有权限" in page
    assert Browser(hall.url).request("/console/audit")[0] == 401


def test_every_page_fits_a_window_pc(hall: Hall) -> None:
    """Each tab at 1366×768, as each role sees it: nothing wider than the screen; a screenshot of each."""
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path
    send_command(parse_broker_url(hall.broker.url("kiosk-1")), CENTRE, "ticket", {"category": "shebao"})
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "boss": ["/console", "/console/announce", "/console/devices", "/console/today", "/console/audit"],
        "li.na": ["/console", "/console/announce", "/console/today"],
        "jiancha": ["/console", "/console/announce", "/console/devices", "/console/today", "/console/audit"],
    }
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            for name, paths in pages.items():
                context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
                page = context.new_page()
                page.goto(hall.url + "/console/login")
                page.fill("input[name=name]", name)
                page.fill("input[name=password]", PASSWORDS[name])
                page.click("button[type=submit]")
                page.wait_for_url(hall.url + "/console")
                tabs = page.eval_on_selector_all("header nav a", "links => links.map(a => a.getAttribute('href'))")
                assert tabs == paths, (name, tabs)
                for path in paths:
                    page.goto(hall.url + path)
                    page.wait_for_load_state("networkidle")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 1366, f"{path} as {name} is {width} px wide"
                    page.screenshot(path=str(SHOTS / f"{name}{path.replace('/', '-')}.png"))
                context.close()
        finally:
            chromium.close()


def test_the_page_says_when_it_lost_the_hall_and_catches_up_after(hall: Hall) -> None:
    """The broker goes down and comes back: the banner shows, then goes, and the page follows again; a
    browser that cannot hold the event stream polls instead."""
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path
    kiosk = parse_broker_url(hall.broker.url("kiosk-1"))
    waiting = (
        "n => [...document.querySelectorAll('#waiting tbody tr')]"
        ".some(r => r.cells[0].textContent === '社会保障' && r.cells[1].textContent === String(n))"
    )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            streaming = chromium.new_page(viewport={"width": 1366, "height": 768})
            polling_context = chromium.new_context(viewport={"width": 1366, "height": 768})
            polling_context.route("**/console/events", lambda route: route.abort())  # a proxy that cuts streams
            polling = polling_context.new_page()
            for page in (streaming, polling):
                page.goto(hall.url + "/console/login")
                page.fill("input[name=name]", "li.na")
                page.fill("input[name=password]", PASSWORDS["li.na"])
                page.click("button[type=submit]")
                page.wait_for_url(hall.url + "/console")
            assert streaming.is_hidden("#banner")
            hall.broker.stop()
            streaming.wait_for_selector("#banner", state="visible")
            streaming.screenshot(path=str(SHOTS / "lost.png"))
            hall.broker.start()
            streaming.wait_for_selector("#banner", state="hidden")
            send_command(kiosk, CENTRE, "ticket", {"category": "shebao"}, timeout=WAIT_S)
            streaming.wait_for_function(waiting, arg=1)
            polling.wait_for_function(waiting, arg=1)  # the polling page catches up too
            assert polling.is_hidden("#banner")
        finally:
            chromium.close()


def test_a_ticket_sent_to_another_window_is_called_there(hall: Hall) -> None:
    kiosk = parse_broker_url(hall.broker.url("kiosk-1"))
    for _ in range(2):
        send_command(kiosk, CENTRE, "ticket", {"category": "shebao"})
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    assert manager.act(action="next", window="shebao")[1]["result"]["ticket"] == "A001"
    status, reply = manager.act(action="transfer", window="shebao", to_window="minzheng")
    assert status == 200 and reply["result"]["to_window"] == "minzheng", reply
    assert manager.act(action="transfer", window="shebao")[0] == 400  # to nowhere
    assert manager.act(action="transfer", window="shebao", category="shebao", to_window="minzheng")[0] == 400
    assert manager.act(action="next", window="shebao")[1]["result"]["ticket"] == "A002"
    assert manager.act(action="next", window="minzheng")[1]["result"]["ticket"] == "A001"
