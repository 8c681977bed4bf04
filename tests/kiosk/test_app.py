"""The kiosk app under a real X server (Xvfb), on the real Mosquitto and the real content service.

Kivy runs in a subprocess: one window per process, and its event loop does not belong in pytest's.
The subprocess is `hall kiosk` itself (`python -m kiosk.cli`) or a tour (`python -m tests.kiosk.tours`).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.broker.local import Mosquitto, free_port
from content.centre.loader import load_content
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, REPO, Subscriber
from tests.kiosk.tours import command
from tests.led_driver.test_device import HOSTILE

SCREENS = ("home", "category", "guide", "search", "staff", "ticket", "case", "emergency", "attract", "large-text")
SIZE = (1080, 1920)
LANDSCAPE = (1920, 1080)
SIDE = max(SIZE)
RUN_TIMEOUT_S = 110
LINE_WAIT_S = 60.0
SAMPLE_NAME = "绵阳市游仙区魏城镇便民服务中心"
PUBLIC_URL = "http://hall.weicheng.local:8080"


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.fail(
            "Xvfb is not installed, and the kiosk app needs an X server: run the tests through scripts/dev test"
        )
    for _ in range(5):
        number = _free_display()
        proc = subprocess.Popen(
            # square: room for the portrait window and the landscape one
            ["Xvfb", f":{number}", "-screen", "0", f"{SIDE}x{SIDE}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def hall_kiosk(argv: list[str]) -> list[str]:
    """The command line of `hall kiosk` with `argv`."""
    return [sys.executable, "-m", "kiosk.cli", *argv]


def _kiosk(display: str, cmd: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `cmd` with the display; on a hang, dump every thread's stack (faulthandler) into the failure."""
    env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy-home")}
    env["PYTHONFAULTHANDLER"] = "1"
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        out, err = proc.communicate(timeout=10)
        (tmp_path / "kiosk-stderr.txt").write_text(err)
        pytest.fail(f"the kiosk hung for {RUN_TIMEOUT_S} s:\n{err[-6000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.broker
@pytest.mark.parametrize("size", [SIZE, LANDSCAPE], ids=["portrait", "landscape"])
def test_screenshots_of_every_screen(
    xvfb: str,
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    """Every screen as a PNG; the tour itself fails if any text is cut, in normal or large text. It
    changes nothing in the hall: the ticket screen is a sample, and no `ticket` command is sent."""
    commands = subscribe(["cmd/#"], user="service")
    service = start_service(sample_dir)
    out = tmp_path / "shots"
    argv = ["--broker", broker.url("kiosk-1"), "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    argv += ["--screenshots", str(out), "--size", f"{size[0]}x{size[1]}"]
    done = _kiosk(xvfb, hall_kiosk(argv), tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    for name in SCREENS:
        path = out / f"{name}.png"
        assert path.is_file(), f"no {name}.png: {sorted(p.name for p in out.iterdir())}"
        with Image.open(path) as image:
            assert image.size == size, f"{name}.png is {image.size}"
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 8, f"{name}.png looks blank: {len(colours or [])} colours"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in SCREENS)
    # The QR codes on screen, read back by a real decoder: the guide's and the ticket's public pages.
    loaded = load_content(sample_dir).content
    assert loaded is not None
    items = {item.id for item in loaded.items}
    for name in ("guide", "attract"):  # the attract loop's guide slides carry the QR code too
        guide = re.fullmatch(rf"{re.escape(PUBLIC_URL)}/g/([a-z0-9-]+)", _qr_text(out / f"{name}.png"))
        assert guide is not None and guide[1] in items, (name, guide)
    # The ticket screen shows a sample, A000, a number no day issues; the hall's queue never saw it.
    ticket = _qr_text(out / "ticket.png")
    assert re.fullmatch(rf"{re.escape(PUBLIC_URL)}/q/\d{{4}}-\d\d-\d\d/A000", ticket), ticket
    commands.wait_for(lambda m: m.topic == "cmd/case/kiosk-1", "the case lookup")  # commands are seen
    assert not [m.topic for m in commands.messages if m.topic.startswith("cmd/ticket/")]
    assert not [row for row in service.store.audit() if row["verb"] == "ticket"]
    assert service.store.issued(date(2000, 1, 1), date(2100, 1, 1)) == {}  # no number on any day


def _qr_text(png: Path) -> str:
    """The text of the one QR code in `png`."""
    import zxingcpp

    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"{png.name}: {len(found)} QR codes"
    return str(found[0].text)


@pytest.mark.broker
def test_no_content_ends_with_a_clear_message(xvfb: str, tmp_path: Path) -> None:
    argv = ["--broker", "mqtt://kiosk-1:x@127.0.0.1:9", "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    argv += ["--screenshots", str(tmp_path / "shots"), "--content-timeout", "2"]
    done = _kiosk(xvfb, hall_kiosk(argv), tmp_path)
    assert done.returncode != 0
    assert "2 秒内没有收到内容" in done.stderr  # in the hall's language


@pytest.mark.broker
def test_touch_flow_home_category_guide(
    xvfb: str, sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    argv = ["--broker", broker.url("kiosk-1"), "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    done = _kiosk(xvfb, command("flow", *argv, "--size", "1920x1080"), tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    flow = next(line for line in done.stdout.splitlines() if line.startswith("FLOW "))
    assert flow.split()[1:4] == ["home", "category", "guide"] or "home category guide" in flow, flow
    assert "current=guide" in flow


# -- flows that the test drives from outside: the app prints markers (tests/kiosk/tours/), the test acts on them


def _tour(tour: str, broker_url: str, cache: Path, *args: str) -> list[str]:
    """A kiosk as `hall kiosk` builds it (kiosk-1 on the sample centre), running `tour` with `args`."""
    return command(tour, "--broker", broker_url, "--centre", CENTRE, "--cache", str(cache), *args)


class RunningKiosk:
    """The app in a subprocess; its stdout read line by line on a thread, its stderr into a file."""

    def __init__(self, display: str, cmd: list[str], tmp_path: Path) -> None:
        env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy-home")}
        env["PYTHONFAULTHANDLER"] = "1"
        self.stderr_path = tmp_path / f"kiosk-stderr-{time.monotonic_ns()}.txt"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=REPO,
        )
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put("")  # end of output

    def _stderr_tail(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-5000:]

    def wait_line(self, marker: str) -> str:
        """The first line (past those already read) that starts with `marker`."""
        deadline = time.monotonic() + LINE_WAIT_S
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                self.proc.send_signal(signal.SIGABRT)  # faulthandler: every thread's stack into stderr
                self.proc.wait(10)
                pytest.fail(f"no {marker!r} within {LINE_WAIT_S:g} s; saw {self.seen}\n{self._stderr_tail()}")
            if line == "":
                code = self.proc.wait(10)
                pytest.fail(f"the kiosk ended ({code}) before {marker!r}; saw {self.seen}\n{self._stderr_tail()}")
            self.seen.append(line.rstrip("\n"))
            if line.startswith(marker):
                return line.rstrip("\n")

    def wait_exit(self) -> int:
        try:
            return self.proc.wait(RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            self.proc.wait(10)
            pytest.fail(f"the kiosk did not stop:\n{self._stderr_tail()}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._stderr.close()


@pytest.fixture
def run_kiosk(xvfb: str, tmp_path: Path) -> Iterator[Callable[[list[str]], RunningKiosk]]:
    started: list[RunningKiosk] = []

    def run(cmd: list[str]) -> RunningKiosk:
        kiosk = RunningKiosk(xvfb, cmd, tmp_path)
        started.append(kiosk)
        return kiosk

    yield run
    for kiosk in started:
        kiosk.close()


@pytest.fixture
def live_kiosk(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    run_kiosk: Callable[[list[str]], RunningKiosk],
    tmp_path: Path,
) -> Callable[..., RunningKiosk]:
    """The service on the sample centre, then `start(tour, *args)`: a kiosk on it (kiosk-1) running
    the flow `tour` with `args`."""
    start_service(sample_dir)

    def start(tour: str, *args: str) -> RunningKiosk:
        return run_kiosk(_tour(tour, broker.url("kiosk-1"), tmp_path / "cache", *args))

    return start


def _staff_command(broker: Mosquitto, verb: str, args: dict[str, Any]) -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url("staff")), CENTRE, verb, args)


@pytest.mark.broker
def test_announcement_and_staff_status_reach_the_screens(
    broker: Mosquitto, live_kiosk: Callable[..., RunningKiosk]
) -> None:
    text = "今天逢场，各窗口全员在岗，请按号有序办理"
    kiosk = live_kiosk("update", "--ticker", text, "--staff", "陈静", "--status", "暂离，由刘小燕代岗")
    assert kiosk.wait_line("KIOSK READY") == f"KIOSK READY {SAMPLE_NAME}"
    _staff_command(broker, "announce", {"text": text})
    _staff_command(broker, "staff", {"staff": "s03", "status": "away", "substitute": "s05"})
    assert text in kiosk.wait_line("TICKER SHOWN")
    shown = kiosk.wait_line("STAFF SHOWN")
    assert "陈静" in shown and "暂离，由刘小燕代岗" in shown, shown
    home = kiosk.wait_line("HOME SHOWS")
    assert "1号 综合窗口: 张磊、刘小燕（代陈静） | 2号 社会保障窗口: 刘小燕 |" in home, home
    assert kiosk.wait_exit() == 0, kiosk.seen


@pytest.mark.broker
def test_emergency_covers_the_screen_until_cleared(broker: Mosquitto, live_kiosk: Callable[..., RunningKiosk]) -> None:
    text = "大厅临时停电，请有序从东门离开"
    kiosk = live_kiosk("emergency", "--text", text)
    kiosk.wait_line("KIOSK READY")
    made = _staff_command(broker, "announce", {"text": text, "priority": "emergency"})
    shown = kiosk.wait_line("EMERGENCY SHOWN")
    assert f"size={SIZE[0]}x{SIZE[1]}" in shown and shown.endswith(text), shown
    _staff_command(broker, "announce", {"clear": made["id"]})
    gone = kiosk.wait_line("EMERGENCY GONE")
    assert "screen=home" in gone and text not in gone, gone
    assert kiosk.wait_exit() == 0, kiosk.seen


@pytest.mark.broker
def test_offline_start_shows_the_cache_and_says_it_may_be_stale(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    run_kiosk: Callable[[list[str]], RunningKiosk],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    cache = tmp_path / "cache"
    first = run_kiosk(_tour("home", broker.url("kiosk-1"), cache))
    live = first.wait_line("HOME DRAWN")
    assert f"name={SAMPLE_NAME} stale=- " in live, live
    assert first.wait_exit() == 0
    assert (cache / "centre.json").is_file() and (cache / "catalog.json").is_file()

    nobody = f"mqtt://kiosk-1:x@127.0.0.1:{free_port()}"
    second = run_kiosk(_tour("home", nobody, cache, "--cached"))
    offline = second.wait_line("HOME DRAWN")
    assert f"name={SAMPLE_NAME} stale=信息可能不是最新 " in offline, offline
    assert offline.split(": ", 1)[1] == live.split(": ", 1)[1]  # the same categories
    assert second.wait_exit() == 0


@pytest.mark.broker
def test_malformed_state_payloads_leave_the_app_running_with_its_content(
    broker: Mosquitto,
    subscribe: Callable[..., Subscriber],
    live_kiosk: Callable[..., RunningKiosk],
) -> None:
    after = "恶意消息之后的正常公告"
    kiosk = live_kiosk("update", "--ticker", after, "--staff", "陈静", "--status", "在岗")
    kiosk.wait_line("KIOSK READY")
    attacker = subscribe([], user="service")  # only the service may write state topics
    for payload in HOSTILE:
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        for topic in ("centre", "catalog", "staff", "agents", "queue", "announcements"):
            attacker.publish(topic, data)
    attacker.publish("announcements", json.dumps({"schema": 1, "announcements": {"a": 1}}).encode())
    # Still alive, and it shows a real announcement that comes after all that, and the real staff.
    _staff_command(broker, "announce", {"text": after})
    assert after in kiosk.wait_line("TICKER SHOWN")
    assert "陈静" in kiosk.wait_line("STAFF SHOWN")
    home = kiosk.wait_line("HOME SHOWS")
    assert f"name={SAMPLE_NAME} stale=- tiles=11: 社会保障 " in home, home
    assert kiosk.wait_exit() == 0, kiosk.seen
    assert "ignored" in kiosk.stderr_path.read_text()  # they did arrive, and were turned away


@pytest.mark.broker
def test_idle_home_shows_the_attract_loop_and_a_tap_opens_the_guide(
    broker: Mosquitto, live_kiosk: Callable[..., RunningKiosk]
) -> None:
    text = "本周六上午正常办公"
    kiosk = live_kiosk("attract", "--attract-after", "2", "--attract-slide", "1")
    kiosk.wait_line("KIOSK READY")
    _staff_command(broker, "announce", {"text": text})
    shown = kiosk.wait_line("ATTRACT SHOWN")
    assert shown.startswith("ATTRACT SHOWN guide ") and "|" in shown, shown
    nxt = kiosk.wait_line("ATTRACT NEXT")
    assert nxt != shown.replace("SHOWN", "NEXT"), nxt
    tapped = kiosk.wait_line("ATTRACT TAPPED")
    assert "current=guide" in tapped and "panel=gone" in tapped, tapped
    assert kiosk.wait_exit() == 0, kiosk.seen


@pytest.mark.broker
def test_ticket_retry_after_no_answer_sends_the_same_command(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    run_kiosk: Callable[[list[str]], RunningKiosk],
    tmp_path: Path,
) -> None:
    service = start_service(sample_dir)
    shot = tmp_path / "retry.png"
    args = ("--category", "shebao", "--timeout", "45", "--shot", str(shot))
    kiosk = run_kiosk(_tour("ticket-retry", broker.url("kiosk-1"), tmp_path / "cache", *args))
    kiosk.wait_line("KIOSK READY")
    service.stop()
    failed = kiosk.wait_line("TICKET NO ANSWER")
    command_id = failed.split()[3].removeprefix("id=")
    assert command_id, failed
    start_service(sample_dir)  # the same state file
    retried = kiosk.wait_line("TICKET RETRIED")
    assert f"id={command_id} ok=True ticket=" in retried, retried
    assert kiosk.wait_exit() == 0, kiosk.seen
    assert shot.stat().st_size > 0  # the screen with 重试, kept under pytest's --basetemp to look at


@pytest.mark.parametrize("size", [SIZE, LANDSCAPE], ids=["portrait", "landscape"])
def test_an_empty_category_the_agents_by_tier_and_a_sample_ticket_on_screen(
    run_kiosk: Callable[[list[str]], RunningKiosk], tmp_path: Path, size: tuple[int, int]
) -> None:
    """A kiosk without a broker on the sample centre plus an empty category (新办事项): that category,
    the staff board scrolled to its agents and a sample ticket (tours.ScreensTour)."""
    kiosk = run_kiosk(command("screens", "--size", f"{size[0]}x{size[1]}", "--out", str(tmp_path / "screens")))
    category = kiosk.wait_line("CATEGORY")
    assert "本类事项暂未上线。请到 1 号综合窗口咨询，或拨打咨询电话 0816-2731000。" in category, category
    assert "请选择要办理的事项" not in category, category
    agents = kiosk.wait_line("AGENTS").removeprefix("AGENTS ").split(" | ")
    headings = [text for text in agents if text.endswith("代办员")]
    assert headings == ["村(社区)代办员", "乡镇(街道)代办员", "区级代办员"], agents
    township, district = agents.index("乡镇(街道)代办员"), agents.index("区级代办员")
    assert [line.split("　")[1] for line in agents[township + 1 : district]] == ["张磊", "邓海燕"], agents
    assert [line.split("　")[1] for line in agents[district + 1 :]] == ["黄伟", "吴婷"], agents
    ticket = kiosk.wait_line("TICKET")
    assert "样例 · 示例，非真实号码" in ticket and "样例画面：本机并未取号" in ticket and "A000" in ticket, ticket
    assert "取号成功" not in ticket, ticket
    assert kiosk.wait_exit() == 0, kiosk.seen
    for name in ("category-empty", "staff-agents", "ticket-sample"):
        with Image.open(tmp_path / "screens" / f"{name}.png") as image:
            assert image.size == size, name


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_the_next_citizen_starts_every_screen_at_its_top(
    run_kiosk: Callable[[list[str]], RunningKiosk], size: tuple[int, int]
) -> None:
    """One citizen scrolls a category, the staff board and the priority step to their ends and walks away;
    after the idle reset, the next one finds each at its top (普通取号 first, on view)."""
    kiosk = run_kiosk(command("scroll", "--size", f"{size[0]}x{size[1]}", "--idle", "2"))
    seen = kiosk.wait_line("SCROLL").removeprefix("SCROLL ").split()
    assert seen == ["category=1.00", "staff=1.00", "ticket=1.00"], seen
    assert kiosk.wait_exit() == 0, kiosk.seen
