"""The device board's history: the devices as last known, the periods of their states and the last alerts,
in a small SQLite file of the board's own (`devices.sqlite3`, beside the users file)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from content.shared.catalog import domain

_ = domain("service").gettext

DEVICES_FILE: Final = "devices.sqlite3"
"""The board's history file, beside the users file."""
SHOWN_ALERTS: Final = 100
SCHEMA_VERSION: Final = 1

Status = Literal["online", "lost", "stopped"]
AlertKind = Literal["down", "up", "restart"]


@dataclass
class Device:
    id: str
    kind: str | None
    status: Status
    since: float
    """When the current status began (as the board saw it)."""
    last_seen: float
    boot_id: str | None = None
    revs: dict[str, str] = field(default_factory=dict)
    revs_at: float = 0.0
    latency_ms: float | None = None
    seen_ready: bool = False


@dataclass(frozen=True)
class Alert:
    at: float
    device: str
    kind: AlertKind
    status: Status
    text: str


@dataclass(frozen=True)
class Span:
    device: str
    status: Status
    start: float
    end: float | None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    id         TEXT PRIMARY KEY,
    kind       TEXT,
    status     TEXT NOT NULL,
    since      REAL NOT NULL,
    last_seen  REAL NOT NULL,
    boot_id    TEXT,
    revs       TEXT NOT NULL,
    revs_at    REAL NOT NULL,
    latency_ms REAL,
    seen_ready INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spans (
    device TEXT NOT NULL,
    status TEXT NOT NULL,
    start  REAL NOT NULL,
    "end"  REAL
);
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (start);
CREATE TABLE IF NOT EXISTS alerts (
    at     REAL NOT NULL,
    device TEXT NOT NULL,
    kind   TEXT NOT NULL,
    status TEXT NOT NULL,
    text   TEXT NOT NULL
);
"""


class History:
    """The board's file: the devices as last known, the periods of their states, the last alerts. One
    connection, used under the board's lock. `None` keeps it in memory (nothing survives a restart)."""

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(self.path) if self.path else ":memory:", isolation_level=None, check_same_thread=False, timeout=10
        )
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ValueError(
                _("{file} was written by a newer version of hall (schema {version}): update hall").format(
                    file=self.path, version=version
                )
            )
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def load(self) -> tuple[list[Device], list[Span], list[Alert]]:
        devices = []
        for row in self._db.execute(
            "SELECT id, kind, status, since, last_seen, boot_id, revs, revs_at, latency_ms, seen_ready FROM devices"
        ):
            try:
                revs = json.loads(row[6])
            except ValueError:
                revs = {}
            if row[2] not in ("online", "lost", "stopped"):
                continue
            devices.append(
                Device(
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    revs if isinstance(revs, dict) else {},
                    row[7],
                    row[8],
                    bool(row[9]),
                )
            )
        spans = [
            Span(*row)
            for row in self._db.execute('SELECT device, status, start, "end" FROM spans ORDER BY start, rowid')
            if row[1] in ("online", "lost", "stopped")
        ]
        alerts = [
            Alert(*row)
            for row in self._db.execute(
                "SELECT at, device, kind, status, text FROM alerts ORDER BY at DESC, rowid DESC LIMIT ?",
                (SHOWN_ALERTS,),
            )
        ]
        alerts.reverse()
        return devices, spans, alerts

    def save(
        self, device: Device, *, close_at: float | None = None, span: Span | None = None, alert: Alert | None = None
    ) -> None:
        """The device's row; with `close_at` its open period ends then; `span` opens a new one; an alert."""
        db = self._db
        db.execute("BEGIN")
        try:
            db.execute(
                "INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    device.id,
                    device.kind,
                    device.status,
                    device.since,
                    device.last_seen,
                    device.boot_id,
                    json.dumps(device.revs, sort_keys=True),
                    device.revs_at,
                    device.latency_ms,
                    int(device.seen_ready),
                ),
            )
            if close_at is not None:
                db.execute('UPDATE spans SET "end" = ? WHERE device = ? AND "end" IS NULL', (close_at, device.id))
            if span is not None:
                db.execute("INSERT INTO spans VALUES (?, ?, ?, ?)", (span.device, span.status, span.start, span.end))
            if alert is not None:
                db.execute(
                    "INSERT INTO alerts VALUES (?, ?, ?, ?, ?)",
                    (alert.at, alert.device, alert.kind, alert.status, alert.text),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def prune(self, before: float, keep_spans: int, keep_alerts: int) -> None:
        db = self._db
        db.execute('DELETE FROM spans WHERE "end" IS NOT NULL AND "end" < ?', (before,))
        db.execute(
            'DELETE FROM spans WHERE "end" IS NOT NULL AND rowid NOT IN '
            '(SELECT rowid FROM spans ORDER BY "end" IS NULL DESC, start DESC LIMIT ?)',
            (keep_spans,),
        )
        db.execute(
            "DELETE FROM alerts WHERE rowid NOT IN (SELECT rowid FROM alerts ORDER BY at DESC, rowid DESC LIMIT ?)",
            (keep_alerts,),
        )
