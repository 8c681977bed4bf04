"""The console's announcements page against a real `hall serve` (with the LED driver's previews), a real
Mosquitto and, once, a real headless Chromium: the form and its refusals, the preview, approval by a
manager, clearing one's own, a supervisor who only looks, and script in every field shown as text."""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import Subscriber
from tests.content.web.test_console import PASSWORDS, SHOTS, Browser, Hall, hall  # noqa: F401  (the fixture)

SCRIPT = "<script>window.__xss = 1</script><img src=x onerror=alert(1)>"
SIZES = {
    "wall-1920x1080": (1920, 1080),
    "wall-768x384": (768, 384),
    "window-192x64": (768, 256),
    "strip-128x32": (512, 128),
}


@pytest.fixture
def sample_dir(sample_dir: Path) -> Path:
    """The sample centre with approval on: a window's announcement waits for the manager."""
    centre = sample_dir / "centre.yaml"
    centre.write_text(centre.read_text(encoding="utf-8") + "\nannouncements:\n  approval: true\n", encoding="utf-8")
    return sample_dir


def _post(browser: Browser, path: str, csrf: str | None = None, **body: Any) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf if csrf is None else csrf}
    status, text = browser.request(path, json.dumps(body).encode(), headers)
    return status, json.loads(text)


def _listed(browser: Browser) -> list[dict[str, Any]]:
    status, text = browser.request("/console/announce/list")
    assert status == 200, text
    rows: list[dict[str, Any]] = json.loads(text)["announcements"]
    return rows


def _logged_in(hall: Hall, name: str) -> Browser:  # noqa: F811
    browser = Browser(hall.url)
    assert browser.login(name, PASSWORDS[name])[0] == 200 and browser.csrf
    return browser


def test_the_page_its_refusals_and_approval(hall: Hall, subscribe: Callable[..., Subscriber]) -> None:  # noqa: F811
    wall = subscribe(["announcements"])
    anonymous = Browser(hall.url)
    status, page = anonymous.request("/console/announce")
    assert status == 200 and "登录" in page  # to the login form
    assert _post(anonymous, "/console/announce/preview", text="x")[0] == 401
    assert anonymous.request("/console/announce/list")[0] == 401

    staff = _logged_in(hall, "li.na")
    status, page = staff.request("/console/announce")
    assert status == 200 and 'href="/console/announce" class="here"' in page and "提交审核" in page
    assert '<script src="/console/static/console_announce.js" defer></script>' in page
    for name in ("console_announce.js", "console_announce.css"):
        assert staff.request(f"/console/static/{name}")[0] == 200

    # The preview: the LED driver's frames of every display, as PNGs.
    status, out = _post(staff, "/console/announce/preview", text=SCRIPT, priority="normal", targets=["all"])
    assert status == 200 and out["ok"], out
    assert set(out["images"]) == set(SIZES)
    normal = {}
    for name, url in out["images"].items():
        assert url.startswith("data:image/png;base64,")
        normal[name] = base64.b64decode(url.removeprefix("data:image/png;base64,"))
        assert Image.open(io.BytesIO(normal[name])).size == SIZES[name]
    _, urgent = _post(staff, "/console/announce/preview", text="紧急疏散", priority="emergency")
    assert all(urgent["images"][n] != out["images"][n] for n in SIZES)
    assert _post(staff, "/console/announce/preview", csrf="forged", text="x")[0] == 403

    # The form's refusals.
    for body, message in (
        ({"text": "   "}, "请填写公告内容"),
        ({"text": "x" * 501}, "最多 500 个字"),
        ({"text": "x", "priority": "urgent"}, "级别"),
        ({"text": "x", "targets": ["wall"]}, "显示位置"),
        ({"text": "紧急", "priority": "emergency", "confirm": True}, "必须设定结束时间"),
        ({"text": "紧急", "priority": "emergency", "duration_s": 600}, "紧急通知将立即占用所有屏幕"),
        ({"text": "x", "start": "tomorrow"}, "开始时间格式不正确"),
        ({"text": "x", "start": "2026-12-04T10:00", "end": "2026-12-04T09:00"}, "结束时间应晚于"),
    ):
        status, refused = _post(staff, "/console/announce", **body)
        assert status == 400 and message in refused["error"], (body, refused)

    # A window's announcement waits for the manager: kept, listed, not published.
    status, made = _post(staff, "/console/announce", text=SCRIPT, priority="high", targets=["led"], duration_s=3600)
    assert status == 200 and made["ok"] and made["result"]["review"] == "pending", made
    pending = made["result"]["id"]
    row = next(a for a in _listed(staff) if a["id"] == pending)
    assert (row["review"], row["person"], row["text"], row["may_clear"], row["may_review"]) == (
        "pending", "li.na", SCRIPT, True, False
    )  # fmt: skip
    assert _post(staff, "/console/announce/review", id=pending, decision="approve")[0] == 403

    # A supervisor looks, and only looks.
    supervisor = _logged_in(hall, "jiancha")
    status, page = supervisor.request("/console/announce")
    assert status == 200 and "只读账号" in page and 'id="form"' not in page
    assert [a["may_clear"] for a in _listed(supervisor)] == [False]
    assert _post(supervisor, "/console/announce/preview", text="x")[0] == 403
    assert _post(supervisor, "/console/announce", text="x")[0] == 403
    assert _post(supervisor, "/console/announce/clear", id=pending)[0] == 403

    # The manager: a rejection says why; an approval publishes it.
    manager = _logged_in(hall, "boss")
    assert next(a for a in _listed(manager) if a["id"] == pending)["may_review"] is True
    status, refused = _post(manager, "/console/announce/review", id=pending, decision="reject", reason=" ")
    assert status == 400 and "原因" in refused["error"]
    status, approved = _post(manager, "/console/announce/review", id=pending, decision="approve")
    assert status == 200 and approved["result"]["review"] == "approved", approved
    doc = wall.doc_where("announcements", lambda d: any(a["id"] == pending for a in d["announcements"]), "approved")
    assert [a["text"] for a in doc["announcements"]] == [SCRIPT]
    assert _post(manager, "/console/announce/review", id=pending, decision="approve")[0] == 409  # done already

    # An edit by its author sends it back to pending; another window's staff may not edit it.
    status, edited = _post(staff, "/console/announce/edit", id=pending, text="改过的通知", duration_s=3600)
    assert status == 200 and edited["result"]["review"] == "pending", edited
    wall.doc_where("announcements", lambda d: d["announcements"] == [], "the edited one held back again")
    assert _post(supervisor, "/console/announce/edit", id=pending, text="x")[0] == 403
    assert _post(staff, "/console/announce/edit", id="a999", text="x")[0] == 404
    assert _post(manager, "/console/announce/review", id=pending, decision="approve")[0] == 200
    wall.doc_where("announcements", lambda d: [a["text"] for a in d["announcements"]] == ["改过的通知"], "re-approved")

    # The manager's own goes up at once; a window takes down its own only.
    status, mine = _post(manager, "/console/announce", text="今天逢场，各窗口全员在岗")
    assert status == 200 and mine["result"]["review"] == "approved"
    status, refused = _post(staff, "/console/announce/clear", id=mine["result"]["id"])
    assert status == 403 and "自己" in refused["error"]
    assert _post(staff, "/console/announce/clear", id=pending)[0] == 200
    assert _post(staff, "/console/announce/clear", id=pending)[0] == 404
    assert _post(manager, "/console/announce/clear", id=mine["result"]["id"])[0] == 200
    assert _listed(manager) == []


def test_typing_previewing_submitting_and_approving_in_a_real_browser(
    hall: Hall,  # noqa: F811
    subscribe: Callable[..., Subscriber],
) -> None:
    from playwright.sync_api import Page, sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    wall = subscribe(["announcements"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    text = "今天逢场，各窗口全员在岗，请按号有序办理 " + SCRIPT

    def log_in(page: Page, name: str) -> None:
        page.goto(hall.url + "/console/announce")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORDS[name])
        page.click("button[type=submit]")
        page.wait_for_url(hall.url + "/console")
        page.goto(hall.url + "/console/announce")

    def previews(page: Page) -> str:
        return str(page.evaluate("() => document.body.dataset.previews || ''"))

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            staff = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            log_in(staff, "li.na")
            staff.wait_for_function("() => document.body.dataset.previews === '1'")  # the empty hall
            blank = staff.get_attribute("#pv-wall-1920x1080", "src")
            staff.type("#text", text[:12], delay=30)  # typing: one preview once the typing pauses
            staff.wait_for_function(f"() => document.getElementById('pv-wall-1920x1080').src !== {json.dumps(blank)}")
            typed = staff.get_attribute("#pv-wall-1920x1080", "src")
            assert int(previews(staff)) < 12  # debounced, not one per key
            staff.fill("#text", text)
            staff.wait_for_function(f"() => document.getElementById('pv-wall-1920x1080').src !== {json.dumps(typed)}")
            staff.wait_for_function("() => document.getElementById('preview-note').textContent.startsWith('按实际')")
            staff.screenshot(path=str(SHOTS / "announce-typed.png"))
            # An emergency: the warning, and no submitting without an end and the confirmation.
            shown = staff.get_attribute("#pv-window-192x64", "src")
            staff.check("input[name=priority][value=emergency]")
            assert staff.is_visible("#emergency") and "紧急通知将立即占用所有屏幕" in staff.text_content("#emergency")
            assert staff.is_disabled("#submit")
            staff.wait_for_function(f"() => document.getElementById('pv-window-192x64').src !== {json.dumps(shown)}")
            staff.select_option("#duration", "3600")
            assert staff.is_disabled("#submit")
            staff.check("#confirm")
            assert staff.is_enabled("#submit")
            staff.wait_for_function("() => document.getElementById('preview-note').textContent.startsWith('按实际')")
            staff.screenshot(path=str(SHOTS / "announce-emergency.png"))
            staff.check("input[name=priority][value=high]")
            staff.click("#submit")
            staff.wait_for_function(
                "() => document.getElementById('message').textContent.includes('等待中心负责人批准')"
            )
            staff.wait_for_selector("#list tbody tr.review-pending")
            staff.wait_for_function("() => document.getElementById('preview-note').textContent.startsWith('按实际')")
            assert staff.text_content("#list tbody tr td:nth-child(2)") == text  # as text
            assert staff.evaluate(
                "() => window.__xss === undefined && !document.querySelector('#list script, #list img')"
            )
            assert staff.locator("#list tbody tr button", has_text="批准").count() == 0
            staff.screenshot(path=str(SHOTS / "announce-submitted.png"))

            manager = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            log_in(manager, "boss")
            manager.wait_for_selector("#list tbody tr.review-pending button[data-act=approve]")
            manager.screenshot(path=str(SHOTS / "announce-pending.png"))
            manager.click("#list tbody tr.review-pending button[data-act=approve]")
            manager.wait_for_selector("#list tbody tr.review-approved")
            doc = wall.doc_where("announcements", lambda d: [a["text"] for a in d["announcements"]] == [text], "it")
            assert doc["announcements"][0]["priority"] == "high" and doc["announcements"][0]["expires"]
            assert manager.evaluate("() => window.__xss === undefined")
            manager.screenshot(path=str(SHOTS / "announce-approved.png"))

            supervisor = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            log_in(supervisor, "jiancha")
            supervisor.wait_for_selector("#list tbody tr.review-approved")
            assert supervisor.locator("#form").count() == 0 and supervisor.locator("#list button").count() == 0
            supervisor.screenshot(path=str(SHOTS / "announce-supervisor.png"))
        finally:
            chromium.close()


def test_the_form_starts_afresh_after_publishing_and_counts_what_a_reader_sees(
    hall: Hall,  # noqa: F811
    subscribe: Callable[..., Subscriber],
) -> None:
    """An emergency published: the form is back to a normal announcement on every screen until taken down,
    nothing ticked (the next one is not an emergency by accident); the count is of characters, not units."""
    from playwright.sync_api import sync_playwright

    from tests.words import english

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path
    wall = subscribe(["announcements"])
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport={"width": 1024, "height": 768}, locale="zh-CN")
            page.goto(hall.url + "/console/announce")
            page.fill("input[name=name]", "boss")
            page.fill("input[name=password]", PASSWORDS["boss"])
            page.click("button[type=submit]")
            page.wait_for_url(hall.url + "/console")
            page.goto(hall.url + "/console/announce")
            page.fill("#text", "👨‍👩‍👧𠮷阿依古丽·买买提")
            assert page.text_content("#count") == "10/500"  # a family is one character, 𠮷 one (18 UTF-16 units)
            page.fill("#text", "燃气泄漏，请立即有序撤离大厅")
            page.check("input[name=priority][value=emergency]")
            page.check("input[name=targets][value=led]")
            page.select_option("#duration", "1800")
            page.check("#confirm")
            page.click("#submit")
            page.wait_for_function("() => document.getElementById('message').textContent.startsWith('已发布')")
            wall.doc_where(
                "announcements", lambda d: any(a["priority"] == "emergency" for a in d["announcements"]), "it"
            )
            assert page.input_value("#text") == "" and page.text_content("#count") == "0/500"
            assert page.is_checked("input[name=priority][value=normal]")
            assert page.is_checked("input[name=targets][value=all]")
            assert page.input_value("#duration") == "0"
            assert not page.is_checked("#confirm") and page.is_hidden("#emergency")
            assert page.text_content("#submit") == "发布"
            page.wait_for_selector("#list tbody tr.priority-emergency")
            assert not english(page.inner_text("main"), ["boss"])  # the login's name is data
        finally:
            chromium.close()
