"""The broker's roles, against the real Mosquitto with the ACL that `hall broker-config` generates.

Writes are judged by the broker's own answer: Mosquitto 2.0 acknowledges a QoS1 publish that the
ACL refuses with a PUBACK carrying reason code 135 (not authorized) to MQTT 5 clients, and drops
the message. Reads cannot be judged that way: Mosquitto grants every SUBSCRIBE (its acl_file has no
subscription rules) and filters each message at delivery. So a read test publishes the message,
then a marker on a topic the reader may read; Mosquitto handles one client's publishes in order
and queues a subscriber's messages in that order, so once the marker is in, the message would have
been too. A control subscriber that may read the topic proves the message was really sent.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from paho.mqtt.reasoncodes import ReasonCode

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, send_command
from tests.conftest import CENTRE, PREFIX, WAIT_S, Received, Subscriber
from tests.words import english

pytestmark = pytest.mark.fault

NOT_AUTHORIZED = 135
STATE = ("centre", "catalog", "staff", "agents", "queue", "announcements")
MARKER_TOPIC = "call"  # every role may read it; only the service writes it


class Client(Subscriber):
    """A Subscriber that also records the broker's PUBACK reason code for each QoS1 publish."""

    def __init__(self, url: str, topics: list[str] | None = None) -> None:
        self._acks: dict[int, ReasonCode] = {}
        self._ack_cond = threading.Condition()
        super().__init__(url, topics or [])
        self.client.on_publish = self._on_publish

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason_code: ReasonCode, properties: Any) -> None:
        with self._ack_cond:
            self._acks[mid] = reason_code
            self._ack_cond.notify_all()

    def puback(self, topic: str, payload: bytes = b"{}", *, retain: bool = False, absolute: bool = False) -> int:
        """Publish with QoS1 and return the reason code of the broker's PUBACK."""
        info = self.client.publish(topic if absolute else PREFIX + topic, payload, qos=1, retain=retain)
        with self._ack_cond:
            assert self._ack_cond.wait_for(lambda: info.mid in self._acks, WAIT_S), f"no PUBACK for {topic}"
            return int(self._acks[info.mid].value)


@pytest.fixture
def connect(broker: Mosquitto) -> Any:
    made: list[Client] = []

    def make(user: str, topics: list[str] | None = None) -> Client:
        client = Client(broker.url(user), topics)
        made.append(client)
        assert not client.wait_connected().is_failure, f"{user} could not connect"
        if topics:
            client.wait_subscribed()
        return client

    yield make
    for client in made:
        client.close()


def _marked(publisher: Client, topic: str) -> str:
    """Publish a message on `topic`, then a marker on MARKER_TOPIC; return the marker's payload."""
    assert publisher.puback(topic, b'{"probe": true}') < 128
    marker = uuid.uuid4().hex
    assert publisher.puback(MARKER_TOPIC, marker.encode()) < 128
    return marker


def _is(topic: str, payload: bytes | None = None) -> Callable[[Received], bool]:
    return lambda m: m.topic == topic and (payload is None or m.payload == payload)


# -- logging in ------------------------------------------------------------------------------------


def _connack(broker: Mosquitto, user: str | None, password: str | None) -> ReasonCode:
    url = f"mqtt://{user}:{password}@127.0.0.1:{broker.port}" if user else f"mqtt://127.0.0.1:{broker.port}"
    client = Subscriber(url, [])
    try:
        reason: ReasonCode = client.wait_connected()
    finally:
        client.close()
    return reason


@pytest.mark.parametrize(
    ("user", "password"),
    [
        pytest.param(None, None, id="anonymous"),
        pytest.param("kiosk-1", "not-the-password", id="wrong password"),
        pytest.param("kiosk-9", "whatever", id="unknown user"),
        # On its own centre's broker the bridge account only names the bridged messages in the ACL.
        pytest.param("bridge-weicheng", "", id="bridge account has no login on its own broker"),
    ],
)
def test_who_cannot_connect(broker: Mosquitto, user: str | None, password: str | None) -> None:
    reason = _connack(broker, user, password)
    assert reason.is_failure
    # Mosquitto 2.0 answers all of these with 135, never 134 (bad user name or password).
    assert reason.value == NOT_AUTHORIZED, reason


def test_every_roster_login_connects(broker: Mosquitto) -> None:
    for user, password in broker.passwords.items():
        assert not _connack(broker, user, password).is_failure, user


# -- client ids belong to accounts (broker_config/plugin) ------------------------------------------


def _connack_as(broker: Mosquitto, user: str, client_id: str) -> ReasonCode:
    client = Subscriber(broker.url(user), [], client_id=client_id)
    try:
        reason: ReasonCode = client.wait_connected()
    finally:
        client.close()
    return reason


@pytest.mark.parametrize(
    ("user", "client_id", "allowed"),
    [
        ("service", "service", True),
        ("staff", "staff", True),
        ("staff", "staff.3f2a9c0d1e2f", True),  # one run of the `hall` command
        ("kiosk-1", "kiosk-1", True),
        ("led-wall", "service", False),  # would close the service's connection
        ("staff", "service", False),
        ("staff", "service.x", False),
        ("staff", "staff-2", False),  # another account, whose name starts with this one's
        ("staff", "staff-2.x", False),
        ("staff", "staffx", False),
        ("kiosk-1", "kiosk-1-a", False),
        ("kiosk-1", "kiosk-2", False),
    ],
)
def test_a_client_id_belongs_to_its_account(broker: Mosquitto, user: str, client_id: str, allowed: bool) -> None:
    reason = _connack_as(broker, user, client_id)
    assert reason.is_failure is not allowed, reason
    if not allowed:
        assert reason.value == NOT_AUTHORIZED


def test_no_account_can_push_the_service_off_the_broker(
    broker: Mosquitto, start_service: Callable[..., Any], sample_dir: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="hall.service")
    start_service(sample_dir)
    for _ in range(20):
        assert _connack_as(broker, "led-wall", "service").value == NOT_AUTHORIZED
    staff = parse_broker_url(broker.url("staff"))
    assert send_command(staff, CENTRE, "announce", {"text": "服务一直在线"}, timeout=WAIT_S)["id"]
    connects = [r for r in caplog.records if r.name == "hall.service" and r.getMessage().startswith("已连接到 ")]
    assert len(connects) == 1  # never pushed off, never reconnected


def test_one_staff_account_runs_several_commands_at_once(
    broker: Mosquitto, start_service: Callable[..., Any], sample_dir: Any
) -> None:
    start_service(sample_dir)
    staff = parse_broker_url(broker.url("staff"))
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results.append(send_command(staff, CENTRE, "announce", {"text": f"通知 {k}"}, timeout=WAIT_S))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    runs = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(WAIT_S * 2)
    assert not errors and len({r["id"] for r in results}) == 6


# -- writing ---------------------------------------------------------------------------------------

ALLOWED, REFUSED = True, False

WRITES = [
    *[("service", topic, ALLOWED) for topic in (*STATE, "call", "media/0f3a", "reply/kiosk-1", "device/service/state")],
    *[("staff", f"cmd/{verb}/staff", ALLOWED) for verb in ("announce", "staff", "ticket", "call", "window", "stats")],
    # Only under its own name: the service believes the topic about who sent a command.
    *[("staff", f"cmd/announce/{other}", REFUSED) for other in ("staff-2", "service", "kiosk-1", "staff.x")],
    ("staff", "cmd/announce/staff-2", REFUSED),
    ("staff", "cmd/announce/staff/x", REFUSED),
    ("staff", "device/staff/state", ALLOWED),
    *[("staff", topic, REFUSED) for topic in (*STATE, "call", "media/0f3a", "reply/staff", "device/kiosk-1/state")],
    ("kiosk-1", "cmd/ticket/kiosk-1", ALLOWED),
    ("kiosk-1", "cmd/case/kiosk-1", ALLOWED),
    ("kiosk-1", "cmd/ticket/kiosk-2", REFUSED),
    ("kiosk-1", "cmd/ticket/staff", REFUSED),
    ("kiosk-1", "cmd/ticket", REFUSED),
    ("kiosk-1", "device/kiosk-1/state", ALLOWED),
    ("kiosk-1", "announcements", REFUSED),
    ("kiosk-1", "queue", REFUSED),
    ("kiosk-1", "call", REFUSED),
    ("kiosk-1", "cmd/announce/kiosk-1", REFUSED),
    ("kiosk-1", "cmd/staff/kiosk-1", REFUSED),
    ("kiosk-1", "cmd/call/kiosk-1", REFUSED),
    ("kiosk-1", "device/kiosk-2/state", REFUSED),
    ("kiosk-1", "device/service/state", REFUSED),
    ("kiosk-1", "reply/kiosk-1", REFUSED),
    ("led-wall", "device/led-wall/state", ALLOWED),
    *[("led-wall", f"cmd/{verb}/led-wall", REFUSED) for verb in ("announce", "staff", "ticket", "case")],
    ("led-wall", "queue", REFUSED),
    ("led-wall", "announcements", REFUSED),
    ("led-wall", "device/kiosk-1/state", REFUSED),
]


@pytest.mark.parametrize(
    ("user", "topic", "allowed"),
    [pytest.param(*w, id=f"{w[0]} {'writes' if w[2] else 'may not write'} {w[1]}") for w in WRITES],
)
def test_write(connect: Any, user: str, topic: str, allowed: bool) -> None:
    code = connect(user).puback(topic)
    if allowed:
        assert code < 128, f"{user} refused on {topic}: {code}"  # 0, or 16 (no matching subscribers)
    else:
        assert code == NOT_AUTHORIZED


def test_a_refused_publish_never_reaches_anyone(connect: Any) -> None:
    control = connect("service", ["#"])
    kiosk = connect("kiosk-1")
    assert kiosk.puback("announcements", b'{"forged": true}', retain=True) == NOT_AUTHORIZED
    marker = _marked(control, "queue")
    control.wait_for(_is(MARKER_TOPIC, marker.encode()), "the marker")
    assert not [m for m in control.messages if m.topic == "announcements"]
    late = connect("led-wall", ["announcements", MARKER_TOPIC])  # no forged retained document either
    marker = _marked(control, "queue")
    late.wait_for(_is(MARKER_TOPIC, marker.encode()), "the marker")
    assert [m.topic for m in late.messages] == [MARKER_TOPIC]


def test_parent_content_is_not_writable_on_the_township_broker(connect: Any) -> None:
    for user in ("service", "staff", "kiosk-1", "led-wall"):
        assert connect(user).puback("hall/v1/youxian/catalog", absolute=True) == NOT_AUTHORIZED, user


# -- reading ---------------------------------------------------------------------------------------

READS = [
    ("service", "cmd/ticket/kiosk-1", ALLOWED),
    ("service", "device/kiosk-1/state", ALLOWED),
    ("staff", "reply/staff", ALLOWED),
    ("staff", "announcements", ALLOWED),
    ("staff", "device/kiosk-1/state", ALLOWED),
    ("staff", "reply/kiosk-1", REFUSED),
    ("staff", "reply/staff-2", REFUSED),
    ("staff", "cmd/announce/staff-2", REFUSED),
    ("kiosk-1", "reply/kiosk-1", ALLOWED),
    ("kiosk-1", "queue", ALLOWED),
    ("kiosk-1", "media/0f3a", ALLOWED),
    ("kiosk-1", "device/service/state", ALLOWED),
    ("kiosk-1", "reply/kiosk-2", REFUSED),
    ("kiosk-1", "cmd/case/kiosk-2", REFUSED),  # another kiosk's case lookup carries personal data
    ("kiosk-1", "device/kiosk-2/state", REFUSED),
    ("led-wall", "queue", ALLOWED),
    ("led-wall", "announcements", ALLOWED),
    ("led-wall", "device/service/state", ALLOWED),
    ("led-wall", "reply/kiosk-1", REFUSED),
    ("led-wall", "cmd/ticket/kiosk-1", REFUSED),
    ("led-wall", "device/kiosk-1/state", REFUSED),
]


@pytest.mark.parametrize(
    ("user", "topic", "allowed"),
    [pytest.param(*r, id=f"{r[0]} {'reads' if r[2] else 'may not read'} {r[1]}") for r in READS],
)
def test_read(connect: Any, user: str, topic: str, allowed: bool) -> None:
    control = connect("service", [topic])
    reader = connect(user, [topic, MARKER_TOPIC])
    marker = _marked(control, topic)
    control.wait_for(_is(topic), f"the control's copy of {topic}")
    reader.wait_for(_is(MARKER_TOPIC, marker.encode()), "the marker")
    got = [m.topic for m in reader.messages if m.topic == topic]
    assert got == ([topic] if allowed else [])


def test_a_kiosk_never_gets_another_kiosks_reply(connect: Any) -> None:
    service = connect("service")
    control = connect("kiosk-2", ["reply/kiosk-2"])
    kiosk = connect("kiosk-1", ["reply/kiosk-2", MARKER_TOPIC])
    reply = b'{"schema":1,"id":"c1","ok":true,"result":{"case":"2024-0001","name":"personal data"}}'
    assert service.puback("reply/kiosk-2", reply) < 128
    marker = uuid.uuid4().hex.encode()
    assert service.puback(MARKER_TOPIC, marker) < 128
    assert control.wait_for(_is("reply/kiosk-2")).payload == reply
    kiosk.wait_for(_is(MARKER_TOPIC, marker), "the marker")
    assert [m.topic for m in kiosk.messages] == [MARKER_TOPIC]


def test_subscribing_to_everything_yields_only_what_the_role_may_read(connect: Any) -> None:
    """Retained documents are filtered by the ACL too (the Python brokers tried leak them)."""
    service = connect("service")
    retained = ("queue", "device/service/state", "device/kiosk-2/state", "reply/kiosk-2", "cmd/case/kiosk-2")
    for topic in retained:
        assert service.puback(topic, b'{"r": 1}', retain=True) < 128
    kiosk = connect("kiosk-1", ["#"])
    marker = _marked(service, "announcements")
    kiosk.wait_for(_is(MARKER_TOPIC, marker.encode()), "the marker")
    assert sorted(m.topic for m in kiosk.messages if m.retain) == ["device/service/state", "queue"]
    assert sorted(m.topic for m in kiosk.messages if not m.retain) == ["announcements", MARKER_TOPIC]


# -- through the real client -------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "verb"), [("led-wall", "announce"), ("led-wall", "ticket"), ("kiosk-1", "staff")])
def test_send_command_reports_the_brokers_refusal(
    broker: Mosquitto, start_service: Callable[..., Any], sample_dir: Any, user: str, verb: str
) -> None:
    start_service(sample_dir)
    with pytest.raises(CommandFailed, match="代理服务器拒绝了这条命令（未获授权）") as failed:
        send_command(parse_broker_url(broker.url(user)), CENTRE, verb, {"text": "x"}, timeout=WAIT_S)
    assert "这个账号无权发送它" in str(failed.value) and failed.value.code == "broker_refused"
    assert english(str(failed.value)) == []


@pytest.mark.parametrize("user", ["staff", "kiosk-1"])
def test_a_wrong_centre_is_named_with_what_to_check(
    broker: Mosquitto, start_service: Callable[..., Any], sample_dir: Any, user: str
) -> None:
    """A wrong HALL_CENTRE said `Not authorized`: the broker's ACL gives an account nothing under the
    topics of a centre not its own, so the command was refused as if the account had no right to it."""
    start_service(sample_dir)
    with pytest.raises(CommandFailed) as failed:
        send_command(parse_broker_url(broker.url(user)), "weichen", "ticket", {"category": "shebao"}, timeout=WAIT_S)
    said = str(failed.value)
    assert failed.value.code == "broker_refused"
    assert "没有这个账号能读到的中心“weichen”" in said and "请检查 HALL_CENTRE（或 --centre）" in said
    assert english(said, ["weichen"]) == [], said  # the centre id as given
    # The same account, the right centre: served.
    assert send_command(parse_broker_url(broker.url(user)), CENTRE, "ticket", {"category": "shebao"}, timeout=WAIT_S)
