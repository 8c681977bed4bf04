"""The kiosk app under a real X server (Xvfb), on the real Mosquitto and the real content service.

Kivy runs in a subprocess: one window per process, and its event loop does not belong in pytest's.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.brokerproc import Mosquitto
from tests.conftest import CENTRE

SCREENS = ("home", "category", "guide", "search", "staff", "ticket", "case", "emergency", "large-text")
SIZE = (1080, 1920)
RUN_TIMEOUT_S = 110


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb): the kiosk app needs an X server")
    for _ in range(5):
        number = _free_display()
        proc = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
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


def _kiosk(display: str, code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` with the display; on a hang, dump every thread's stack (faulthandler) into the failure."""
    env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy-home")}
    env["PYTHONFAULTHANDLER"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
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
def test_screenshots_of_every_screen(
    xvfb: str, sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    out = tmp_path / "shots"
    argv = ["--broker", broker.url("kiosk-1"), "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    argv += ["--screenshots", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}"]
    done = _kiosk(xvfb, f"import sys; from kiosk.cli import main; sys.exit(main({argv!r}))", tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    for name in SCREENS:
        path = out / f"{name}.png"
        assert path.is_file(), f"no {name}.png: {sorted(p.name for p in out.iterdir())}"
        with Image.open(path) as image:
            assert image.size == SIZE, f"{name}.png is {image.size}"
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 8, f"{name}.png looks blank: {len(colours or [])} colours"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in SCREENS)


@pytest.mark.broker
def test_no_content_ends_with_a_clear_message(xvfb: str, tmp_path: Path) -> None:
    argv = ["--broker", "mqtt://kiosk-1:x@127.0.0.1:9", "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    argv += ["--screenshots", str(tmp_path / "shots"), "--content-timeout", "2"]
    done = _kiosk(xvfb, f"import sys; from kiosk.cli import main; sys.exit(main({argv!r}))", tmp_path)
    assert done.returncode != 0
    assert "no content within 2 s" in done.stderr


@pytest.mark.broker
def test_touch_flow_home_category_guide(
    xvfb: str, sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    code = f"""
import sys
from pathlib import Path
from content.broker_url import parse_broker_url
from kiosk.cli import configure_kivy
configure_kivy((1920, 1080), False)
from kiosk.app import KioskApp
from kiosk.device import KioskLink
from kiosk.shots import FlowTour
link = KioskLink(parse_broker_url({broker.url("kiosk-1")!r}), {CENTRE!r}, device_id="kiosk-1",
                 cache_dir=Path({str(tmp_path / "cache")!r}))
app = KioskApp(link)
FlowTour(app).schedule()
app.run()
sys.exit(app.exit_code)
"""
    done = _kiosk(xvfb, code, tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    flow = next(line for line in done.stdout.splitlines() if line.startswith("FLOW "))
    assert flow.split()[1:4] == ["home", "category", "guide"] or "home category guide" in flow, flow
    assert "current=guide" in flow
