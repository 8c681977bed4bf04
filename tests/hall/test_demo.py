"""`hall demo` as a user runs it: start, try a command from another terminal, Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.content.web.test_console import Browser

WAIT_S = 30.0


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")  # end of output

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_line(lines: queue.Queue[str], fragment: str, seen: list[str]) -> None:
    while True:
        line = lines.get(timeout=WAIT_S)
        seen.append(line)
        if fragment in line:
            return
        if line == "":
            raise AssertionError(f"demo ended before {fragment!r}:\n{''.join(seen)}")


def _wait_for_file(path: Path) -> None:
    """Another process writes it: poll, as there is no event to wait on across processes."""
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
        time.sleep(0.05)


@pytest.mark.parametrize("embedded", [False, True], ids=["mosquitto", "embedded"])
def test_demo_runs_takes_commands_and_stops_on_ctrl_c(tmp_path: Path, embedded: bool) -> None:
    argv = [sys.executable, "-m", "hall", "demo", *(["--embedded"] if embedded else [])]
    process = subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seen: list[str] = []
    try:
        lines = _lines(process)
        _wait_line(lines, "Ctrl-C stops everything", seen)
        text = "".join(seen)
        assert "hall announce" in text and "hall staff" in text
        env_file = tmp_path / "var" / "demo" / "env"
        exported = dict(re.findall(r"export (HALL_\w+)='?([^'\n]*)'?", env_file.read_text()))
        assert f'export PATH="{Path(sys.executable).parent}:$PATH"' in env_file.read_text()
        assert exported["HALL_CENTRE"] == "weicheng"
        done = subprocess.run(
            [sys.executable, "-m", "hall", "announce", "今天逢场，各窗口全员在岗"],
            env={**os.environ, **exported},
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("announcement a1")
        # A sample case to follow: its number in the commands shown, its tracking page served.
        case = re.search(r"hall case show (WC-[0-9]{6}-[0-9]{4})", text)
        tracking = re.search(r"(http://127\.0\.0\.1:[0-9]+/t/WC-[0-9]{6}-[0-9]{4}\?k=[\w-]+)", text)
        assert case is not None and tracking is not None, text
        shown = subprocess.run(
            [sys.executable, "-m", "hall", "case", "show", case[1]],
            env={**os.environ, **exported},
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        assert shown.returncode == 0 and "最低生活保障申请" in shown.stdout, shown.stderr
        with urllib.request.urlopen(tracking[1], timeout=WAIT_S) as page:
            assert case[1] in page.read().decode()
        # The console's logins, printed with their passwords of this run, let one in.
        console = re.search(r"The staff console, in a browser: (http://127\.0\.0\.1:[0-9]+)/console", text)
        manager = re.search(r"  zhuren +(\S+) ", text)
        assert console is not None and manager is not None, text
        browser = Browser(console[1])
        assert browser.login("zhuren", manager[1])[0] == 200 and browser.csrf
        status, reply = browser.act(action="next", window="shebao")
        assert status == 200 and reply["ok"] and reply["result"]["ticket"] is None, reply  # nobody waits yet
        previews = {
            Path(line.strip()).name: tmp_path / line.strip()
            for line in text.splitlines()
            if line.strip().startswith("var/demo/led/")
        }
        assert set(previews) == {"wall.png", "window-zonghe.png"}
        for path, size in ((previews["wall.png"], (1920, 1080)), (previews["window-zonghe.png"], (768, 256))):
            _wait_for_file(path)
            with Image.open(path) as picture:
                assert picture.size == size
        process.send_signal(signal.SIGINT)
        _wait_line(lines, "demo stopped", seen)
        assert process.wait(WAIT_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
