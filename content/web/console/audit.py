"""The staff console's audit page (`/console/audit`): every command the service recorded, newest first,
with the account that sent it and, for the console's own account, the person logged in. For managers
and the district's supervisors (`may(user, "audit")`).

It reads the service's state file through a read-only connection of its own on each thread (SQLite's WAL
lets it read while the service writes), so looking at the log changes nothing and costs the service
nothing. What staff typed (an announcement, a pause's reason) is shown as text, escaped by the template.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any, Final

from flask import request

from content.accounts.users import may
from content.web.console import Console

PAGE: Final = 100
"""Rows a page shows."""
MAX_OFFSET: Final = 100_000
SHOWN_CHARS: Final = 240
"""Of a command's arguments and its reply, this much is shown."""
FILTER: Final = re.compile(r"[a-z0-9._-]{1,64}")


class AuditReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            db.execute("PRAGMA query_only = 1")
            self._local.db = db
        return db

    def rows(self, offset: int, verb: str | None, who: str | None) -> list[dict[str, Any]]:
        where, values = [], []
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
        found = self._db().execute(sql, (*values, PAGE + 1, offset)).fetchall()
        return [_row(*row) for row in found]


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _row(ts: str, verb: str, by: str, person: str | None, args: str, reply: str) -> dict[str, Any]:
    try:
        answer = json.loads(reply)
    except ValueError:
        answer = {}
    ok = bool(answer.get("ok")) if isinstance(answer, dict) else False
    error = answer.get("error") if isinstance(answer, dict) and not ok else None
    return {
        "ts": ts[:19].replace("T", " "),
        "verb": verb,
        "by": by,
        "person": person or "",
        "args": _short(args),
        "ok": ok,
        "error": _short(str(error)) if error else "",
    }


def add(console: Console) -> None:
    if console.state is None:
        return
    reader = AuditReader(console.state)
    console.nav.append(("/console/audit", "操作记录", frozenset({"manager", "supervisor"})))

    @console.bp.get("/console/audit")
    def audit() -> Any:
        found = console.current()
        if found is None:
            return console.secured(console.refuse(401, "登录已过期，请重新登录"))
        if not may(found[1], "audit"):
            return console.page(
                "console_message.html", 403, title="没有权限", text="操作记录只有中心负责人和电子监察可以查看。"
            )
        verb = request.args.get("verb", "").strip() or None
        who = request.args.get("who", "").strip().lower() or None
        try:
            offset = max(0, min(MAX_OFFSET, int(request.args.get("offset", "0"))))
        except ValueError:
            offset = 0
        if (verb and not FILTER.fullmatch(verb)) or (who and not FILTER.fullmatch(who)):
            return console.page(
                "console_message.html", 400, title="筛选条件不正确", text="操作和账号只能是字母、数字和 . _ -。"
            )
        rows = reader.rows(offset, verb, who)
        more = len(rows) > PAGE
        return console.page(
            "console_audit.html", rows=rows[:PAGE], verb=verb or "", who=who or "", offset=offset, more=more, page=PAGE
        )
