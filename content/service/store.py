"""Durable live state in SQLite: staff status, announcements, and every command (the audit log).

One connection, used from the service's main thread only. A command's effects and its reply are
committed in one transaction before the reply is sent, so a reply means "it is stored", and a
repeated command id gets the stored reply instead of being applied again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from content.cases.rules import Calendar, Case
from content.queue.rules import Call, QueueState, Ticket, WindowState
from content.service import case_store
from content.service.live import Announcement, Live, StaffState
from content.shared.catalog import domain
from content.shared.files import private_database

_ = domain("service").gettext

_SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
    id TEXT NOT NULL,
    verb TEXT NOT NULL,
    by TEXT NOT NULL,
    args TEXT NOT NULL,
    reply TEXT NOT NULL,
    ts TEXT NOT NULL,
    person TEXT,
    PRIMARY KEY (by, id)
);
CREATE TABLE IF NOT EXISTS staff_status (
    staff_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    by TEXT NOT NULL,
    substitute TEXT
);
CREATE TABLE IF NOT EXISTS announcements (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    priority TEXT NOT NULL,
    starts TEXT NOT NULL,
    expires TEXT,
    targets TEXT NOT NULL,
    by TEXT NOT NULL,
    created TEXT NOT NULL,
    cleared TEXT,
    cleared_by TEXT,
    review TEXT NOT NULL DEFAULT 'approved',
    reason TEXT,
    reviewed_by TEXT,
    person TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
    day TEXT NOT NULL,
    number TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT,
    issued TEXT NOT NULL,
    status TEXT NOT NULL,
    window TEXT,
    staff TEXT,
    called TEXT,
    finished TEXT,
    calls INTEGER NOT NULL,
    origin TEXT,
    issued_by TEXT,
    for_window TEXT,
    PRIMARY KEY (day, number)
);
CREATE TABLE IF NOT EXISTS windows (
    id TEXT PRIMARY KEY,
    open INTEGER NOT NULL,
    reason TEXT,
    serving TEXT,
    priority_streak INTEGER NOT NULL,
    idle_since TEXT,
    day TEXT
);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    ticket TEXT NOT NULL,
    window TEXT NOT NULL,
    window_name TEXT NOT NULL,
    window_number INTEGER,
    category TEXT NOT NULL,
    recall INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_day ON calls (day, seq);
"""


class StoreInUse(Exception):
    """Another running service holds the state file."""


SCHEMA_VERSION = 6
"""1 (no user_version): a command id was unique across senders, so anyone's repeat of an id got its
stored reply. 2: the id is unique per sender, `by`, the account that sent it. 3: a ticket records the
account that took it (`issued_by`), which the rate of tickets per account is counted by. 5: an
announcement has a review (`review`: approved, pending, rejected; the rejection's `reason`, the login that
decided, `reviewed_by`) and the console login that put it up (`person`); those stored before are approved.
6: a ticket transferred to a window records it (`for_window`)."""

_ANNOUNCEMENT_COLUMNS = {
    "review": "TEXT NOT NULL DEFAULT 'approved'",
    "reason": "TEXT",
    "reviewed_by": "TEXT",
    "person": "TEXT",
}

_COMMANDS_BY_SENDER = """
ALTER TABLE commands RENAME TO commands_v1;
CREATE TABLE commands (
    id TEXT NOT NULL,
    verb TEXT NOT NULL,
    by TEXT NOT NULL,
    args TEXT NOT NULL,
    reply TEXT NOT NULL,
    ts TEXT NOT NULL,
    PRIMARY KEY (by, id)
);
INSERT OR IGNORE INTO commands (id, verb, by, args, reply, ts)
    SELECT id, verb, by, args, reply, ts FROM commands_v1 ORDER BY rowid;
DROP TABLE commands_v1;
"""


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a state file written by an earlier version up to `SCHEMA_VERSION`, in one transaction."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        keys = {row[1]: row[5] for row in db.execute("PRAGMA table_info(commands)")}
        if keys and keys.get("by") == 0:  # keyed by id alone
            for statement in _COMMANDS_BY_SENDER.split(";"):
                if statement.strip():
                    db.execute(statement)
        command_columns = {row[1] for row in db.execute("PRAGMA table_info(commands)")}
        if command_columns and "person" not in command_columns:
            db.execute("ALTER TABLE commands ADD COLUMN person TEXT")
        ticket_columns = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
        if ticket_columns and "issued_by" not in ticket_columns:
            db.execute("ALTER TABLE tickets ADD COLUMN issued_by TEXT")
        if ticket_columns and "for_window" not in ticket_columns:
            db.execute("ALTER TABLE tickets ADD COLUMN for_window TEXT")
        announcement_columns = {row[1] for row in db.execute("PRAGMA table_info(announcements)")}
        if announcement_columns:
            for column, kind in _ANNOUNCEMENT_COLUMNS.items():
                if column not in announcement_columns:
                    db.execute(f"ALTER TABLE announcements ADD COLUMN {column} {kind}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock: int | None = None
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = self._take_lock(self.path.with_name(self.path.name + ".lock"))
            private_database(self.path)  # applicants' names and phones: the owner's only, before SQLite makes it
        # Opened on one thread, then used by the service's loop alone: never concurrently.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        _migrate(self._db)
        self._db.executescript(_SCHEMA)
        self._db.executescript(case_store.SCHEMA)

    @staticmethod
    def _take_lock(path: Path) -> int:
        """One service per state file: two would apply commands twice and fight over the broker."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreInUse(
                _("{file} is in use by another running service (pid {pid}): stop that one first").format(
                    file=path.with_suffix(""), pid=holder
                )
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def load(self, now: datetime, day: date | None = None, recent: int = 10) -> Live:
        """Live state as stored; the queue of service day `day` (its tickets and last calls)."""
        staff = {
            row[0]: StaffState(row[1], datetime.fromisoformat(row[2]), row[3], row[4])
            for row in self._db.execute("SELECT staff_id, status, since, by, substitute FROM staff_status")
        }
        announcements = {}
        rows = self._db.execute(
            "SELECT id, text, priority, starts, expires, targets, by, created, review, reason, reviewed_by, person"
            " FROM announcements WHERE cleared IS NULL"
        )
        for row in rows:
            a = Announcement(
                id=row[0],
                text=row[1],
                priority=row[2],
                starts=datetime.fromisoformat(row[3]),
                expires=_dt(row[4]),
                targets=tuple(json.loads(row[5])),
                by=row[6],
                created=datetime.fromisoformat(row[7]),
                review=row[8],
                reason=row[9],
                reviewed_by=row[10],
                person=row[11],
            )
            if not a.over(now):
                announcements[a.id] = a
        seq_row = self._db.execute("SELECT value FROM meta WHERE key = 'announcement_seq'").fetchone()
        return Live(staff, announcements, int(seq_row[0]) if seq_row else 0, self.load_queue(day, recent))

    def load_queue(self, day: date | None, recent: int) -> QueueState:
        """The queue of service day `day` as stored: its tickets, counters and last calls; the windows as
        they are, serving no one if they were last changed on another day."""
        seq = self._db.execute("SELECT max(seq) FROM calls").fetchone()[0] or 0
        windows = {}
        for row in self._db.execute("SELECT id, open, reason, serving, priority_streak, idle_since, day FROM windows"):
            state = WindowState(bool(row[1]), row[2], row[3], row[4], _dt(row[5]))
            if day is None or row[6] != day.isoformat():
                # Stored on an earlier service day: whoever was at the window then is not now.
                state = replace(state, serving=None, priority_streak=0, idle_since=None)
            windows[row[0]] = state
        if day is None:
            return QueueState(seq=seq, windows=windows)
        tickets = {t.number: t for t in self.tickets(day)}
        counters: dict[str, int] = {}
        for number in tickets:
            counters[number[0]] = max(counters.get(number[0], 0), int(number[1:]))
        rows = self._db.execute(
            "SELECT seq, ticket, window, window_name, window_number, category, recall, at FROM calls"
            " WHERE day = ? ORDER BY seq DESC LIMIT ?",
            (day.isoformat(), recent),
        )
        calls = tuple(Call(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), datetime.fromisoformat(r[7])) for r in rows)
        return QueueState(day=day, tickets=tickets, counters=counters, windows=windows, seq=seq, recent=calls)

    def tickets(self, day: date) -> list[Ticket]:
        rows = self._db.execute(
            "SELECT number, day, category, priority, issued, status, window, staff, called, finished, calls, origin,"
            " issued_by, for_window FROM tickets WHERE day = ? ORDER BY issued, number",
            (day.isoformat(),),
        )
        return [
            Ticket(
                number=r[0],
                day=date.fromisoformat(r[1]),
                category=r[2],
                priority=r[3],
                issued=datetime.fromisoformat(r[4]),
                status=r[5],
                window=r[6],
                staff=r[7],
                called=_dt(r[8]),
                finished=_dt(r[9]),
                calls=r[10],
                origin=r[11],
                issued_by=r[12],
                for_window=r[13],
            )
            for r in rows
        ]

    def issued(self, since: date, before: date) -> dict[date, dict[str, int]]:
        """The last number of each prefix on each day from `since` to the day before `before`."""
        rows = self._db.execute(
            "SELECT day, substr(number, 1, 1), max(CAST(substr(number, 2) AS INTEGER)) FROM tickets"
            " WHERE day >= ? AND day < ? GROUP BY day, substr(number, 1, 1)",
            (since.isoformat(), before.isoformat()),
        )
        found: dict[date, dict[str, int]] = {}
        for day, prefix, last in rows:
            found.setdefault(date.fromisoformat(day), {})[prefix] = int(last)
        return found

    def reply_for(self, sender: str, command_id: str) -> dict[str, Any] | None:
        """The stored reply to `sender`'s command `command_id`, if it was handled."""
        query = "SELECT reply FROM commands WHERE by = ? AND id = ?"
        row = self._db.execute(query, (sender, command_id)).fetchone()
        return json.loads(row[0]) if row else None

    def commit(
        self,
        command_id: str,
        verb: str,
        by: str,
        args: dict[str, Any],
        reply: dict[str, Any],
        before: Live,
        after: Live,
        now: datetime,
        calls: tuple[Call, ...] = (),
        person: str | None = None,
    ) -> None:
        """Record the command and whatever it changed, all or nothing; `person`: who, logged in to the
        console, sent it through the account `by`."""
        with self._transaction() as db:
            self._insert_command(command_id, verb, by, args, reply, now, person)
            for staff_id, state in after.staff.items():
                if before.staff.get(staff_id) != state:
                    db.execute(
                        "INSERT OR REPLACE INTO staff_status (staff_id, status, since, by, substitute)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (staff_id, state.status, state.since.isoformat(), state.by, state.substitute),
                    )
            for a in after.announcements.values():
                was = before.announcements.get(a.id)
                if was is a:
                    continue
                row = {
                    "id": a.id, "text": a.text, "priority": a.priority, "starts": a.starts.isoformat(),
                    "expires": _iso(a.expires), "targets": json.dumps(list(a.targets)), "by": a.by,
                    "created": a.created.isoformat(), "review": a.review, "reason": a.reason,
                    "reviewed_by": a.reviewed_by, "person": a.person,
                }  # fmt: skip
                if was is None:
                    db.execute(
                        "INSERT INTO announcements (id, text, priority, starts, expires, targets, by, created, review,"
                        " reason, reviewed_by, person) VALUES (:id, :text, :priority, :starts, :expires, :targets, :by,"
                        " :created, :review, :reason, :reviewed_by, :person)",
                        row,
                    )
                else:  # edited or reviewed
                    db.execute(
                        "UPDATE announcements SET text = :text, priority = :priority, starts = :starts,"
                        " expires = :expires, targets = :targets, review = :review, reason = :reason,"
                        " reviewed_by = :reviewed_by, person = :person WHERE id = :id",
                        row,
                    )
            for gone in before.announcements.keys() - after.announcements.keys():
                db.execute(
                    "UPDATE announcements SET cleared = ?, cleared_by = ? WHERE id = ?",
                    (now.isoformat(), by, gone),
                )
            self._write_queue(before.queue, after.queue, calls)
            if after.announcement_seq != before.announcement_seq:
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('announcement_seq', ?)",
                    (str(after.announcement_seq),),
                )

    def _write_queue(self, before: QueueState, after: QueueState, calls: tuple[Call, ...]) -> None:
        db = self._db
        for t in after.tickets.values():
            old = before.tickets.get(t.number)
            if old is t:
                continue  # unchanged: the rules replace a ticket they change, never mutate it
            row = {
                "day": t.day.isoformat(), "number": t.number, "category": t.category, "priority": t.priority,
                "issued": t.issued.isoformat(), "status": t.status, "window": t.window, "staff": t.staff,
                "called": _iso(t.called), "finished": _iso(t.finished), "calls": t.calls, "origin": t.origin,
                "issued_by": t.issued_by, "for_window": t.for_window,
            }  # fmt: skip
            if old is None or old.day != t.day:
                # A plain INSERT: a number issued twice fails the whole transaction, loudly.
                db.execute(
                    "INSERT INTO tickets (day, number, category, priority, issued, status, window, staff, called,"
                    " finished, calls, origin, issued_by, for_window) VALUES (:day, :number, :category, :priority,"
                    " :issued, :status, :window, :staff, :called, :finished, :calls, :origin, :issued_by, :for_window)",
                    row,
                )
            else:
                db.execute(
                    "UPDATE tickets SET category = :category, status = :status, window = :window, staff = :staff,"
                    " called = :called, finished = :finished, calls = :calls, origin = :origin,"
                    " for_window = :for_window"
                    " WHERE day = :day AND number = :number",
                    row,
                )
        if after.windows is not before.windows:
            day = after.day.isoformat() if after.day else None
            for key, w in after.windows.items():
                if before.windows.get(key) is not w:
                    db.execute(
                        "INSERT OR REPLACE INTO windows (id, open, reason, serving, priority_streak, idle_since, day)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (key, int(w.open), w.reason, w.serving, w.priority_streak, _iso(w.idle_since), day),
                    )
        for c in calls:
            db.execute(
                "INSERT INTO calls (seq, day, ticket, window, window_name, window_number, category, recall, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    c.seq,
                    after.day.isoformat() if after.day else "",
                    c.ticket,
                    c.window,
                    c.window_name,
                    c.window_number,
                    c.category,
                    int(c.recall),
                    c.at.isoformat(),
                ),
            )

    # -- cases ---------------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """For `content.service.case_store`'s reads, on the service's thread."""
        return self._db

    def case(self, number: str) -> Case | None:
        return case_store.read_case(self._db, number)

    def commit_cases(
        self,
        command_id: str,
        verb: str,
        by: str,
        args: dict[str, Any],
        reply: dict[str, Any],
        changes: list[tuple[Case, Case | None]],
        calendar: Calendar,
        now: datetime,
        person: str | None = None,
    ) -> None:
        """Record a case command and the cases it changed (each with what it was before, None if new),
        all or nothing."""
        with self._transaction() as db:
            self._insert_command(command_id, verb, by, args, reply, now, person)
            for case, before in changes:
                case_store.write_case(db, case, before, calendar, now)

    def purge_cases(self, collected_before: datetime, now: datetime) -> list[str]:
        """Remove the applicant's name and phone from cases collected before `collected_before`, recording
        it in the audit log as the service's own command; the numbers purged."""
        numbers = case_store.purge_due(self._db, collected_before)
        if not numbers:
            return []
        with self._transaction() as db:
            args = {"collected_before": collected_before.isoformat(), "cases": numbers[:50], "count": len(numbers)}
            command_id = f"purge-{now.isoformat()}"
            reply = {"id": command_id, "ok": True, "result": {"purged": len(numbers)}}
            self._insert_command(command_id, "case_purge", "service", args, reply, now)
            case_store.mark_purged(db, numbers, now)
        return numbers

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): all of it committed, or none."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _insert_command(
        self,
        command_id: str,
        verb: str,
        by: str,
        args: dict[str, Any],
        reply: dict[str, Any],
        now: datetime,
        person: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO commands (id, verb, by, args, reply, ts, person) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                command_id,
                verb,
                by,
                json.dumps(args, ensure_ascii=False),
                json.dumps(reply, ensure_ascii=False),
                now.isoformat(),
                person,
            ),
        )

    def calls(self, day: date) -> list[Call]:
        rows = self._db.execute(
            "SELECT seq, ticket, window, window_name, window_number, category, recall, at FROM calls"
            " WHERE day = ? ORDER BY seq",
            (day.isoformat(),),
        )
        return [Call(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), datetime.fromisoformat(r[7])) for r in rows]

    def audit(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, verb, by, args, reply, ts, person FROM commands ORDER BY rowid DESC LIMIT ?", (limit,)
        )
        return [
            {
                "id": r[0],
                "verb": r[1],
                "by": r[2],
                "args": json.loads(r[3]),
                "reply": json.loads(r[4]),
                "ts": r[5],
                "person": r[6],
            }
            for r in rows
        ]


@dataclass(frozen=True)
class AuditEntry:
    """One command of the audit log, its arguments and reply as they were stored (JSON text)."""

    ts: str
    verb: str
    by: str
    person: str | None
    args: str
    reply: str


class AuditReader:
    """Read-only access to the audit log for other threads (the console's audit page): a connection per
    thread, which SQLite's WAL lets read while the service writes; reading it changes nothing."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            db.execute("PRAGMA query_only = 1")
            self._local.db = db
        return db

    def entries(
        self, offset: int, limit: int, verb: str | None = None, who: str | None = None, day: str | None = None
    ) -> list[AuditEntry]:
        """Newest first, from `offset`: with `verb`, that command's only; with `who`, those the account or
        the console's person `who` sent; with `day` (YYYY-MM-DD, the centre's), that day's."""
        where, values = [], []
        if day:
            where.append("ts >= ? AND ts < ?")
            values += [day, day + "U"]  # "YYYY-MM-DDT…" sorts between the two
        if verb:
            where.append("verb = ?")
            values.append(verb)
        if who:
            where.append("(by = ? OR person = ?)")
            values += [who, who]
        sql = "SELECT ts, verb, by, person, args, reply FROM commands"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY rowid DESC LIMIT ? OFFSET ?"
        return [AuditEntry(*row) for row in self._db().execute(sql, (*values, limit, offset))]
