"""The console's today page (今日统计) against a real `hall serve` and a real Mosquitto: tickets taken at a kiosk
and called at a window show in the figures, live; the CSV opens in Excel and runs nothing; a bad date is a
clear refusal; and what the service sends is read as untrusted. One screenshot in Debian's Chromium."""

from __future__ import annotations

import csv
import io
import math
import shutil
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest

from content.queue.stats import group_names, headings
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from content.shared.wire.stats import COLUMNS, Figures, read_figures
from content.web.console.today import (
    Answer,
    BadDate,
    StatsCache,
    figures_csv,
    guarded,
    parse_day,
)
from tests.conftest import CENTRE, WAIT_S
from tests.content.web import test_console
from tests.content.web.test_console import PASSWORDS, SHOTS, Browser, Hall
from tests.words import english

hall = test_console.hall
"""The real service, broker and console of the window page's tests, on this module's `sample_dir`."""

FORMULA_STAFF = "=cmd|' /C calc'!A0"
"""The name of the staff member at the social security window, in this module's copy of the sample."""
FORMULA_CATEGORY = "-社会保障"


@pytest.fixture
def sample_dir(sample_dir: Path) -> Path:
    """The sample with names a spreadsheet would run, for the CSV's guard."""
    staff = sample_dir / "staff.yaml"
    staff.write_text(staff.read_text().replace("name: 刘小燕", f'name: "{FORMULA_STAFF}"', 1))
    categories = sample_dir / "categories.yaml"
    categories.write_text(categories.read_text().replace("name: 社会保障", f'name: "{FORMULA_CATEGORY}"', 1))
    return sample_dir


def ticket(hall: Hall, category: str) -> None:
    send_command(parse_broker_url(hall.broker.url("kiosk-1")), CENTRE, "ticket", {"category": category})


def figures(browser: Browser, query: str = "") -> tuple[int, dict[str, Any]]:
    import json

    status, text = browser.request("/console/today.json" + query)
    return status, json.loads(text)


def row(body: dict[str, Any], group: str, key: str) -> dict[str, Any]:
    found = [r for r in body["groups"][group] if r["id"] == key]
    assert len(found) == 1, body["groups"][group]
    return found[0]


def fetch(browser: Browser, path: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with browser.opener.open(browser.base + path, timeout=WAIT_S) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_the_days_figures_follow_the_hall_and_export_as_csv(hall: Hall) -> None:
    for category in ("shebao", "shebao", "shebao", "minzheng"):
        ticket(hall, category)
    manager = Browser(hall.url)
    assert manager.login("boss", PASSWORDS["boss"])[0] == 200
    for action in ("next", "done", "next", "no_show"):
        status, reply = manager.act(action=action, window="shebao")
        assert status == 200 and reply["ok"], reply

    status, body = figures(manager)
    assert status == 200 and body["ok"], body
    assert body["day"] == body["today"] and body["source"] == "service"
    assert body["total"]["tickets"] == 4 and body["total"]["served"] == 1 and body["total"]["waiting"] == 2
    shebao = row(body, "category", "shebao")
    assert shebao["name"] == FORMULA_CATEGORY
    assert (shebao["tickets"], shebao["served"], shebao["no_shows"], shebao["waiting"]) == (3, 1, 1, 1)
    assert isinstance(shebao["avg_wait_min"], float) and shebao["avg_wait_min"] >= 0
    assert shebao["p90_wait_min"] >= shebao["avg_wait_min"] and shebao["avg_service_min"] is not None
    assert row(body, "category", "minzheng")["waiting"] == 1
    window = row(body, "window", "shebao")
    assert (window["served"], window["no_shows"]) == (1, 1)
    staff = row(body, "staff", "s05")
    assert staff["name"] == FORMULA_STAFF and staff["served"] == 1

    # Live: another ticket shows once the two seconds' cache has passed.
    ticket(hall, "minzheng")
    deadline = time.monotonic() + WAIT_S
    while row(body, "category", "minzheng")["waiting"] != 2:
        assert time.monotonic() < deadline, body
        time.sleep(0.5)
        body = figures(manager)[1]

    # Every role sees the page and its figures.
    for name in ("li.na", "jiancha"):
        other = Browser(hall.url)
        other.login(name, PASSWORDS[name])
        status, page = other.request("/console/today")
        assert status == 200 and "今日统计" in page and "console_today.js" in page
        assert figures(other)[0] == 200

    # The CSV: a BOM for Excel, the columns of `hall stats --csv`, a row per category, window, staff member,
    # and the names that would run in a spreadsheet made text.
    status, headers, raw = fetch(manager, f"/console/today.csv?date={body['day']}")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"queue-stats-{body['day']}.csv" in headers["Content-Disposition"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    # The headings and the groups in Chinese, as `hall stats --csv` writes them (it read group,id,name,…).
    assert rows[0] == [headings()[column] for column in COLUMNS] and english(",".join(rows[0])) == [], rows[0]
    named = {name: group for group, name in group_names().items()}
    table = [dict(zip(COLUMNS, r, strict=True)) | {"group": named[r[0]]} for r in rows[1:]]
    assert [r["group"] for r in table if r["group"] == "day"] == ["day"]
    assert english(",".join(r[0] for r in rows[1:])) == []
    by = {(r["group"], r["id"]): r for r in table}
    assert by["category", "shebao"]["name"] == "'" + FORMULA_CATEGORY
    assert by["category", "shebao"]["served"] == "1" and by["category", "minzheng"]["waiting"] == "2"
    assert by["window", "shebao"]["no_shows"] == "1"
    assert by["staff", "s05"]["name"] == "'" + FORMULA_STAFF
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)

    # A past day: its figures (none here), not today's.
    status, past = figures(manager, "?date=2001-02-03")
    assert status == 200 and past["day"] == "2001-02-03" and past["groups"]["category"] == []
    assert fetch(manager, "/console/today.csv?date=2001-02-03")[0] == 200


def test_a_bad_date_and_no_login_are_clear_refusals(hall: Hall) -> None:
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    for query, said in [
        ("?date=yesterday", "YYYY-MM-DD"),
        ("?date=2024-13-40", "没有这一天"),
        ("?date=2024-5-1", "YYYY-MM-DD"),
        ("?date=2999-01-01", "还没有到"),
        ("?date=%3Cscript%3E", "YYYY-MM-DD"),
    ]:
        status, body = figures(manager, query)
        assert status == 400 and not body["ok"] and said in body["error"], (query, body)
        status, headers, raw = fetch(manager, "/console/today.csv" + query)
        assert status == 400 and headers["Content-Type"].startswith("text/plain") and said in raw.decode()
    anonymous = Browser(hall.url)
    assert anonymous.request("/console/today.json")[0] == 401
    assert fetch(anonymous, "/console/today.csv")[0] == 401
    status, page = anonymous.request("/console/today")
    assert status == 200 and "登录" in page and "今日统计" not in page  # the login form


# -- what the service sends is untrusted ----------------------------------------------------------------


def test_figures_read_from_the_service_are_checked_and_bounded() -> None:
    hostile = {
        "day": "2024-05-01",
        "rows": [
            {"group": "day", "id": "all", "name": "全天", "tickets": 3, "served": True, "waiting": -1},
            {"group": "category", "id": "a", "name": "<b>x</b>\x00\n", "tickets": "3", "avg_wait_min": math.nan},
            {"group": "category", "id": "b", "name": 7, "served": 10**12, "p90_wait_min": 1e300},
            {"group": "window", "id": "", "name": "no id"},
            {"group": "nonsense", "id": "c"},
            "not a row",
            None,
            {"group": "staff", "id": "x" * 500, "name": "y" * 5000, "avg_service_min": 2.345},
        ],
    }
    read = read_figures(hostile)
    assert read is not None and read.day == "2024-05-01"
    assert read.total is not None and (read.total["tickets"], read.total["served"], read.total["waiting"]) == (
        3,
        None,
        None,
    )
    a, b = read.groups["category"]
    assert a["name"] == "<b>x</b>" and a["tickets"] is None and a["avg_wait_min"] is None
    assert b["name"] == "b" and b["served"] is None and b["p90_wait_min"] is None
    assert read.groups["window"] == []
    (s,) = read.groups["staff"]
    assert len(s["id"]) == 64 and len(s["name"]) == 120 and s["avg_service_min"] == 2.3
    for broken in (None, [], {"day": "today", "rows": []}, {"day": "2024-05-01", "rows": {}}, {"rows": []}):
        assert read_figures(broken) is None
    many = {"day": "2024-05-01", "rows": [{"group": "staff", "id": f"s{n}"} for n in range(50_000)]}
    big = read_figures(many)
    assert big is not None and len(big.groups["staff"]) == 1000


def test_csv_cells_that_would_run_are_made_text() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert guarded(cell) == "'" + cell
    assert guarded("社会保障") == "社会保障" and guarded(None) == "" and guarded(2.5) == "2.5"
    figures = Figures("2024-05-01", None, {"category": [], "window": [], "staff": []})
    assert figures_csv(figures) == ("\ufeff" + ",".join(headings()[c] for c in COLUMNS) + "\r\n").encode()


def test_dates() -> None:
    from datetime import date

    today = date(2024, 5, 1)
    assert parse_day(None, today) is None and parse_day("", today) is None
    assert parse_day("2024-04-30", today) == date(2024, 4, 30) and parse_day("2024-05-01", today) == today
    for wrong in ("2024-05-02", "2024-02-30", "1999-12-31", "20240501", "2024-05-01x", "２０２４-05-01"):
        with pytest.raises(BadDate):
            parse_day(wrong, today)


def test_the_cache_asks_the_service_once_for_many_consoles() -> None:
    now = [0.0]
    asked: list[str] = []
    gate = threading.Event()
    figures = Figures("2024-05-01", None, {"category": [], "window": [], "staff": []})

    def ask(day: Any, person: str) -> Answer:
        gate.wait(WAIT_S)
        asked.append(person)
        return Answer(figures)

    cache = StatsCache(ask, lambda: now[0], 2.0)
    got: list[Answer] = []
    threads = [threading.Thread(target=lambda n=n: got.append(cache.get(None, f"p{n}"))) for n in range(20)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(WAIT_S)
    assert len(asked) == 1 and len(got) == 20 and all(a.figures is figures for a in got)
    now[0] = 1.9
    cache.get(None, "again")
    assert len(asked) == 1
    now[0] = 2.1
    cache.get(None, "again")
    assert len(asked) == 2 and asked[1] == "again"
    for n in range(100):  # many days: the cache stays bounded
        cache.get(date_of(n), "x")
    assert len(cache._answers) <= 32


def date_of(n: int) -> Any:
    from datetime import date, timedelta

    return date(2024, 1, 1) + timedelta(days=n)


# -- in a real browser ----------------------------------------------------------------------------------


def test_the_today_page_in_a_real_browser(hall: Hall) -> None:
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    for category in ("shebao", "shebao", "shebao", "minzheng", "minzheng", "guotu", "nongye"):
        ticket(hall, category)
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    for window, actions in [
        ("shebao", ("next", "done", "next", "done")),
        ("minzheng", ("next", "done")),
        ("guotu", ("next", "no_show")),
    ]:
        for action in actions:
            status, reply = manager.act(action=action, window=window)
            assert status == 200, reply
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(hall.url + "/console/login")
            page.fill("input[name=name]", "boss")
            page.fill("input[name=password]", PASSWORDS["boss"])
            page.click("button[type=submit]")
            page.wait_for_url(hall.url + "/console")
            page.click("nav a[href='/console/today']")
            page.wait_for_url(hall.url + "/console/today")
            page.wait_for_function("() => Number(document.body.dataset.loads || 0) >= 1")
            assert page.text_content("#t-tickets") == "7"
            assert page.locator("#chart-category svg rect.waiting").count() == 4
            assert page.locator("#chart-window svg rect.avg").count() == 3
            # Live: a citizen takes a number; the page follows without reloading.
            ticket(hall, "canlian")
            page.wait_for_function(
                "() => document.getElementById('t-tickets').textContent === '8'", timeout=WAIT_S * 1000
            )
            names = page.eval_on_selector_all(
                "#table-staff tbody td:first-child", "cells => cells.map(c => c.textContent)"
            )
            assert FORMULA_STAFF in names  # as text, not markup
            page.screenshot(path=str(SHOTS / "today.png"))
            # A past day: its own figures and its own export link.
            page.click("#prev")
            page.wait_for_function("() => document.getElementById('updated').textContent.includes('往日数据')")
            assert page.text_content("#t-tickets") == "0"
            assert "?date=" in (page.get_attribute("#export", "href") or "")
            page.click("#today")
            page.wait_for_function("() => document.getElementById('t-tickets').textContent === '8'")
            # A busy day of a large hall (the service's answer stood in for): every bar, every row, as text.
            page.route("**/console/today.json*", lambda route: route.fulfill(json=busy_day()))
            loads = page.evaluate("Number(document.body.dataset.loads)")
            page.wait_for_function(f"() => Number(document.body.dataset.loads) > {loads}", timeout=WAIT_S * 1000)
            assert page.locator("#chart-category svg rect.served").count() == 11
            assert page.text_content("#table-category tbody tr:first-child td") == "<img src=x onerror=alert(1)>"
            # A label is cut by grapheme: 𠮷 whole, never half of it (the label read 农业农村（�…).
            labels = page.eval_on_selector_all(
                "#chart-category svg text.label", "ts => ts.map(t => t.firstChild.textContent)"
            )
            assert "农业农村（𠮷…" in labels, labels
            lone = page.evaluate(
                "() => [...document.querySelectorAll('svg text')]"
                ".filter(t => /[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]/"
                ".test(t.textContent)).length"
            )
            assert lone == 0
            page.screenshot(path=str(SHOTS / "today-busy.png"), full_page=True)
            page.unroute("**/console/today.json*")
            assert not problems, problems
            # A date that is no date, in the address: the refusal, said on the page.
            page.goto(hall.url + "/console/today?date=2024-13-40")
            page.wait_for_selector("#error:not([hidden])")
            assert "没有这一天" in (page.text_content("#error") or "")
            page.click("#prev")  # and the buttons still work from there
            page.wait_for_function("() => document.getElementById('error').hidden")
        finally:
            chromium.close()
    assert [p for p in problems if "status of 400" not in p] == [], problems  # the refused date only


RARE_LABEL = "农业农村（𠮷祥镇）"
"""A category whose chart label is cut right after a hanzi outside the BMP (𠮷: two UTF-16 code units)."""


def busy_day() -> dict[str, Any]:
    names = ["<img src=x onerror=alert(1)>", "人口计生", "民政救助", RARE_LABEL, "国土村建", "残疾人服务", "林业",
             "广播电视", "退役军人服务", "司法调解与法律援助", "综合"]  # fmt: skip

    def one(n: int, name: str, key: str) -> dict[str, Any]:
        wait = 3.0 + n * 2.7
        return {"id": key, "name": name, "tickets": 20 + 3 * n, "served": 14 + 2 * n, "no_shows": n % 3,
                "waiting": 6 - n % 6, "avg_wait_min": wait, "p90_wait_min": wait * 1.8, "avg_service_min": 6.5 + n,
                "idle_min": None}  # fmt: skip

    groups = {
        "category": [one(n, name, f"c{n}") for n, name in enumerate(names)],
        "window": [one(n, f"{n + 1}号窗口", f"w{n}") for n in range(8)],
        "staff": [one(n, name, f"s{n}") for n, name in enumerate(["王志强", "李秀英", "陈静", "张磊", "何建华"])],
    }
    return {"ok": True, "day": "2024-05-06", "today": "2024-05-06", "total": one(0, "全天", "all"),
            "groups": groups, "source": "service", "note": "", "poll_ms": 5000}  # fmt: skip


# -- when the service does not answer, or answers wrongly ------------------------------------------------


class FakeLink:
    """The console's link to a hall whose service answers `reply` to every query."""

    def __init__(self, reply: dict[str, Any], stats: Any) -> None:
        self.reply, self.asked = reply, 0
        self.docs = {"online": True, "queue": {"day": "2024-05-01"}, "stats": stats}

    def state(self) -> tuple[int, dict[str, Any]]:
        return 1, dict(self.docs)

    def ask(self, verb: str, args: dict[str, Any], person: str, timeout: float = 10.0) -> dict[str, Any]:
        assert verb == "stats" and person == "boss"
        self.asked += 1
        return self.reply


def console_client(tmp_path: Path, link: FakeLink) -> Any:
    import re

    from flask import Flask

    from content.accounts.users import UserStore
    from content.web.console import add_console
    from content.web.console.today import add

    users = UserStore(tmp_path / "users.sqlite3")
    users.add("boss", "manager", PASSWORDS["boss"])
    app = Flask(__name__)
    add_console(app, users, link, parts=[add])  # type: ignore[arg-type]
    client = app.test_client()
    form = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', form)
    assert token is not None
    assert client.post("/console/login", data={"token": token[1], "name": "boss", "password": PASSWORDS["boss"]})
    return client


RETAINED = {"day": "2024-05-01", "rows": [{"group": "category", "id": "shebao", "name": "社会保障", "waiting": 4}]}


def test_a_silent_service_gives_the_retained_figures_for_today_and_a_clear_503_for_a_past_day(tmp_path: Path) -> None:
    link = FakeLink({"ok": False, "error": "the service did not answer in time"}, RETAINED)
    client = console_client(tmp_path, link)
    body = client.get("/console/today.json").get_json()
    assert body["ok"] and body["source"] == "document" and "最近发布" in body["note"]
    assert body["groups"]["category"][0]["waiting"] == 4
    client.get("/console/today.json")
    assert link.asked == 1  # the failure is kept too: a silent service is not asked by every browser in turn
    past = client.get("/console/today.json?date=2024-04-30")
    assert past.status_code == 503 and "did not answer" in past.get_json()["error"]
    csv_past = client.get("/console/today.csv?date=2024-04-30")
    assert csv_past.status_code == 503 and "稍后" in csv_past.get_data(as_text=True)


@pytest.mark.parametrize(
    "result",
    [None, "rows", {"day": "2024-04-29", "rows": []}, {"day": "<b>", "rows": []}, {"day": "2024-04-30", "rows": 5}],
)
def test_a_wrong_answer_of_the_service_is_a_clear_503_not_a_crash(tmp_path: Path, result: Any) -> None:
    client = console_client(tmp_path, FakeLink({"ok": True, "result": result}, None))
    refused = client.get("/console/today.json?date=2024-04-30")
    assert refused.status_code == 503 and refused.get_json()["error"].startswith("暂时取不到统计")
    if read_figures(result) is None:  # today (the service's own day, whichever): no figures, none retained
        assert client.get("/console/today.json").status_code == 503
