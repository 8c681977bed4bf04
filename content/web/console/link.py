"""The staff console's link to the hall: one MQTT connection under the console's own broker account.

It reads what every device reads (the retained state documents, the call events) and sends commands on
`cmd/<verb>/<console account>` naming the person logged in (`person`), which the service believes only
from this account and records beside it. Replies come on the account's own reply topic and are matched
to the command by id. Pages wait on `changed` for the next version of the state: a browser's event
stream, and a page that polls, both read `state()`.

It also reads every device's retained `device/+/state` and the `rev` of every state document (of the
catalog, the agents and the pickup list only the rev is kept), and hands them to the listeners given to
`watch_devices` (the devices page's board), on the MQTT thread: a device's payload raw, unread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from content.shared import contract
from content.shared import limits as cap
from content.shared.broker_url import BrokerUrl
from content.shared.catalog import domain
from content.shared.client import expiry_for, reply_name
from content.shared.transport import Connected, Disconnected, Event, Message, MqttTransport, Subscribed

log = logging.getLogger("hall.console")
_ = domain("console").gettext

DOCUMENTS: Final = ("centre", "staff", "queue", "announcements", "stats")
"""The state documents the console shows."""
REV_ONLY: Final = ("catalog", "agents", "pickup")
"""State documents of which the console keeps only the rev (for the devices page)."""
DEVICES: Final = "device/+/state"
SERVICE_DEVICE: Final = "service"
"""The service's device id (`content.service.loop.DEVICE_ID`): its `device/service/state` says it is up."""
MAX_PENDING: Final = 200
"""Commands waiting for their reply at once: past this the console refuses another rather than grow."""
REPLY_TIMEOUT_S: Final = 10.0


class DeviceListener(Protocol):
    def device(self, device_id: str, payload: bytes) -> None:
        """A `device/<id>/state` payload as it arrived (unread: the listener reads it as hostile)."""

    def document(self, topic: str, rev: str) -> None:
        """The `rev` of a state document as it arrived."""


class ConsoleLink:
    def __init__(self, broker: BrokerUrl, centre: str) -> None:
        self.account = reply_name(broker)
        self.centre = centre
        self._docs: dict[str, Any] = {}
        self._version = 0
        self._connected = False
        self._service_ready = False
        """The service's own device state says ready: the page has lost the service otherwise."""
        self.closed = False
        """Stopped: waiting pages are let go."""
        self._pending: dict[str, Future[dict[str, Any]]] = {}
        self._listeners: list[DeviceListener] = []
        self.changed = threading.Condition()
        """Notified on every new version of the state (a document, the link up or down)."""
        self._transport = MqttTransport(
            broker,
            contract.client_id(self.account, "console-" + uuid.uuid4().hex[:8]),
            contract.base(centre),
            self._on_event,
            max_packet_bytes=cap.DOCUMENT_BYTES + 4096,
        )
        self._transport.subscribe([*DOCUMENTS, *REV_ONLY, "call", DEVICES, contract.reply_topic(self.account)])

    def start(self) -> ConsoleLink:
        self._transport.start()
        return self

    def stop(self) -> None:
        self._transport.stop()
        with self.changed:
            self.closed = True
            self._version += 1
            for future in self._pending.values():
                future.set_exception(ConnectionError(_("the console has stopped")))
            self._pending.clear()
            self.changed.notify_all()

    # -- the state pages read ------------------------------------------------------------------

    def state(self) -> tuple[int, dict[str, Any]]:
        """The version and the documents as last received (each as the service sent it)."""
        with self.changed:
            online = self._connected and self._service_ready
            return self._version, {"online": online, "service": self._service_ready, **self._docs}

    def wait_newer(self, version: int, timeout: float) -> int:
        """Until the state is newer than `version` (or `timeout`); the version now."""
        with self.changed:
            self.changed.wait_for(lambda: self._version != version or self.closed, timeout)
            return self._version

    def watch_devices(self, listener: DeviceListener) -> None:
        """Hand every device state and every document's rev from now on to `listener` (on the MQTT
        thread: it must not block). Retained states arrive again after each reconnect."""
        with self.changed:
            self._listeners.append(listener)

    # -- commands -------------------------------------------------------------------------------

    def send(
        self, verb: str, args: Mapping[str, Any], person: str, timeout: float = REPLY_TIMEOUT_S
    ) -> Future[dict[str, Any]]:
        """`cmd/<verb>/<account>` naming `person`; the future holds the reply (ok or not). The command
        expires before `timeout` is over: one not answered by then is never applied."""
        future: Future[dict[str, Any]] = Future()
        expiry = expiry_for(time.monotonic() + timeout)
        now = datetime.now(UTC).astimezone()
        payload = contract.command(dict(args), now, now + timedelta(seconds=expiry))
        payload["person"] = person
        with self.changed:
            if len(self._pending) >= MAX_PENDING:
                future.set_exception(
                    OverflowError(_("{count} commands are already waiting for the service").format(count=MAX_PENDING))
                )
                return future
            self._pending[payload["id"]] = future
        self._transport.publish(contract.command_topic(verb, self.account), contract.encode(payload), expiry_s=expiry)
        return future

    def ask(self, verb: str, args: Mapping[str, Any], person: str, timeout: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
        """The reply to one command, or a reply saying why there is none."""
        future = self.send(verb, args, person, timeout)
        try:
            return future.result(timeout)
        except TimeoutError:
            return {
                "ok": False,
                "error": _("the service did not answer in time: check the hall's status before trying again"),
            }
        except (OverflowError, ConnectionError) as exc:
            return {"ok": False, "error": str(exc)}
        finally:
            with self.changed:
                for key, pending in list(self._pending.items()):
                    if pending is future:
                        del self._pending[key]

    # -- events from the transport ----------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        match event:
            case Message(topic=topic, payload=payload):
                self._on_message(topic.removeprefix(self._transport.prefix), payload)
            case Connected() | Subscribed():
                self._set_connected(True)
            case Disconnected():
                self._set_connected(False)
            case _:
                pass

    def _set_service(self, payload: bytes) -> None:
        """Whether the service says it is ready: its retained state, `lost` as its will when it is cut off."""
        try:
            body = json.loads(payload) if payload else None
        except (ValueError, UnicodeDecodeError):
            body = None
        ready = isinstance(body, dict) and body.get("status") == "ready"
        with self.changed:
            if self._service_ready != ready:
                self._service_ready = ready
                self._version += 1
                self.changed.notify_all()

    def _set_connected(self, up: bool) -> None:
        with self.changed:
            if self._connected != up:
                self._connected = up
                self._version += 1
                self.changed.notify_all()

    def _on_message(self, topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        if len(parts) == 3 and parts[0] == "device" and parts[2] == "state":
            if parts[1] == SERVICE_DEVICE:
                self._set_service(payload)
            for listener in list(self._listeners):
                try:
                    listener.device(parts[1], payload)
                except Exception:  # a listener's failure must not stop the link
                    log.exception(_("the state of device {device} was not taken").format(device=parts[1][:64]))
            return
        try:
            body = json.loads(payload) if payload else None
        except (ValueError, UnicodeDecodeError):
            log.warning(_("{topic} ignored: it is not JSON").format(topic=topic[:100]))
            return
        if topic == contract.reply_topic(self.account):
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                with self.changed:
                    future = self._pending.pop(body["id"], None)
                if future is not None and not future.done():
                    future.set_result(body)
            return
        if not isinstance(body, dict):
            return
        rev = body.get("rev")
        if isinstance(rev, str) and (topic in DOCUMENTS or topic in REV_ONLY):
            for listener in list(self._listeners):
                try:
                    listener.document(topic, rev)
                except Exception:
                    log.exception(_("the version of {topic} was not taken").format(topic=topic))
        if topic in REV_ONLY:
            return
        with self.changed:
            if topic == "call":
                self._docs["last_call"] = body
            elif topic in DOCUMENTS:
                self._docs[topic] = body
            else:
                return
            self._version += 1
            self.changed.notify_all()


def wait_online(link: ConsoleLink, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    version = -1
    while time.monotonic() < deadline:
        version, state = link.state()
        if state["online"] and "queue" in state:
            return True
        link.wait_newer(version, max(0.0, deadline - time.monotonic()))
    return False
