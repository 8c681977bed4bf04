"""The staff console's audit page (`/console/audit`): every command the service recorded, newest first,
with the account that sent it and, for the console's own account, the person logged in. For managers
and the district's supervisors (`may(user, "audit")`).

It reads the service's state file through the store's read-only reader (`content.service.store.AuditReader`),
so looking at the log changes nothing and costs the service nothing. What staff typed (an announcement, a
pause's reason) is shown as text, escaped by the template.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from flask import Response, request

from content.service.store import AuditEntry, AuditReader
from content.web.console.base import Asked, Console, Route, may_do

PATH: Final = "/console/audit"
PAGE: Final = 100
"""Rows a page shows."""
MAX_OFFSET: Final = 100_000
SHOWN_CHARS: Final = 240
"""Of a command's arguments and its reply, this much is shown."""
FILTER: Final = re.compile(r"[a-z0-9._-]{1,64}")


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def shown(entry: AuditEntry) -> dict[str, Any]:
    """A row as the page shows it."""
    try:
        answer = json.loads(entry.reply)
    except ValueError:
        answer = {}
    ok = bool(answer.get("ok")) if isinstance(answer, dict) else False
    error = answer.get("error") if isinstance(answer, dict) and not ok else None
    return {
        "ts": entry.ts[:19].replace("T", " "),
        "verb": entry.verb,
        "by": entry.by,
        "person": entry.person or "",
        "args": _short(entry.args),
        "ok": ok,
        "error": _short(str(error)) if error else "",
    }


def _refused(console: Console) -> Response:
    return console.page(
        "console_message.html", 403, title="没有权限", text="操作记录只有中心负责人和电子监察可以查看。"
    )


class Audit:
    def __init__(self, console: Console, reader: AuditReader) -> None:
        self.console, self.reader = console, reader

    def routes(self) -> list[Route]:
        return [Route(PATH, self.page, allowed=may_do("audit"), forbidden=_refused)]

    def page(self, asked: Asked) -> Response:
        verb = request.args.get("verb", "").strip() or None
        who = request.args.get("who", "").strip().lower() or None
        try:
            offset = max(0, min(MAX_OFFSET, int(request.args.get("offset", "0"))))
        except ValueError:
            offset = 0
        if (verb and not FILTER.fullmatch(verb)) or (who and not FILTER.fullmatch(who)):
            return self.console.page(
                "console_message.html", 400, title="筛选条件不正确", text="操作和账号只能是字母、数字和 . _ -。"
            )
        rows = [shown(entry) for entry in self.reader.entries(offset, PAGE + 1, verb, who)]
        return self.console.page(
            "console_audit.html", rows=rows[:PAGE], verb=verb or "", who=who or "", offset=offset,
            more=len(rows) > PAGE, page=PAGE,
        )  # fmt: skip


def add(console: Console) -> None:
    """The tab, when the console has the service's state file to read."""
    if console.state is None:
        return
    console.nav.append((PATH, "操作记录", frozenset({"manager", "supervisor"})))
    console.add(Audit(console, AuditReader(console.state)).routes())
