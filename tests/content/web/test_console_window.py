"""The window page in a real headless Chromium against a real `hall serve` and Mosquitto: every action says what
happened, the person's own status is shown, the windows table lists everyone at work with their status, the
waiting table only the categories someone waits in, a recall is marked; and the page is whole at a 1024×768
laptop and a 390 px phone with the stress centre (content.centre.stress)."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.accounts.users import UserStore
from content.broker.local import Mosquitto
from content.centre.stress import write_stress_centre
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, Subscriber
from tests.content.web.test_console import Browser, Hall, serving
from tests.words import english

SHOTS = Path(os.environ.get("HALL_CONSOLE_SHOTS", "/tmp/console-tabs"))
PASSWORDS = {"chen": "window-pass-3", "wang": "window-pass-4", "boss": "manager-pass-1"}
SIZES = {"1024": (1024, 768), "390": (390, 844)}


def _serve(content: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path) -> Iterator[Hall]:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("chen", "staff", PASSWORDS["chen"], window="zonghe", staff_id="s03")
    users.add("wang", "staff", PASSWORDS["wang"], window="w04", staff_id="s04")
    users.add("boss", "manager", PASSWORDS["boss"])
    with serving(content, broker, subscribe, tmp_path, tmp_path / "s.sqlite3") as running:
        yield running


@pytest.fixture
def hall(sample_dir: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path) -> Iterator[Hall]:
    yield from _serve(sample_dir, broker, subscribe, tmp_path)


@pytest.fixture
def stress_hall(broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path) -> Iterator[Hall]:
    """The stress centre under the tests' centre id (the tests' broker and roster are that centre's)."""
    content = tmp_path / "stress"
    write_stress_centre(content)
    centre = content / "centre.yaml"
    data = yaml.safe_load(centre.read_text(encoding="utf-8"))
    centre.write_text(yaml.safe_dump({**data, "id": CENTRE}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    yield from _serve(content, broker, subscribe, tmp_path)


def _chromium() -> str:
    found = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert found, "no headless Chromium: run the tests through scripts/dev test"
    return found


def _log_in(page: Any, hall: Hall, name: str) -> None:
    page.goto(hall.url + "/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(hall.url + "/console")
    page.wait_for_selector("#window option", state="attached")


def _rows(page: Any, table: str) -> list[list[str]]:
    return list(
        page.eval_on_selector_all(f"#{table} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    )


def _said(page: Any, action: str, **fill: str) -> str:
    """Click an action and wait for what the page says of it."""
    for selector, value in fill.items():
        page.fill(f"#{selector}", value)
    page.evaluate("() => { document.getElementById('message').textContent = ''; }")
    page.click(f"button[data-action={action}]" if "=" not in action else f"button[{action}]")
    page.wait_for_function(
        "() => { const t = document.getElementById('message').textContent; return t && !t.startsWith('正在'); }"
    )
    return str(page.text_content("#message"))


def test_every_action_says_what_happened_and_the_page_shows_who_and_what(hall: Hall) -> None:
    from playwright.sync_api import sync_playwright

    kiosk = parse_broker_url(hall.broker.url("kiosk-1"))
    for category in ("guangdian", "guangdian"):
        send_command(kiosk, CENTRE, "ticket", {"category": category})
    manager = Browser(hall.url)
    assert manager.login("boss", PASSWORDS["boss"])[0] == 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            _log_in(page, hall, "chen")
            # Waiting: only the category someone waits in, not all seventeen at 0.
            page.wait_for_function("() => document.querySelectorAll('#waiting tbody tr').length === 1")
            assert _rows(page, "waiting") == [["广播电视", "2", "0", page.inner_text("#waiting tbody td:nth-child(4)")]]
            assert "0分钟" not in page.inner_text("#waiting")
            # The windows table: both people at work at the comprehensive window, each with their status;
            # nobody on leave.
            windows = {row[0]: row[1] for row in _rows(page, "windows")}
            assert windows["1号 综合窗口"].split("\n") == ["陈静（在岗）", "张磊（在岗）"], windows
            assert windows["3号 民政窗口"] == "何建华（在岗）", windows  # 罗俊 is on leave
            # My status: the button of it pressed, and said.
            page.wait_for_selector("#status-row button[data-status=on_duty][aria-pressed=true]")
            assert page.text_content("#my-status") == "当前：在岗"
            assert _said(page, "data-status=away") == "本人状态已改为：暂离"
            page.wait_for_selector("#status-row button[data-status=away][aria-pressed=true]")
            assert page.get_attribute("#status-row button[data-status=on_duty]", "aria-pressed") == "false"
            page.wait_for_function("() => document.getElementById('my-status').textContent === '当前：暂离'")
            page.wait_for_function(
                "() => [...document.querySelectorAll('#windows tbody tr')]"
                ".some(r => r.cells[1].innerText.includes('陈静（暂离）'))"
            )
            assert _said(page, "data-status=on_duty") == "本人状态已改为：在岗"
            page.wait_for_selector("#status-row button[data-status=on_duty][aria-pressed=true]")
            # The queue's actions, each confirmed with what happened.
            assert _said(page, "next") == "H001 已叫号（1号窗口）"
            assert _said(page, "recall") == "H001 已重呼（1号窗口）"
            page.wait_for_selector("#calls li.recall")
            calls = page.eval_on_selector_all("#calls li", "items => items.map(i => [i.textContent, i.className])")
            assert calls[0] == ["H001 → 1号窗口（重呼）", "recall"] and calls[1] == ["H001 → 1号窗口", ""], calls
            assert _said(page, "no_show") == "H001 已过号"
            assert _said(page, "next") == "H002 已叫号（1号窗口）"
            page.select_option("#category", "category:minzheng")
            assert _said(page, "transfer") == "H002 已转至民政救助，保留原号"
            assert _said(page, "ticket", ticket="H002") == "H002 已叫号（1号窗口）"
            page.select_option("#category", "to_window:shebao")
            assert _said(page, "transfer") == "H002 已转至2号窗口，保留原号"
            # A refusal: the service's own sentence, whole, as the service gave it.
            status, refused = manager.act(action="ticket", window="zonghe", ticket="C00")
            assert status == 409 and refused["error"]
            assert _said(page, "ticket", ticket="c00") == f"未完成：{refused['error']}"
            assert _said(page, "pause", reason="下村办件") == "1号窗口已暂停服务：下村办件"
            assert _said(page, "open") == "1号窗口已恢复服务"
            assert not english(page.inner_text("main")), english(page.inner_text("main"))
            page.screenshot(path=str(SHOTS / "window-sample-1366.png"), full_page=True)
        finally:
            chromium.close()


def _boxes(page: Any, selectors: list[str]) -> list[dict[str, float]]:
    return [page.eval_on_selector(s, "e => e.getBoundingClientRect().toJSON()") for s in selectors]


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["right"] <= b["left"] + 1
        or b["right"] <= a["left"] + 1
        or a["bottom"] <= b["top"] + 1
        or b["bottom"] <= a["top"] + 1
    )


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return inner["left"] >= outer["left"] - 1 and inner["right"] <= outer["right"] + 1


@pytest.mark.parametrize("size", list(SIZES))
def test_the_window_and_announcement_tabs_are_whole_on_a_laptop_and_a_phone(stress_hall: Hall, size: str) -> None:
    from playwright.sync_api import sync_playwright

    hall, (width, height) = stress_hall, SIZES[size]
    kiosk = parse_broker_url(hall.broker.url("kiosk-1"))
    for category in ("c01", "c01", "c07"):
        send_command(kiosk, CENTRE, "ticket", {"category": category})
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    long_text = ("𠮷祥镇𡋗村片区今天逢场，阿依古丽·买买提同志在综合受理窗口值班，请按号有序办理。" * 20)[:500]
    headers = {"Content-Type": "application/json", "X-CSRF-Token": manager.csrf}
    for text in (long_text, "停电检修通知"):
        status, _ = manager.request("/console/announce", json.dumps({"text": text}).encode(), headers)
        assert status == 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            for name in ("wang", "boss"):
                page = chromium.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
                _log_in(page, hall, name)
                page.wait_for_function("() => document.querySelectorAll('#waiting tbody tr').length === 2")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                work, aside, select = _boxes(page, ["section.work", "aside", "#window"])
                assert _apart(work, aside), (work, aside)  # the panels never overlap
                assert _inside(select, work), (select, work)  # a long window name stays in its panel
                page.screenshot(path=str(SHOTS / f"window-{name}-{size}.png"), full_page=True)
            page.goto(hall.url + "/console/announce")
            page.wait_for_function("() => document.querySelectorAll('#list tbody tr').length === 2")
            page.wait_for_function(
                "() => (document.getElementById('preview-note').textContent || '').startsWith('按实际')"
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            boxes = _boxes(page, ["section.compose", "section.preview", "section.listing"])
            assert all(_apart(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), boxes
            cell = page.eval_on_selector_all(
                "#list tbody td.text", "cells => cells.map(c => c.getBoundingClientRect().width)"
            )
            assert min(cell) >= (200 if width < 600 else 400), cell  # the text has room to be read
            assert page.evaluate("document.documentElement.scrollHeight") < 4 * height + 1200
            page.screenshot(path=str(SHOTS / f"announce-{size}.png"), full_page=True)
            src = page.get_attribute("#pv-wall-1920x1080", "src") or ""
            (SHOTS / f"preview-wall-{size}.png").write_bytes(base64.b64decode(src.split(",", 1)[1]))
        finally:
            chromium.close()
