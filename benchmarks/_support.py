"""Shared by the benchmarks: the machine header, spreads of timings, a timing subscriber, peak RSS, CPU time.

Benchmarks print figures; they never assert on them (budgets in benchmarks/README.md).
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from content.shared import contract
from content.shared.broker_url import parse_broker_url

REPO = Path(__file__).resolve().parent.parent


# -- the machine ----------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mosquitto_version() -> str:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    try:
        # `mosquitto -h` prints its version first and exits with code 3.
        out = subprocess.run([binary, "-h"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return out.splitlines()[0].strip() if out else "unknown"


def machine_lines(extra: Sequence[str] = ()) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine   {platform.platform()}",
        f"cpu       {_cpu_model()}, {os.cpu_count()} logical cores ({usable} usable), load {load}",
        f"python    {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        *extra,
    ]


# -- figures --------------------------------------------------------------------------------------


def spread_ms(seconds: Sequence[float]) -> str:
    """min / median / max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return f"{min(ms):7.1f} / {statistics.median(ms):7.1f} / {max(ms):7.1f} ms"


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p90, p99 and max of `values`."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": max(values)}


def percentiles_ms(seconds: Sequence[float]) -> str:
    """p50 / p90 / p99 / max in milliseconds."""
    p = percentiles(seconds)
    return " / ".join(f"{p[k] * 1000:6.2f}" for k in ("p50", "p90", "p99", "max")) + " ms"


def spread_mib(kib: Sequence[float]) -> str:
    """min / median / max of sizes given in KiB, in MB (2^20 bytes)."""
    return f"{min(kib) / 1024:7.1f} / {statistics.median(kib) / 1024:7.1f} / {max(kib) / 1024:7.1f} MB"


# -- a subscriber that stamps arrivals ------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    at: float
    """time.perf_counter() when paho handed the complete message over."""
    topic: str
    payload: bytes
    retain: bool


class TimedSubscriber:
    """A plain paho client that records every message with its arrival time.

    The time is taken first thing in `on_message`, so decoding or checking a payload later does
    not count towards the figure.
    """

    def __init__(self, url: str, topics: Sequence[str], client_id: str | None = None) -> None:
        self.arrivals: list[Arrival] = []
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        broker = parse_broker_url(url)
        run_id = contract.client_id(broker.username or "bench", f"bench-{uuid.uuid4().hex[:8]}")
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or run_id, protocol=mqtt.MQTTv5)
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        client.on_connect = lambda c, *_: c.subscribe([(topic, 1) for topic in topics])
        client.on_subscribe = lambda *_: self._subscribed.set()
        client.on_message = self._on_message
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        at = time.perf_counter()
        with self._cond:
            self.arrivals.append(Arrival(at, message.topic, bytes(message.payload), bool(message.retain)))
            self._cond.notify_all()

    def wait_subscribed(self, timeout: float = 10.0) -> TimedSubscriber:
        if not self._subscribed.wait(timeout):
            raise RuntimeError("no SUBACK")
        return self

    def mark(self) -> int:
        """The index the next arrival will get; pass it to `wait_for` to skip what came before."""
        with self._cond:
            return len(self.arrivals)

    def wait_for(self, predicate: Callable[[Arrival], bool], timeout: float, start: int = 0) -> Arrival:
        deadline = time.monotonic() + timeout
        seen = start
        with self._cond:
            while True:
                for arrival in self.arrivals[seen:]:
                    if predicate(arrival):
                        return arrival
                seen = max(seen, len(self.arrivals))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching message in {timeout:g} s")
                self._cond.wait(remaining)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# -- peak RSS of a child process ------------------------------------------------------------------

# Spawns argv[1:] and reports its pid and start time, then its exit code and own peak RSS (KiB).
# perf_counter is CLOCK_MONOTONIC on Linux, so the start time compares with this process's clock.
_LAUNCHER = """\
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, 2, 1)])
print(pid, started, flush=True)
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, flush=True)
"""


class MeasuredChild:
    """A child process whose peak RSS is its own, read from the kernel when it exits.

    Linux carries a process's peak RSS across exec, and a child spawned from this process starts
    as a (v)fork of it, so `getrusage(RUSAGE_CHILDREN)` or `wait4` on a direct child report at
    least this process's own RSS at the time of the spawn: hundreds of MB once a catalog is
    loaded here. A `python -S` launcher of ~8 MB spawns the target instead and hands back the
    target's `wait4` rusage. The target's stdout and stderr go to `log`.
    """

    def __init__(self, argv: Sequence[str], log: IO[bytes] | int = subprocess.DEVNULL) -> None:
        self._launcher = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        assert self._launcher.stdout is not None
        first = self._launcher.stdout.readline().split()
        if len(first) != 2:
            self._launcher.wait()
            raise RuntimeError(f"could not start {argv[0]}")
        self.pid = int(first[0])
        self.started = float(first[1])
        """time.perf_counter() just before the spawn."""

    def terminate(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> tuple[int, int]:
        """(exit code, peak RSS in KiB) once the target has exited."""
        try:
            out, _ = self._launcher.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            out, _ = self._launcher.communicate()
        code, peak = out.split()
        return int(code), int(peak)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process (all its threads) has used so far (Linux).

    The kernel counts in clock ticks (10 ms), so measure over seconds, not milliseconds.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_of(argv: Sequence[str], timeout: float = 60.0) -> int:
    """Run `argv` to completion and return its own peak RSS in KiB."""
    code, peak = MeasuredChild(argv).wait(timeout)
    if code != 0:
        raise RuntimeError(f"{list(argv[:3])} exited with {code}")
    return peak


# -- processes of a running hall: presence, CPU and memory ------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, its live descendants and the children it reaped."""
    import psutil

    process = psutil.Process(pid)
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def process_rss_kib(pid: int) -> int:
    """Resident set size of a running process, in KiB."""
    import psutil

    return int(psutil.Process(pid).memory_info().rss // 1024)


class Presence:
    """Follows `device/+/state` of a centre and waits until named devices say `ready` (no sleeping).

    `url` is an account that may read device presence (a staff account; the service's own works too).
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._prefix = prefix
        self._sub = TimedSubscriber(url, [prefix + contract.device_topic("+")]).wait_subscribed()

    def status(self, device: str) -> str | None:
        """The latest status `device` published, or None."""
        topic = self._prefix + contract.device_topic(device)
        with self._sub._cond:
            arrivals = [a for a in self._sub.arrivals if a.topic == topic]
        if not arrivals or not arrivals[-1].payload:
            return None
        return str(contract.decode(arrivals[-1].payload).get("status"))

    def wait_ready(self, devices: Sequence[str], timeout: float, gave_up: Callable[[], str | None]) -> None:
        """Until every one of `devices` last said `ready`; `gave_up` names a process that ended, if one did."""
        deadline = time.monotonic() + timeout
        with self._sub._cond:
            while True:
                waiting = [d for d in devices if self.status(d) != "ready"]
                if not waiting:
                    return
                ended = gave_up()
                if ended:
                    raise RuntimeError(f"{ended} ended before it was ready")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"not ready after {timeout:g} s: {', '.join(waiting)}")
                self._sub._cond.wait(min(remaining, 1.0))  # woken by each presence message

    def close(self) -> None:
        self._sub.close()
