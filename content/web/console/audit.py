"""The staff console's audit page (`/console/audit`): every command the service recorded, newest first, a
sentence each — who, when, on what, did what, with what result — for managers and the district's
supervisors (`may(user, "audit")`).

A row reads as the hall would say it: 王志强（boss）在社会保障窗口叫下一位 · 完成：叫到 A003 号. The
operations go by their names in the hall's language, windows, categories and staff by the names their
documents give them, and the arguments become words; a command the page does not know is shown as its
verb and its arguments as `name: value` words. The page shows `PAGE` rows at a time, older and newer a
link away, filtered by person, operation and day.

It reads the service's state file through the store's read-only reader (`content.service.store.AuditReader`),
so looking at the log changes nothing and costs the service nothing. What staff typed (an announcement, a
pause's reason) is shown as text, escaped by the template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from flask import Response, request

from content.cases.rules import STAGE_NAMES
from content.service.store import AuditEntry, AuditReader
from content.shared import graphemes
from content.shared.catalog import N_, domain
from content.shared.wording import STATUS_NAMES
from content.web.console import reading
from content.web.console.base import Asked, Console, Route, may_do

_ = domain("console").gettext

PATH: Final = "/console/audit"
PAGE: Final = 50
"""Rows a page shows."""
MAX_OFFSET: Final = 100_000
SHOWN_CHARS: Final = 120
"""Of what someone typed (an announcement, a reason) and of a refusal, this many characters are shown."""
FILTER: Final = re.compile(r"[a-z0-9._-]{1,64}")
DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

OPERATIONS: Final = {
    "call": N_("Calling numbers"),
    "ticket": N_("Taking a number"),
    "window": N_("Opening or pausing a window"),
    "staff": N_("Staff on duty"),
    "announce": N_("Putting up or taking down an announcement"),
    "announce_edit": N_("Changing an announcement"),
    "announce_review": N_("Reviewing an announcement"),
    "case_open": N_("Registering a case"),
    "case_advance": N_("Moving a case on"),
    "case_purge": N_("Clearing applicants' details from old cases"),
}
"""The operations the log records, by their names (the filter's choices, in this order)."""
PRIORITIES: Final = {"normal": N_("an ordinary"), "high": N_("an important"), "emergency": N_("an emergency")}


@dataclass(frozen=True)
class Names:
    """What the log's ids are called: windows, categories and staff (their documents' names), and the
    console's people (the staff name of their account, else their login)."""

    windows: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    staff: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)

    def window(self, key: Any) -> str:
        return self.windows.get(str(key), "") or _("window {window}").format(window=_typed(key))

    def category(self, key: Any) -> str:
        return self.categories.get(str(key), "") or _("category {category}").format(category=_typed(key))

    def member(self, key: Any) -> str:
        return self.staff.get(str(key), "") or _("staff member {staff}").format(staff=_typed(key))


def names_of(console: Console) -> Names:
    state = console.link.state()[1]
    found = reading.queue(state)
    staff = reading.staff_names(state)
    people = {}
    for user in console.users.list():
        named = staff.get(user.staff_id or "", "")
        people[user.name] = _("{name} ({login})").format(name=named, login=user.name) if named else user.name
    return Names(
        {w.id: w.name for w in found.windows if w.name},
        {line.category: line.name for line in found.lines if line.name},
        staff,
        people,
    )


def _typed(value: Any) -> str:
    """What someone typed, or an id, as text: on one line, cut by grapheme."""
    text = " ".join(str(value).split()) if value is not None else ""
    return graphemes.cut(text, SHOWN_CHARS)


def _words(args: Mapping[str, Any]) -> str:
    """Arguments the page has no sentence for, as `name: value` words."""
    shown = []
    for key, value in args.items():
        if isinstance(value, list):
            value = _(", ").join(_typed(v) for v in value[:10])
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        shown.append(_("{name}: {value}").format(name=_typed(key), value=_typed(value)))
    return _("; ").join(shown)


def _call(args: Mapping[str, Any], who: str, names: Names) -> str:
    window = names.window(args.get("window"))
    match args.get("action", "next"):
        case "next":
            return _("{who} called the next number at {window}").format(who=who, window=window)
        case "recall":
            return _("{who} called the number again at {window}").format(who=who, window=window)
        case "no_show":
            return _("{who} marked the number at {window} as gone").format(who=who, window=window)
        case "done":
            return _("{who} finished the number at {window}").format(who=who, window=window)
        case "ticket":
            return _("{who} called number {ticket} at {window}").format(
                who=who, ticket=_typed(args.get("ticket")), window=window
            )
        case "transfer" if args.get("to_window"):
            return _("{who} transferred the number at {window} to {to}").format(
                who=who, window=window, to=names.window(args.get("to_window"))
            )
        case "transfer":
            return _("{who} transferred the number at {window} to the queue of {category}").format(
                who=who, window=window, category=names.category(args.get("category"))
            )
    return _("{who} called at {window}: {arguments}").format(who=who, window=window, arguments=_words(args))


def _announce(args: Mapping[str, Any], who: str) -> str:
    if "clear" in args:
        return _("{who} took down announcement {id}").format(who=who, id=_typed(args["clear"]))
    text, priority = _typed(args.get("text")), args.get("priority", "normal")
    kind = _(PRIORITIES[priority]) if priority in PRIORITIES else _typed(priority)
    if args.get("review") == "pending":
        return _("{who} put up {kind} announcement for review: “{text}”").format(who=who, kind=kind, text=text)
    return _("{who} put up {kind} announcement: “{text}”").format(who=who, kind=kind, text=text)


def _staff(args: Mapping[str, Any], who: str, names: Names) -> str:
    status = args.get("status")
    said = STATUS_NAMES[status] if isinstance(status, str) and status in STATUS_NAMES else _typed(status)
    member = names.member(args.get("staff"))
    if args.get("substitute"):
        return _("{who} set {staff} as {status}, with {substitute} standing in").format(
            who=who, staff=member, status=said, substitute=names.member(args["substitute"])
        )
    return _("{who} set {staff} as {status}").format(who=who, staff=member, status=said)


def _case(verb: str, args: Mapping[str, Any], who: str) -> str:
    if verb == "case_open":
        return _("{who} registered a case of item {item}").format(who=who, item=_typed(args.get("item")))
    stage = args.get("stage")
    said = STAGE_NAMES[stage] if isinstance(stage, str) and stage in STAGE_NAMES else _typed(stage)
    return _("{who} moved case {case} on to “{stage}”").format(who=who, case=_typed(args.get("case")), stage=said)


def sentence(verb: str, args: Mapping[str, Any], who: str, names: Names) -> str:
    """What `who` did, in words: the operation, on what, with the arguments as words."""
    match verb:
        case "call":
            return _call(args, who, names)
        case "ticket":
            return _("{who} took a number for {category}").format(
                who=who, category=names.category(args.get("category"))
            )
        case "window" if args.get("state") == "open":
            return _("{who} opened {window}").format(who=who, window=names.window(args.get("window")))
        case "window" if args.get("reason"):
            return _("{who} paused {window}: {reason}").format(
                who=who, window=names.window(args.get("window")), reason=_typed(args["reason"])
            )
        case "window":
            return _("{who} paused {window}").format(who=who, window=names.window(args.get("window")))
        case "staff":
            return _staff(args, who, names)
        case "announce":
            return _announce(args, who)
        case "announce_edit" if args.get("text"):
            return _("{who} changed announcement {id} to “{text}”").format(
                who=who, id=_typed(args.get("id")), text=_typed(args["text"])
            )
        case "announce_edit":
            return _("{who} changed announcement {id}: {changes}").format(
                who=who, id=_typed(args.get("id")), changes=_words({k: v for k, v in args.items() if k != "id"})
            )
        case "announce_review" if args.get("decision") == "approve":
            return _("{who} approved announcement {id}").format(who=who, id=_typed(args.get("id")))
        case "announce_review" if args.get("reason"):
            return _("{who} turned down announcement {id}: {reason}").format(
                who=who, id=_typed(args.get("id")), reason=_typed(args["reason"])
            )
        case "announce_review":
            return _("{who} turned down announcement {id}").format(who=who, id=_typed(args.get("id")))
        case "case_open" | "case_advance":
            return _case(verb, args, who)
        case "case_purge":
            return _("{who} cleared the applicants' names and phones from {count} collected cases").format(
                who=who, count=_typed(args.get("count"))
            )
    return _("{who} sent “{operation}”: {arguments}").format(who=who, operation=_typed(verb), arguments=_words(args))


def outcome(verb: str, args: Mapping[str, Any], reply: Any) -> tuple[bool, str]:
    """Whether the command was done, and its result in words."""
    if not isinstance(reply, dict):
        return False, _("No answer was recorded")
    if not reply.get("ok"):
        error = reply.get("error")
        return False, _("Refused: {reason}").format(reason=_typed(error)) if error else _("Refused")
    result = reply.get("result") if isinstance(reply.get("result"), dict) else {}
    ticket = result.get("ticket") if isinstance(result, dict) else None
    if verb == "call" and args.get("action", "next") in ("next", "recall", "ticket"):
        if ticket:
            return True, _("Done: called number {ticket}").format(ticket=_typed(ticket))
        return True, _("Done: no one was waiting")
    if verb == "ticket" and ticket:
        return True, _("Done: number {ticket}").format(ticket=_typed(ticket))
    if verb == "call" and ticket:
        return True, _("Done: number {ticket}").format(ticket=_typed(ticket))
    if verb == "announce" and isinstance(result, dict) and result.get("review") == "pending":
        return True, _("Done: waiting for review")
    return True, _("Done")


def who_of(entry: AuditEntry, names: Names) -> tuple[str, str]:
    """Who did it, and through which account when it was the console's."""
    if entry.person:
        return names.people.get(entry.person, entry.person), _("through the console's account {account}").format(
            account=entry.by
        )
    return _("account {account}").format(account=entry.by), ""


def shown(entry: AuditEntry, names: Names | None = None) -> dict[str, Any]:
    """A row as the page shows it."""
    names = names or Names()
    try:
        args = json.loads(entry.args)
    except ValueError:
        args = {}
    try:
        reply = json.loads(entry.reply)
    except ValueError:
        reply = None
    args = args if isinstance(args, dict) else {}
    who, via = who_of(entry, names)
    ok, result = outcome(entry.verb, args, reply)
    return {
        "day": entry.ts[:10],
        "time": entry.ts[11:19],
        "ts": entry.ts,
        "verb": entry.verb,
        "operation": _(OPERATIONS[entry.verb]) if entry.verb in OPERATIONS else entry.verb,
        "sentence": sentence(entry.verb, args, who, names),
        "ok": ok,
        "result": result,
        "via": via,
    }


def a_day(text: str) -> bool:
    """Whether `text` is a day as the date field sends one (YYYY-MM-DD, and one that exists)."""
    try:
        return DAY.fullmatch(text) is not None and date.fromisoformat(text).year >= 2000
    except ValueError:
        return False


def _refused(console: Console) -> Response:
    return console.page(
        "console_message.html",
        403,
        title=_("Not allowed"),
        text=_("Only the centre's manager and the supervisors may read the record of operations."),
    )


class Audit:
    def __init__(self, console: Console, log: AuditReader) -> None:
        self.console, self.log = console, log

    def routes(self) -> list[Route]:
        return [Route(PATH, self.page, allowed=may_do("audit"), forbidden=_refused)]

    def _wrong(self) -> Response:
        return self.console.page(
            "console_message.html",
            400,
            title=_("The filter is not right"),
            text=_("Choose the person, the operation and the day from the lists on the page."),
        )

    def page(self, asked: Asked) -> Response:
        verb = request.args.get("verb", "").strip() or None
        who = request.args.get("who", "").strip().lower() or None
        day = request.args.get("day", "").strip() or None
        try:
            offset = max(0, min(MAX_OFFSET, int(request.args.get("offset", "0"))))
        except ValueError:
            offset = 0
        if (verb and not FILTER.fullmatch(verb)) or (who and not FILTER.fullmatch(who)):
            return self._wrong()
        if day is not None and not a_day(day):
            return self._wrong()
        found = self.log.entries(offset, PAGE + 1, verb, who, day or None)
        names = names_of(self.console)
        rows = [shown(entry, names) for entry in found[:PAGE]]
        people = sorted(names.people.items(), key=lambda p: p[1])
        operations = [(key, _(label)) for key, label in OPERATIONS.items()]
        if verb and verb not in OPERATIONS:
            operations.append((verb, verb))
        if who and who not in names.people:
            people.append((who, who))
        query = {"verb": verb or "", "who": who or "", "day": day or ""}
        return self.console.page(
            "console_audit.html",
            rows=rows,
            query=query,
            people=people,
            operations=operations,
            offset=offset,
            newer=max(offset - PAGE, 0) if offset > 0 else None,
            older=offset + PAGE if len(found) > PAGE else None,
            number=offset // PAGE + 1,
            first=offset + 1,
            last=offset + len(rows),
        )


def add(console: Console) -> None:
    """The tab, when the console has the service's state file to read."""
    if console.state is None:
        return
    console.nav.append((PATH, N_("Record of operations"), frozenset({"manager", "supervisor"})))
    console.add(Audit(console, AuditReader(console.state)).routes())
