"""`hall demo` as a user runs it: start, try a command from another terminal, Ctrl-C; and its "what to try",
every line in order on a fresh start, each doing what it says."""

from __future__ import annotations

import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from PIL import Image

from tests.conftest import PREFIX, Subscriber
from tests.content.web.test_console import Browser
from tests.modes import open_umask, watch_secrets

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


def _start(cwd: Path, tmp: Path, *flags: str) -> subprocess.Popen[str]:
    """`hall demo` from `cwd` (standing for the checkout), its temporary files under `tmp`, no kiosk window."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.Popen(
        [sys.executable, "-m", "hall", "demo", *flags],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)},
    )


def _env_file(text: str) -> Path:
    found = re.search(r"^  source (\S+)", text, re.MULTILINE)
    assert found is not None, text
    return Path(found[1])


def _wait_for_file(path: Path) -> None:
    """Another process writes it: poll, as there is no event to wait on across processes."""
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
        time.sleep(0.05)


@pytest.mark.parametrize("embedded", [False, True], ids=["mosquitto", "embedded"])
def test_demo_runs_takes_commands_and_stops_on_ctrl_c(tmp_path: Path, embedded: bool) -> None:
    (tmp_path / "tmp").mkdir()
    process = _start(tmp_path, tmp_path / "tmp", *(["--embedded"] if embedded else []))
    seen: list[str] = []
    try:
        lines = _lines(process)
        _wait_line(lines, "按 Ctrl-C 停止演示启动的一切", seen)
        text = "".join(seen)
        assert "hall announce" in text and "hall staff" in text
        env_file = _env_file(text)
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
        assert done.stdout.startswith("公告 a1（普通")
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
        console = re.search(r"工作台，在浏览器中打开：(http://127\.0\.0\.1:[0-9]+)/console", text)
        manager = re.search(r"  zhuren +(\S+) ", text)
        assert console is not None and manager is not None, text
        browser = Browser(console[1])
        assert browser.login("zhuren", manager[1])[0] == 200 and browser.csrf
        status, reply = browser.act(action="next", window="shebao")
        assert status == 200 and reply["ok"] and reply["result"]["ticket"] is None, reply  # nobody waits yet
        previews = {
            Path(line.strip()).name: Path(line.strip())
            for line in text.splitlines()
            if line.strip().startswith(str(env_file.parent / "led"))
        }
        assert set(previews) == {"wall.png", "window-shebao.png"}
        for path, size in ((previews["wall.png"], (1920, 1080)), (previews["window-shebao.png"], (768, 256))):
            _wait_for_file(path)
            with Image.open(path) as picture:
                assert picture.size == size
        process.send_signal(signal.SIGINT)
        _wait_line(lines, "演示已停止", seen)
        assert process.wait(WAIT_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _tried(text: str) -> list[str]:
    """The guide's "what to try" lines for the other terminal, as printed, in order."""
    block = text.split("请在另一个终端里试试：", 1)[1].split("查看显示屏收到的内容", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("  hall ")]


def _run(env_file: Path, line: str, cwd: Path) -> str:
    """One line of the guide exactly as printed, in a shell that sourced the demo's env file; its output."""
    done = subprocess.run(
        ["bash", "-c", f"source {env_file}\n{line}"], cwd=cwd, capture_output=True, text=True, timeout=WAIT_S
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    return done.stdout


def _announced(doc: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["priority"] for a in doc["announcements"]}


def _window(doc: dict[str, Any], window: str) -> dict[str, Any]:
    return next(w for w in doc["windows"] if w["id"] == window)


def _line(doc: dict[str, Any], category: str) -> dict[str, Any]:
    return next(c for c in doc["categories"] if c["id"] == category)


def _watch(text: str) -> Subscriber:
    """The guide's `mosquitto_sub`, as a client that waits on what arrives: its account and its topics, which
    leave the binary media out."""
    found = re.search(r"^  (mosquitto_sub .*)$", text, re.MULTILINE)
    assert found is not None, text
    argv = shlex.split(found[1].split("|")[0])
    given = {flag: argv[argv.index(flag) + 1] for flag in ("-h", "-p", "-u", "-P")}
    topics = [argv[i + 1] for i, flag in enumerate(argv) if flag == "-t"]
    assert not any(mqtt.topic_matches_sub(t, f"{PREFIX}media/{'0' * 64}") for t in topics), topics
    for shown in ("announcements", "queue", "staff", "call", "device/service/state"):
        assert any(mqtt.topic_matches_sub(t, PREFIX + shown) for t in topics), (shown, topics)
    url = f"mqtt://{given['-u']}:{given['-P']}@{given['-h']}:{given['-p']}"
    return Subscriber(url, [t.removeprefix(PREFIX) for t in topics]).wait_subscribed()


def _story(text: str, env_file: Path, cwd: Path, watch: Subscriber, preview_window: str) -> None:
    """Every "what to try" line in order, each checked against what it says it does."""
    emergency, put_up = "", False
    for line in _tried(text):
        mark = watch.mark()
        emergency = _check(line, _run(env_file, line, cwd), watch, mark, emergency, preview_window, env_file.parent)
        put_up = put_up or bool(emergency)
    assert put_up and not emergency, "the guide puts up an emergency and takes it down"
    last = [m for m in watch.messages if m.topic == "announcements"][-1].json()
    assert "emergency" not in _announced(last).values(), last  # nothing left up to hide the calls


def _check(line: str, out: str, watch: Subscriber, mark: int, emergency: str, preview_window: str, files: Path) -> str:
    """What `line` says it does, in the documents that arrived after `mark`; the emergency up, if any."""
    claim = line.split("#", 1)[1] if "#" in line else ""
    match shlex.split(line, comments=True)[1:]:
        case ["announce", "--clear", which]:
            assert which == emergency, f"{line!r} clears {which}, not the emergency {emergency}"
            doc = watch.doc_where("announcements", lambda d: which not in _announced(d), "the clear", mark)
            assert list(_announced(doc).values()) == ["normal"], doc  # the emergency ends, a1 stays
            return ""
        case ["announce", _, "--priority", "emergency", *_]:
            found = re.match(r"公告 (\w+)（紧急", out)
            assert found is not None, out
            up = found[1]
            watch.doc_where("announcements", lambda d: _announced(d).get(up) == "emergency", line, mark)
            return up
        case ["announce", _, *_]:
            found = re.match(r"公告 (\w+)（普通", out)
            assert found is not None and found[1] in claim, (out, claim)
            made = found[1]
            watch.doc_where("announcements", lambda d: made in _announced(d), line, mark)
        case ["staff", who, status, *rest]:
            substitute = rest[-1] if rest else None
            watch.doc_where(
                "staff",
                lambda d: any(
                    m["id"] == who and m["status"] == status and m.get("substitute") == substitute for m in d["staff"]
                ),
                line,
                mark,
            )
        case ["ticket", category, *_]:
            watch.doc_where("queue", lambda d: _line(d, category)["waiting"] >= 1, line, mark)
            assert re.fullmatch(r"A\d{3}", out.split()[-1]), out
        case ["call", window, "--transfer", category]:
            assert window == preview_window, f"{line!r} calls to {window}; the preview shows {preview_window}"
            doc = watch.doc_where("queue", lambda d: _line(d, category)["waiting"] == 1, line, mark)
            assert _window(doc, window)["serving"] is None, doc  # moved: it keeps its number in the other line
        case ["call", window, *how]:
            assert window == preview_window, f"{line!r} calls to {window}; the preview shows {preview_window}"
            call = watch.wait_for(lambda m: m.topic == "call", line, mark).json()
            assert call["window"] == preview_window and call["recall"] == (how == ["--recall"]), call
            assert out.startswith(call["text"]), (out, call)
            assert not claim or call["text"] in claim, (call, claim)  # 请A002号到2号窗口办理: priority first
        case ["window", window, "pause", "--reason", reason]:
            doc = watch.doc_where("queue", lambda d: not _window(d, window)["open"], line, mark)
            assert _window(doc, window)["reason"] == reason, doc
        case ["case", "slip", _, "--out", path]:
            assert Path(path).parent == files and Path(path).stat().st_size > 0, path
    return emergency


def test_what_to_try_does_what_it_says_in_order_on_a_fresh_start(tmp_path: Path) -> None:
    checkout, tmp = tmp_path / "checkout", tmp_path / "tmp"
    checkout.mkdir()
    tmp.mkdir()
    process = _start(checkout, tmp)
    seen: list[str] = []
    watch: Subscriber | None = None
    try:
        lines = _lines(process)
        _wait_line(lines, "hall kiosk --screenshots", seen)  # the last hint
        while sum("hall.led: 已就绪" in line for line in seen) < 2:  # the previews' displays, connected
            _wait_line(lines, "hall.led: 已就绪", seen)
        text = "".join(seen)
        env_file = _env_file(text)
        assert env_file.parent.parent == tmp, env_file  # its files, outside the directory it was started from
        # Each display the demo runs or suggests (and the watch) on an account of its own, all in its roster.
        running = re.findall(r"hall\.led: 已连接到 mqtt://([\w-]+):", text)
        suggested = re.findall(r"--broker 'mqtt://([\w-]+):", text) + re.findall(r"mosquitto_sub .* -u ([\w-]+) ", text)
        assert len(running) == 2 and len(suggested) == 3, (running, suggested)
        assert len(set(running + suggested)) == 5, (running, suggested)
        for account in re.findall(r"--broker '(mqtt://[^']+)'", text):
            knocked = Subscriber(account, [])
            assert not knocked.wait_connected().is_failure, account
            knocked.close()
        previews = re.findall(r"/led/window-([\w-]+)\.png$", text, re.MULTILINE)
        assert len(previews) == 1, text
        watch = _watch(text)
        _story(text, env_file, checkout, watch, previews[0])
        process.send_signal(signal.SIGINT)
        _wait_line(lines, "演示已停止", seen)
        assert process.wait(WAIT_S) == 0
        assert list(checkout.iterdir()) == [] and list(tmp.iterdir()) == []  # nothing left anywhere
    finally:
        if watch is not None:
            watch.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def test_the_guides_env_file_is_its_owners_only_from_its_first_byte(tmp_path: Path) -> None:
    from hall.commands.demo import _write_env

    url = "mqtt://staff:secret-password@127.0.0.1:1883"
    with open_umask(), watch_secrets(tmp_path, "env") as watch:
        _write_env(tmp_path / "env", url, "weicheng")
    assert watch.leaks == [] and "env" in watch.seen
    assert f"export HALL_BROKER='{url}'\n" in (tmp_path / "env").read_text(encoding="utf-8")
