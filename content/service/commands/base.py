"""What every command handler shares: the context it gets, the outcome it returns, the refusal it raises
and the reading of its arguments. Handlers are pure: they never touch MQTT or SQLite (a case handler
reads the store through its desk); the loop (`content.service.loop`) stores and publishes.

Each handler asks the context whether the one the command acts for may do it (`Context.require`, by the
table of `content.accounts.acting`) once it knows what the command is about (the window, the staff
member, the announcement, the case): the service decides, whichever client sent it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from content.accounts.acting import OPEN, Acting, may_act
from content.accounts.users import Action
from content.centre.loader import Content
from content.queue.rules import Call
from content.service.live import Live
from content.shared.refusals import sentence
from content.shared.wording import PERMISSION_NAMES

if TYPE_CHECKING:
    from content.cases.rules import Case
    from content.service.commands.cases import Desk

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

_KINDS = {
    "string_type": "文本",
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "bool_type": "true 或 false",
    "bool_parsing": "true 或 false",
    "list_type": "列表",
    "dict_type": "JSON 对象",
    "model_type": "JSON 对象",
    "datetime_type": "ISO 8601 时间",
    "datetime_parsing": "ISO 8601 时间",
    "datetime_from_date_parsing": "ISO 8601 时间",
    "date_type": "日期（YYYY-MM-DD）",
    "date_parsing": "日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期（YYYY-MM-DD）",
}


def parse_args(model: type[A], args: dict[str, Any]) -> A:
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        errors = exc.errors()
        said = "；".join(problem(err) for err in errors[:SHOWN_PROBLEMS])
        more = len(errors) - SHOWN_PROBLEMS
        raise Refusal("bad_args", problems=f"{said}；另有 {more} 处" if more > 0 else said) from None


def problem(error: Any) -> str:
    """One pydantic error of a command's arguments, in the words of its refusal."""
    kind, ctx, got = error["type"], error.get("ctx") or {}, error.get("input")
    names = [part for part in error["loc"] if isinstance(part, str)]
    name = f"'{names[-1][:60]}'" if names else "参数"
    if kind == "missing":
        return f"缺少 {name}"
    if kind == "extra_forbidden":
        return f"不认识的参数 {name}"
    if kind in _KINDS:
        return f"{name} 应为{_KINDS[kind]}，收到 {shown(got)}"
    if kind == "string_too_short":
        return f"{name} 不能为空"
    if kind == "string_too_long":
        return f"{name} 有 {len(got)} 个字符，多于上限 {ctx.get('max_length')}"
    if kind == "too_short":
        return f"{name} 至少要有 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"{name} 有 {ctx.get('actual_length', '')} 项，多于上限 {ctx.get('max_length')}"
    if kind == "literal_error":
        return f"{name} 应为 {ctx.get('expected')} 之一，收到 {shown(got)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        words = {"greater_than": "大于", "greater_than_equal": "不小于", "less_than": "小于"}
        return f"{name} 应{words.get(kind, '不大于')} {bound}，收到 {shown(got)}"
    if kind == "string_pattern_mismatch":
        return f"{name} 的格式不对，收到 {shown(got)}"
    return f"{name} 的值不对，收到 {shown(got)}"


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)`, shortened to `limit` characters: a refusal names what is wrong without repeating a
    hostile payload back at its reader."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
