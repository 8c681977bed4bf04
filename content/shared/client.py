"""Send one command to the content service and wait for its reply (used by the CLI and tools)."""

from __future__ import annotations

import math
import queue
import socket
import ssl
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from content.shared import contract
from content.shared.broker_url import BrokerUrl
from content.shared.catalog import domain
from content.shared.transport import Event, Message, MqttTransport, PublishRefused, Refused, Subscribed

_ = domain("shared").gettext

DEFAULT_TIMEOUT_S = 10.0
NOT_AUTHORIZED = 135
"""The PUBACK reason code of a publish the broker's ACL refused."""
CENTRE_TOPIC = "centre"
"""The centre's retained document, which every account of a centre may read: a command's client reads it
too, so that a refusal of the command can tell a centre the broker does not serve (none arrives) from
an account without the right (it arrives)."""


class CommandFailed(Exception):
    """The command was refused, or nobody answered; the message says which and why. `code` is the
    service's word for a refusal a device explains in its own words (`rate_limited`), if it gave one."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class NoReply(CommandFailed):
    """Nobody answered: the broker or the service cannot be reached. Asking again (with the same
    command id) may succeed; a plain CommandFailed is a refusal, and asking again will not."""


def reply_name(broker: BrokerUrl) -> str:
    """The account commands are sent as and answered to: the broker's ACL lets an account write
    `cmd/<verb>/<its user name>` and read `reply/<its user name>`. A broker without accounts (the
    demo's embedded one) is told a name of this run's own."""
    return broker.username or f"anon-{uuid.uuid4().hex[:8]}"


def send_command(
    broker: BrokerUrl,
    centre: str,
    verb: str,
    args: dict[str, Any],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    command_id: str | None = None,
    person: str | None = None,
) -> dict[str, Any]:
    """Send `cmd/<verb>/<account>` as the broker URL's account and return the reply's result; raise
    CommandFailed otherwise. The service takes the sender from the topic, so there is nothing to claim;
    `person` (the console's account only) names who, logged in to the console, acts through it.

    A caller that retries after "no reply" passes the same `command_id`: the service applies a
    command once and answers a repeat with the stored reply (a kiosk must not print two tickets)."""
    size = len(contract.encode(contract.command(args, datetime.now(UTC))))
    if size > contract.MAX_COMMAND_BYTES:
        raise CommandFailed(
            _("The command has {size} bytes, more than the {most} the service takes").format(
                size=size, most=contract.MAX_COMMAND_BYTES
            )
        )
    events: queue.Queue[Event] = queue.Queue()
    me = reply_name(broker)
    transport = MqttTransport(broker, contract.client_id(me, uuid.uuid4().hex[:12]), contract.base(centre), events.put)
    transport.subscribe([contract.reply_topic(me), CENTRE_TOPIC])
    deadline = time.monotonic() + timeout
    transport.start()
    try:
        _wait_subscribed(events, deadline, broker)
        now = datetime.now(UTC).astimezone()
        expiry = expiry_for(deadline)
        payload = contract.command(args, now, now + timedelta(seconds=expiry))
        if command_id is not None:
            payload["id"] = command_id
        if person is not None:
            payload["person"] = person
        # The command expires (at the broker, and at the service if it waits there) a second before we
        # give up waiting, so "no reply" never turns into "applied later, unseen".
        delivery = transport.publish(contract.command_topic(verb, me), contract.encode(payload), expiry_s=expiry)
        reply = _wait_reply(events, deadline, payload["id"], delivery.mid, timeout, broker, centre)
    finally:
        transport.stop()
    if not reply.get("ok"):
        reason = contract.read_text(reply.get("error"), 2000) or _("The service refused the command without a reason")
        raise CommandFailed(reason, contract.read_text(reply.get("code"), 32) or None)
    result: dict[str, Any] = reply.get("result") or {}
    return result


def expiry_for(deadline: float) -> int:
    """The MQTT expiry interval of a command whose sender waits until `deadline` (`time.monotonic()`):
    whole seconds, and a second short of it, since the broker rounds what is left up."""
    return max(1, math.floor(deadline - time.monotonic()) - 1)


def diagnose(broker: BrokerUrl, timeout: float = 3.0) -> str:
    """Why a connection fails, in words: paho's reconnect loop swallows the reason."""
    try:
        with socket.create_connection((broker.host, broker.port), timeout=timeout) as sock:
            if broker.tls:
                context = ssl.create_default_context(cafile=str(broker.ca) if broker.ca else None)
                with context.wrap_socket(sock, server_hostname=broker.host):
                    pass
    except ssl.SSLCertVerificationError as exc:
        return _("its TLS certificate is not trusted ({detail}); check ?ca= in the broker's address").format(
            detail=exc.verify_message
        )
    except ssl.SSLError as exc:
        return _("TLS failed ({detail})").format(detail=exc.reason or exc)
    except TimeoutError:
        return _("no answer from {host}:{port} within {seconds:g} s").format(
            host=broker.host, port=broker.port, seconds=timeout
        )
    except ConnectionRefusedError:
        return _("nothing listens on {host}:{port} (is the broker running?)").format(host=broker.host, port=broker.port)
    except OSError as exc:
        return _("the network says: {detail}").format(detail=exc.strerror or exc)
    return _("it accepts connections but did not answer the MQTT handshake in time")


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _wait_subscribed(events: queue.Queue[Event], deadline: float, broker: BrokerUrl) -> None:
    while True:
        try:
            event = events.get(timeout=_remaining(deadline))
        except queue.Empty:
            raise NoReply(
                _("Could not reach the broker at {broker}: {why}").format(
                    broker=broker.redacted(), why=diagnose(broker)
                )
            ) from None
        if isinstance(event, Refused) and event.permanent:
            raise CommandFailed(
                _("The broker at {broker} refused the connection: {reason}").format(
                    broker=broker.redacted(), reason=event.reason
                )
            )
        if isinstance(event, Subscribed):
            if event.refused:
                raise CommandFailed(
                    _("The broker refused to let this account read its replies ({topic})").format(
                        topic=event.refused[0]
                    )
                )
            return


def _wait_reply(
    events: queue.Queue[Event],
    deadline: float,
    command_id: str,
    mid: int,
    timeout: float,
    broker: BrokerUrl,
    centre: str,
) -> dict[str, Any]:
    centre_seen = False
    while True:
        try:
            event = events.get(timeout=_remaining(deadline))
        except queue.Empty:
            if not centre_seen:
                raise NoReply(
                    _(
                        "No reply within {seconds:g} s, and the broker at {broker} holds nothing of a centre "
                        "“{centre}”: check HALL_CENTRE (or --centre) against the centre id in centre.yaml, and "
                        "that `hall serve` of that centre has run on this broker"
                    ).format(seconds=timeout, broker=broker.redacted(), centre=centre)
                ) from None
            raise NoReply(
                _(
                    "No reply from the content service within {seconds:g} s (is `hall serve` running?); "
                    "the broker discards the command once that time has passed"
                ).format(seconds=timeout)
            ) from None
        if isinstance(event, PublishRefused) and event.mid == mid:
            raise _publish_refused(event, broker, centre, centre_seen)
        if isinstance(event, Message) and event.topic == CENTRE_TOPIC:
            centre_seen = centre_seen or bool(event.payload)
            continue
        if isinstance(event, Message):
            try:
                reply = contract.decode(event.payload)
            except contract.PayloadError:
                continue
            if reply.get("id") == command_id:
                return reply


def _publish_refused(event: PublishRefused, broker: BrokerUrl, centre: str, centre_seen: bool) -> CommandFailed:
    """Why the broker refused the command. The centre's retained document was asked for with the reply
    topic, and the broker sends it right after granting the subscription, so before it answers the
    command: if it came, the centre is right and the account may not send this command, or has sent more
    than its rate; if it did not, the first thing to check is the centre (a wrong HALL_CENTRE: the ACL
    gives an account nothing under another centre's topics), then the account."""
    if event.code == NOT_AUTHORIZED and not centre_seen:
        return CommandFailed(
            _(
                "The broker at {broker} refused the command ({reason}) and holds nothing of a centre “{centre}” "
                "for this account: check that HALL_CENTRE (or --centre) is the centre id in centre.yaml, that "
                "HALL_BROKER names an account of that centre, and that this account may send this command"
            ).format(broker=broker.redacted(), reason=event.reason, centre=centre),
            # The code says what happened, as for any refusal by the broker; the words say what to check
            # first. No document of the centre may also mean its service has never run on this broker.
            "broker_refused",
        )
    return CommandFailed(
        _(
            "The broker refused the command ({reason}): this account may not send it, or it has sent more "
            "commands than its rate allows: try again in a few seconds"
        ).format(reason=event.reason),
        "broker_refused",
    )
