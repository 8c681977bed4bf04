"""A service at rest sleeps: nothing to publish, nothing due, no CPU. A guard, not a benchmark: the bound
is far above the budget (1 % of a core) and far below a loop that spins (a whole core)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S

WINDOW_S = 3.0
BOUND_S = 0.3
"""CPU seconds the service's loop may spend in the window: 10 % of a core."""


def _cpu_s(thread: threading.Thread) -> float:
    times = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
    return times[thread.native_id]  # type: ignore[index]


def test_a_service_at_rest_spends_no_cpu(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    now = [datetime.now().astimezone()]
    running = start_service(sample_dir, clock=lambda: now[0])
    # Past the statistics' throttle, with nothing changed since: the moment an earlier loop began to spin.
    now[0] += timedelta(minutes=5)
    send_command(parse_broker_url(broker.url("staff")), CENTRE, "stats", {}, timeout=WAIT_S)  # the loop looks again
    before = _cpu_s(running.thread)
    time.sleep(WINDOW_S)  # the measurement's window, not a wait for an event
    spent = _cpu_s(running.thread) - before
    assert spent < BOUND_S, f"the idle service spent {spent:.2f} CPU s in {WINDOW_S:.0f} s"
