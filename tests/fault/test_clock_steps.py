"""The clock stepped either way across the day's reset: the queue follows the day as stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S, Clock

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=ZONE)


def _send(broker: Mosquitto, user: str, verb: str, args: dict[str, Any]) -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=WAIT_S)


def test_stepping_back_to_a_served_day_carries_its_numbers_and_its_waiting_on(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    clock = Clock(MONDAY)
    service = start_service(sample_dir, clock=clock)
    taken = [_send(broker, "kiosk-1", "ticket", {"category": "shebao"})["ticket"] for _ in range(3)]
    assert taken == ["A001", "A002", "A003"]

    # Ahead past the next morning's reset (a clock that ran ahead), where numbers start again ...
    clock.set(MONDAY + timedelta(days=1))
    service.service.clock_moved().result(WAIT_S)
    assert _send(broker, "kiosk-1", "ticket", {"category": "shebao"})["ticket"] == "A001"

    # ... and back, as NTP corrects it: Monday's three are still waiting and its numbers go on.
    clock.set(MONDAY + timedelta(minutes=5))
    service.service.clock_moved().result(WAIT_S)
    assert _send(broker, "kiosk-1", "ticket", {"category": "shebao"})["ticket"] == "A004"
    assert _send(broker, "staff", "call", {"window": "shebao"})["ticket"] == "A001"

    # Forward again to Tuesday: its one ticket is there to call, and the next number follows it.
    clock.set(MONDAY + timedelta(days=1, minutes=10))
    service.service.clock_moved().result(WAIT_S)
    assert _send(broker, "kiosk-1", "ticket", {"category": "shebao"})["ticket"] == "A002"
    assert _send(broker, "staff", "call", {"window": "shebao"})["ticket"] == "A001"
