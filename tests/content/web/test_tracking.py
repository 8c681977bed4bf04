"""The case tracking page (`/t/<case>?k=<token>`): cases written to a real SQLite store as the service
writes them, read back through `CaseReader`, served by the Flask app (test client) and, once, by the real
WebServer opened in headless Chromium at a phone's width."""

from __future__ import annotations

import http.server
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from content.cases import rules
from content.cases.calendar import calendar_for
from content.cases.rules import Case
from content.centre.loader import Content
from content.service.case_store import SCHEMA, CaseReader, write_case
from content.service.live import Live, Snapshot
from content.service.wrong_digits import WrongDigits
from content.web.app import create_app
from content.web.server import pages_server
from content.web.tracking import RateLimit, client_key
from tests.conftest import WAIT_S, Clock
from tests.content.web.test_public import PHONE, SHOTS, _browser, chromium_page, stress_centre, visible_text
from tests.words import english

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=CST)  # a Friday
SECRET = b"tracking-test-secret-0123456789ab"
NUMBER = "WC-261123-0001"
OTHER = "WC-261123-0002"
EVIL = "WC-261124-0001"
NOTE = "已入户调查，村（社区）民主评议已通过，正在公示"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TMP_SHOTS = Path("/tmp/tracking")


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _opened(
    content: Content, number: str, item_id: str, *, applicant: str, phone: str | None, at: datetime, **kw: object
) -> Case:
    item = next(i for i in content.items if i.id == item_id)
    required = [d.name for d in item.documents]
    return rules.open_case(
        number=number,
        item_id=item.id,
        item_name=str(kw.pop("item_name", item.name)),
        item_tiers=item.tiers,
        promised=item.limits.promised,
        proxy=item.limits.proxy,
        required=required,
        at="village",
        by="agent-a01",
        now=at,
        received=required[:2],
        agent="a01",
        applicant=applicant,
        phone=phone,
        note=str(kw.pop("note", "村代办员收件")),
    )


def _write_all(db: sqlite3.Connection, content: Content, versions: list[Case]) -> None:
    """Each version of a case as the service writes it: the first inserted, each later one an update."""
    calendar = calendar_for(content)
    before: Case | None = None
    for case in versions:
        with db:
            write_case(db, case, before, calendar, case.steps[-1].at)
        before = case


def _main_case(content: Content) -> list[Case]:
    """最低生活保障申请, handed in at the 石龙村 agent point on Monday, carried up to the district,
    accepted and under review; three of its five documents still to come."""
    day = datetime(2026, 11, 23, 10, 0, tzinfo=CST)
    case = _opened(content, NUMBER, "minzheng-dibao", applicant="张三", phone="138 9999 5678", at=day)
    versions = [case]
    case = rules.hand_over(case, "township", by="agent-a01", now=day + timedelta(hours=5), note="代办员送镇")
    versions.append(case)
    case = rules.hand_over(case, "district", by="staff-s05", now=day + timedelta(days=1), note="镇代办员转报")
    versions.append(case)
    case = rules.advance(case, "accepted", by="district-1", now=day + timedelta(days=1, hours=2))
    versions.append(case)
    case = rules.advance(case, "reviewing", by="district-1", now=day + timedelta(days=2), note=NOTE)
    versions.append(case)
    return versions


@dataclass
class Site:
    app: Flask
    client: FlaskClient
    clock: FakeClock
    store: Path
    service: Clock
    """The service's clock, which the snapshot the page reads carries: wrong digits are timed by it."""

    def later(self, seconds: float) -> None:
        """Time passes for the page's rate limits and for the service alike."""
        self.clock.t += seconds
        self.service.set(self.service() + timedelta(seconds=seconds))

    def url(self, number: str = NUMBER) -> str:
        return f"/t/{number}?k={rules.token(SECRET, number)}"

    def post(self, number: str = NUMBER, digits: str = "5678", ip: str = "10.1.0.1", **headers: str) -> str:
        key = rules.token(SECRET, number)
        response = self.client.post(
            self.url(number), data={"k": key, "digits": digits}, headers=headers, environ_base={"REMOTE_ADDR": ip}
        )
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


def _store(path: Path, content: Content) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA)
        _write_all(db, content, _main_case(content))
        day = datetime(2026, 11, 23, 11, 0, tzinfo=CST)
        _write_all(
            db, content, [_opened(content, OTHER, "minzheng-dibao", applicant="李四", phone="13700001111", at=day)]
        )
        evil = _opened(
            content, EVIL, "minzheng-dibao", applicant=SCRIPT, phone="13700002222", at=day + timedelta(days=1),
            item_name=f"{SCRIPT}{IMG}低保", note=f"{IMG}{SCRIPT}",
        )  # fmt: skip
        _write_all(db, content, [evil, rules.advance(evil, "supplement", by="agent-a01", now=NOW, note=SCRIPT + IMG)])
    return path


@pytest.fixture
def site(content: Content, tmp_path: Path) -> Iterator[Site]:
    store = _store(tmp_path / "state.sqlite3", content)
    clock, service = FakeClock(), Clock(NOW)
    app = create_app(lambda: Snapshot(content, Live(), service()), cases=(CaseReader(store), SECRET), clock=clock)
    yield Site(app, app.test_client(), clock, store, service)


# -- the summary ----------------------------------------------------------------------------------


def test_the_link_opens_the_summary_without_notes_or_phone_digits(site: Site) -> None:
    response = site.client.get(site.url())
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert NUMBER in page and "最低生活保障申请" in page
    assert '<p class="stage stage-reviewing">审批中</p>' in page
    assert "<dd>张*</dd>" in page and "张三" not in page
    assert "<dd>区政务服务中心</dd>" in page  # where the papers are now
    assert "转报至区" in page and "已受理" in page and "已收件" in page and "村(社区)" in page  # the timeline
    assert "2026年11月23日 10:00" in page
    assert "承诺 17 个工作日" in page  # the proxy limit: carried up from the village
    assert '<a href="tel:0816-2731201">0816-2731201</a>' in page  # the agent, a tap away
    assert "代办员 邓国平" in page and "咨询电话" in page
    # Not at this level: notes, documents, any digit of the phone.
    assert NOTE not in page and "村代办员收件" not in page and "镇代办员转报" not in page
    assert "一次性告知" not in page and "《最低生活保障申请书》" not in page
    assert "5678" not in page and "138" not in page and "9999" not in page
    # The form for the details posts back here, with the token in its body too.
    key = rules.token(SECRET, NUMBER)
    assert f'action="/t/{NUMBER}?k={key}"' in page and f'name="k" value="{key}"' in page
    assert 'name="digits"' in page and 'inputmode="numeric"' in page


def test_the_page_keeps_to_itself(site: Site) -> None:
    for response in (site.client.get(site.url()), site.client.get("/t/WC-261123-0099?k=x")):
        headers = response.headers
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Robots-Tag"] == "noindex"
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "form-action 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        # The form's POST must carry this page's Origin: under no-referrer a browser sends "null"
        assert headers["Referrer-Policy"] == "same-origin"
        assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
    # The other pages keep the stricter policy.
    assert site.client.get("/").headers["Referrer-Policy"] == "no-referrer"


def test_every_way_of_not_being_there_is_the_same_404(site: Site) -> None:
    key = rules.token(SECRET, NUMBER)
    paths = [
        "/t/WC-261123-0099?k=" + rules.token(SECRET, "WC-261123-0099"),  # no such case, its right token
        f"/t/{NUMBER}?k=" + rules.token(SECRET, OTHER),  # another case's token
        f"/t/{NUMBER}?k=" + key[:-1] + ("A" if key[-1] != "A" else "B"),
        f"/t/{NUMBER}",
        f"/t/{NUMBER}?k=",
        f"/t/{NUMBER}?k=" + "A" * 5000,
        f"/t/{NUMBER.lower()}?k={key}",
        "/t/WC2611230001?k=" + rules.token(SECRET, "WC2611230001"),
        "/t/x?k=x",
        "/t/" + "9" * 3000,
    ]
    pages = []
    for n, path in enumerate(paths):
        response = site.client.get(path, environ_base={"REMOTE_ADDR": f"10.2.0.{n}"})
        assert response.status_code == 404, path
        pages.append(response.get_data())
    posted = site.client.post(f"/t/{NUMBER}?k=nope", data={"k": key, "digits": "5678"})
    assert posted.status_code == 404
    pages.append(posted.get_data())
    assert len(set(pages)) == 1
    assert "没有找到这个办件" in pages[0].decode() and "WC-" not in pages[0].decode()


def test_without_cases_there_is_no_tracking_page(content: Content) -> None:
    app = create_app(lambda: Snapshot(content, Live(), NOW))
    response = app.test_client().get(f"/t/{NUMBER}?k={rules.token(SECRET, NUMBER)}")
    assert response.status_code == 404 and "没有找到" in response.get_data(as_text=True)


def test_before_the_content_is_loaded(site: Site, content: Content) -> None:
    app = create_app(lambda: None, cases=(CaseReader(site.store), SECRET))
    response = app.test_client().get(site.url())
    assert response.status_code == 503 and "正在启动" in response.get_data(as_text=True)


# -- the details ----------------------------------------------------------------------------------


def test_the_right_digits_open_the_details(site: Site) -> None:
    page = site.post(Origin="http://localhost")
    assert NOTE in page and "村代办员收件" in page and "镇代办员转报" in page  # every step's note
    assert "需补交的材料（一次性告知）" in page
    missing = page.split("一次性告知")[1].split("</section>")[0]
    assert "《家庭经济状况核对授权书》" in missing and "家庭收入、财产情况说明" in missing
    assert "《最低生活保障申请书》" not in missing  # handed in
    received = page.split("已收材料")[1].split("</section>")[0]
    assert "《最低生活保障申请书》" in received
    assert "<dd>138****5678</dd>" in page and "<dd>张*</dd>" in page
    assert 'name="digits"' not in page  # nothing more to ask
    # Space around the digits is forgiven; a page opened by a link (Referer) from here is accepted.
    assert NOTE in site.post(digits=" 5678 ", Referer=f"http://localhost{site.url()}")


def test_wrong_digits_are_counted_and_lock_the_case(site: Site) -> None:
    page = site.post(digits="1234")
    assert "手机号后四位不正确" in page and "还可以再试 4 次" in page and NOTE not in page
    # Not four ASCII digits: said so, and not counted.
    for digits in ("12a4", "１２３４", "567", "56789", "", "٥٦٧٨"):
        page = site.post(digits=digits)
        assert "4 位数字" in page and NOTE not in page and "手机号后四位不正确" not in page, digits
    for left in (3, 2, 1):
        assert f"还可以再试 {left} 次" in site.post(digits="0000")
    locked = site.post(digits="0000")
    assert "已锁定 15 分钟" in locked and 'name="digits"' not in locked
    # Locked: the right digits open nothing now, from any address, and a plain visit says so.
    page = site.post(digits="5678", ip="10.9.9.9")
    assert NOTE not in page and "已锁定" in page
    assert "已锁定" in site.client.get(site.url()).get_data(as_text=True)
    assert "手机号后四位不正确" not in page
    # Another case is not locked.
    assert "手机号后四位不正确" in site.post(OTHER, digits="0000")
    site.later(14 * 60)
    assert "已锁定 1 分钟" in site.post(digits="5678")
    site.later(60)
    assert NOTE in site.post(digits="5678")


def test_wrong_digits_spread_over_more_than_the_window_do_not_lock(tmp_path: Path) -> None:
    tries, t = WrongDigits(tmp_path / "state.sqlite3"), 1_800_000_000.0
    for left in (4, 3, 2, 1):
        assert tries.attempt("A", False, t) == (False, left, 0)
    t += 15 * 60
    assert tries.attempt("A", False, t) == (False, 4, 0) and not tries.locked_for("A", t)
    for _ in range(3):
        tries.attempt("A", False, t)
    assert tries.attempt("A", False, t) == (False, 0, 15 * 60) and tries.locked_for("A", t) == 15 * 60
    assert tries.attempt("A", True, t) == (False, 0, 15 * 60)  # the right digits too, while locked
    t += 15 * 60
    assert tries.attempt("A", True, t) == (True, 5, 0)
    # Bounded: a case's row goes once its tries and its lock are over.
    for n in range(1000):
        tries.attempt(str(n), False, t)
    assert tries.attempt("other", False, t + 15 * 60) == (False, 4, 0)
    with closing(sqlite3.connect(tmp_path / "state.sqlite3")) as db:
        assert db.execute("SELECT number FROM wrong_digits").fetchall() == [("other",)]


def test_the_form_is_taken_only_from_this_page(site: Site) -> None:
    key = rules.token(SECRET, NUMBER)
    url = site.url()
    refused = [
        site.client.post(url, data={"digits": "5678"}),  # no token in the body
        site.client.post(url, data={"k": rules.token(SECRET, OTHER), "digits": "5678"}),
        site.client.post(url, data={"k": key, "digits": "5678"}, headers={"Origin": "https://evil.example"}),
        site.client.post(url, data={"k": key, "digits": "5678"}, headers={"Origin": "null"}),
        site.client.post(url, data={"k": key, "digits": "5678"}, headers={"Referer": "https://evil.example/t/"}),
        site.client.post(
            url, data={"k": key, "digits": "5678"}, headers={"Origin": "http://localhost", "Referer": "http://x/"}
        ),
    ]
    for response in refused:
        page = response.get_data(as_text=True)
        assert response.status_code == 403 and "请求无效" in page and NOTE not in page
    # Refused posts are not wrong digits: the case is not any nearer its lock.
    assert "还可以再试 4 次" in site.post(digits="0000")


def test_a_case_without_a_phone_cannot_open_its_details(site: Site, content: Content) -> None:
    number = "WC-261125-0001"
    case = _opened(content, number, "minzheng-dibao", applicant="王五", phone=None, at=NOW)
    with closing(sqlite3.connect(site.store)) as db:
        _write_all(db, content, [case])
    page = site.client.get(site.url(number)).get_data(as_text=True)
    assert "没有登记手机号" not in page and 'name="digits"' not in page
    assert "没有登记手机号" in site.post(number, digits="3333")


def test_what_staff_typed_is_escaped(site: Site) -> None:
    for page in (site.client.get(site.url(EVIL)).get_data(as_text=True), site.post(EVIL, digits="2222")):
        assert "<script>" not in page and "<img" not in page and "onerror=alert(1)>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;低保" in page
        assert f"<dd>&lt;{'*' * (len(SCRIPT) - 1)}</dd>" in page  # the applicant's name, masked
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" in page  # the notes, in the details


# -- the rate limit -------------------------------------------------------------------------------


def test_an_enumeration_burst_is_cut_off_and_other_clients_still_served(site: Site) -> None:
    statuses = []
    for n in range(200):
        number = f"WC-261123-{n:04d}"
        response = site.client.get(f"/t/{number}?k=guess{n}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "60"
            page = response.get_data(as_text=True)
            assert "查询过于频繁" in page and '<meta name="robots" content="noindex">' in page
    assert statuses[:30] == [404] * 30 and statuses[30:] == [429] * 170
    # Forwarded-for headers are not believed: the socket's address counts.
    spoofed = site.client.get(
        site.url(), headers={"X-Forwarded-For": "198.51.100.1"}, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert spoofed.status_code == 429
    assert site.client.get(site.url(), environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 200
    site.clock.t += 30
    blocked = site.client.get(site.url(), environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "30"
    site.clock.t += 30
    assert site.client.get(site.url(), environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    # The other pages are not counted.
    assert site.client.get("/", environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 200


def test_the_rate_limit_remembers_a_bounded_number_of_clients() -> None:
    clock = FakeClock()
    limit = RateLimit(limit=2, clients=100, clock=clock)
    for n in range(5000):
        assert limit.wait(f"10.{n // 256 % 256}.{n % 256}.1") == 0
    assert len(limit._seen) == 100
    assert limit.wait("x") == 0 and limit.wait("x") == 0 and limit.wait("x") == 60
    # An IPv6 client counts by its /64; an IPv4-mapped one as the IPv4 address.
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1" and client_key(None) == "?"


# -- on a phone, in headless Chromium -------------------------------------------------------------


def _shot(url: str, out: Path, width: int, height: int) -> str:
    """`url` as a phone of `width`×`height` CSS px shows it: a screenshot into `out`, and the DOM."""
    browser = _browser()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}"]
    flags.append("--virtual-time-budget=3000")  # a page that posts a form as it loads: the answer to it
    env = {**os.environ, "HOME": str(out.parent)}
    shot = subprocess.run(
        [browser, *flags, f"--screenshot={out}", url], capture_output=True, timeout=WAIT_S * 4, env=env, check=False
    )
    assert shot.returncode == 0 and out.is_file(), shot.stderr[-2000:]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, timeout=WAIT_S * 4, env=env)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout.decode()


class _Attacker:
    """A page on another origin (another port) that posts the tracking form as soon as it loads."""

    POLICIES = ("no-referrer", "unsafe-url")

    def __init__(self, target: str, key: str) -> None:
        form = (
            f'<form id="f" method="post" action="{target}"><input name="k" value="{key}">'
            '<input name="digits" value="5678"></form><script>document.getElementById("f").submit()</script>'
        ).encode()

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Referrer-Policy", self.path.strip("/"))
                self.end_headers()
                self.wfile.write(form)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.HTTPServer(("127.0.0.1", 0), Page)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, policy: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{policy}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(WAIT_S)


def test_the_tracking_page_on_a_phone(site: Site, content: Content, tmp_path: Path) -> None:
    TMP_SHOTS.mkdir(parents=True, exist_ok=True)
    snapshot = Snapshot(content, Live(), NOW)
    web = pages_server("127.0.0.1", 0, lambda: snapshot, cases=(CaseReader(site.store), SECRET))
    web.start()
    attacker = _Attacker(web.url + site.url(), rules.token(SECRET, NUMBER))
    try:
        dom = _shot(web.url + site.url(), TMP_SHOTS / "summary.png", 390, 844)
        _shot(web.url + site.url(), TMP_SHOTS / "summary-full.png", 390, 1800)
        # Another site's page that posts the form with the right key and digits, as a browser would
        forged = [
            _shot(attacker.url(policy), tmp_path / f"forged-{policy}.png", 390, 844) for policy in attacker.POLICIES
        ]
    finally:
        attacker.close()
        web.stop()
    assert NUMBER in dom and "审批中" in dom and "张*" in dom and NOTE not in dom
    assert 'name="digits"' in dom
    for page in forged:
        assert "请求无效" in page and NOTE not in page, page[-500:]
    # The details need a POST, which Chromium's command line cannot make: the page the test client got,
    # opened from a file (its styles are inline), shows how they look.
    details = tmp_path / "details.html"
    details.write_text(site.post(), encoding="utf-8")
    _shot(details.as_uri(), TMP_SHOTS / "details.png", 390, 1800)
    for name in ("summary", "details"):
        with Image.open(TMP_SHOTS / f"{name}.png") as image:
            assert image.width == 390
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 16, f"{name}.png looks blank"


# -- every word in the hall's language ------------------------------------------------------------


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return stress_centre(tmp_path_factory.mktemp("stress") / "content")


def _lives(content: Content) -> list[list[Case]]:
    """Cases of an item handled at every tier, through every stage and hand-over a case may have: one
    carried up and waiting for documents (补正), one pre-reviewed online and refused, then collected, one
    decided and sent back down, ready; the second without a phone."""
    item = next(i for i in content.items if set(i.tiers) == {"village", "township", "district"})
    day = datetime(2026, 11, 23, 10, 0, tzinfo=CST)
    hour = timedelta(hours=1)
    first = _opened(content, NUMBER, item.id, applicant="张三", phone="13899995678", at=day)
    first = rules.hand_over(first, "township", by="a", now=day + hour)
    first = rules.hand_over(first, "district", by="a", now=day + 2 * hour)
    first = rules.advance(first, "accepted", by="d", now=day + 3 * hour)
    first = rules.advance(first, "reviewing", by="d", now=day + 4 * hour, note=NOTE)
    first = rules.advance(first, "special", by="d", now=day + 5 * hour, note=NOTE)
    first = rules.advance(first, "reviewing", by="d", now=day + 6 * hour)
    first = rules.advance(first, "supplement", by="d", now=day + 7 * hour, note=NOTE)
    second = _opened(content, OTHER, item.id, applicant="李四", phone=None, at=day)
    second = rules.advance(second, "prereview", by="d", now=day + hour)
    second = rules.advance(second, "refused", by="d", now=day + 2 * hour, note=NOTE, basis="《社会救助暂行办法》")
    second = rules.advance(second, "ready", by="a", now=day + 3 * hour)
    second = rules.advance(second, "collected", by="a", now=day + 4 * hour)
    third = _opened(content, EVIL, item.id, applicant="王五", phone="13700002222", at=day)
    third = rules.hand_over(third, "district", by="a", now=day + hour)
    third = rules.advance(third, "accepted", by="d", now=day + 2 * hour)
    third = rules.advance(third, "decided", by="d", now=day + 3 * hour)
    third = rules.hand_over(third, "village", by="a", now=day + 4 * hour)
    third = rules.advance(third, "ready", by="a", now=day + 5 * hour)
    return [[first], [second], [third]]


def tracking_pages(content: Content, store: Path) -> list[tuple[str, str]]:
    """Every tracking page a citizen may get for `content`'s cases: (what it is, its HTML)."""
    with closing(sqlite3.connect(store)) as db:
        db.executescript(SCHEMA)
        for versions in _lives(content):
            _write_all(db, content, versions)
    clock, service = FakeClock(), Clock(NOW)
    app = create_app(lambda: Snapshot(content, Live(), service()), cases=(CaseReader(store), SECRET), clock=clock)
    site = Site(app, app.test_client(), clock, store, service)
    pages = [(f"summary {n}", site.client.get(site.url(n)).get_data(as_text=True)) for n in (NUMBER, OTHER, EVIL)]
    pages += [
        ("details", site.post(Origin="http://localhost")),
        ("details, refused", site.post(OTHER, digits="0000")),  # no phone: said so
        ("not four digits", site.post(digits="12")),
        ("wrong digits", site.post(EVIL, digits="0000")),
    ]
    for _ in range(4):
        locked = site.post(EVIL, digits="0000")
    pages.append(("locked", locked))
    refused = site.client.post(site.url(), data={"digits": "5678"})
    pages.append(("403", refused.get_data(as_text=True)))
    pages.append(("404", site.client.get(f"/t/{NUMBER}?k=x").get_data(as_text=True)))
    for _ in range(40):
        busy = site.client.get(site.url(), environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert busy.status_code == 429
    pages.append(("429", busy.get_data(as_text=True)))
    return pages


@pytest.mark.parametrize("centre", ["sample", "stress"])
def test_every_tracking_page_is_in_chinese(
    centre: str,
    content: Content,
    stress: Content,
    tmp_path: Path,
) -> None:
    """No English word on the case page in any state, its notices or its refusals, in a Chinese hall."""
    pages = tracking_pages(content if centre == "sample" else stress, tmp_path / "state.sqlite3")
    said = " ".join(html for _, html in pages)
    for words in ("补正", "特别程序", "网上预审", "不予受理", "已取件", "转报至区", "结果送回村(社区)", "已锁定"):
        assert words in said, words  # every stage, hand-over and notice was seen
    for what, html in pages:
        assert '<html lang="zh-CN">' in html, what
        assert english(visible_text(html)) == [], (what, english(visible_text(html)))


def test_a_case_page_on_the_stress_centre_is_whole_on_a_phone(stress: Content, tmp_path: Path) -> None:
    """The case page of the stress centre, its summary and (the form filled in, as an applicant would) its
    details: nothing past a 390 px phone's width, the rare characters of its item's name whole."""
    store = tmp_path / "state.sqlite3"
    tracking_pages(stress, store)  # the cases written, as the service writes them
    snapshot = Snapshot(stress, Live(), NOW)
    web = pages_server("127.0.0.1", 0, lambda: snapshot, cases=(CaseReader(store), SECRET))
    web.start()
    url = f"{web.url}/t/{NUMBER}?k={rules.token(SECRET, NUMBER)}"

    def details(page: Any) -> None:
        page.fill("#digits", "5678")
        page.click("button[type=submit]")
        page.wait_for_selector("section.missing")

    try:
        summary, summary_widest = chromium_page(url, SHOTS / "case-summary-390.png")
        shown, details_widest = chromium_page(url, SHOTS / "case-details-390.png", details)
    finally:
        web.stop()
    item = next(i for i in stress.items if set(i.tiers) == {"village", "township", "district"})
    assert "".join(item.name.split()) in "".join(summary.split()) and "补正" in summary and NOTE not in summary
    assert NOTE in shown and "需补交的材料" in shown
    assert summary_widest <= PHONE["width"] and details_widest <= PHONE["width"], (summary_widest, details_widest)
    assert english(summary) == [] and english(shown) == []
