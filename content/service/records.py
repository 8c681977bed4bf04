"""What is over leaves the state file: audit rows and finished announcements older than `records` in
centre.yaml go to the archive beside it, one gzipped JSON-lines file a month and a kind
(`archive/audit-2026-06.jsonl.gz`), and are then deleted. The state file stays the size of the hall's
recent work, whatever the years behind it.

A row is written to the archive (and flushed to disk) before it is deleted: a crash in between leaves it
in both, never in neither. Each run moves at most `BATCH` rows of a kind, so a first run over years of
rows does not hold the service's loop; the loop runs again while there is more.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from content.centre.schema import RecordSettings

BATCH: Final = 5000
"""Rows of one kind moved in one run."""


@dataclass(frozen=True)
class _Kind:
    name: str
    table: str
    columns: tuple[str, ...]
    moment: str
    """The SQL expression of the row's moment, as ISO text: when it was sent, taken down or ran out."""
    where: str
    """Which rows are over at all."""


AUDIT = _Kind(
    "audit",
    "commands",
    ("id", "verb", "by", "args", "reply", "ts", "person"),
    "ts",
    "1",
)
ANNOUNCEMENTS = _Kind(
    "announcements",
    "announcements",
    (
        "id",
        "text",
        "priority",
        "starts",
        "expires",
        "targets",
        "by",
        "created",
        "cleared",
        "cleared_by",
        "review",
        "reason",
        "reviewed_by",
        "person",
    ),
    "coalesce(cleared, expires)",
    "(cleared IS NOT NULL OR expires IS NOT NULL)",
)


def archive_dir(state: Path) -> Path:
    return state.parent / "archive"


def move_over(db: sqlite3.Connection, state: Path, settings: RecordSettings, now: datetime) -> dict[str, int]:
    """Move what is older than `settings` says to the archive; the rows moved, by kind. A state kept in
    memory only (a test's) keeps everything."""
    moved: dict[str, int] = {}
    if str(state) == ":memory:":
        return moved
    for kind, days in ((AUDIT, settings.audit_days), (ANNOUNCEMENTS, settings.announcement_days)):
        before = (now - timedelta(days=days)).isoformat()
        moved[kind.name] = _move(db, archive_dir(state), kind, before)
    return moved


def _move(db: sqlite3.Connection, directory: Path, kind: _Kind, before: str) -> int:
    columns = ", ".join(kind.columns)
    rows = db.execute(
        f"SELECT rowid, {kind.moment}, {columns} FROM {kind.table} WHERE {kind.where} AND {kind.moment} < ?"
        f" ORDER BY {kind.moment} LIMIT ?",
        (before, BATCH),
    ).fetchall()
    if not rows:
        return 0
    by_month: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_month.setdefault(str(row[1])[:7], []).append(dict(zip(kind.columns, row[2:], strict=True)))
    for month, records in by_month.items():
        _append(directory / f"{kind.name}-{month}.jsonl.gz", records)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(f"DELETE FROM {kind.table} WHERE rowid = ?", [(row[0],) for row in rows])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(rows)


def _append(path: Path, records: list[dict[str, Any]]) -> None:
    """Append `records` to a gzipped JSON-lines file (a new gzip member: the file reads as one), readable
    by its owner only, flushed to disk before it returns."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "ab") as raw:
        with gzip.GzipFile(fileobj=raw, mode="ab") as packed:
            for record in records:
                packed.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        raw.flush()
        os.fsync(raw.fileno())


def read_archive(path: Path) -> list[dict[str, Any]]:
    """Every record of an archive file (for the operator, and the tests)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
