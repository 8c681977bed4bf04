"""Benchmark: rest costs nothing. CPU and memory of an idle hall (budgets in benchmarks/README.md).

    .venv/bin/python benchmarks/bench_rest.py [--seconds 60] [--settle 5]

A fresh Mosquitto with the project's configuration and a roster of this run's own (each process its own
account), a copy of the sample centre open around the clock (so the displays show their zones whenever
the benchmark runs, not the closed-hall page), and, each as its own process:

- the service with its pages and console: `hall serve --http 127.0.0.1:PORT --console-http 127.0.0.1:PORT2
  --console-broker …`;
- the wall: `hall led --display wall-1920x1080 --output null` (30 fps);
- the same wall with nothing moving: the same profile without its ticker zone, a static wall;
- a window screen: `hall led --display window-192x64 --window zonghe --output null` (60 fps);
- a kiosk: `hall kiosk` under Xvfb (1080×1920), its attract loop starting after 5 s untouched, so that
  most of the window is the loop where a kiosk spends a quiet day;
- the naive peer of the budget table: a process that sleeps.

Once every device's presence says `ready` (the service's, each display's, the kiosk's: the event, not a
delay) and `--settle` seconds more have passed (start-up work such as the kiosk's first layout is not
rest), each process's CPU time (user + system, children included) and RSS are read with psutil at the
start and the end of a `--seconds` window and every second between. Two windows: the hall quiet
(no announcement, nothing on the tickers), then with one normal announcement up, scrolling on every
ticker as in a hall during the day. The broker and the X server are printed beside them. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml
from _support import (
    REPO,
    Presence,
    machine_lines,
    mosquitto_version,
    process_cpu_seconds,
    process_rss_kib,
)

sys.path.insert(0, str(REPO))

from content.broker.config import Account, Roster
from content.broker.local import LOOPBACK, Mosquitto, free_port
from content.centre.synth import SAMPLE
from content.shared import contract
from content.shared.broker_url import BrokerUrl, parse_broker_url
from content.shared.client import send_command
from led_driver.profile import find_profile

CENTRE = "weicheng"
PREFIX = contract.base(CENTRE)
READY_S = 90.0
MUST_SERVICE, AIM_SERVICE = 1.0, 0.2
MUST_KIOSK = 2.0
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ANNOUNCEMENT = "今天逢场，各窗口全员在岗，请按号有序办理。办事群众请提前备齐材料，扫码可查看办事指南。"

ROSTER = Roster(
    centre=CENTRE,
    accounts=[
        Account(user="service", role="service"),
        Account(user="console", role="staff"),
        Account(user="desk", role="staff", office=True),
        Account(user="led-wall", role="display"),
        Account(user="led-static", role="display"),
        Account(user="led-window", role="display"),
        Account(user="kiosk-1", role="kiosk"),
    ],
)


def _roster_file(work: Path) -> Path:
    """The roster `hall serve --roster` reads: `desk` acts as the office, the console for its people."""
    path = work / "roster.yaml"
    path.write_text(yaml.safe_dump(ROSTER.model_dump(exclude_defaults=True), sort_keys=False), encoding="utf-8")
    return path


def hall_command() -> list[str]:
    script = Path(sys.executable).with_name("hall")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hall"]


# -- the processes --------------------------------------------------------------------------------


@dataclass
class Proc:
    """One process of the hall, its output in a log file of its own."""

    name: str
    what: str
    popen: subprocess.Popen[bytes]
    log: Path
    fps: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@dataclass
class Processes:
    """Everything started, stopped in reverse order whatever happens (an error, Ctrl-C, SIGTERM)."""

    work: Path
    started: list[Proc] = field(default_factory=list)

    def spawn(
        self, name: str, what: str, argv: Sequence[str], env: dict[str, str] | None = None, fps: int | None = None
    ) -> Proc:
        log = self.work / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env={**os.environ, **(env or {})},
                cwd=self.work,
                start_new_session=True,  # Ctrl-C reaches this process only; it stops the others in order
            )
        proc = Proc(name, what, popen, log, fps)
        self.started.append(proc)
        return proc

    def ended(self) -> str | None:
        """The name and log tail of a process that has ended, if one has."""
        for proc in self.started:
            if proc.popen.poll() is not None:
                return f"{proc.name} (exit {proc.popen.returncode}):\n{proc.tail()}"
        return None

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            if proc.popen.poll() is None:
                proc.popen.terminate()
        for proc in reversed(self.started):
            try:
                proc.popen.wait(15)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()


@contextmanager
def processes(work: Path) -> Iterator[Processes]:
    running = Processes(work)
    try:
        yield running
    finally:
        running.stop_all()


@contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so every `finally` stops what it started."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def xvfb(size: tuple[int, int]) -> Iterator[tuple[str, int]]:
    """An X server on a free display number: (DISPLAY, its pid)."""
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    number = next(
        n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists()
    )
    proc = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("Xvfb did not start")
            time.sleep(0.05)  # another process makes the socket: nothing to wait on
        yield f":{number}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the hall -------------------------------------------------------------------------------------


def open_around_the_clock(centre_yaml: Path) -> None:
    """The centre open every day, 00:00–23:59: the displays show their zones whenever this runs."""
    data = yaml.safe_load(centre_yaml.read_text(encoding="utf-8"))
    data["hours"] = [{"days": WEEK, "open": "00:00", "close": "23:59"}]
    centre_yaml.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def static_wall_profile(out: Path) -> Path:
    """wall-1920x1080 without its ticker: nothing on it moves but the clock."""
    data = yaml.safe_load(find_profile("wall-1920x1080").read_text(encoding="utf-8"))
    data["zones"] = [zone for zone in data["zones"] if zone["kind"] != "ticker"]
    data["name"] = f"{data['name']}（无滚动字幕）"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


@dataclass(frozen=True)
class Hall:
    broker: Mosquitto
    desk: BrokerUrl
    """A staff account of this run's own, for the announcement."""
    service: Proc
    http: str
    devices: list[Proc]
    peer: Proc
    others: dict[str, int]
    """Processes shown for context, not budgeted: the broker, the X server."""


def start_hall(stack: ExitStack, work: Path, running: Processes, attract_after: float) -> Hall:
    content_dir = work / "centre"
    shutil.copytree(SAMPLE, content_dir)
    open_around_the_clock(content_dir / "centre.yaml")
    broker = Mosquitto(work / "broker", ROSTER).start()
    stack.callback(broker.stop)
    stack.callback(running.stop_all)  # before the broker goes: each client says goodbye to it
    presence = Presence(broker.url("desk"), PREFIX)
    stack.callback(presence.close)
    hall = hall_command()
    port, console_port = free_port(), free_port()
    service = running.spawn(
        "service",
        "hall serve, with its pages and console",
        [
            *hall, "serve", "--content", str(content_dir), "--broker", broker.url("service"),
            "--state", str(work / "state.sqlite3"), "--http", f"{LOOPBACK}:{port}",
            "--console-http", f"{LOOPBACK}:{console_port}",
            "--console-broker", broker.url("console"), "--users", str(work / "users.sqlite3"),
            "--roster", str(_roster_file(work)),
        ],
    )  # fmt: skip
    presence.wait_ready(["service"], READY_S, running.ended)

    def led(name: str, what: str, profile: str, fps: int, *extra: str) -> Proc:
        argv = [*hall, "led", "--display", profile, "--output", "null", "--broker", broker.url(name)]
        argv += ["--centre", CENTRE, "--cache", str(work / f"cache-{name}"), *extra]
        return running.spawn(name, what, argv, fps=fps)

    static = static_wall_profile(work / "wall-static.yaml")
    devices = [
        led("led-wall", "wall 1920×1080 with its ticker", "wall-1920x1080", 30),
        led("led-static", "the same wall, nothing moving (no ticker)", str(static), 30),
        led("led-window", "window screen 192×64 with its ticker", "window-192x64", 60, "--window", "zonghe"),
    ]
    display, xvfb_pid = stack.enter_context(xvfb((1080, 1920)))
    stack.callback(running.stop_all)  # before the X server goes, which the kiosk would take for a crash
    kiosk_env = {"DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(work / "kivy-home")}
    devices.append(
        running.spawn(
            "kiosk-1",
            f"kiosk 1080×1920 under Xvfb, attract loop after {attract_after:g} s",
            [
                *hall, "kiosk", "--broker", broker.url("kiosk-1"), "--centre", CENTRE,
                "--cache", str(work / "cache-kiosk"), "--size", "1080x1920", "--attract-after", f"{attract_after:g}",
            ],
            env=kiosk_env,
        )
    )  # fmt: skip
    peer = running.spawn(
        "sleeper",
        "naive peer: a process that sleeps",
        [sys.executable, "-c", "import time\nwhile True: time.sleep(3600)"],
    )
    presence.wait_ready([d.name for d in devices], READY_S, running.ended)
    base = f"http://{LOOPBACK}:{port}"
    # the pages and the console answer before the window opens
    for path in (f"{base}/", f"http://{LOOPBACK}:{console_port}/console/login"):
        with urllib.request.urlopen(path, timeout=10) as response:
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
    process = broker._process  # private; read only for the broker's CPU time
    assert process is not None
    desk = parse_broker_url(broker.url("desk"))
    return Hall(broker, desk, service, base, devices, peer, {"Mosquitto": process.pid, "Xvfb": xvfb_pid})


# -- the window -----------------------------------------------------------------------------------


@dataclass
class Usage:
    cpu_s: float
    seconds: float
    rss_kib: int
    rss_max_kib: int
    worst_10s: float
    """CPU % of a core over the worst 10 s of the window."""

    @property
    def percent(self) -> float:
        return 100.0 * self.cpu_s / self.seconds


def measure(pids: dict[str, int], seconds: float, alive: Callable[[], str | None]) -> dict[str, Usage]:
    """CPU and RSS of each process over `seconds`, read every second."""
    samples: list[tuple[float, dict[str, float], dict[str, int]]] = []

    def sample() -> None:
        at = time.monotonic()
        samples.append(
            (at, {n: process_cpu_seconds(p) for n, p in pids.items()}, {n: process_rss_kib(p) for n, p in pids.items()})
        )

    sample()
    start = samples[0][0]
    while (left := start + seconds - time.monotonic()) > 0:
        time.sleep(min(1.0, left))  # the sampling period: nothing to wait on
        ended = alive()
        if ended:
            raise RuntimeError(f"{ended} ended during the window")
        sample()
    end_at, end_cpu, end_rss = samples[-1]
    usage = {}
    for name in pids:
        worst = 0.0
        for i, (at, cpu, _) in enumerate(samples):
            later = next((s for s in samples[i:] if s[0] - at >= 10.0), None)
            if later is not None:
                worst = max(worst, 100.0 * (later[1][name] - cpu[name]) / (later[0] - at))
        usage[name] = Usage(
            cpu_s=end_cpu[name] - samples[0][1][name],
            seconds=end_at - start,
            rss_kib=end_rss[name],
            rss_max_kib=max(s[2][name] for s in samples),
            worst_10s=worst,
        )
    return usage


def _verdict(percent: float, must: float, aim: float | None = None) -> str:
    if percent > must:
        return "over"
    if aim is None:
        return "PASS"
    return "PASS, aim met" if percent <= aim else "PASS, aim missed"


def report(hall: Hall, phase: str, usage: dict[str, Usage]) -> None:
    seconds = usage["service"].seconds
    print()
    print(f"{phase}: {seconds:.1f} s of rest (CPU: user + system, children included; % of one core)")
    print(f"  {'process':<11} {'what':<58} {'CPU %':>7} {'worst 10 s':>10} {'a frame':>10} {'RSS':>9} {'max RSS':>9}")
    for proc in [hall.service, *hall.devices, hall.peer]:
        u = usage[proc.name]
        frame = f"{1000 * u.cpu_s / (proc.fps * u.seconds):.3f} ms" if proc.fps else ""
        what = proc.what + (f", {proc.fps} fps" if proc.fps else "")
        print(
            f"  {proc.name:<11} {what:<58} {u.percent:6.2f}% {u.worst_10s:9.2f}% {frame:>10} "
            f"{u.rss_kib / 1024:6.1f} MB {u.rss_max_kib / 1024:6.1f} MB"
        )
    for name, what in (("Mosquitto", "the broker (context)"), ("Xvfb", "the kiosk's X server (context)")):
        u = usage[name]
        print(
            f"  {name:<11} {what:<58} {u.percent:6.2f}% {u.worst_10s:9.2f}% {'':>10} "
            f"{u.rss_kib / 1024:6.1f} MB {u.rss_max_kib / 1024:6.1f} MB"
        )


def budget_lines(phases: dict[str, dict[str, Usage]]) -> None:
    print()
    for phase, usage in phases.items():
        service, kiosk, peer = usage["service"], usage["kiosk-1"], usage["sleeper"]
        wall, static, window = usage["led-wall"], usage["led-static"], usage["led-window"]
        print(f"{phase}:")
        print(
            f"  service  {service.percent:6.2f}% of a core  budget ≤ {MUST_SERVICE:g} % (aim ≤ {AIM_SERVICE:g} %): "
            f"{_verdict(service.percent, MUST_SERVICE, AIM_SERVICE)}"
            f"   naive peer, a sleeping process: {peer.percent:.2f} %"
        )
        print(
            f"  kiosk    {kiosk.percent:6.2f}% of a core  budget ≤ {MUST_KIOSK:g} %: "
            f"{_verdict(kiosk.percent, MUST_KIOSK)}"
            f"   (+ its X server {usage['Xvfb'].percent:.2f} %)   naive peer: {peer.percent:.2f} %"
        )
        print(
            f"  wall     {wall.percent:6.2f}% at 30 fps, beside the static wall {static.percent:.2f} % "
            f"and the sleeping peer {peer.percent:.2f} %; window screen {window.percent:.2f} % at 60 fps"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="each measured window (default 60; two windows)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after every device is ready (default 5)")
    parser.add_argument(
        "--attract-after", type=float, default=5.0, help="the kiosk's --attract-after (default 5; shipped 60)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) and print it")
    args = parser.parse_args()
    for line in machine_lines([f"broker    {mosquitto_version()}", f"psutil    {psutil.__version__}"]):
        print(line)
    with sigterm_as_exit(), ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="bench-rest-"))
        if args.keep:
            print(f"working directory {work}")
        else:
            stack.callback(shutil.rmtree, work, ignore_errors=True)
        running = stack.enter_context(processes(work))
        started = time.monotonic()
        hall = start_hall(stack, work, running, args.attract_after)
        print(f"ready: service, {', '.join(d.name for d in hall.devices)} in {time.monotonic() - started:.1f} s")
        pids = {p.name: p.pid for p in [hall.service, *hall.devices, hall.peer]} | hall.others
        phases = {}
        time.sleep(args.settle)  # start-up work is not rest (see the docstring)
        phases["1. quiet: nothing on the tickers"] = measure(pids, args.seconds, running.ended)
        report(hall, *list(phases.items())[-1])
        send_command(hall.desk, CENTRE, "announce", {"text": ANNOUNCEMENT, "priority": "normal"})
        time.sleep(args.settle)  # the devices apply it and lay out their tickers
        phases["2. one announcement scrolling on every ticker"] = measure(pids, args.seconds, running.ended)
        report(hall, *list(phases.items())[-1])
        budget_lines(phases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
