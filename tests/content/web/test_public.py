"""The public pages: the views on the sample centre, the Flask app through its test client, and a real
`hall serve --http` opened the way a phone would, in headless Chromium."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from content.broker.local import Mosquitto, free_port
from content.centre.loader import Content, load_content
from content.centre.schema import Item
from content.centre.stress import write_stress_centre
from content.centre.synth import SAMPLE
from content.queue import rules as q
from content.service.live import Live, Snapshot
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from content.web.app import create_app
from content.web.public import guide_view, ticket_view
from content.web.server import pages_server
from tests.conftest import CENTRE, REPO, WAIT_S, Subscriber, serve_argv
from tests.words import english

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))  # a Friday, not a market day
DAY = "2026-11-27"


def _queue(content: Content) -> q.QueueState:
    """Today: A001 and A002 (normal), A003 (elderly) for 社会保障; 2号窗口 called A003, then A001 is done."""
    state = q.roll_day(q.QueueState(), NOW, content.centre.queue)
    for minute, priority in enumerate((None, None, "elderly")):
        state = q.issue(state, "shebao", "A", priority, NOW + timedelta(minutes=minute))
    return state


def _snapshot(content: Content, state: q.QueueState | None = None) -> Snapshot:
    return Snapshot(content, Live(queue=state if state is not None else _queue(content)), NOW + timedelta(minutes=5))


def stress_centre(directory: Path) -> Content:
    """The stress centre (`content.centre.stress`) written into `directory` and loaded."""
    write_stress_centre(directory)
    loaded = load_content(directory).content
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return stress_centre(tmp_path_factory.mktemp("stress") / "content")


# -- views ----------------------------------------------------------------------------------------


def test_a_guide_shows_every_disclosure_field(content: Content) -> None:
    view = guide_view(content, "shebao-yanglao-daiyu")
    assert view is not None
    assert view.name == "城乡居民基本养老保险待遇领取申请" and view.category == "社会保障" and not view.instant
    sections = {s.title: s for s in view.sections}
    assert list(sections)[:4] == ["办理窗口", "办理时限", "收费标准", "申请材料"]
    assert sections["办理窗口"].lines == ("社会保障窗口、综合窗口",)
    assert sections["办理时限"].lines == ("承诺 8 个工作日（法定 20 个工作日）；代办 13 个工作日",)
    assert sections["申请材料"].checklist and "居民身份证 — 原件和复印件各1份" in sections["申请材料"].lines
    assert sections["办理流程"].lines[0].startswith("1. ")
    assert "村(社区)代办员" in sections and len(sections["村(社区)代办员"].lines) == 11  # the village tier's
    assert guide_view(content, "no-such-item") is None


def test_a_waiting_ticket_sees_who_is_ahead(content: Content) -> None:
    snap = _snapshot(content)
    first = ticket_view(snap, DAY, "A001")
    assert first is not None and first.state == "waiting" and first.refresh
    assert first.headline == "前面还有 1 人"  # the elderly A003 goes first; A002 came later
    assert first.category == "社会保障" and first.day == "2026年11月27日"
    assert "预计等候约" in first.detail
    elderly = ticket_view(snap, DAY, "A003")
    assert elderly is not None and elderly.headline == "下一位就是您" and elderly.priority == "老年人"


def test_a_window_without_a_number_is_named_by_its_name(content: Content) -> None:
    """A window may have no number: the call names it, never "None号窗口"."""
    windows = [w.model_copy(update={"number": None}) if w.id == "shebao" else w for w in content.centre.windows]
    unnumbered = replace(content, centre=content.centre.model_copy(update={"windows": windows}))
    state, _call = q.call_next(_queue(content), content.centre, "shebao", None, NOW + timedelta(minutes=4))
    serving = ticket_view(_snapshot(unnumbered, state), DAY, "A003")
    assert serving is not None and serving.headline == "请到社会保障窗口办理"


def test_called_done_and_missed_tickets(content: Content) -> None:
    state, _call = q.call_next(_queue(content), content.centre, "shebao", None, NOW + timedelta(minutes=4))
    serving = ticket_view(_snapshot(content, state), DAY, "A003")
    assert serving is not None and serving.state == "serving"
    assert serving.headline == "请到2号窗口（社会保障窗口）办理"
    state, _number = q.done(state, "shebao", NOW + timedelta(minutes=5))
    done = ticket_view(_snapshot(content, state), DAY, "A003")
    assert done is not None and done.state == "done" and not done.refresh
    state, _call = q.call_next(state, content.centre, "shebao", None, NOW + timedelta(minutes=5))
    state, _number = q.no_show(state, "shebao", NOW + timedelta(minutes=6))
    missed = ticket_view(_snapshot(content, state), DAY, "A001")
    assert missed is not None and missed.state == "no_show" and "综合窗口" in missed.detail


def test_tickets_that_are_not_there(content: Content) -> None:
    snap = dataclasses.replace(_snapshot(content), issued={date(2026, 11, 26): {"A": 12, "B": 3}})
    expired = ticket_view(snap, "2026-11-26", "A012")
    assert expired is not None and expired.state == "expired" and expired.headline == "这张号已过期"
    assert ticket_view(snap, "2026-11-26", "A013") is None  # never issued that day
    assert ticket_view(snap, "2026-11-26", "C001") is None
    assert ticket_view(snap, "2026-11-25", "A001") is None  # a day the service does not know
    assert ticket_view(snap, "0001-01-01", "A001") is None
    assert ticket_view(snap, "2026-11-28", "A001") is None  # a day to come
    assert ticket_view(snap, DAY, "A099") is None
    for day, number in ((DAY, "a001"), (DAY, "A1"), ("2026-13-01", "A001"), ("yesterday", "A001"), (DAY, "A001x")):
        assert ticket_view(snap, day, number) is None, (day, number)


# -- the app, through Flask's test client ---------------------------------------------------------


@pytest.fixture
def client(content: Content) -> Iterator[FlaskClient]:
    shown: list[Snapshot | None] = [_snapshot(content)]
    app = create_app(lambda: shown[0])
    app.config["shown"] = shown
    yield app.test_client()


def test_pages_and_their_status_codes(client: FlaskClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and home.mimetype == "text/html"
    page = home.get_data(as_text=True)
    assert (
        "绵阳市游仙区魏城镇便民服务中心" in page and 'href="/g/shebao-yanglao-daiyu"' in page and "首问负责制" in page
    )
    guide = client.get("/g/shebao-yanglao-daiyu").get_data(as_text=True)
    assert "城乡居民基本养老保险待遇领取申请" in guide and "办理依据" in guide and 'lang="zh-CN"' in guide
    assert '<a href="tel:0816-2731002">0816-2731002</a>' in guide  # a tap on a phone dials it
    ticket = client.get(f"/q/{DAY}/A001")
    assert ticket.status_code == 200 and '<meta http-equiv="refresh" content="30">' in ticket.get_data(as_text=True)
    for path in ("/g/nope", f"/q/{DAY}/A099", "/q/2026-13-01/A001", "/q/x/A001", "/elsewhere", "/g/" + "x" * 5000):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert "没有找到" in missing.get_data(as_text=True)
    assert client.post("/").status_code == 405
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    # What the hall's proxy shows a phone past its rate (error_page 429 in deploy/nginx-hall.conf).
    busy = client.get("/busy")
    assert busy.status_code == 429 and busy.headers["Retry-After"] and "请稍后再试" in busy.get_data(as_text=True)


def test_headers_keep_the_pages_to_themselves(client: FlaskClient) -> None:
    response = client.get("/g/shebao-yanglao-daiyu")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_content_is_escaped(client: FlaskClient, content: Content) -> None:
    assert "alert(1)" not in client.get("/").get_data(as_text=True)
    item = replace_item_name(content, "shebao-yanglao-daiyu", "<script>alert(1)</script>养老")
    client.application.config["shown"][0] = _snapshot(item)  # an edit: the centre page is made again
    for path in ("/g/shebao-yanglao-daiyu", "/"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;养老" in page


def test_before_the_content_is_loaded(client: FlaskClient) -> None:
    client.application.config["shown"][0] = None
    response = client.get("/g/shebao-yanglao-daiyu")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "正在启动" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503


def replace_item_name(content: Content, item_id: str, name: str) -> Content:
    items = tuple(i.model_copy(update={"name": name}) if i.id == item_id else i for i in content.items)
    return replace(content, items=items)


# -- a real `hall serve --http`, opened in headless Chromium ------------------------------------


def _browser() -> str:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    pytest.fail("no headless Chromium, in which the pages are checked: run the tests through scripts/dev test")


def _open_in_chromium(url: str, out: Path) -> str:
    """The page as a phone shows it: a 412 px wide screenshot into `out`, and the DOM after loading."""
    browser = _browser()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=412,915"]
    env = {**os.environ, "HOME": str(out.parent)}
    shot = subprocess.run(
        [browser, *flags, f"--screenshot={out}", url], capture_output=True, timeout=WAIT_S * 4, env=env, check=False
    )
    assert shot.returncode == 0 and out.is_file(), shot.stderr[-2000:]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, timeout=WAIT_S * 4, env=env)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout.decode()


@pytest.fixture
def served(sample_dir: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path) -> Iterator[str]:
    """`hall serve` with its pages on a free loopback port; yields their address once it is ready."""
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    sub = subscribe(["device/service/state"])
    argv = serve_argv(sample_dir, broker.url("service"), tmp_path / "s.sqlite3", "--no-watch")
    argv += ["--http", f"127.0.0.1:{port}", "--public-url", address]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        sub.wait_for(lambda m: m.json()["status"] == "ready", "the service ready")
        yield address
    finally:
        process.terminate()
        assert process.wait(WAIT_S) == 0
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.broker
def test_a_ticket_and_a_guide_open_on_a_phone(served: str, broker: Mosquitto, tmp_path: Path) -> None:
    reply = send_command(parse_broker_url(broker.url("kiosk-1")), CENTRE, "ticket", {"category": "guangdian"})
    url = reply["url"]
    assert url.startswith(f"{served}/q/") and url.endswith("/" + reply["ticket"])

    ticket_dom = _open_in_chromium(url, tmp_path / "ticket.png")
    assert reply["ticket"] in ticket_dom and "排队进度" in ticket_dom and "下一位就是您" in ticket_dom
    guide_dom = _open_in_chromium(f"{served}/g/shebao-yanglao-daiyu", tmp_path / "guide.png")
    assert "城乡居民基本养老保险待遇领取申请" in guide_dom and "申请材料" in guide_dom
    for name in ("ticket", "guide"):
        with Image.open(tmp_path / f"{name}.png") as image:
            assert image.width == 412
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 16, f"{name}.png looks blank"

    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{served}/g/no-such-item", timeout=WAIT_S)
    assert missing.value.code == 404
    missing.value.close()


def test_a_port_in_use_is_a_clear_failure(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = serve_argv(SAMPLE, "mqtt://127.0.0.1:9", tmp_path / "s.sqlite3", "--http", f"127.0.0.1:{port}")
        done = subprocess.run(argv, capture_output=True, text=True, timeout=WAIT_S * 2, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("hall serve") and f"127.0.0.1:{port}" in done.stderr, done.stderr  # where, in words


# -- the templates' words -------------------------------------------------------------------------


class _Words:
    """A catalog that knows one id."""

    def __init__(self, known: str, words: str) -> None:
        self.known, self.words = known, words

    def gettext(self, message: str) -> str:
        return self.words if message == self.known else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.words if singular == self.known else (singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


def test_each_template_speaks_its_own_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    """`{{ _() }}` looks a console template's words up in the console's catalog and every other template's
    in the pages' catalog, the child's domain through `extends`; and `<html lang>` is the process's."""
    import jinja2
    from flask import Flask, render_template

    from content.web import public

    monkeypatch.setattr(public, "PAGES", _Words("Open", "页面"))
    monkeypatch.setattr(public, "CONSOLE", _Words("Open", "控制台"))
    app = Flask(__name__)
    public.install_words(app)
    public.install_words(app)  # twice is harmless: the console installs them too
    app.jinja_loader = jinja2.DictLoader(
        {
            "frame.html": '<html lang="{{ html_lang() }}">{% block b %}{% endblock %}</html>',
            "console_x.html": '{% extends "frame.html" %}{% block b %}{{ _("Open") }}{% endblock %}',
            "page_x.html": '{% extends "frame.html" %}{% block b %}{{ _("Open") }} {% trans n=2 %}'
            "{{ n }} open{% pluralize %}{{ n }} opens{% endtrans %}{% endblock %}",
        }
    )
    with app.app_context():
        assert render_template("console_x.html") == '<html lang="zh-CN">控制台</html>'
        assert render_template("page_x.html") == '<html lang="zh-CN">页面 2 opens</html>'


# -- every word in the hall's language ------------------------------------------------------------


class _Visible(HTMLParser):
    """What a reader sees of a page: its text outside <style> and <script>, its <title>, and the attributes a
    browser shows (title, placeholder, alt, a button's value)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._hidden += 1
        for name, value in attrs:
            if value and (name in ("title", "placeholder", "alt") or (name == "value" and tag == "button")):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def ticket_snapshots(content: Content) -> list[tuple[Snapshot, str]]:
    """A ticket page in every state, on any centre: (the snapshot, the page's path)."""
    window = next(w for w in content.centre.windows if any(c.id in w.categories for c in content.categories))
    category = next(c for c in content.categories if c.id in window.categories)
    state = q.roll_day(q.QueueState(), NOW, content.centre.queue)
    for minute, priority in enumerate((None, None, "elderly")):
        state = q.issue(state, category.id, category.prefix, priority, NOW + timedelta(minutes=minute))
    first, elderly = f"{category.prefix}001", f"{category.prefix}003"
    at = NOW + timedelta(minutes=5)
    out = [(_snapshot(content, state), f"/q/{DAY}/{first}"), (_snapshot(content, state), f"/q/{DAY}/{elderly}")]
    state, _call = q.call_next(state, content.centre, window.id, None, at)
    out.append((_snapshot(content, state), f"/q/{DAY}/{elderly}"))  # serving
    state, _number = q.done(state, window.id, at)
    out.append((_snapshot(content, state), f"/q/{DAY}/{elderly}"))  # done
    state, _call = q.call_next(state, content.centre, window.id, None, at)
    state, _number = q.no_show(state, window.id, at)
    out.append((_snapshot(content, state), f"/q/{DAY}/{first}"))  # missed
    yesterday = dataclasses.replace(_snapshot(content, state), issued={date(2026, 11, 26): {category.prefix: 9}})
    out.append((yesterday, f"/q/2026-11-26/{category.prefix}007"))  # expired
    return out


def public_pages(content: Content) -> Iterator[tuple[str, str]]:
    """Every public page of `content` as a phone gets it, in every state: (what it is, its HTML)."""
    shown: list[Snapshot | None] = [_snapshot(content)]
    client = create_app(lambda: shown[0]).test_client()

    def get(path: str, status: int = 200, method: str = "GET") -> str:
        response = client.open(path, method=method)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)

    yield "/", get("/")
    for item in content.items:
        yield f"/g/{item.id}", get(f"/g/{item.id}")
    for snapshot, path in ticket_snapshots(content):
        shown[0] = snapshot
        yield path, get(path)
    yield "404", get("/g/no-such-item", 404)
    yield "404 ticket", get(f"/q/{DAY}/Z999", 404)
    yield "404 page", get("/elsewhere", 404)
    yield "405", get("/", 405, method="POST")
    yield "429", get("/busy", 429)
    shown[0] = None
    yield "503", get("/", 503)


@pytest.mark.parametrize("centre", ["sample", "stress"])
def test_every_public_page_is_in_chinese(centre: str, content: Content, stress: Content) -> None:
    """No English word on any page a citizen reads in a Chinese hall, on the sample and the stress centre;
    and each says it is Chinese (<html lang>)."""
    for what, html in public_pages(content if centre == "sample" else stress):
        assert '<html lang="zh-CN">' in html, what
        assert english(visible_text(html)) == [], (what, english(visible_text(html)))


def test_hall_lang_en_gives_english_pages() -> None:
    """The language is the process's: HALL_LANG=en, in a process of its own, gives the pages in English."""
    script = (
        "from tests.content.web.test_public import public_pages, visible_text\n"
        "from content.centre.loader import load_content\n"
        "from content.centre.synth import SAMPLE\n"
        "pages = list(public_pages(load_content(SAMPLE).content))\n"
        "print(pages[0][1].splitlines()[1])\n"
        "print(visible_text(pages[0][1]))\n"
        "print(visible_text(next(html for what, html in pages if what.startswith('/q/'))))\n"
    )
    env = {**os.environ, "HALL_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    head, centre, ticket = done.stdout.splitlines()
    assert '<html lang="en">' in head
    assert "Opening hours" in centre and "Enquiries" in centre and "办公时间" not in centre
    assert "Queue progress" in ticket and "1 person ahead of you" in ticket


# -- long content, whole on a phone ---------------------------------------------------------------

SHOTS = REPO / "var" / "shots" / "pages"
PHONE = {"width": 390, "height": 844}
"""A phone's viewport in CSS px (iPhone 12 to 15)."""
WIDEST = """() => Math.max(document.documentElement.scrollWidth,
    ...[...document.querySelectorAll('body *')].map(e => Math.ceil(e.getBoundingClientRect().right)))"""
"""How far right anything on the page reaches: past the viewport, the page scrolls sideways."""
ONE_LINE = """() => [...document.querySelectorAll('.phone')].map(e => e.getClientRects().length)"""
"""The lines each phone number within a text takes."""


def chromium_page(url: str, shot: Path, act: Callable[[Any], None] | None = None) -> tuple[str, int]:
    """`url` in a real headless Chromium at a phone's width, after `act(page)`: the page's visible text
    (innerText), how far right it reaches, and a screenshot of the whole page into `shot`."""
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport=PHONE, device_scale_factor=2)
            page.goto(url)
            if act is not None:
                act(page)
            page.screenshot(path=str(shot), full_page=True)
            return page.inner_text("body"), int(page.evaluate(WIDEST))
        finally:
            chromium.close()


def long_item(stress: Content) -> tuple[Content, Item]:
    """The stress centre's item of 25 documents, one of them with a note of 348 characters, its fee and
    first step of 1,000: each a field at its length, never cut."""
    item = next(i for i in stress.items if len(i.documents) == 25)
    note = _filled("本材料须由出具单位加盖公章，复印件逐页注明“与原件一致”并由申请人签名按手印。", 348)
    documents = [d.model_copy(update={"note": note}) if n == 3 else d for n, d in enumerate(item.documents)]
    fee = _filled("不收费；工本费按省物价局核定标准收取，困难群众凭低保证明减免。", 1000)
    long = item.model_copy(update={"documents": documents, "fee": fee})
    assert len(long.steps[0]) == 1000
    items = tuple(long if i.id == item.id else i for i in stress.items)
    return replace(stress, items=items), long


def _filled(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length]


def test_a_long_guide_is_whole_on_a_phone(stress: Content) -> None:
    """25 documents, a 348-character note, a 1,000-character fee and step: every character on the page,
    and nothing reaching past a 390 px phone's width (no sideways scrolling)."""
    content, item = long_item(stress)
    snapshot = _snapshot(content)
    web = pages_server("127.0.0.1", 0, lambda: snapshot)
    web.start()
    lines: list[int] = []
    try:
        text, widest = chromium_page(
            f"{web.url}/g/{item.id}",
            SHOTS / "guide-25-documents-390.png",
            lambda page: lines.extend(page.evaluate(ONE_LINE)),
        )
    finally:
        web.stop()
    assert len(lines) >= 12 and set(lines) == {1}, lines  # the agents' phone numbers, each on one line
    flat = "".join(text.split())
    for whole in (item.steps[0], item.fee, item.documents[3].note or "", *(d.name for d in item.documents)):
        assert "".join(whole.split()) in flat, whole[:40]
    assert widest <= PHONE["width"], widest
    assert english(text) == []
