"""Case commands: opening and advancing cases (办件), and the questions staff and kiosks ask about them.

Changing commands (`case_open`, `case_advance`) return the cases they change, which the loop stores in
the transaction that records the command; questions (`case_show`, `case_list`, `case_trip`,
`case_slip`, and the kiosk's `case`) change nothing and are not recorded. The broker's ACL lets a kiosk
send only `case` (with the applicant's phone digits); the rest need a right (`content.accounts.acting`):
`cases` to open and advance cases and print a slip (window staff open them at their own window), `view` to
read them, and `personal` for the applicant's full name and phone, which anyone else reads masked (张*,
138****5678). Case details go only to the asking account's reply topic.

Wrong phone digits are counted per case in the state file (`content.service.wrong_digits`), with the
tracking page's; and per account, in memory: an account that got the digits of `WRONG_CASES` different
cases wrong in `HELD_S` has its lookups refused for the rest of that time, before any counts against a
case, so one kiosk cannot lock the hall's cases one number after another.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final, Literal

from pydantic import Field, StringConstraints

from content.cases import rules
from content.cases.rules import Calendar, Case, CaseRefused
from content.cases.views import day_text, promise_text, time_text, track
from content.centre import numbers
from content.centre.loader import Content
from content.service import case_store
from content.service.commands.base import Args, Context, Outcome, Refusal, parse_args
from content.service.wrong_digits import LOCK_S, WrongDigits
from content.shared import limits as cap
from content.shared.catalog import N_, domain
from content.shared.wording import TIER_NAMES

_ = domain("service").gettext

Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=rules.MAX_NOTE)]
DocName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
TierArg = Literal["village", "township", "district"]

LIST_LIMIT = 500
"""Cases a list shows at most; it says how many more match."""
READY_SHOWN = cap.PICKUP_SHOWN
"""Numbers the wall's 取件 zone is sent at most."""
LOOKUPS_PER_MINUTE = 20
"""Case lookups one kiosk account may make in a minute."""
WRONG_CASES = 5
"""Different cases one account may get the phone digits of wrong in `HELD_S` before its lookups are held."""
HELD_S = LOCK_S
WATCHED = 10_000
"""Accounts whose lookups are remembered at once (the least recently seen are forgotten first)."""


class OpenArgs(Args):
    item: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    at: TierArg
    agent: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None
    window: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    applicant: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)] | None = None
    received: list[DocName] = Field(default=[], max_length=64)
    notify: bool = False
    note: Note = ""


class AdvanceArgs(Args):
    case: Number
    stage: Literal[
        "received", "prereview", "accepted", "refused", "reviewing", "supplement", "special", "decided", "ready",
        "collected", "sent", "returned",
    ]  # fmt: skip
    to: TierArg | None = None
    note: Note = ""
    basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=rules.MAX_BASIS)] = ""
    received: list[DocName] = Field(default=[], max_length=64)


class ShowArgs(Args):
    case: Number


class ListArgs(Args):
    overdue: bool = False
    due_soon: bool = False
    tier: TierArg | None = None
    agent: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None
    stage: str | None = Field(default=None, max_length=16)
    closed: bool = False
    """Finished cases too."""


class TripArgs(Args):
    pass


class LookupArgs(Args):
    case: Number
    digits: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]


@dataclass
class Desk:
    """What case commands work with: the content, its working-day calendar, the store, the signing secret."""

    content: Content
    calendar: Calendar
    store: Any
    """content.service.store.Store (its `db` and `case`)."""
    secret: bytes
    lookups: Lookups = field(default_factory=lambda: Lookups())
    tries: WrongDigits | None = None
    """The wrong digits per case, in the store's file (made on first use): one count with the tracking page."""

    def wrong_digits(self) -> WrongDigits:
        if self.tries is None:
            self.tries = WrongDigits(self.store.path)
        return self.tries

    @property
    def settings(self) -> Any:
        return self.content.centre.cases

    @property
    def prefix(self) -> str:
        """The letters of this centre's new case numbers (`content.centre.numbers`); numbers stored under
        other letters stay what they are and are found by them."""
        prefix = numbers.case_prefix(self.content.centre)
        assert prefix is not None, "load_content refuses a centre without case-number letters"
        return prefix

    def url(self, number: str) -> str | None:
        base = self.content.centre.public_url
        if base is None:
            return None
        return f"{base.rstrip('/')}/t/{number}?k={rules.token(self.secret, number)}"

    def find(self, text: str) -> Case:
        number = rules.normal_number(text, self.prefix)
        case = self.store.case(number) if number else None
        if case is None and number is None:
            raise Refusal("not_a_case_number", case=text, example=f"{self.prefix}-261203-0007")
        if case is None:
            raise Refusal("no_case", case=text)
        found: Case = case
        return found


class Lookups:
    """Each account's lookups in the last minute, and the cases it got wrong in the last `HELD_S`: bounded,
    in memory (times: the service's clock, in seconds)."""

    def __init__(self, per_minute: int = LOOKUPS_PER_MINUTE, wrong_cases: int = WRONG_CASES) -> None:
        self.per_minute, self.wrong_cases = per_minute, wrong_cases
        self._asked: OrderedDict[str, list[float]] = OrderedDict()
        self._wrong: OrderedDict[str, dict[str, float]] = OrderedDict()
        """Account → the cases it got wrong lately → when it last did."""

    @staticmethod
    def _touch(book: OrderedDict[str, Any], account: str) -> None:
        book.move_to_end(account)
        while len(book) > WATCHED:
            book.popitem(last=False)

    def lookup(self, account: str, now: float) -> bool:
        """Count a lookup of `account`; False past its minute's share."""
        times = [t for t in self._asked.get(account, []) if now - 60 < t <= now]
        self._asked[account] = times
        self._touch(self._asked, account)
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True

    def held(self, account: str, now: float) -> bool:
        """Whether `account` got the digits of too many different cases wrong lately to look up another."""
        wrong = {n: t for n, t in self._wrong.get(account, {}).items() if now - HELD_S < t <= now}
        if wrong:
            self._wrong[account] = wrong
        else:
            self._wrong.pop(account, None)
        return len(wrong) >= self.wrong_cases

    def wrong(self, account: str, number: str, now: float) -> None:
        self._wrong.setdefault(account, {})[number] = now
        self._touch(self._wrong, account)


def _refused(exc: CaseRefused) -> Refusal:
    """A refusal of the case rules, in the hall's words (`content.shared.refusals`)."""
    return Refusal(exc.code, **exc.values)


def _agent(content: Content, given: str) -> str:
    by_id = {a.id: a for a in content.agents}
    if given in by_id:
        return given
    named = [a for a in content.agents if a.name == given]
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        raise Refusal("agent_ambiguous", count=len(named), agent=given, ids=", ".join(a.id for a in named))
    raise Refusal("no_agent", agent=given)


def case_open(cx: Context) -> Outcome:
    desk, by, now = cx.case_desk(), cx.sender, cx.now
    parsed = parse_args(OpenArgs, cx.args)
    cx.require("cases")
    own = cx.who.window
    if parsed.window is not None and own is not None and parsed.window != own:
        raise Refusal("not_own_window", who=cx.who.name, own=own, window=parsed.window)
    content = desk.content
    item = next((i for i in content.items if i.id == parsed.item), None)
    if item is None:
        raise Refusal("no_item", item=parsed.item)
    centre = content.centre
    if rules.RANK[parsed.at] > rules.RANK[centre.tier]:
        raise Refusal("tier_above_centre", centre=TIER_NAMES[centre.tier], at=TIER_NAMES[parsed.at])
    agent = _agent(content, parsed.agent) if parsed.agent else None
    if parsed.window is not None and parsed.window not in {w.id for w in centre.windows}:
        raise Refusal("no_window", window=parsed.window, known=", ".join(w.id for w in centre.windows))
    if parsed.at == "village" and agent is None:
        raise Refusal("village_needs_agent")
    if parsed.at == centre.tier and agent is None and parsed.window is None:
        raise Refusal("who_received")
    day = now.date()
    seq = case_store.last_seq(desk.store.db, desk.prefix, day) + 1
    try:
        number = rules.case_number(desk.prefix, day, seq)
        case = rules.open_case(
            number=number,
            item_id=item.id,
            item_name=item.name,
            item_tiers=item.tiers,
            promised=item.limits.promised,
            proxy=item.limits.proxy,
            required=[d.name for d in item.documents],
            at=parsed.at,
            by=by,
            now=now,
            received=parsed.received,
            agent=agent,
            window=parsed.window,
            applicant=parsed.applicant,
            phone=parsed.phone,
            notify=parsed.notify,
            note=parsed.note,
        )
    except CaseRefused as exc:
        raise _refused(exc) from None
    return Outcome(
        cx.live, staff_view(desk, case, now, personal=cx.may("personal", case.window)), cases=((case, None),)
    )


def case_advance(cx: Context) -> Outcome:
    desk, by, now = cx.case_desk(), cx.sender, cx.now
    parsed = parse_args(AdvanceArgs, cx.args)
    cx.require("cases")
    before = desk.find(parsed.case)
    if parsed.stage in ("sent", "returned"):
        if parsed.to is None:
            raise Refusal("hand_over_needs_tier")
        going_up = rules.RANK[parsed.to] > rules.RANK[before.holder]
        if going_up != (parsed.stage == "sent"):
            code = "sent_goes_up" if parsed.stage == "sent" else "returned_goes_down"
            raise Refusal(code, case=before.number, tier=TIER_NAMES.get(before.holder, before.holder))
    elif parsed.to is not None:
        raise Refusal("to_only_hand_over")
    try:
        if parsed.stage in ("sent", "returned"):
            assert parsed.to is not None
            after = rules.hand_over(before, parsed.to, by=by, now=now, note=parsed.note)
        else:
            after = rules.advance(
                before,
                parsed.stage,
                by=by,
                now=now,
                note=parsed.note,
                basis=parsed.basis,
                received=parsed.received,
            )
    except CaseRefused as exc:
        raise _refused(exc) from None
    view = staff_view(desk, after, now, personal=cx.may("personal", after.window))
    return Outcome(cx.live, view, cases=((after, before),))


# -- questions ------------------------------------------------------------------------------------


def staff_view(desk: Desk, case: Case, now: datetime, *, personal: bool) -> dict[str, Any]:
    """A case as staff see it: everything, and the applicant's name and phone unmasked (until purged) for
    `personal` (one who may read them), masked for anyone else."""
    view = track(case, desk.content, desk.calendar, now, details=True, soon_days=desk.settings.due_soon_days)
    for entry, step in zip(view["timeline"], case.steps, strict=True):
        entry["by"] = step.by
        entry["received"] = list(step.received)
    view.update(
        applicant=(case.applicant if personal else None) or case.masked_name,
        phone=(case.phone if personal else None) or case.masked_phone,
        agent=case.agent,
        window=case.window,
        notify=case.notify,
        next=[*rules.allowed_next(case), *rules.allowed_hand_overs(case)],
        url=desk.url(case.number),
    )
    return view


def case_show(cx: Context) -> Outcome:
    desk = cx.case_desk()
    wanted = parse_args(ShowArgs, cx.args).case
    cx.require("view")
    case = desk.find(wanted)
    return cx.answer(staff_view(desk, case, cx.now, personal=cx.may("personal", case.window)))


def case_list(cx: Context) -> Outcome:
    desk = cx.case_desk()
    parsed = parse_args(ListArgs, cx.args)
    cx.require("view")  # the rows name the applicant masked
    if parsed.overdue and parsed.due_soon:
        raise Refusal("overdue_or_due_soon")
    if parsed.stage is not None and parsed.stage not in rules.STAGES:
        raise Refusal("unknown_stage", stage=parsed.stage, stages=", ".join(rules.STAGES))
    today = cx.now.date()
    # A stage asked for by name is listed whatever it is: decided, ready and refused cases are past their
    # limit's clock (not "open"), yet 待取件 is what the window looks for.
    open_only = not parsed.closed and parsed.stage is None
    filters: dict[str, Any] = {"tier": parsed.tier, "stage": parsed.stage, "open_only": open_only}
    if parsed.agent:
        filters["agent"] = _agent(desk.content, parsed.agent)
    if parsed.overdue:
        filters.update(due_before=today, open_only=True)
    elif parsed.due_soon:
        until = desk.calendar.add_working_days(today, desk.settings.due_soon_days)
        filters.update(due_from=today, due_until=until, open_only=True)
    listed, total = case_store.list_cases(desk.store.db, limit=LIST_LIMIT, **filters)
    rows = []
    for row in listed:
        entry = row.json()
        entry["stage_name"] = rules.STAGE_NAMES[row.stage]
        entry["late_days"] = (
            desk.calendar.working_days_between(row.due, today) if row.due is not None and row.due < today else 0
        )
        rows.append(entry)
    return cx.answer({"cases": rows, "total": total, "today": today.isoformat()})


def case_trip(cx: Context) -> Outcome:
    """The township agent's weekly trip to the district: papers to take up, results to bring back."""
    desk = cx.case_desk()
    parse_args(TripArgs, cx.args)
    cx.require("view")
    up, back = case_store.trip(desk.store.db, LIST_LIMIT)
    return cx.answer({
        "date": cx.now.date().isoformat(),
        "centre": desk.content.centre.name,
        "up": [r.json() | {"stage_name": rules.STAGE_NAMES[r.stage]} for r in up],
        "back": [r.json() | {"stage_name": rules.STAGE_NAMES[r.stage]} for r in back],
    })  # fmt: skip


SLIP_FORMS: Final = {"original": N_("original"), "copy": N_("copy"), "original_and_copy": N_("original and copy")}
"""The form of a received document, as the slip names it."""


def case_slip(cx: Context) -> Outcome:
    """What the acceptance slip (受理回执) prints; the CLI lays it out."""
    desk, now = cx.case_desk(), cx.now
    wanted = parse_args(ShowArgs, cx.args).case
    cx.require("cases")
    case = desk.find(wanted)
    url = desk.url(case.number)
    if url is None:
        raise Refusal("slip_needs_address")
    content = desk.content
    item = next((i for i in content.items if i.id == case.item), None)
    forms = {d.name: d for d in item.documents} if item is not None else {}

    def doc(name: str) -> str:
        d = forms.get(name)
        if d is None:
            return name
        form = _(SLIP_FORMS[d.form])
        if d.copies:
            return _("{document} {form} × {copies}").format(document=name, form=form, copies=d.copies)
        return _("{document} {form}").format(document=name, form=form)

    agent = next((a for a in content.agents if a.id == case.agent), None)
    window = next((w for w in content.centre.windows if w.id == case.window), None)
    where = TIER_NAMES.get(case.opened_tier, case.opened_tier)
    if agent is not None:
        where = f"{where} · {agent.area} {agent.name}"
    elif window is not None:
        where = f"{content.centre.name} {window.name}"
    view = track(case, content, desk.calendar, now, details=True)
    return cx.answer({
        "centre": content.centre.name,
        "number": case.number,
        "item": case.item_name,
        "opened": time_text(case.opened),
        "received_at": where,
        "applicant": case.masked_name,
        "promised": promise_text(case, desk.calendar, now.date()),
        "received_docs": [doc(n) for n in case.received],
        "missing_docs": [doc(n) for n in case.missing],
        "phones": [[c["label"], c["phone"]] for c in view["contacts"]],
        "url": url,
        "notes": [
            _("Scan the code to follow the case; the details need the last four digits of the applicant's mobile."),
            _("Please keep this slip: it is needed to collect the result."),
            _("Printed {day}").format(day=day_text(now.date())),
        ],
    })  # fmt: skip


def case_lookup(cx: Context) -> Outcome:
    """The kiosk's 查询办件: the case number and the last four digits of the applicant's phone. A case
    that does not exist and wrong digits get the same answer, and the same count, so numbers cannot be
    tried one by one. An account that got too many cases wrong lately is refused before its try counts."""
    desk, now, sender = cx.case_desk(), cx.now.timestamp(), cx.sender
    parsed = parse_args(LookupArgs, cx.args)
    lookups = desk.lookups
    if not lookups.lookup(sender, now):
        raise Refusal("rate_limited", account=sender, most=lookups.per_minute)
    if lookups.held(sender, now):
        raise Refusal("lookups_held", account=sender, minutes=HELD_S // 60, cases=lookups.wrong_cases)
    number = rules.normal_number(parsed.case, desk.prefix)
    if number is None:
        raise Refusal("not_found")  # not a number of this centre: nothing to count it against
    tries = desk.wrong_digits()
    if tries.locked_for(number, now):
        raise Refusal("locked")
    case = desk.store.case(number)
    right = case is not None and bool(case.phone_tail) and hmac.compare_digest(case.phone_tail, parsed.digits)
    if not tries.attempt(number, right, now).opened:
        if right:
            raise Refusal("locked")  # by another's try, since the look above
        lookups.wrong(sender, number, now)
        raise Refusal("not_found")
    assert case is not None
    view = track(case, desk.content, desk.calendar, cx.now, details=True, soon_days=desk.settings.due_soon_days)
    view["url"] = desk.url(case.number)
    return cx.answer(view)


def for_audit(args: dict[str, Any], reply: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case command and its reply as the audit log keeps them: the applicant's name and phone masked,
    since the log outlives the days personal data may be kept (`purge_before`)."""

    def masked(values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        if isinstance(out.get("applicant"), str):
            out["applicant"] = rules.mask_name(out["applicant"])
        if isinstance(out.get("phone"), str):
            out["phone"] = rules.mask_phone(out["phone"])
        return out

    kept = dict(reply)
    if isinstance(kept.get("result"), dict):
        kept["result"] = masked(kept["result"])
    return masked(args), kept


def purge_before(desk: Desk, now: datetime) -> datetime:
    """Cases collected before this lose the applicant's name and phone."""
    return now - timedelta(days=desk.settings.keep_personal_days)


def ready_numbers(desk: Desk) -> tuple[str, ...]:
    """The wall's 取件 list: cases ready at this hall's own tier, not those waiting at an agent point below."""
    return case_store.ready_to_collect(desk.store.db, READY_SHOWN, desk.content.centre.tier)


def on_time(desk: Desk, since: date) -> list[dict[str, Any]]:
    return case_store.on_time_rows(desk.store.db, since)
