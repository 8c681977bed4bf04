"""Cases (办件) in SQLite, beside the rest of the service's state.

A case is one row in `cases` (what it is now, for lists: its stage, the tier holding it, its due date)
and one row a step in `case_steps` (its history). Rows are written in the transaction that records the
command in the audit log (`Store.commit_cases`), so a reply means the step is stored. `CaseReader`
opens a read-only connection of its own on each thread that asks (the tracking pages), beside the
service's writer: SQLite's WAL lets them read while the service writes; its `tries` count wrong phone
digits in the same file, the one count a kiosk's lookups keep too (`content.service.wrong_digits`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from content.cases.rules import FINISHED, Calendar, Case, Step, clock
from content.service.wrong_digits import WrongDigits

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    number TEXT PRIMARY KEY,
    item TEXT NOT NULL,
    item_name TEXT NOT NULL,
    opened_tier TEXT NOT NULL,
    deciding_tier TEXT NOT NULL,
    limit_days INTEGER NOT NULL,
    required TEXT NOT NULL,
    received TEXT NOT NULL,
    agent TEXT,
    window TEXT,
    applicant TEXT,
    phone TEXT,
    masked_name TEXT NOT NULL,
    masked_phone TEXT NOT NULL,
    phone_tail TEXT NOT NULL,
    notify INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    stage TEXT NOT NULL,
    holder TEXT NOT NULL,
    open INTEGER NOT NULL,
    due TEXT,
    decided_at TEXT,
    collected_at TEXT,
    purged_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_open_due ON cases (open, due);
CREATE INDEX IF NOT EXISTS cases_stage ON cases (stage, updated_at);
CREATE INDEX IF NOT EXISTS cases_agent ON cases (agent, open);
CREATE INDEX IF NOT EXISTS cases_collected ON cases (collected_at) WHERE purged_at IS NULL;
CREATE TABLE IF NOT EXISTS case_steps (
    number TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    tier TEXT NOT NULL,
    by TEXT NOT NULL,
    note TEXT NOT NULL,
    basis TEXT NOT NULL,
    received TEXT NOT NULL,
    PRIMARY KEY (number, seq)
);
"""

_COLUMNS = (
    "number, item, item_name, opened_tier, deciding_tier, limit_days, required, received, agent, window,"
    " applicant, phone, masked_name, masked_phone, phone_tail, notify"
)


def write_case(db: sqlite3.Connection, case: Case, before: Case | None, calendar: Calendar, now: datetime) -> None:
    """Insert or update `case` and the steps it has that `before` had not; inside the caller's transaction."""
    due = clock(case, calendar).due
    row = {
        "number": case.number, "item": case.item, "item_name": case.item_name, "opened_tier": case.opened_tier,
        "deciding_tier": case.deciding_tier, "limit_days": case.limit_days,
        "required": json.dumps(case.required, ensure_ascii=False),
        "received": json.dumps(case.received, ensure_ascii=False), "agent": case.agent, "window": case.window,
        "applicant": case.applicant, "phone": case.phone, "masked_name": case.masked_name,
        "masked_phone": case.masked_phone, "phone_tail": case.phone_tail, "notify": int(case.notify),
        "opened_at": case.opened.isoformat(), "stage": case.stage, "holder": case.holder,
        "open": int(case.stage not in FINISHED), "due": due.isoformat() if due else None,
        "decided_at": _iso(next((s.at for s in case.steps if s.kind == "decided"), None)),
        "collected_at": _iso(case.collected_at),
        "updated_at": now.isoformat(),
    }  # fmt: skip
    if before is None:
        # A plain INSERT: a number given twice fails the whole transaction, loudly.
        db.execute(
            f"INSERT INTO cases ({_COLUMNS}, opened_at, stage, holder, open, due, decided_at, collected_at,"
            " updated_at) VALUES (:number, :item, :item_name, :opened_tier, :deciding_tier, :limit_days,"
            " :required, :received, :agent, :window, :applicant, :phone, :masked_name, :masked_phone,"
            " :phone_tail, :notify, :opened_at, :stage, :holder, :open, :due, :decided_at, :collected_at,"
            " :updated_at)",
            row,
        )
    else:
        db.execute(
            "UPDATE cases SET received = :received, applicant = :applicant, phone = :phone, stage = :stage,"
            " holder = :holder, open = :open, due = :due, decided_at = :decided_at, collected_at = :collected_at,"
            " updated_at = :updated_at WHERE number = :number",
            row,
        )
    known = len(before.steps) if before is not None else 0
    for seq, step in enumerate(case.steps[known:], start=known):
        db.execute(
            "INSERT INTO case_steps (number, seq, kind, at, tier, by, note, basis, received)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case.number,
                seq,
                step.kind,
                step.at.isoformat(),
                step.tier,
                step.by,
                step.note,
                step.basis,
                json.dumps(step.received, ensure_ascii=False),
            ),
        )


def read_case(db: sqlite3.Connection, number: str) -> Case | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM cases WHERE number = ?", (number,)).fetchone()
    if row is None:
        return None
    steps = tuple(
        Step(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], tuple(json.loads(r[6])))
        for r in db.execute(
            "SELECT kind, at, tier, by, note, basis, received FROM case_steps WHERE number = ? ORDER BY seq",
            (number,),
        )
    )
    return Case(
        number=row[0],
        item=row[1],
        item_name=row[2],
        opened_tier=row[3],
        deciding_tier=row[4],
        limit_days=row[5],
        required=tuple(json.loads(row[6])),
        received=tuple(json.loads(row[7])),
        steps=steps,
        agent=row[8],
        window=row[9],
        applicant=row[10],
        phone=row[11],
        masked_name=row[12],
        masked_phone=row[13],
        phone_tail=row[14],
        notify=bool(row[15]),
    )


def last_seq(db: sqlite3.Connection, prefix: str, day: date) -> int:
    """The last sequence number given on `day` under `prefix`."""
    stem = f"{prefix}-{day:%y%m%d}-"
    row = db.execute("SELECT max(number) FROM cases WHERE number >= ? AND number < ?", (stem, stem + "A")).fetchone()
    return int(row[0][len(stem) :]) if row and row[0] else 0


@dataclass(frozen=True)
class Listed:
    """A case as a list shows it: what its row says, without its steps."""

    number: str
    item: str
    item_name: str
    opened_tier: str
    deciding_tier: str
    holder: str
    stage: str
    agent: str | None
    window: str | None
    masked_name: str
    opened_at: datetime
    due: date | None

    def json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "item": self.item,
            "item_name": self.item_name,
            "opened_tier": self.opened_tier,
            "deciding_tier": self.deciding_tier,
            "holder": self.holder,
            "stage": self.stage,
            "agent": self.agent,
            "window": self.window,
            "applicant": self.masked_name,
            "opened": self.opened_at.isoformat(timespec="seconds"),
            "due": self.due.isoformat() if self.due else None,
        }


_LISTED = (
    "number, item, item_name, opened_tier, deciding_tier, holder, stage, agent, window, masked_name, opened_at, due"
)


def _listed(row: tuple[Any, ...]) -> Listed:
    number, item, item_name, opened_tier, deciding_tier, holder, stage, agent, window, masked = row[:10]
    return Listed(
        number,
        item,
        item_name,
        opened_tier,
        deciding_tier,
        holder,
        stage,
        agent,
        window,
        masked,
        datetime.fromisoformat(row[10]),
        date.fromisoformat(row[11]) if row[11] else None,
    )


def list_cases(
    db: sqlite3.Connection,
    *,
    due_before: date | None = None,
    due_from: date | None = None,
    due_until: date | None = None,
    tier: str | None = None,
    agent: str | None = None,
    stage: str | None = None,
    open_only: bool = True,
    limit: int = 200,
) -> tuple[list[Listed], int]:
    """Cases matching every filter given, the most urgent first, at most `limit`; and how many match."""
    where, params = [], []
    if open_only:
        where.append("open = 1")
    if due_before is not None:
        where.append("due < ?")
        params.append(due_before.isoformat())
    if due_from is not None:
        where.append("due >= ?")
        params.append(due_from.isoformat())
    if due_until is not None:
        where.append("due <= ?")
        params.append(due_until.isoformat())
    for column, value in (("holder", tier), ("agent", agent), ("stage", stage)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = db.execute(f"SELECT count(*) FROM cases{clause}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT {_LISTED} FROM cases{clause} ORDER BY due IS NULL, due, number LIMIT ?", (*params, limit)
    ).fetchall()
    return [_listed(r) for r in rows], total


def trip(db: sqlite3.Connection, limit: int = 500) -> tuple[list[Listed], list[Listed]]:
    """The township agent's weekly trip: papers at the township of cases the district decides (up), and
    results at the district of cases handed in below it (back)."""
    up = db.execute(
        f"SELECT {_LISTED} FROM cases WHERE open = 1 AND holder = 'township' AND deciding_tier = 'district'"
        " AND stage NOT IN ('supplement') ORDER BY opened_at LIMIT ?",
        (limit,),
    ).fetchall()
    back = db.execute(
        f"SELECT {_LISTED} FROM cases WHERE holder = 'district' AND opened_tier != 'district'"
        " AND stage IN ('decided', 'refused', 'ready') ORDER BY opened_at LIMIT ?",
        (limit,),
    ).fetchall()
    return [_listed(r) for r in up], [_listed(r) for r in back]


def ready_to_collect(db: sqlite3.Connection, limit: int, holder: str) -> tuple[str, ...]:
    """Numbers of the cases ready for collection at the tier `holder` (this hall: a case ready at a village
    agent point is collected there, not here) whose applicant agreed to see them on the wall."""
    rows = db.execute(
        "SELECT number FROM cases WHERE stage = 'ready' AND notify = 1 AND holder = ?"
        " ORDER BY updated_at, number LIMIT ?",
        (holder, limit),
    )
    return tuple(r[0] for r in rows)


def purge_due(db: sqlite3.Connection, collected_before: datetime) -> list[str]:
    """Numbers of collected cases whose personal data is to go. Times are compared as instants
    (julianday reads the offset), not as text: steps carry the centre's offset, callers may not."""
    rows = db.execute(
        "SELECT number FROM cases WHERE purged_at IS NULL AND collected_at IS NOT NULL"
        " AND julianday(collected_at) < julianday(?)"
        " AND (applicant IS NOT NULL OR phone IS NOT NULL) LIMIT 1000",
        (collected_before.isoformat(),),
    )
    return [r[0] for r in rows]


def mark_purged(db: sqlite3.Connection, numbers: list[str], now: datetime) -> None:
    db.executemany(
        "UPDATE cases SET applicant = NULL, phone = NULL, purged_at = ? WHERE number = ?",
        [(now.isoformat(), n) for n in numbers],
    )


def on_time_rows(db: sqlite3.Connection, since: date) -> list[dict[str, Any]]:
    """On-time completion (限时办结) of the cases decided since `since`, by item, window and tier: decided on
    or before the due date, which the clock fixed at the decision (refusals have no limit to meet)."""
    out: list[dict[str, Any]] = []
    for group, column in (("item", "item_name"), ("window", "window"), ("tier", "opened_tier")):
        rows = db.execute(
            f"SELECT {column}, count(*), sum(substr(decided_at, 1, 10) <= due) FROM cases"
            f" WHERE decided_at >= ? AND {column} IS NOT NULL GROUP BY {column} ORDER BY {column}",
            (since.isoformat(),),
        )
        for name, decided, on_time in rows:
            rate = round(100 * on_time / decided, 1) if decided else None
            out.append({"group": group, "name": name, "decided": decided, "on_time": on_time, "rate": rate})
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class CaseReader:
    """Read-only access to the cases for other threads (the tracking pages): a connection per thread; and
    the wrong digits per case (`tries`), which those threads write."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.tries = WrongDigits(self.path)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=True)
            db.execute("PRAGMA query_only = 1")
            self._local.db = db
        return db

    def case(self, number: str) -> Case | None:
        return read_case(self._db(), number)
