"""Two real Mosquittos bridged as broker_config/bridge-township.conf.example says: the township
(weicheng) connects up to the district (youxian) over TLS.

The township runs the suite's ROSTER (its bridge account has no login there, only ACL lines); the
district runs a roster with the bridge's login and a supervision account that reads weicheng's
topics. The bridge section is the example file itself, with the district's address, the bridge's
password and the district's CA filled in.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.reasoncodes import ReasonCode

from content.broker.config import Account, Roster
from content.broker.local import LOOPBACK, Mosquitto, free_port, mosquitto_available, wait_for_port
from tests.conftest import PREFIX, REPO, ROSTER, WAIT_S, Received, Subscriber

BROKER_CONFIG = REPO / "broker_config"
EXAMPLE = BROKER_CONFIG / "bridge-township.conf.example"
DISTRICT = "hall/v1/youxian/"

DISTRICT_ROSTER = Roster(
    centre="youxian",
    accounts=[
        Account(user="service", role="service"),
        Account(user="bridge-weicheng", role="bridge", centre="weicheng", parent="youxian"),
        # A district screen watching the township's queue and devices.
        Account(user="watch-weicheng", role="staff", centre="weicheng"),
    ],
)


def bridge_section(district: Mosquitto, password: str, cafile: Path) -> str:
    """The example, pointed at the test's district broker."""
    values = {
        "address": f"{LOOPBACK}:{district.tls_port}",
        "remote_password": password,
        "bridge_cafile": str(cafile),
        "restart_timeout": "1 2",  # reconnect quickly after the test restarts the district
    }
    text = EXAMPLE.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"^{key} .*$", f"{key} {value}", text, flags=re.MULTILINE)
        assert count == 1, f"the example should have one active `{key}` line"
    return text


class Peer(Subscriber):
    """A Subscriber that takes absolute topics (hall/v1/…) as well as the township's relative ones,
    and reports the broker's PUBACK reason code."""

    def __init__(self, url: str, topics: list[str]) -> None:
        self._acks: dict[int, ReasonCode] = {}
        self._ack_cond = threading.Condition()
        super().__init__(url, [t if t.startswith("hall/") else PREFIX + t for t in topics])
        self.client.on_publish = self._on_publish

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self.connect_result = reason_code
        self._connected.set()
        if not reason_code.is_failure and self._topics:
            client.subscribe([(t, 1) for t in self._topics])

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason_code: ReasonCode, properties: Any) -> None:
        with self._ack_cond:
            self._acks[mid] = reason_code
            self._ack_cond.notify_all()

    def puback(self, topic: str, payload: bytes, retain: bool = False) -> int:
        full = topic if topic.startswith("hall/") else PREFIX + topic
        info = self.client.publish(full, payload, qos=1, retain=retain)
        with self._ack_cond:
            assert self._ack_cond.wait_for(lambda: info.mid in self._acks, WAIT_S), f"no PUBACK for {topic}"
            return int(self._acks[info.mid].value)

    def close(self) -> None:
        super().close()
        # Unhooked, the paho client is freed at once rather than in a reference cycle, whose
        # collection may finalize paho's socket pair before paho closes it (a ResourceWarning).
        client = self.client
        client.on_connect = client.on_disconnect = client.on_subscribe = client.on_message = client.on_publish = None


@dataclass
class Tiers:
    district: Mosquitto
    township: Mosquitto
    connect: Callable[..., Peer]


def _is(topic: str, payload: bytes | None = None) -> Callable[[Received], bool]:
    return lambda m: m.topic == topic and (payload is None or m.payload == payload)


@pytest.fixture
def tiers(tmp_path: Path) -> Iterator[Tiers]:
    if not mosquitto_available():
        pytest.fail("Mosquitto is not installed: run the tests through scripts/dev test")
    certs = tmp_path / "district-certs"
    subprocess.run(["bash", str(BROKER_CONFIG / "make-certs.sh"), str(certs)], check=True, capture_output=True)
    district = Mosquitto(tmp_path / "district", DISTRICT_ROSTER, tls_port=free_port())
    shutil.copytree(certs, district.directory / "certs")
    district.start()
    assert district.tls_port is not None
    wait_for_port(district.tls_port, WAIT_S)
    section = bridge_section(district, district.passwords["bridge-weicheng"], certs / "ca.crt")
    township = Mosquitto(tmp_path / "township", ROSTER, extra_conf=section).start()
    made: list[Peer] = []

    def connect(broker: Mosquitto, user: str, topics: list[str] | None = None) -> Peer:
        peer = Peer(broker.url(user), topics or [])
        made.append(peer)
        assert not peer.wait_connected().is_failure, f"{user} could not log in"
        if topics:
            peer.wait_subscribed()
        return peer

    yield Tiers(district, township, connect)
    for peer in made:
        peer.close()
    township.stop()
    district.stop()


def _catalog_down(t: Tiers, payload: bytes) -> None:
    """Publish the district catalog and wait until a township kiosk has it (the link is up)."""
    service = t.connect(t.district, "service")
    assert service.puback(DISTRICT + "catalog", payload, retain=True) < 128
    kiosk = t.connect(t.township, "kiosk-1", [DISTRICT + "catalog"])
    kiosk.wait_for(_is(DISTRICT + "catalog", payload), "the district catalog on the township broker")


def test_the_district_catalog_comes_down_retained(tiers: Tiers) -> None:
    catalog = b'{"schema":1,"items":["district"]}'
    _catalog_down(tiers, catalog)
    # A device that boots later still gets it: the bridge's messages are kept by check_retain_source
    # because the township's ACL lets the bridge's user name write the district's content topics.
    late = tiers.connect(tiers.township, "led-wall", [DISTRICT + "#"])
    got = late.wait_for(_is(DISTRICT + "catalog"), "the retained district catalog")
    assert (got.payload, got.retain) == (catalog, True)


def test_the_queue_and_device_states_go_up_and_nothing_else(tiers: Tiers) -> None:
    _catalog_down(tiers, b'{"schema":1}')  # the link is up
    watch = tiers.connect(tiers.district, "watch-weicheng", ["queue", "device/+/state", "announcements", "call"])
    service = tiers.connect(tiers.township, "service")
    kiosk = tiers.connect(tiers.township, "kiosk-2")
    assert kiosk.puback("device/kiosk-2/state", b'{"status":"ready"}', retain=True) < 128
    assert watch.wait_for(_is("device/kiosk-2/state")).payload == b'{"status":"ready"}'
    assert service.puback("queue", b'{"serving":"A001"}', retain=True) < 128
    assert watch.wait_for(_is("queue")).payload == b'{"serving":"A001"}'
    # Not bridged: announcements and calls stay in the hall. A later queue update is the marker.
    assert service.puback("announcements", b'{"township":"only"}', retain=True) < 128
    assert service.puback("call", b'{"ticket":"A002"}') < 128
    assert service.puback("queue", b'{"serving":"A002"}', retain=True) < 128
    watch.wait_for(_is("queue", b'{"serving":"A002"}'), "the second queue update")
    assert [m.topic for m in watch.messages] == ["device/kiosk-2/state", "queue", "queue"]


def test_the_district_refuses_the_bridge_account_anything_else(tiers: Tiers) -> None:
    # Even a widened bridge section could not push more up: the district's ACL stops it.
    bridge = tiers.connect(tiers.district, "bridge-weicheng")
    assert bridge.puback("queue", b"{}") < 128
    assert bridge.puback("device/kiosk-1/state", b"{}") < 128
    for topic in (
        "announcements",
        "call",
        "cmd/announce/staff",
        "reply/kiosk-1",
        DISTRICT + "catalog",
        DISTRICT + "queue",
    ):
        assert bridge.puback(topic, b"{}") == 135, topic


def test_the_hall_keeps_working_while_the_district_is_down(tiers: Tiers) -> None:
    catalog = b'{"schema":1,"rev":"d1"}'
    _catalog_down(tiers, catalog)
    tiers.district.stop()
    # The township broker even restarts during the outage: persistence keeps the district content.
    tiers.township.stop()
    tiers.township.start()
    kiosk = tiers.connect(tiers.township, "kiosk-1", [DISTRICT + "catalog", "queue"])
    assert kiosk.wait_for(_is(DISTRICT + "catalog")).payload == catalog
    service = tiers.connect(tiers.township, "service")
    queue = f'{{"serving":"{uuid.uuid4().hex[:6]}"}}'.encode()
    assert service.puback("queue", queue, retain=True) < 128
    kiosk.wait_for(_is("queue", queue), "the queue in the hall")
    # The link comes back: the update made during the outage reaches the district.
    tiers.district.start()
    watch = tiers.connect(tiers.district, "watch-weicheng", ["queue"])
    watch.wait_for(_is("queue", queue), "the outage's queue update at the district")
