"""The broker holds each account to its rate of commands (broker_config/plugin), whatever the QoS and
however many connections it opens, before anything reaches the service's queue."""

from __future__ import annotations

import queue
import time
from datetime import UTC, datetime

from content.broker.config import COMMAND_BURST, COMMAND_RATE
from content.broker.local import Mosquitto
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.transport import Connected, Message, MqttTransport, PublishRefused, Subscribed
from tests.conftest import CENTRE, WAIT_S


def _transport(broker: Mosquitto, user: str, run: str, topics: list[str]) -> tuple[MqttTransport, queue.Queue[object]]:
    events: queue.Queue[object] = queue.Queue()
    transport = MqttTransport(parse_broker_url(broker.url(user)), f"{user}.{run}", contract.base(CENTRE), events.put)
    transport.subscribe(topics)
    transport.start()
    return transport, events


def _wait(events: queue.Queue[object], kind: type) -> object:
    while True:
        event = events.get(timeout=WAIT_S)
        if isinstance(event, kind):
            return event


def test_a_flood_of_commands_past_the_burst_is_refused_at_the_broker(broker: Mosquitto) -> None:
    service, seen = _transport(broker, "service", "t", ["cmd/+/+"])
    _wait(seen, Subscribed)
    floods = [_transport(broker, "kiosk-1", f"f{n}", []) for n in range(2)]  # two connections, one account
    for _, events in floods:
        _wait(events, Connected)
    try:
        sent = 3 * COMMAND_BURST
        deliveries = []
        started = time.monotonic()
        for n in range(sent):
            flood, _ = floods[n % 2]
            payload = contract.encode(contract.command({"category": "shebao"}, datetime.now(UTC)))
            deliveries.append(flood.publish("cmd/ticket/kiosk-1", payload, qos=0 if n % 3 == 0 else 1))
        assert all(d.wait(WAIT_S) for d in deliveries)
        took = time.monotonic() - started
        refused = sum(1 for _, events in floods for e in list(events.queue) if isinstance(e, PublishRefused))
        assert refused > 0
        # A command from another account goes through, and by then everything the service was let see.
        other, connected = _transport(broker, "kiosk-2", "m", [])
        _wait(connected, Connected)
        other.publish("cmd/ticket/kiosk-2", b"{}").wait(WAIT_S)
        got = 0
        while not _wait(seen, Message).topic.endswith("kiosk-2"):  # type: ignore[attr-defined]
            got += 1
        other.stop()
        # The burst, and what the rate earned back while the flood was sent (and a second more).
        assert got <= COMMAND_BURST + COMMAND_RATE * (took + 1)
    finally:
        for flood, _ in floods:
            flood.stop()
        service.stop()
