"""The devices of a hall as the console sees them: the board behind the console's devices tab.

Every device (the LED displays, the kiosks, the service itself) publishes a retained `device/<id>/state`:
`ready`, `lost` (its last will, published by the broker when its link is cut) or `disconnected` (a clean
stop), with its kind, its boot id, the revs of the documents it shows and its measured call-to-frame
latency. `DeviceBoard` is fed those payloads as they arrive, with the time they arrived, and reads them
as hostile: a payload past `MAX_PAYLOAD`, not JSON, not of the contract's schema or with an unknown
status is ignored whole; a field of the wrong type or size is read as missing; unknown fields are
ignored; a device whose id is not an account name is ignored, and past `MAX_DEVICES` no new device is
taken on.

What a device is: `online` (ready), `lost` or `stopped` (disconnected). A change between up and down is
an alert, once: the board compares what arrives with what it knows, so a retained state delivered again
(after the console reconnects, or after the service restarts, since the board's knowledge is kept on
disk) is no change and no alert. A device never seen ready neither alerts nor counts in availability (a
retained `lost` of a display long gone is shown, not announced).

Availability is the share of the wall-clock day (00:00 to 24:00 in the board's time zone; today up to
now) that a device was online, counted from the moment it was first seen ready: stopped and lost both
count as down, time before a device was first seen does not count. The periods of each state are kept
in a small SQLite file of the board's own (`history.History`, beside the users file), for `HISTORY_DAYS`
and at most `MAX_SPANS` periods, with the last `MAX_ALERTS` alerts.

Revs: a device's revs are compared with the current ones (the revs the service's own state names,
overridden by the `rev` of each document as it arrives, see `document`). A device reports its revs only
now and then (when it connects, after a call), so a difference is `stale` only when the device reported
it at least `STALE_GRACE_S` after the current rev appeared; before that it is `unconfirmed`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final

from content.devices.history import SHOWN_ALERTS, Alert, Device, History, Span, Status
from content.shared import contract
from content.shared.catalog import N_, domain
from content.shared.wording import Words

log = logging.getLogger("hall.console.devices")
_ = domain("service").gettext

MAX_DEVICES: Final = 500
MAX_PAYLOAD: Final = 16 * 1024
"""A device state is a few hundred bytes: anything past this is ignored unread."""
MAX_REVS: Final = 32
MAX_REV: Final = 64
MAX_KIND: Final = 32
MAX_BOOT: Final = 64
MAX_LATENCY_MS: Final = 3_600_000.0
HISTORY_DAYS: Final = 90
MAX_SPANS: Final = 10_000
MAX_ALERTS: Final = 1000
STALE_GRACE_S: Final = 10.0

DEVICE_ID: Final = contract.ACCOUNT
TOPIC: Final = re.compile(r"[a-z][a-z_]{0,31}")
KIND: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
BOOT: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")

STATUS_OF: Final[dict[str, Status]] = {"ready": "online", "lost": "lost", "disconnected": "stopped"}

KIND_NAMES: Final = Words({"led": N_("LED display"), "kiosk": N_("kiosk"), "service": N_("content service")}, _)
TOPIC_NAMES: Final = Words(
    {
        "centre": N_("centre"),
        "catalog": N_("catalog"),
        "staff": N_("staff"),
        "agents": N_("agents"),
        "queue": N_("queue"),
        "announcements": N_("announcements"),
        "stats": N_("statistics"),
        "pickup": N_("collection"),
    },
    _,
)
"""Each document a device shows, as the devices page names it."""


@dataclass(frozen=True)
class Report:
    """One device state as read: every field checked, what was wrong read as missing."""

    status: Status
    kind: str | None
    boot_id: str | None
    revs: dict[str, str]
    latency_ms: float | None


def read_report(payload: bytes) -> Report | None:
    """A `device/<id>/state` payload as the board takes it, or None for one it ignores whole."""
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    try:
        body = contract.decode(payload, MAX_PAYLOAD)
    except contract.PayloadError:
        return None
    status = STATUS_OF.get(body["status"]) if isinstance(body.get("status"), str) else None
    if status is None:
        return None
    kind = body.get("kind")
    boot = body.get("boot_id")
    latency = body.get("latency_ms")
    revs: dict[str, str] = {}
    given = body.get("revs")
    if isinstance(given, dict):
        for topic, rev in list(given.items())[: MAX_REVS * 4]:
            if len(revs) >= MAX_REVS:
                break
            if isinstance(topic, str) and TOPIC.fullmatch(topic) and isinstance(rev, str) and 0 < len(rev) <= MAX_REV:
                revs[topic] = rev
    if isinstance(latency, bool) or not isinstance(latency, (int, float)):
        latency = None
    if latency is not None and not (math.isfinite(latency) and 0 <= latency <= MAX_LATENCY_MS):
        latency = None
    return Report(
        status=status,
        kind=kind if isinstance(kind, str) and KIND.fullmatch(kind) else None,
        boot_id=boot if isinstance(boot, str) and BOOT.fullmatch(boot) else None,
        revs=revs,
        latency_ms=float(latency) if latency is not None else None,
    )


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    if seconds < 3600:
        return _("{minutes} min {seconds} s").format(minutes=seconds // 60, seconds=seconds % 60)
    if seconds < 86400:
        return _("{hours} h {minutes} min").format(hours=seconds // 3600, minutes=seconds % 3600 // 60)
    return _("{days} d {hours} h").format(days=seconds // 86400, hours=seconds % 86400 // 3600)


def device_name(device_id: str, kind: str | None) -> str:
    """A device as an alert names it: kiosk-1（取号机）."""
    return _("{device} ({kind})").format(device=device_id, kind=KIND_NAMES.get(kind or "", kind or _("unknown kind")))


class DeviceBoard:
    """The devices, their alerts and their history; fed from the MQTT thread, read from the web's threads."""

    def __init__(
        self,
        history: History | None = None,
        *,
        clock: Callable[[], float] = time.time,
        tz: tzinfo | None = None,
        max_devices: int = MAX_DEVICES,
        max_spans: int = MAX_SPANS,
        history_days: int = HISTORY_DAYS,
    ) -> None:
        self.clock = clock
        self.tz = tz
        self.max_devices = max_devices
        self.max_spans = max_spans
        self.history_days = history_days
        self._history = history if history is not None else History(None)
        self._lock = threading.Lock()
        self.version = 0
        devices, spans, alerts = self._history.load()
        self._devices: dict[str, Device] = {d.id: d for d in devices[:max_devices]}
        self._spans: dict[str, list[Span]] = {}
        for span in spans:
            self._spans.setdefault(span.device, []).append(span)
        self._alerts: list[Alert] = alerts
        self._current: dict[str, tuple[str, float]] = {}
        """topic -> (its current rev, when the board first saw it)."""
        self._from_documents: set[str] = set()
        self.ignored = 0
        """Payloads ignored (for the tests and the log)."""

    def close(self) -> None:
        with self._lock:
            self._history.close()

    # -- what arrives ---------------------------------------------------------------------------

    def device(self, device_id: str, payload: bytes) -> None:
        """A `device/<id>/state` payload, now (the console link's listener)."""
        self.receive(device_id, payload, self.clock())

    def document(self, topic: str, rev: str) -> None:
        """A state document's `rev`, now: the current rev of `topic`."""
        self.document_rev(topic, rev, self.clock())

    def document_rev(self, topic: str, rev: str, at: float) -> None:
        if not (isinstance(topic, str) and TOPIC.fullmatch(topic) and isinstance(rev, str) and 0 < len(rev) <= MAX_REV):
            return
        with self._lock:
            self._from_documents.add(topic)
            self._set_current(topic, rev, at)

    def _set_current(self, topic: str, rev: str, at: float) -> None:
        known = self._current.get(topic)
        if known is None or known[0] != rev:
            if known is None and len(self._current) >= MAX_REVS * 2:
                return
            self._current[topic] = (rev, at)
            self.version += 1

    def receive(self, device_id: str, payload: bytes, at: float) -> bool:
        """One device state received at `at` (seconds since the epoch). False when it was ignored."""
        if not isinstance(device_id, str) or not DEVICE_ID.fullmatch(device_id):
            self.ignored += 1
            return False
        report = read_report(payload)
        if report is None:
            self.ignored += 1
            log.warning(_("device/{device}/state ignored: it is not a device state").format(device=device_id))
            return False
        with self._lock:
            self._receive(device_id, report, at)
        return True

    def _receive(self, device_id: str, report: Report, at: float) -> None:
        self.version += 1
        if device_id == "service" and report.status == "online":
            for topic, rev in report.revs.items():
                if topic not in self._from_documents:
                    self._set_current(topic, rev, at)
        known = self._devices.get(device_id)
        if known is None:
            if len(self._devices) >= self.max_devices:
                self.ignored += 1
                log.warning(
                    _("device/{device}/state ignored: the board holds {most} devices already").format(
                        device=device_id, most=self.max_devices
                    )
                )
                return
            ready = report.status == "online"
            device = Device(
                device_id, report.kind, report.status, at, at, report.boot_id, report.revs, at, report.latency_ms, ready
            )
            self._devices[device_id] = device
            first = Span(device_id, "online", at, None) if ready else None
            if first is not None:
                self._spans.setdefault(device_id, []).append(first)
            self._history.save(device, span=first)
            return
        at = max(at, known.since)  # a clock that went back never makes a period end before it began
        before = known.status
        changed = replace(
            known,
            kind=report.kind or known.kind,
            last_seen=at,
            boot_id=report.boot_id or known.boot_id,
            # What a device shows is what it says when it is up (a will's revs are those of its connect).
            revs=report.revs if report.status == "online" else known.revs,
            revs_at=at if report.status == "online" else known.revs_at,
            latency_ms=report.latency_ms if report.latency_ms is not None else known.latency_ms,
        )
        alert: Alert | None = None
        close_at: float | None = None
        span: Span | None = None
        name = device_name(device_id, changed.kind)
        if report.status != before:
            changed.status, changed.since = report.status, at
            if not known.seen_ready and report.status == "online":
                changed.seen_ready = True  # first seen ready: the start of its record, no alert
                span = Span(device_id, "online", at, None)
            elif known.seen_ready:
                close_at, span = at, Span(device_id, report.status, at, None)
                if report.status == "online":
                    if before == "lost":
                        back = _("{device} is back online (its connection was lost for {duration})")
                    else:
                        back = _("{device} is back online (it was stopped for {duration})")
                    text = back.format(device=name, duration=_duration(at - known.since))
                    alert = Alert(at, device_id, "up", "online", text)
                elif before == "online":
                    if report.status == "lost":
                        down = _(
                            "{device} is offline: its connection was lost (it did not disconnect properly; "
                            "the broker reported it)"
                        )
                    else:
                        down = _("{device} is offline: it has stopped (it disconnected properly)")
                    alert = Alert(at, device_id, "down", report.status, down.format(device=name))
        elif (
            before == "online"
            and report.boot_id is not None
            and known.boot_id is not None
            and report.boot_id != known.boot_id
        ):
            text = _("{device} has restarted (it was offline, unseen)").format(device=name)
            alert = Alert(at, device_id, "restart", "online", text)
        self._devices[device_id] = changed
        if close_at is not None:
            spans = self._spans.get(device_id, [])
            if spans and spans[-1].end is None:
                spans[-1] = replace(spans[-1], end=close_at)
        if span is not None:
            self._spans.setdefault(device_id, []).append(span)
        if alert is not None:
            self._alerts.append(alert)
            del self._alerts[:-SHOWN_ALERTS]
            log.warning("%s", alert.text)
        self._history.save(changed, close_at=close_at, span=span, alert=alert)
        if span is not None:
            self._prune(at)

    def _prune(self, now: float) -> None:
        before = now - self.history_days * 86400
        total = 0
        for device_id, spans in self._spans.items():
            kept = [s for s in spans if s.end is None or s.end >= before]
            self._spans[device_id] = kept
            total += len(kept)
        if total > self.max_spans:
            closed = sorted((s.start, s.device) for spans in self._spans.values() for s in spans if s.end is not None)
            dropped = set(closed[: total - self.max_spans])
            for device_id, spans in self._spans.items():
                self._spans[device_id] = [s for s in spans if s.end is None or (s.start, s.device) not in dropped]
        self._history.prune(before, self.max_spans, MAX_ALERTS)

    # -- what the page shows --------------------------------------------------------------------

    def alerts(self) -> list[Alert]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._alerts))

    def get(self, device_id: str) -> Device | None:
        with self._lock:
            found = self._devices.get(device_id)
            return replace(found) if found is not None else None

    def current_revs(self) -> dict[str, str]:
        with self._lock:
            return {topic: rev for topic, (rev, _at) in self._current.items()}

    def revs_of(self, device: Device) -> dict[str, Any]:
        """`state`: `current`, `stale` (documents named in `stale`), `unconfirmed` or `unknown`."""
        with self._lock:
            return self._revs_of(device)

    def _revs_of(self, device: Device) -> dict[str, Any]:
        stale, unconfirmed, same = [], [], []
        for topic, rev in sorted(device.revs.items()):
            current = self._current.get(topic)
            if current is None:
                continue
            if current[0] == rev:
                same.append(topic)
            elif device.revs_at >= current[1] + STALE_GRACE_S:
                stale.append(topic)
            else:
                unconfirmed.append(topic)
        if device.id == "service":
            state = "source"
        elif stale:
            state = "stale"
        elif unconfirmed:
            state = "unconfirmed"
        elif same:
            state = "current"
        else:
            state = "unknown"
        return {"state": state, "stale": stale, "unconfirmed": unconfirmed, "current": same}

    def local(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, self.tz) if self.tz is not None else datetime.fromtimestamp(t).astimezone()

    def midnight(self, day: date) -> float:
        """The start of `day` in the board's time zone (the system's when it has none)."""
        if self.tz is not None:
            return datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp()
        return datetime(day.year, day.month, day.day).timestamp()  # naive: the system's local time

    def day_start(self, t: float) -> float:
        return self.midnight(self.local(t).date())

    def availability(self, device_id: str, start: float, end: float) -> float | None:
        """The share (0–1) of [start, end) that the device was online, of the time it was watched; None
        when it was not watched then."""
        with self._lock:
            return _share(self._spans.get(device_id, []), start, end)

    def days(self, now: float | None = None) -> tuple[float, float, float]:
        """(the start of today, the start of the 7 days that end today, now)."""
        now = self.clock() if now is None else now
        today = self.local(now).date()
        return self.midnight(today), self.midnight(today - timedelta(days=6)), now

    def snapshot(self) -> dict[str, Any]:
        """What the devices page shows, as JSON (every text a plain string the page sets as text)."""
        now = self.clock()
        today, week, _now = self.days(now)
        with self._lock:
            rows = []
            for device in self._devices.values():
                spans = self._spans.get(device.id, [])
                rows.append(
                    {
                        "id": device.id,
                        "kind": device.kind,
                        "kind_name": KIND_NAMES.get(device.kind or "", device.kind or _("unknown")),
                        "status": device.status,
                        "since": self.when(device.since, now),
                        "since_for": _duration(now - device.since),
                        "last_seen": self.when(device.last_seen, now),
                        "latency_ms": device.latency_ms,
                        "boot_id": device.boot_id,
                        "seen_ready": device.seen_ready,
                        "revs": self._revs_of(device),
                        "today": _share(spans, today, now),
                        "week": _share(spans, week, now),
                    }
                )
            alerts = [
                {"at": self.when(a.at, now), "device": a.device, "kind": a.kind, "status": a.status, "text": a.text}
                for a in reversed(self._alerts)
            ]
            current = {topic: rev for topic, (rev, _at) in sorted(self._current.items())}
            version = self.version
        order = {"lost": 0, "stopped": 1, "online": 2}
        rows.sort(key=lambda r: (order[str(r["status"])], r["kind"] != "service", str(r["id"])))
        return {
            "version": version,
            "now": self.when(now, now),
            "devices": rows,
            "alerts": alerts,
            "current_revs": current,
            "topic_names": dict(TOPIC_NAMES),
            "counts": {s: sum(1 for r in rows if r["status"] == s) for s in ("online", "lost", "stopped")},
        }

    def when(self, t: float, now: float) -> str:
        """A time for the page: 今天 09:30:05, or 05-21 18:00 on another day."""
        local = self.local(t)
        if local.date() == self.local(now).date():
            return _("today {time}").format(time=local.strftime("%H:%M:%S"))
        return local.strftime("%m-%d %H:%M")


def _share(spans: Iterable[Span], start: float, end: float) -> float | None:
    up = watched = 0.0
    for span in spans:
        a, b = max(span.start, start), min(span.end if span.end is not None else end, end)
        if b <= a:
            continue
        watched += b - a
        if span.status == "online":
            up += b - a
    return up / watched if watched > 0 else None
