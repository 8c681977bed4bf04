"""The LED controller against the real Mosquitto and the real content service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.broker.local import Mosquitto, free_port
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from led_driver.device import LedController
from led_driver.profile import PROFILES, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber
from tests.words import english


class WatchedOutput:
    """Keeps the last frame and lets a test wait until the display state satisfies something."""

    max_fps: float | None = None

    def __init__(self, scheduler_state: Callable[[], DisplayState]) -> None:
        self._state = scheduler_state
        self._cond = threading.Condition()
        self.last: Image.Image | None = None
        self.count = 0

    def open(self, size: tuple[int, int], mode: str) -> None:
        pass

    def show(self, frame: Image.Image) -> None:
        with self._cond:
            self.last = frame.copy()
            self.count += 1
            self._cond.notify_all()

    def close(self) -> None:
        pass

    def wait_until(self, predicate: Callable[[DisplayState], bool], what: str) -> Image.Image:
        """The first frame shown once `predicate(state)` holds."""
        with self._cond:
            seen = self.count
            ok = self._cond.wait_for(lambda: predicate(self._state()) and self.count > seen, WAIT_S)
            assert ok, f"the display never showed {what}"
            assert self.last is not None
            return self.last


class RunningLed:
    def __init__(self, url: str | None, cache: Path, profile: str = "window-192x64") -> None:
        loaded, problems = load_profile(find_profile(profile))
        assert loaded is not None, problems
        self.output = WatchedOutput(lambda: self.scheduler.state)
        # Open all hours: what these tests look at must not depend on the time they run at.
        loaded = loaded.model_copy(update={"always_open": True})
        loaded = loaded.for_window("zonghe") if loaded.needs_window else loaded
        self.scheduler = Scheduler(loaded, self.output, wall_clock=lambda: datetime.now().astimezone())
        broker = parse_broker_url(url) if url else None
        self.controller = LedController(broker, CENTRE, self.scheduler, device_id="led-wall", cache_dir=cache)
        self.stop_event = threading.Event()
        self.controller.start()
        self.thread = threading.Thread(target=self.scheduler.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.update(self.scheduler.state)
        self.thread.join(WAIT_S)
        self.controller.stop()


@pytest.fixture
def start_led() -> Iterator[Callable[..., RunningLed]]:
    running: list[RunningLed] = []

    def start(url: str | None, cache: Path, profile: str = "window-192x64") -> RunningLed:
        led = RunningLed(url, cache, profile)
        running.append(led)
        return led

    yield start
    for led in running:
        if led.thread.is_alive():
            led.stop()


def _staff(broker: Mosquitto, verb: str, args: dict[str, Any], user: str = "staff") -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=WAIT_S)


def test_the_controller_shows_calls_and_says_who_it_is(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    start_led: Callable[..., RunningLed],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    presence = subscribe(["device/led-wall/state"], user="staff")
    led = start_led(broker.url("led-wall"), tmp_path / "cache", "strip-128x32")
    ready = presence.doc_where("device/led-wall/state", lambda d: d["status"] == "ready", "ready")
    assert ready["kind"] == "led"
    led.output.wait_until(lambda s: s.centre == "魏城镇便民服务中心" and bool(s.windows), "the centre")

    _staff(broker, "ticket", {"category": "shebao"}, user="kiosk-1")
    _staff(broker, "call", {"window": "shebao"})
    frame = led.output.wait_until(lambda s: s.last_call is not None and s.last_call.ticket == "A001", "A001")
    assert frame.size == (128, 32) and frame.mode == "1"
    # The banner (top 16 rows) has ink: the call is drawn there.
    assert frame.crop((0, 0, 128, 16)).getbbox() is not None
    assert led.scheduler.last_call_latency_s is not None

    # The cache now holds the last good documents, one file each.
    cached = {p.name for p in (tmp_path / "cache").iterdir()}
    assert {"centre.json", "queue.json", "catalog.json", "staff.json", "announcements.json"} <= cached

    seen = presence.mark()
    led.stop()
    presence.doc_where("device/led-wall/state", lambda d: d["status"] == "disconnected", "disconnected", seen)


def test_it_starts_from_its_cache_without_a_broker(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_led: Callable[..., RunningLed],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    first = start_led(broker.url("led-wall"), tmp_path / "cache")
    first.output.wait_until(lambda s: bool(s.windows) and bool(s.guides), "the content")
    first.stop()
    # No broker at all: nothing listens on this port.
    offline = start_led(f"mqtt://led-wall:x@127.0.0.1:{free_port()}", tmp_path / "cache")
    frame = offline.output.wait_until(lambda s: bool(s.windows), "the cached content")
    assert offline.scheduler.state.centre == "魏城镇便民服务中心"
    assert frame.getbbox() is not None


HOSTILE: list[Any] = [
    b"\xff\xfe\x00",
    b"{not json",
    b"[]",
    {"schema": 1, "windows": "everything", "categories": {"a": 1}, "last_calls": 5},
    {"schema": 1, "windows": [{"id": "zonghe", "name": "𠮷" * 5000, "serving": "😀" * 1000, "number": "1"}]},
    {"schema": 1, "windows": [{"id": "zonghe", "name": "x" * 1_000_000}]},
    {"schema": 1, "windows": [None, 1, [], {"id": {"nested": True}}]},
    {"schema": 1, "name": "魏城", "timezone": "Asia"},  # a directory of tzdata, no zone
    {"schema": 1, "name": "魏城", "timezone": "../../../../etc/passwd"},
    b'{"schema": 1, "windows": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"schema": 1, "seq": ' + b"7" * 5000 + b', "ticket": "A001"}',
]


@pytest.mark.fault
def test_hostile_payloads_never_stop_the_controller(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    start_led: Callable[..., RunningLed],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    led = start_led(broker.url("led-wall"), tmp_path / "cache")
    led.output.wait_until(lambda s: bool(s.windows), "the content")
    attacker = subscribe([], user="service")  # only the service may write state topics
    for payload in HOSTILE:
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        for topic in ("queue", "call", "announcements", "centre"):
            attacker.publish(topic, data)
    attacker.publish(
        "call",
        json.dumps(
            {"schema": 1, "seq": 10**12, "ticket": "A001", "text": "𠮷" * 100000, "window_number": True}
        ).encode(),
    )
    # Still alive, and it shows a real call that comes after all that.
    # 广播电视 is the comprehensive window's own category, on market days too.
    _staff(broker, "ticket", {"category": "guangdian"}, user="kiosk-1")
    _staff(broker, "call", {"window": "zonghe"})
    led.output.wait_until(lambda s: s.last_call is not None and s.last_call.window == "zonghe", "the real call")
    assert led.thread.is_alive()
    # Nothing hostile was kept to be read back at the next start.
    cached = json.loads((tmp_path / "cache" / "centre.json").read_bytes())
    assert cached["timezone"] == "Asia/Shanghai" and cached["name"] == "绵阳市游仙区魏城镇便民服务中心"


def test_a_bad_document_in_its_own_cache_does_not_stop_the_controller(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    start_led: Callable[..., RunningLed],
    tmp_path: Path,
) -> None:
    """As if an older controller had cached a centre with a time zone typo: it starts, and shows the
    broker's good content once it has it."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "centre.json").write_text('{"schema": 1, "name": "坏", "timezone": "Asia"}', encoding="utf-8")
    (cache / "queue.json").write_bytes(b'{"schema": 1, "windows": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    start_service(sample_dir)
    led = start_led(broker.url("led-wall"), cache)
    led.output.wait_until(lambda s: s.centre == "魏城镇便民服务中心" and bool(s.windows), "the broker's content")
    assert led.thread.is_alive()


def test_hall_led_process_previews_frames_and_leaves_a_last_will(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    tmp_path: Path,
) -> None:
    start_service(sample_dir)
    # the window from the display's environment file, as deploy/led.env.example has it
    env = {**os.environ, "HALL_BROKER": broker.url("led-wall"), "HALL_CENTRE": CENTRE, "HALL_WINDOW": "zonghe"}
    frames = tmp_path / "frames"
    done = subprocess.run(
        [
            *HALL,
            "led",
            "--display",
            "window-192x64",
            "--output",
            f"png:{frames}",
            "--frames",
            "3",
            "--cache",
            str(tmp_path / "c1"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pictures = sorted(frames.glob("*.png"))
    assert len(pictures) == 3
    with Image.open(pictures[0]) as first:
        assert first.size == (192, 64)

    presence = subscribe(["device/led-wall/state"], user="staff")
    process = subprocess.Popen(
        [*HALL, "led", "--display", "strip-128x32", "--output", "null", "--cache", str(tmp_path / "c2")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = presence.mark()
    presence.doc_where("device/led-wall/state", lambda d: d["status"] == "ready", "ready", seen)
    seen = presence.mark()
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT_S)
    presence.doc_where("device/led-wall/state", lambda d: d["status"] == "lost", "the last will", seen)


def test_hall_led_refuses_a_window_the_centre_does_not_have(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    env = {**os.environ, "HALL_BROKER": broker.url("led-wall"), "HALL_CENTRE": CENTRE}
    argv = [*HALL, "led", "--display", "window-192x64", "--window", "window-9", "--output", "null"]
    result = subprocess.run(
        [*argv, "--cache", str(tmp_path / "c")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert (
        "窗口 window-9 不是中心 weicheng 的窗口（zonghe、shebao、minzheng、nongye、weijian、guotu）："
        "请用 --window 指定其中之一"
    ) in result.stderr
    said = result.stderr.splitlines()[-1]  # the refusal, after the log
    assert "window-9" in said and english(said, [*NAMES, *WINDOWS]) == [], said


WINDOWS = ("zonghe", "shebao", "minzheng", "nongye", "weijian", "guotu")
"""The sample centre's window ids."""
NAMES = ("hall", "int", "IPv", "nope", "null", "strip", "wall", "weicheng", "window", "zonghe")
"""What a refusal of `hall led` repeats as it is: the command, profiles, windows, the centre, what was given."""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--display", "nope"], "没有显示屏配置 nope：请给出一个 YAML 文件，或以下之一："),
        (
            ["--display", "window-192x64", "--window", "zonghe", "--output", "hdmi"],
            "未知的输出 'hdmi'：请使用以下之一：",
        ),
        (["--display", "wall-768x384", "--output", "ddp://[fe80::1"], "中的 IPv6 地址写法不对"),
        (["--display", "wall-768x384", "--output", "null", "--frames", "0"], "--frames 至少为 1"),
        (
            ["--display", "window-192x64"],
            "window-192x64 是单个窗口的窗口屏：请用 --window 编号 指定窗口（或在本屏的环境文件中写 HALL_WINDOW=编号）",
        ),
        (
            ["--display", "wall-768x384", "--window", "zonghe"],
            "--window zonghe：wall-768x384 没有可指定窗口的窗口屏区域",
        ),
        (
            ["--display", "window-192x64", "--window", "综合"],
            "--window 综合：窗口编号只能由小写字母、数字和“-”组成",
        ),
        (["--display", "wall-768x384", "--frames", "1.5"], "--frames"),  # argparse's own refusal
        (["--output", "null"], "--display"),  # a required option missing: argparse's own refusal too
    ],
)
def test_hall_led_usage_errors(args: list[str], message: str) -> None:
    """Bad arguments exit 2 with a sentence in the hall's language: ours and argparse's own."""
    env = {**os.environ, "HALL_BROKER": "mqtt://127.0.0.1:1", "HALL_CENTRE": CENTRE}
    argv = [*HALL, "led", *args]
    if "--output" not in args:
        argv += ["--output", "null"]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    said = result.stderr.splitlines()[-1]  # the refusal, after argparse's usage line
    assert english(said, NAMES) == [], said


@pytest.mark.skipif(sys.platform != "linux", reason="DISPLAY is an X11 matter")
def test_hall_led_says_what_to_do_when_its_output_cannot_open(tmp_path: Path) -> None:
    """An output that cannot work here (a wall PC's window without a desktop session) is a refusal in the hall's
    language, exit 2, not a traceback."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env |= {"HALL_BROKER": "mqtt://127.0.0.1:1", "HALL_CENTRE": CENTRE}
    argv = [*HALL, "led", "--display", "wall-768x384", "--output", "window", "--cache", str(tmp_path / "c")]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    said = result.stderr.splitlines()[-1]
    assert "window：没有显示器（未设置 DISPLAY）：请在大厅电脑的桌面会话中启动" in said, said


def test_hall_led_refuses_a_font_it_cannot_draw_before_the_first_frame(tmp_path: Path) -> None:
    """A profile naming Unifont at a size it has no dots for is refused with what to use, exit 2, not a traceback
    from the render loop."""
    strip = (PROFILES / "strip-128x32.yaml").read_text(encoding="utf-8")
    profile = tmp_path / "strip.yaml"
    profile.write_text(strip.replace("font: {font: unifont, size: 16}", "font: {font: unifont, size: 24}"))
    env = {**os.environ, "HALL_BROKER": "mqtt://127.0.0.1:1", "HALL_CENTRE": CENTRE}
    argv = [*HALL, "led", "--display", str(profile), "--output", "null", "--frames", "1", "--cache", str(tmp_path)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    said = result.stderr.splitlines()[-1]
    assert "字体 'unifont' 是 16 像素的点阵字体：请用 16、32…… 像素，不能用 24" in said, said
