"""What every command handler shares: the context it gets, the outcome it returns, the refusal it raises
and the reading of its arguments. Handlers are pure: they never touch MQTT or SQLite (a case handler
reads the store through its desk); the loop (`content.service.loop`) stores and publishes.

Each handler asks the context whether the one the command acts for may do it (`Context.require`, by the
table of `content.accounts.acting`) once it knows what the command is about (the window, the staff
member, the announcement, the case): the service decides, whichever client sent it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from content.accounts.acting import OPEN, Acting, may_act
from content.accounts.users import Action
from content.centre.loader import Content
from content.queue.rules import Call
from content.service.live import Live
from content.shared.catalog import N_, domain
from content.shared.graphemes import cut, length
from content.shared.refusals import sentence
from content.shared.wording import PERMISSION_NAMES, listing

if TYPE_CHECKING:
    from content.cases.rules import Case
    from content.service.commands.cases import Desk

_ = domain("service").gettext

Kind = Literal["live", "cases", "asks"]
"""What a command does: changes the live state (queue, windows, staff, announcements), stored with the
command; changes cases, stored with the command, the applicant masked in the audit log; or only asks,
answered and not recorded."""


class Refusal(Exception):
    """The command is refused: `code` (`content.shared.refusals`) and the values its sentence names. The
    reply carries the code and the sentence; str() is the sentence."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(sentence(code, **values))
        self.code = code


@dataclass(frozen=True)
class Context:
    """One command as its handler sees it."""

    live: Live
    """The live state as of `now` (announcements that are over pruned, the queue's day turned)."""
    content: Content
    args: dict[str, Any]
    sender: str
    """The account in the command's topic: the broker lets an account publish only under its own name."""
    now: datetime
    desk: Desk | None = None
    """The cases, for case commands and statistics; None where a test calls a live-state handler alone."""
    console: bool = False
    """The sender is the staff console's account (`ContentService(console_accounts=...)`)."""
    person: str | None = None
    """The console login acting through that account, believed from the console's account only."""
    who: Acting = OPEN
    """Whom the command acts for, and so what it may do: the loop finds the account in the roster, or the
    console's person in the users file. OPEN (everything) is for a broker without accounts, and for a test
    that calls a handler alone."""

    def may(self, action: Action, window: str | None = None) -> bool:
        """Whether the one the command acts for may do `action` (on `window`)."""
        return may_act(self.who, action, window)

    def require(self, action: Action, window: str | None = None, *, staff: str | None = None) -> None:
        """Refuse the command unless the one it acts for may do `action` (on `window`; a status, of staff
        member `staff`), saying why: not in the roster, another window, or not a right of theirs."""
        who = self.who
        if may_act(who, action, window, staff=staff):
            return
        if who.desk == "unknown":
            raise Refusal("not_in_roster", account=who.account)
        if who.window is not None and window is not None and window != who.window:
            raise Refusal("not_own_window", who=who.name, own=who.window, window=window)
        raise Refusal("not_permitted", who=who.name, what=PERMISSION_NAMES[action])

    def case_desk(self) -> Desk:
        """The desk, for a handler that needs it: the service always gives one."""
        assert self.desk is not None, "case commands run with the service's desk"
        return self.desk

    def answer(self, result: dict[str, Any]) -> Outcome:
        """An outcome that changes nothing."""
        return Outcome(self.live, result)


@dataclass(frozen=True)
class Outcome:
    live: Live
    """The next live state (the same one for a command that does not change it)."""
    result: dict[str, Any]
    calls: tuple[Call, ...] = ()
    """Call events to publish once the outcome is stored."""
    cases: tuple[tuple[Case, Case | None], ...] = ()
    """Each case changed, with what it was before (None: new)."""


Handler = Callable[[Context], Outcome]


Budget = Literal["ticket", "call", "window", "staff", "announce", "case", "ask"]
"""Which of an account's budgets a minute (`rates` in centre.yaml, `content.service.rates`) a command
spends; every command also spends the budget of all commands."""


@dataclass(frozen=True)
class Command:
    kind: Kind
    handler: Handler
    budget: Budget


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


A = TypeVar("A", bound=Args)

SHOWN_PROBLEMS = 3
"""A refusal names this many problems of the arguments, then counts the rest: a reply stays short
however many wrong values a command carries."""

_KINDS: Final = {
    "string_type": N_("text"),
    "int_type": N_("a whole number"),
    "int_parsing": N_("a whole number"),
    "int_from_float": N_("a whole number"),
    "bool_type": N_("yes or no (true or false)"),
    "bool_parsing": N_("yes or no (true or false)"),
    "list_type": N_("a list"),
    "dict_type": N_("a JSON object"),
    "model_type": N_("a JSON object"),
    "datetime_type": N_("an ISO 8601 time"),
    "datetime_parsing": N_("an ISO 8601 time"),
    "datetime_from_date_parsing": N_("an ISO 8601 time"),
    "date_type": N_("a date (YYYY-MM-DD)"),
    "date_parsing": N_("a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("a date (YYYY-MM-DD)"),
}
ARGUMENT_NAMES: Final = {
    "action": N_("The action"),
    "agent": N_("The agent"),
    "applicant": N_("The applicant"),
    "at": N_("The tier where the case is received"),
    "basis": N_("The legal basis"),
    "case": N_("The case number"),
    "category": N_("The category"),
    "clear": N_("The announcement to take down"),
    "closed": N_("Whether to include finished cases"),
    "date": N_("The date"),
    "decision": N_("The decision"),
    "digits": N_("The last four digits of the mobile number"),
    "due_soon": N_("Whether to list cases due soon"),
    "duration_s": N_("How long it shows (seconds)"),
    "id": N_("The announcement's id"),
    "item": N_("The item"),
    "note": N_("The note"),
    "notify": N_("Whether to show the number on the wall"),
    "overdue": N_("Whether to list overdue cases"),
    "phone": N_("The mobile number"),
    "priority": N_("The priority"),
    "reason": N_("The reason"),
    "received": N_("The documents received"),
    "review": N_("The review"),
    "stage": N_("The stage"),
    "staff": N_("The staff member"),
    "start": N_("The start time"),
    "state": N_("The window's state"),
    "status": N_("The status"),
    "substitute": N_("The substitute"),
    "targets": N_("Where it shows"),
    "text": N_("The text"),
    "ticket": N_("The number"),
    "tier": N_("The tier"),
    "to": N_("The tier it goes to"),
    "to_window": N_("The window it goes to"),
    "window": N_("The window"),
}
"""Each argument of a command, as a problem with it names it (票号): the words a clerk knows it by."""
PATTERN_HINTS: Final = {
    "ticket": N_("one or two capital letters and three digits, e.g. A012"),
    "digits": N_("four digits"),
}
"""What a patterned argument should look like, as its problem says it."""


def parse_args(model: type[A], args: dict[str, Any]) -> A:
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        errors = exc.errors()
        said = _("; ").join(problem(err) for err in errors[:SHOWN_PROBLEMS])
        more = len(errors) - SHOWN_PROBLEMS
        if more > 0:
            said = _("{problems}; {more} more").format(problems=said, more=more)
        raise Refusal("bad_args", problems=said) from None


def argument_name(key: str) -> str:
    """An argument as a problem names it: 票号 for `ticket`; one it does not know by its key."""
    known = ARGUMENT_NAMES.get(key)
    return _(known) if known else _("The argument “{key}”").format(key=cut(key, 60))


def problem(error: Any) -> str:
    """One pydantic error of a command's arguments, in the words of its refusal: the argument by its name,
    what was wrong with it and what it should be."""
    kind, ctx, got = error["type"], error.get("ctx") or {}, error.get("input")
    names = [part for part in error["loc"] if isinstance(part, str)]
    field = argument_name(names[-1]) if names else _("An argument")
    if kind == "missing":
        return _("{field} is missing").format(field=field)
    if kind == "extra_forbidden":
        return _("There is no argument “{key}”").format(key=cut(names[-1] if names else "", 60))
    if kind in _KINDS:
        return _("{field} should be {kind}, not {got}").format(field=field, kind=_(_KINDS[kind]), got=shown(got))
    if kind == "string_too_short":
        return _("{field} cannot be empty").format(field=field)
    if kind == "string_too_long":
        return _("{field} has {length} characters, more than the limit of {limit}").format(
            field=field, length=length(got) if isinstance(got, str) else "?", limit=ctx.get("max_length")
        )
    if kind == "too_short":
        return _("{field} needs at least {least} entries").format(field=field, least=ctx.get("min_length"))
    if kind == "too_long":
        return _("{field} has {count} entries, more than the limit of {limit}").format(
            field=field, count=ctx.get("actual_length", ""), limit=ctx.get("max_length")
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return _("{field} should be one of {choices}, not {got}").format(
            field=field, choices=listing(f"“{c}”" for c in choices), got=shown(got)
        )
    if kind in _BOUNDS:
        bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        return _(_BOUNDS[kind]).format(field=field, bound=bound, got=shown(got))
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(names[-1] if names else "")
        if hint:
            return _("{field} “{got}” has the wrong form: it should be {hint}").format(
                field=field, got=cut(str(got), 60), hint=_(hint)
            )
        return _("{field} “{got}” has the wrong form").format(field=field, got=cut(str(got), 60))
    return _("{field} has a wrong value: {got}").format(field=field, got=shown(got))


_BOUNDS: Final = {
    "greater_than": N_("{field} should be greater than {bound}, not {got}"),
    "greater_than_equal": N_("{field} should be at least {bound}, not {got}"),
    "less_than": N_("{field} should be less than {bound}, not {got}"),
    "less_than_equal": N_("{field} should be at most {bound}, not {got}"),
}


def shown(value: Any, limit: int = 60) -> str:
    """A value as a refusal shows it (text in quotes, anything else as Python writes it), shortened to `limit`
    characters (graphemes, never cut inside one): a refusal names what is wrong without repeating a hostile
    payload back at its reader."""
    if isinstance(value, str):
        return f"“{cut(value, limit)}”"
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return cut(repr(value), limit)
