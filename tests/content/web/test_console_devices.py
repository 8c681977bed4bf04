"""The console's devices page against a real `hall serve`, a real Mosquitto, a real LED controller and a real
headless Chromium: the display started, stopped, its link cut (the broker publishes its will) and mended."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from content.shared.broker_url import parse_broker_url
from led_driver.device import LedController
from led_driver.outputs.null import NullOutput
from led_driver.profile import find_profile, load_profile
from led_driver.scheduler import Scheduler
from tests.conftest import CENTRE, WAIT_S
from tests.content.web.test_console import PASSWORDS, SHOTS, Browser, Hall, hall  # noqa: F401 (the fixture)
from tests.fault.link import CuttableLink

KEEPALIVE_S = 2
"""The display's keepalive: the broker gives up on it 1.5 x this after its link is cut."""


@contextmanager
def led(url: str, cache: Path) -> Iterator[LedController]:
    """A real LED controller (the strip) with its scheduler running, as `hall demo` runs its previews."""
    profile, problems = load_profile(find_profile("strip-128x32"))
    assert profile is not None, problems
    output = NullOutput()
    output.open((profile.size[0], profile.size[1]), "1" if profile.colour_mode == "mono" else "RGB")
    scheduler = Scheduler(profile.model_copy(update={"always_open": True}), output)
    controller = LedController(
        parse_broker_url(url), CENTRE, scheduler, device_id="led-wall", cache_dir=cache, keepalive=KEEPALIVE_S
    )
    stop = threading.Event()
    controller.start()
    runner = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
    runner.start()
    try:
        yield controller
    finally:
        stop.set()
        scheduler.update(scheduler.state)
        runner.join(WAIT_S)
        controller.stop()


def board(browser: Browser) -> dict[str, Any]:
    status, text = browser.request("/console/devices.json")
    assert status == 200, text
    body: dict[str, Any] = json.loads(text)
    return body


def wait_board(browser: Browser, predicate: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    """Ask the page's JSON until `predicate` holds (the condition is in the server: it has to be asked)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        body = board(browser)
        if predicate(body):
            return body
        assert time.monotonic() < deadline, f"the board never showed {what}: {json.dumps(body, ensure_ascii=False)}"
        time.sleep(0.1)


def device(body: dict[str, Any], device_id: str) -> dict[str, Any] | None:
    return next((d for d in body["devices"] if d["id"] == device_id), None)


def status_of(device_id: str, status: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: (found := device(body, device_id)) is not None and found["status"] == status


def alerts_of(body: dict[str, Any], device_id: str) -> list[tuple[str, str]]:
    """(kind, status) of the device's alerts, oldest first."""
    return [(a["kind"], a["status"]) for a in reversed(body["alerts"]) if a["device"] == device_id]


def test_who_sees_the_devices_page(hall: Hall) -> None:  # noqa: F811
    anonymous = Browser(hall.url)
    assert anonymous.request("/console/devices.json")[0] == 401
    staff = Browser(hall.url)
    staff.login("li.na", PASSWORDS["li.na"])
    assert staff.request("/console/devices.json")[0] == 403
    status, page = staff.request("/console/devices")
    assert status == 403 and "没有权限" in page
    _, work = staff.request("/console")
    assert 'href="/console/devices"' not in work  # no tab for staff
    for name in ("boss", "jiancha"):
        someone = Browser(hall.url)
        _, work = someone.login(name, PASSWORDS[name])
        assert 'href="/console/devices"' in work
        status, page = someone.request("/console/devices")
        assert status == 200 and "设备状态" in page
        service = wait_board(someone, status_of("service", "online"), "the service online")
        assert device(service, "service") is not None
    assert (Path(hall.state).parent / "devices.sqlite3").exists()  # beside the users file


def test_a_display_started_stopped_cut_and_back(hall: Hall, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    manager = Browser(hall.url)
    manager.login("boss", PASSWORDS["boss"])
    link = CuttableLink(hall.broker.port).start()
    url = f"mqtt://led-wall:{hall.broker.passwords['led-wall']}@127.0.0.1:{link.port}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with led(url, tmp_path / "cache-1") as controller:
            assert controller.ready.wait(WAIT_S)
            body = wait_board(manager, status_of("led-wall", "online"), "the display online")
            row = device(body, "led-wall")
            assert row is not None and row["kind"] == "led" and row["today"] == 1.0
            assert alerts_of(body, "led-wall") == []  # first seen: no alert
        # controller.stop(): `disconnected`, a clean stop
        body = wait_board(manager, status_of("led-wall", "stopped"), "the display stopped")
        assert alerts_of(body, "led-wall") == [("down", "stopped")]
        with led(url, tmp_path / "cache-2"), sync_playwright() as p:
            body = wait_board(manager, status_of("led-wall", "online"), "the display online again")
            assert alerts_of(body, "led-wall") == [("down", "stopped"), ("up", "online")]
            chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            try:
                page = chromium.new_page(viewport={"width": 1366, "height": 768})
                page.goto(hall.url + "/console/login")
                page.fill("input[name=name]", "boss")
                page.fill("input[name=password]", PASSWORDS["boss"])
                page.click("button[type=submit]")
                page.wait_for_url(hall.url + "/console")
                page.click("nav a[href='/console/devices']")
                page.wait_for_selector("#devices tr[data-id='led-wall'][data-status='online']")
                # The link is cut like a pulled cable: only the keepalive tells, and the broker publishes the
                # display's will. The page follows without a reload.
                loaded = page.evaluate("performance.timeOrigin")
                link.cut()
                page.wait_for_selector(
                    "#devices tr[data-id='led-wall'][data-status='lost']", timeout=(1.5 * KEEPALIVE_S + WAIT_S) * 1000
                )
                page.wait_for_function(
                    "() => document.querySelector('#alerts li.down')?.textContent.includes('连接中断')"
                )
                assert page.evaluate("performance.timeOrigin") == loaded
                page.screenshot(path=str(SHOTS / "devices-lost.png"))
                body = board(manager)
                assert alerts_of(body, "led-wall") == [("down", "stopped"), ("up", "online"), ("down", "lost")]
                link.mend()  # the controller reconnects by itself
                page.wait_for_selector(
                    "#devices tr[data-id='led-wall'][data-status='online']", timeout=(WAIT_S + 30) * 1000
                )
                body = wait_board(manager, status_of("led-wall", "online"), "the display back")
                assert alerts_of(body, "led-wall") == [
                    ("down", "stopped"), ("up", "online"), ("down", "lost"), ("up", "online"),
                ]  # fmt: skip
                row = device(body, "led-wall")
                assert row is not None and row["today"] is not None and 0 < row["today"] < 1
                assert row["revs"]["state"] in ("current", "unconfirmed"), row["revs"]
                page.wait_for_function("() => document.querySelectorAll('#alerts li').length >= 4")
                texts = page.eval_on_selector_all("#alerts li", "items => items.map(i => i.textContent)")
                assert "恢复在线" in texts[0] and "连接中断" in texts[1], texts  # newest first
                page.screenshot(path=str(SHOTS / "devices.png"))
            finally:
                chromium.close()
        # Stopped once more; each change alerted once, whatever was delivered again in between.
        body = wait_board(manager, status_of("led-wall", "stopped"), "the display stopped again")
        assert len(alerts_of(body, "led-wall")) == 5
    finally:
        link.close()
