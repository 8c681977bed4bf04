"""The TLS listener, with certificates from broker_config/make-certs.sh, against the real Mosquitto."""

from __future__ import annotations

import queue
import shutil
import socket
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from content.broker.local import LOOPBACK, Mosquitto, free_port, mosquitto_available, wait_for_port
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, diagnose, send_command
from content.shared.transport import Connected, Event, Message, MqttTransport, Subscribed
from tests.conftest import CENTRE, REPO, ROSTER, WAIT_S

MAKE_CERTS = REPO / "broker_config" / "make-certs.sh"


def make_certs(out: Path, *hosts: str) -> Path:
    subprocess.run(["bash", str(MAKE_CERTS), str(out), *hosts], check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def tls_broker(tmp_path: Path, certs: Path) -> Iterator[Mosquitto]:
    if not mosquitto_available():
        pytest.fail("Mosquitto is not installed: run the tests through scripts/dev test")
    instance = Mosquitto(tmp_path / "broker", ROSTER, tls_port=free_port())
    shutil.copytree(certs, instance.directory / "certs")  # where render_conf points the listener
    instance.start()
    assert instance.tls_port is not None
    wait_for_port(instance.tls_port, WAIT_S)
    yield instance
    instance.stop()


def tls_url(broker: Mosquitto, user: str, ca: Path) -> str:
    return f"mqtts://{user}:{broker.passwords[user]}@{LOOPBACK}:{broker.tls_port}?ca={ca}"


def next_event(events: queue.Queue[Event], kind: type) -> Event:
    while True:
        event = events.get(timeout=WAIT_S)
        if isinstance(event, kind):
            return event


def test_make_certs_writes_a_ca_and_a_server_certificate(certs: Path) -> None:
    assert sorted(p.name for p in certs.iterdir()) == ["ca.crt", "ca.key", "server.crt", "server.key"]
    for key in ("ca.key", "server.key"):
        assert (certs / key).stat().st_mode & 0o777 == 0o600
    text = subprocess.run(
        ["openssl", "x509", "-in", str(certs / "server.crt"), "-noout", "-ext", "subjectAltName"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(certs / "ca.crt"), str(certs / "server.crt")],
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stderr


def test_make_certs_writes_the_keys_its_users_only_and_through_no_planted_link(tmp_path: Path) -> None:
    """Run with a umask of 0, into a directory it makes, where someone left a link where the new server key
    goes (a renewal): the keys are new files, mode 600, in a directory others cannot enter."""
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    out = make_certs(tmp_path / "certs")
    (out / "server.key").unlink()
    (out / "server.key").symlink_to(victim)
    subprocess.run(
        ["bash", "-c", 'umask 0 && exec bash "$0" "$1"', str(MAKE_CERTS), str(tmp_path / "fresh")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(["bash", "-c", 'umask 0 && exec bash "$0" "$1"', str(MAKE_CERTS), str(out)], check=True, timeout=120)
    assert victim.read_text(encoding="utf-8") == "keep"
    for certs in (out, tmp_path / "fresh"):
        for key in ("ca.key", "server.key"):
            assert not (certs / key).is_symlink() and (certs / key).stat().st_mode & 0o777 == 0o600
        assert sorted(p.name for p in certs.iterdir()) == ["ca.crt", "ca.key", "server.crt", "server.key"]
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700


def test_the_transport_connects_and_receives_over_tls(tls_broker: Mosquitto, certs: Path) -> None:
    broker = parse_broker_url(tls_url(tls_broker, "led-wall", certs / "ca.crt"))
    assert broker.tls and broker.ca == certs / "ca.crt"
    events: queue.Queue[Event] = queue.Queue()
    device = MqttTransport(broker, f"led-wall.{uuid.uuid4().hex[:6]}", contract.base(CENTRE), events.put)
    device.subscribe(["queue"])
    device.start()
    service_events: queue.Queue[Event] = queue.Queue()
    service_url = parse_broker_url(tls_url(tls_broker, "service", certs / "ca.crt"))
    service = MqttTransport(service_url, "service.tls", contract.base(CENTRE), service_events.put)
    service.start()
    try:
        next_event(service_events, Connected)
        next_event(events, Connected)
        assert next_event(events, Subscribed) == Subscribed(refused=())
        assert service.publish("queue", b'{"schema":1}', retain=True).wait(WAIT_S)
        message = next_event(events, Message)
        assert isinstance(message, Message) and (message.topic, message.payload) == ("queue", b'{"schema":1}')
    finally:
        for transport in (service, device):
            transport.stop()


def test_send_command_over_tls_reaches_the_broker(tls_broker: Mosquitto, certs: Path) -> None:
    # A display may not send commands: the refusal proves the command went through the TLS
    # listener to the broker's ACL and the PUBACK came back.
    url = parse_broker_url(tls_url(tls_broker, "led-wall", certs / "ca.crt"))
    with pytest.raises(CommandFailed, match="拒绝了这条命令"):
        send_command(url, CENTRE, "announce", {"text": "x"}, timeout=WAIT_S)


def _paho_tls_login(broker: Mosquitto, user: str, ca: Path, host: str) -> ReasonCode:
    """Log in with a plain paho client (tls_set with the CA) and return the CONNACK's reason code."""
    connacks: queue.Queue[ReasonCode] = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{user}.tls-login", protocol=mqtt.MQTTv5)
    client.username_pw_set(user, broker.passwords[user])
    client.tls_set(ca_certs=str(ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.on_connect = lambda c, u, flags, reason_code, props: connacks.put(reason_code)
    client.connect(host, broker.tls_port or 0)  # the TLS handshake happens here
    client.loop_start()
    try:
        return connacks.get(timeout=WAIT_S)
    finally:
        client.disconnect()
        client.loop_stop()


def _handshake(port: int, ca: Path, host: str = LOOPBACK) -> None:
    """The TLS handshake alone, with the settings MqttTransport gives paho (PROTOCOL_TLS_CLIENT:
    the chain and the host name are both checked). paho leaks the socket of a failed handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(ca))
    with (
        socket.create_connection((LOOPBACK, port), timeout=WAIT_S) as raw,
        context.wrap_socket(raw, server_hostname=host),
    ):
        pass


def test_a_client_trusting_another_ca_is_refused(tls_broker: Mosquitto, certs: Path, tmp_path: Path) -> None:
    other = make_certs(tmp_path / "other")
    assert tls_broker.tls_port is not None
    _handshake(tls_broker.tls_port, certs / "ca.crt")  # the same check passes with the right CA
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        _handshake(tls_broker.tls_port, other / "ca.crt")


def test_the_certificate_must_name_the_host(tmp_path: Path, certs: Path) -> None:
    # Same CA, but a server certificate made for another address: hostname checking refuses it.
    other = tmp_path / "other-host"
    shutil.copytree(certs, other)
    make_certs(other, "192.0.2.7", "hall-broker.example")
    broker = Mosquitto(tmp_path / "broker", ROSTER, tls_port=free_port())
    shutil.copytree(other, broker.directory / "certs")
    broker.start()
    try:
        assert broker.tls_port is not None
        wait_for_port(broker.tls_port, WAIT_S)
        with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
            _handshake(broker.tls_port, certs / "ca.crt")
    finally:
        broker.stop()


def test_every_name_in_the_certificate_works(tls_broker: Mosquitto, certs: Path) -> None:
    assert tls_broker.tls_port is not None
    for host in (LOOPBACK, "localhost"):
        assert not _paho_tls_login(tls_broker, "kiosk-1", certs / "ca.crt", host).is_failure, host


def test_an_untrusted_certificate_is_named_in_the_cli_error(tls_broker: Mosquitto, certs: Path, tmp_path: Path) -> None:
    # send_command adds this diagnosis to "could not reach the broker" (paho's retry loop swallows
    # the reason); called directly here because paho 2.2 leaks the socket of a failed handshake.
    other = make_certs(tmp_path / "other")
    untrusted = parse_broker_url(tls_url(tls_broker, "staff", other / "ca.crt"))
    assert diagnose(untrusted).startswith("它的 TLS 证书不受信任（")
    assert diagnose(untrusted).endswith("请检查代理服务器地址中的 ?ca=")
    trusted = parse_broker_url(tls_url(tls_broker, "staff", certs / "ca.crt"))
    assert diagnose(trusted) == "它接受连接，但没有及时完成 MQTT 握手"
