"""Wrong phone digits per case, in the state file: one count whoever asks (the tracking page on a phone, a
kiosk's 查询办件), so a case locked on one is locked on the other, and a restart forgets nothing.

`WRONG_DIGITS` wrong tries within `LOCK_S` lock the case's details for `LOCK_S`; the right digits, while it
is not locked, clear its count. The table (`wrong_digits`, beside the service's own in the same SQLite
file) keeps a row only for a case tried wrongly in the last `LOCK_S` or locked now: each write drops the
rows that are over. Each thread that asks has its own connection (the page's threads, the service's
loop), which waits `BUSY_S` for another's write; a try is read, counted and written in one transaction,
so two asking at once never both get the fifth try.

Times are the service's clock as seconds since the epoch (`datetime.timestamp()`), which the page reads
from the service's snapshot and a kiosk's lookup from its command: one clock for both, and a test's.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from pathlib import Path
from typing import Final, NamedTuple

WRONG_DIGITS: Final = 5
"""Wrong phone digits for one case within `LOCK_S` before its details are locked for `LOCK_S`."""
LOCK_S: Final = 15 * 60
BUSY_S: Final = 5.0
"""How long a try waits for another thread's (or process's) write to the file."""

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS wrong_digits (
    number TEXT PRIMARY KEY,
    tries TEXT NOT NULL,
    last_at REAL NOT NULL,
    locked_until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS wrong_digits_last ON wrong_digits (last_at);
"""
"""`tries`: the times of the wrong tries in the last `LOCK_S` (a JSON list); `last_at`: the latest of them."""


class Tried(NamedTuple):
    opened: bool
    """The digits were right and the case is not locked: its details may be shown."""
    left: int
    """Wrong tries left before the case locks."""
    locked_s: int
    """Seconds the case stays locked; 0 if it is not."""


class WrongDigits:
    """The counts in the SQLite file at `path` (the service's state file)."""

    def __init__(self, path: Path | str, limit: int = WRONG_DIGITS, lock_s: float = LOCK_S) -> None:
        self.path, self.limit, self.lock_s = Path(path), limit, lock_s
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), timeout=BUSY_S, isolation_level=None)
            db.executescript(SCHEMA)
            self._local.db = db
        return db

    def locked_for(self, number: str, now: float) -> int:
        """Seconds the details of `number` stay locked at `now`; 0 if they are not."""
        row = self._db().execute("SELECT locked_until FROM wrong_digits WHERE number = ?", (number,)).fetchone()
        return max(0, math.ceil(row[0] - now)) if row is not None else 0

    def attempt(self, number: str, right: bool, now: float) -> Tried:
        """A try at the digits of `number` at `now`, checked and counted at once."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            tried = self._attempt(db, number, right, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return tried

    def _attempt(self, db: sqlite3.Connection, number: str, right: bool, now: float) -> Tried:
        row = db.execute("SELECT tries, locked_until FROM wrong_digits WHERE number = ?", (number,)).fetchone()
        tries, locked_until = (json.loads(row[0]), row[1]) if row is not None else ([], 0.0)
        if locked_until > now:
            return Tried(False, 0, math.ceil(locked_until - now))
        db.execute("DELETE FROM wrong_digits WHERE last_at <= ? AND locked_until <= ?", (now - self.lock_s, now))
        if right:
            db.execute("DELETE FROM wrong_digits WHERE number = ?", (number,))
            return Tried(True, self.limit, 0)
        tries = [t for t in tries if now - self.lock_s < t <= now] + [now]
        if len(tries) >= self.limit:
            tries, locked_until = [], now + self.lock_s
        db.execute(
            "INSERT INTO wrong_digits (number, tries, last_at, locked_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (number) DO UPDATE SET tries = excluded.tries, last_at = excluded.last_at,"
            " locked_until = excluded.locked_until",
            (number, json.dumps(tries), now, locked_until),
        )
        if locked_until > now:
            return Tried(False, 0, math.ceil(self.lock_s))
        return Tried(False, self.limit - len(tries), 0)

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
