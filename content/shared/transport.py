"""The MQTT transport: the only module that imports paho.

It adds and strips the `hall/v1/<centre>/` prefix, so callers see relative topics, and it turns
paho's callbacks (which run on paho's network thread) into plain event objects handed to a sink,
which must not block. Subscriptions are (re)made in `on_connect`, so they come back after every
reconnect.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from content.shared import contract
from content.shared import limits as cap
from content.shared.broker_url import BrokerUrl
from content.shared.catalog import N_, domain

_ = domain("shared").gettext

RECONNECT_MAX_S = 2
"""The longest wait between two attempts to reach a broker that is away. paho doubles its wait up to
this: at 15 s, a broker back after a long outage waited up to 15 s for its clients; at 2 s every
client is back within about 2 s of the broker, for the price of a refused TCP connect a second."""

DEVICE_KEEPALIVE_S = 30
"""How often a device that has nothing to say pings the broker. The broker takes a device whose link is
cut for gone after 1.5 times this and publishes its last will (`lost`), so staff see a dark screen
as lost within 45 s; `hall led --keepalive` and `hall kiosk --keepalive` set it per device."""
KEEPALIVE_RANGE = (2, 3600)


def keepalive_seconds(text: str) -> int:
    """An argparse type for `--keepalive`: whole seconds within KEEPALIVE_RANGE."""
    low, high = KEEPALIVE_RANGE
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{given}” is not a whole number of seconds").format(given=contract.cut_whole(text, 40))
        ) from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            _("“{given}”: give {low} to {high} seconds").format(given=text, low=low, high=high)
        )
    return value


REASONS: Final = {
    0: N_("a normal disconnection"),
    4: N_("a disconnection with the last will"),
    128: N_("an unspecified error"),
    129: N_("a malformed packet"),
    130: N_("a protocol error"),
    131: N_("an error of the broker's own"),
    132: N_("an MQTT version the broker does not speak"),
    133: N_("the client id is not accepted"),
    134: N_("wrong user name or password"),
    135: N_("not authorized"),
    136: N_("the broker is unavailable"),
    137: N_("the broker is busy"),
    138: N_("banned"),
    139: N_("the broker is shutting down"),
    140: N_("a wrong way of authenticating"),
    141: N_("no keep-alive in time"),
    142: N_("another connection took the session over"),
    143: N_("the topic filter is not valid"),
    144: N_("the topic is not valid"),
    145: N_("the packet identifier is in use"),
    146: N_("the packet identifier was not found"),
    147: N_("more messages under way than the broker takes"),
    148: N_("the topic alias is not valid"),
    149: N_("the packet is too large"),
    150: N_("messages too fast"),
    151: N_("over the quota"),
    152: N_("the broker's administrator acted"),
    153: N_("the payload's format is not valid"),
    154: N_("the broker does not keep retained messages"),
    155: N_("the broker does not take this QoS"),
    156: N_("use another broker"),
    157: N_("the broker has moved"),
    158: N_("the broker does not take shared subscriptions"),
    159: N_("connections too fast"),
    160: N_("the longest connection time is over"),
    161: N_("the broker does not take subscription identifiers"),
    162: N_("the broker does not take wildcard subscriptions"),
}
"""MQTT 5 reason codes (CONNACK, PUBACK, SUBACK, DISCONNECT) in words: every code paho names, so that none
reaches a person in paho's English. MQTT 3.1.1's CONNACK codes come as these too (paho converts them)."""

LOST: Final = N_("the connection was lost")
"""What paho calls an unspecified error when it noticed itself that the link is gone (no DISCONNECT came)."""


def reason_words(reason_code: Any, *, from_broker: bool = True) -> str:
    """A paho reason code as a person reads it, in the hall's language (not authorized → 未获授权).
    `from_broker` False: a disconnection paho noticed itself, whose 128 means the link was lost."""
    value = getattr(reason_code, "value", reason_code)
    if not isinstance(value, int):
        return _("reason code {code}").format(code=value)
    if value == 128 and not from_broker:
        return _(LOST)
    known = REASONS.get(value)
    return _(known) if known is not None else _("reason code {code}").format(code=value)


# CONNACK reason codes that no retry will fix.
_PERMANENT_REFUSALS = {128, 129, 130, 132, 133, 134, 135, 138, 140}


@dataclass(frozen=True)
class Connected:
    session_present: bool


@dataclass(frozen=True)
class Refused:
    reason: str
    permanent: bool
    code: int = 0
    """The CONNACK's reason code (134: bad user name or password)."""


@dataclass(frozen=True)
class Subscribed:
    refused: tuple[str, ...]
    """Topics the broker refused (empty when all were granted)."""


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    retain: bool
    expires: float | None = None
    """When the sender stops waiting for it, on this process's `time.monotonic()`: its MQTT 5 message
    expiry interval (what the broker left of it) counted from its arrival here; None if it has none."""


@dataclass(frozen=True)
class Disconnected:
    reason: str
    requested: bool = False
    """The disconnection `stop` asked for: nothing is wrong, nothing will reconnect."""


@dataclass(frozen=True)
class PublishRefused:
    """The broker answered a QoS1 publish with a failure (e.g. the ACL forbids the topic)."""

    mid: int
    reason: str
    code: int = 0
    """The PUBACK's reason code (135: not authorized)."""


Event = Connected | Refused | Subscribed | Message | Disconnected | PublishRefused
Sink = Callable[[Event], None]


class Delivery:
    """A publish under way; `wait` returns True once the broker has acknowledged it."""

    def __init__(self, info: mqtt.MQTTMessageInfo) -> None:
        self._info = info
        self.mid: int = info.mid

    def wait(self, timeout: float) -> bool:
        try:
            self._info.wait_for_publish(timeout)
        except (RuntimeError, ValueError):
            return False
        return bool(self._info.is_published())


def _no_delay(client: Any, userdata: Any, sock: Any) -> None:
    """Turn Nagle's algorithm off: paho leaves it on, and a small publish sent just after a PUBACK
    then waits for the peer's delayed ACK, up to 40 ms on Linux, on every staff call."""
    with contextlib.suppress(OSError, AttributeError):  # not a TCP socket: nothing to do
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class MqttTransport:
    def __init__(
        self,
        broker: BrokerUrl,
        client_id: str,
        prefix: str,
        sink: Sink,
        *,
        will: tuple[str, bytes] | None = None,
        persistent_session: bool = False,
        manual_ack: bool = False,
        max_inflight: int = 100,
        keepalive: int = 30,
        max_packet_bytes: int | None = None,
    ) -> None:
        """`max_packet_bytes`: told to the broker at CONNECT (MQTT 5), which then sends nothing larger, so a
        hostile message costs this client nothing (over MQTT 3.1.1 it is refused after it arrived)."""
        self.prefix = prefix
        self._sink = sink
        self._topics: list[str] = []
        self._broker = broker
        self._keepalive = keepalive
        self._persistent = persistent_session
        self._max_packet = max_packet_bytes
        self._pending_subs: dict[int, list[str]] = {}
        self._stopping = False
        self._v5 = not broker.mqtt311
        if self._v5:
            client = mqtt.Client(
                CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=manual_ack
            )
        else:
            client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=mqtt.MQTTv311,
                clean_session=not persistent_session,
                manual_ack=manual_ack,
            )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(ca_certs=str(broker.ca) if broker.ca else None, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        if will:
            client.will_set(prefix + will[0], will[1], qos=1, retain=True)
        client.max_inflight_messages_set(max_inflight)
        client.reconnect_delay_set(min_delay=1, max_delay=RECONNECT_MAX_S)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_socket_open = _no_delay
        self._client = client

    # -- the three methods the rest of the code uses -------------------------------------------

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        qos: int = 1,
        expiry_s: int | None = None,
        content_type: str | None = None,
    ) -> Delivery:
        properties = None
        if self._v5 and (expiry_s is not None or content_type is not None):
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            if expiry_s is not None:
                properties.MessageExpiryInterval = expiry_s
            if content_type is not None:
                properties.ContentType = content_type
        info = self._client.publish(self.prefix + topic, payload, qos=qos, retain=retain, properties=properties)
        return Delivery(info)

    def subscribe(self, topics: Sequence[str]) -> None:
        """Subscribe now if connected, and again after every reconnect."""
        self._topics = list(topics)
        if self._client.is_connected():
            self._send_subscribe()

    def stop(self, final: tuple[str, bytes] | None = None, timeout: float = 5.0) -> None:
        """Publish `final` (e.g. a 'disconnected' state) if connected, then disconnect cleanly."""
        if final is not None and self._client.is_connected():
            self.publish(final[0], final[1], retain=True).wait(timeout)
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()
        # The client holds our bound methods and we hold it: break the cycle so it is freed (and
        # paho closes its loop_start() socket pair in __del__) now, not by the cycle collector,
        # which may finalise the sockets first and leak them with a ResourceWarning.
        client = self._client
        client.on_connect = client.on_disconnect = client.on_subscribe = None
        client.on_message = client.on_publish = None
        # And close that socket pair now: a client stopped while its broker is gone may have made a new
        # pair in its last reconnect round, which only __del__ would close. paho has no public call for it.
        close = getattr(client, "_reset_sockets", None)
        if callable(close):
            close()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if not self._v5:
            self._client.connect_async(self._broker.host, self._broker.port, keepalive=self._keepalive)
            self._client.loop_start()
            return
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 7 * 24 * 3600 if self._persistent else 0
        if self._max_packet is not None:
            properties.MaximumPacketSize = self._max_packet
        self._client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=self._keepalive,
            clean_start=not self._persistent,
            properties=properties,
        )
        self._client.loop_start()

    def ack(self, mid: int, qos: int) -> None:
        """Acknowledge a message received with manual_ack, once it has been handled."""
        self._client.ack(mid, qos)

    def is_connected(self) -> bool:
        return bool(self._client.is_connected())

    # -- paho callbacks (network thread: hand over, never block) --------------------------------

    def _send_subscribe(self) -> None:
        if not self._topics:
            return
        result, mid = self._client.subscribe([(self.prefix + topic, 1) for topic in self._topics])
        if result == mqtt.MQTT_ERR_SUCCESS and mid is not None:
            self._pending_subs[mid] = list(self._topics)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            permanent = reason_code.value in _PERMANENT_REFUSALS
            if permanent:
                client.disconnect()
            self._sink(Refused(reason_words(reason_code), permanent, reason_code.value))
            return
        self._send_subscribe()
        self._sink(Connected(bool(flags.session_present)))

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        from_broker = bool(getattr(flags, "is_disconnect_packet_from_server", True))
        self._sink(Disconnected(reason_words(reason_code, from_broker=from_broker), requested=self._stopping))

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reason_codes: Any, properties: Any) -> None:
        topics = self._pending_subs.pop(mid, [])
        refused = tuple(t for t, rc in zip(topics, reason_codes, strict=False) if rc.is_failure)
        self._sink(Subscribed(refused))

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            self._sink(PublishRefused(mid, reason_words(reason_code), reason_code.value))

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        topic: str = message.topic
        if not topic.startswith(self.prefix):
            return
        expiry = getattr(message.properties, "MessageExpiryInterval", None) if self._v5 else None
        expires = time.monotonic() + expiry if isinstance(expiry, int) else None
        topic = topic[len(self.prefix) :]
        self._sink(Message(topic, bytes(message.payload), message.mid, message.qos, message.retain, expires))


def device_transport(
    broker: BrokerUrl,
    centre: str,
    device_id: str,
    sink: Sink,
    lost: bytes,
    topics: Sequence[str],
    *,
    keepalive: int = DEVICE_KEEPALIVE_S,
) -> MqttTransport:
    """A device's connection, started: its account as client id (its id on a broker without accounts),
    `lost` as its last will on `device/<id>/state` (published by the broker when the link is cut, within
    1.5 x `keepalive`), `topics` subscribed after every (re)connect. Stop it with
    `stop(final=(device_topic(id), <disconnected state>))`."""
    transport = MqttTransport(
        broker,
        client_id=contract.client_id(broker.username or device_id),
        prefix=contract.base(centre),
        sink=sink,
        will=(contract.device_topic(device_id), lost),
        max_inflight=20,
        keepalive=keepalive,
        max_packet_bytes=cap.PACKET_BYTES,
    )
    transport.subscribe(topics)
    transport.start()
    return transport
