"""The rules of a case (办件): what stage may follow which, at which tier, and when it is due.

A case is handed in for one service item at a tier (a village agent point, a township centre, the
district centre) and carried to the tier that decides it (三级代理). Every step is kept: the stage it
moves to (or a hand-over between tiers), the time, the tier, the account and a note. Everything a case
is now (its stage, which tier holds its papers, its due date) follows from its steps, so the rules are
pure functions: `open_case` makes a case, `advance` and `hand_over` return the next one or raise
`CaseRefused` saying why not.

Due dates count working days (`content.cases.calendar`) from the day the case is handed in: the item's
promised limit (承诺时限), or its proxy limit (代办时限) when an agent carries it up from a lower tier.
The clock stops while the case waits for documents (补正) or is in a special procedure (特别程序).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final, Literal, Protocol, cast

from content.shared.catalog import N_, domain
from content.shared.graphemes import graphemes

_ = domain("service").gettext


def _comma() -> str:
    """Between the names of a list in a sentence: 、 in Chinese."""
    return _(", ")


def _semicolon() -> str:
    """Between the names of documents, which may hold commas: ； in Chinese."""
    return _("; ")


class Words(Mapping[str, str]):
    """Names by code, marked for the catalog where they are defined and translated each time they are
    read, so a table made at import speaks the language of the moment it is read in."""

    def __init__(self, ids: Mapping[str, str]) -> None:
        self._ids = dict(ids)

    def __getitem__(self, key: str) -> str:
        message = self._ids[key]
        return _(message) if message else ""  # gettext("") is the catalog's header

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


Tier = Literal["village", "township", "district"]
Stage = Literal[
    "received", "prereview", "accepted", "refused", "reviewing", "supplement", "special", "decided", "ready",
    "collected",
]  # fmt: skip
HandOver = Literal["sent", "returned"]
StepKind = Stage | HandOver

TIERS: Final[tuple[Tier, ...]] = ("village", "township", "district")
RANK: Final[dict[str, int]] = {tier: n for n, tier in enumerate(TIERS)}
STAGES: Final[tuple[Stage, ...]] = (
    "received", "prereview", "accepted", "refused", "reviewing", "supplement", "special", "decided", "ready",
    "collected",
)  # fmt: skip
STAGE_NAMES: Final[Mapping[str, str]] = Words(
    {
        "received": N_("Received"),
        "prereview": N_("Online pre-review"),
        "accepted": N_("Accepted"),
        "refused": N_("Not accepted"),
        "reviewing": N_("Under review"),
        "supplement": N_("Correction"),
        "special": N_("Special procedure"),
        "decided": N_("Decided"),
        "ready": N_("Ready for collection"),
        "collected": N_("Collected"),
        "sent": N_("Sent up"),
        "returned": N_("Result sent back"),
    }
)
"""Each stage's name (已收件, 审批中, …), in the hall's language when it is read."""
TIER_SHORT: Final[Mapping[str, str]] = Words(
    {
        "village": N_("Village (community)"),
        "township": N_("Township (subdistrict)"),
        "district": N_("District"),
    }
)
"""A tier in a sentence: 村(社区), 乡镇(街道), 区."""

PAUSED: Final = frozenset({"supplement", "special"})
"""Stages whose days do not count toward the limit."""
FINISHED: Final = frozenset({"refused", "decided", "ready", "collected"})
"""Stages after the decision: the limit is met or missed by then."""
DECIDING: Final = frozenset({"prereview", "accepted", "refused", "reviewing", "special", "decided"})
"""Stages only the tier that decides the item records."""

FOLLOWS: Final[dict[str, frozenset[str]]] = {
    "received": frozenset({"prereview", "accepted", "refused", "supplement"}),
    "prereview": frozenset({"accepted", "refused", "supplement"}),
    "accepted": frozenset({"reviewing", "decided", "supplement", "special"}),
    "reviewing": frozenset({"decided", "supplement", "special"}),
    "special": frozenset({"reviewing", "decided"}),
    "supplement": frozenset(),  # back to the stage it interrupted: see `allowed_next`
    "decided": frozenset({"ready"}),
    "refused": frozenset({"ready"}),
    "ready": frozenset({"collected"}),
    "collected": frozenset(),
}
"""What may follow each stage."""

MAX_NOTE: Final = 500
MAX_BASIS: Final = 500
MAX_STEPS: Final = 200
"""Steps a case may have: a case that went back and forth this often is a mistake or an attack."""
MAX_PER_DAY: Final = 9999
NUMBER: Final = re.compile(r"^([A-Z]{1,4})-([0-9]{6})-([0-9]{4})$")
"""WC-261203-0007: the centre's letters, the day handed in (YYMMDD), the day's sequence."""


class CaseRefused(Exception):
    """A step the rules do not allow; the message says why and what may be done instead, in English for a
    programmer: `code` and `values` say which rule it is and what about, and the service words the refusal
    people read from them (`content.shared.refusals`), in the hall's language."""

    def __init__(self, message: str, code: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


class Calendar(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...


@dataclass(frozen=True)
class Step:
    kind: StepKind
    at: datetime
    tier: Tier
    """Where it happened: for a hand-over, the tier the papers went to."""
    by: str
    """The account that recorded it (from the command's topic)."""
    note: str = ""
    basis: str = ""
    """不予受理: the legal basis of the refusal."""
    received: tuple[str, ...] = ()
    """Documents handed in with this step (補交 after 补正)."""


@dataclass(frozen=True)
class Case:
    number: str
    item: str
    """The item's id."""
    item_name: str
    """The item's name when the case was handed in: an item may be renamed later."""
    opened_tier: Tier
    deciding_tier: Tier
    limit_days: int
    """Working days from the day handed in: the promised limit, or the proxy limit when carried up."""
    required: tuple[str, ...]
    """The item's required documents when the case was handed in."""
    received: tuple[str, ...]
    """Of those, what has been handed in."""
    steps: tuple[Step, ...]
    agent: str | None = None
    """The proxy agent's id, when an agent carries it."""
    window: str | None = None
    """The window that received it, at a centre."""
    applicant: str | None = None
    """Personal data, removed some days after collection (`purge`): the masked forms stay."""
    phone: str | None = None
    masked_name: str = ""
    masked_phone: str = ""
    phone_tail: str = ""
    """The phone's last four digits, which the second level of the tracking page asks for."""
    notify: bool = False
    """The applicant agreed that the number may be shown on the wall when it is ready."""

    # -- what follows from the steps ---------------------------------------------------------

    @property
    def opened(self) -> datetime:
        return self.steps[0].at

    @property
    def stage(self) -> Stage:
        for step in reversed(self.steps):
            if step.kind not in ("sent", "returned"):
                return step.kind  # type: ignore[return-value]
        raise AssertionError("a case starts with a stage")  # catalog: internal

    @property
    def holder(self) -> Tier:
        """The tier that holds the papers now."""
        holder = self.opened_tier
        for step in self.steps:
            if step.kind in ("sent", "returned"):
                holder = step.tier
        return holder

    @property
    def missing(self) -> tuple[str, ...]:
        """The required documents not yet handed in: the 一次性告知 list."""
        have = set(self.received)
        return tuple(d for d in self.required if d not in have)

    @property
    def decided_at(self) -> datetime | None:
        return next((s.at for s in self.steps if s.kind in ("decided", "refused")), None)

    @property
    def collected_at(self) -> datetime | None:
        return next((s.at for s in self.steps if s.kind == "collected"), None)

    @property
    def paused(self) -> bool:
        return self.stage in PAUSED


def deciding_tier(tiers: Iterable[str]) -> Tier:
    """The tier that decides an item: the highest of the tiers that handle it."""
    found = max(tiers, key=lambda t: RANK[t])
    return cast(Tier, found)


def limit_for(opened_tier: str, deciding: str, promised: int, proxy: int | None) -> int:
    """The limit in working days: the proxy limit (代办时限) when a lower tier carries it up."""
    if RANK[opened_tier] < RANK[deciding] and proxy is not None:
        return proxy
    return promised


# -- due dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    due: date | None
    """None while the clock is stopped (补正, 特别程序)."""
    remaining: int | None
    """While stopped: the working days left when it stopped."""
    paused_days: int
    """Working days spent in 补正 and 特别程序 so far."""


def clock(case: Case, calendar: Calendar, today: date | None = None) -> Clock:
    """When `case` is due. Days in 补正 or 特别程序 are added to the limit: a pause that starts and ends
    on the same day costs nothing, one across a weekend or a holiday costs only its working days."""
    start = case.opened.date()
    paused_days = 0
    paused_since: date | None = None
    for step in case.steps:
        if step.kind in ("sent", "returned"):
            continue
        if step.kind in PAUSED:
            if paused_since is None:
                paused_since = step.at.date()
        elif paused_since is not None:
            paused_days += calendar.working_days_between(paused_since, step.at.date())
            paused_since = None
    if paused_since is not None:
        used = calendar.working_days_between(start, paused_since) - paused_days
        return Clock(None, max(0, case.limit_days - used), paused_days)
    return Clock(calendar.add_working_days(start, case.limit_days + paused_days), None, paused_days)


Flag = Literal["overdue", "due_soon", "paused", "on_time", "late", ""]


def flag(case: Case, calendar: Calendar, today: date, soon_days: int) -> Flag:
    """How the case stands against its limit today: decided on time or late; otherwise overdue, due
    within `soon_days` working days, or stopped."""
    times = clock(case, calendar, today)
    decided = case.decided_at
    if decided is not None:
        if case.stage == "refused" or any(s.kind == "refused" for s in case.steps):
            return ""
        return "on_time" if times.due is not None and decided.date() <= times.due else "late"
    if times.due is None:
        return "paused"
    if today > times.due:
        return "overdue"
    if calendar.working_days_between(today, times.due) <= soon_days:
        return "due_soon"
    return ""


# -- steps ----------------------------------------------------------------------------------------


def _text(value: str | None, limit: int, what: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise CaseRefused(
            f"{what} is {len(text)} characters; at most {limit}",  # catalog: internal
            "text_too_long",
            length=len(text),
            limit=limit,
        )
    return text


def _documents(names: Sequence[str], required: Sequence[str]) -> tuple[str, ...]:
    known = list(required)
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = "; ".join(known)
        raise CaseRefused(
            f"not a required document of this item: {unknown[0]!r} (its documents: {listed})",  # catalog: internal
            "not_required_document",
            document=unknown[0],
            required=_semicolon().join(known),
        )
    return tuple(dict.fromkeys(names))


def open_case(
    *,
    number: str,
    item_id: str,
    item_name: str,
    item_tiers: Sequence[str],
    promised: int,
    proxy: int | None,
    required: Sequence[str],
    at: Tier,
    by: str,
    now: datetime,
    received: Sequence[str] = (),
    agent: str | None = None,
    window: str | None = None,
    applicant: str | None = None,
    phone: str | None = None,
    notify: bool = False,
    note: str = "",
) -> Case:
    """A case handed in at tier `at`: its first step is 已收件 there."""
    if at not in item_tiers:
        handled = _comma().join(TIER_SHORT[t] for t in TIERS if t in item_tiers)
        raise CaseRefused(
            f"{item_name} is not handled at the {at} tier; it is handled at: "  # catalog: internal
            f"{handled} ({', '.join(item_tiers)})",
            "item_not_at_tier",
            item=item_name,
            tier=TIER_SHORT.get(at, at),
            tiers=handled,
        )
    deciding = deciding_tier(item_tiers)
    name = _text(applicant, 40, "the applicant's name") or None
    tail = ""
    if phone is not None:
        digits = re.sub(r"[\s-]", "", phone)
        if not re.fullmatch(r"[0-9]{7,15}", digits):
            raise CaseRefused(
                f"phone {phone!r} should be 7 to 15 digits (spaces and '-' allowed)",  # catalog: internal
                "bad_phone",
                phone=phone,
            )
        phone, tail = digits, digits[-4:]
    if notify and name is None:
        raise CaseRefused(
            "showing the number on the wall needs the applicant's consent: give the applicant too",  # catalog: internal
            "notify_needs_applicant",
        )
    docs = _documents(received, required)
    step = Step("received", now, at, by, _text(note, MAX_NOTE, "the note"), received=docs)
    return Case(
        number=number,
        item=item_id,
        item_name=item_name,
        opened_tier=at,
        deciding_tier=deciding,
        limit_days=limit_for(at, deciding, promised, proxy),
        required=tuple(dict.fromkeys(required)),
        received=docs,
        steps=(step,),
        agent=agent,
        window=window,
        applicant=name,
        phone=phone,
        masked_name=mask_name(name) if name else "",
        masked_phone=mask_phone(phone) if phone else "",
        phone_tail=tail,
        notify=notify,
    )


def allowed_next(case: Case) -> tuple[str, ...]:
    """The stages that may follow now, in the order of a case's life."""
    stage = case.stage
    if stage in PAUSED:
        # Back to the stage it interrupted, or on to what could have followed that.
        before = _interrupted(case)
        wanted = ({before} | FOLLOWS[before]) - PAUSED
    else:
        wanted = set(FOLLOWS[stage])
    if "prereview" in wanted and RANK[case.holder] >= RANK[case.deciding_tier]:
        wanted.discard("prereview")  # pre-review is the deciding tier's look at papers still below it
    if "accepted" in wanted and not _may_accept(case):
        wanted.discard("accepted")
    return tuple(s for s in STAGES if s in wanted)


def stage_choice(stage: str) -> str:
    """A stage as one of the choices a refusal lists: its name, and the code the command takes."""
    return _("{name} ({code})").format(name=STAGE_NAMES[stage], code=stage)


def hand_over_choice(kind: str) -> str:
    """A hand-over as one of the choices a refusal lists, with the option it needs."""
    return _("{name} ({code} --to a tier)").format(name=STAGE_NAMES[kind], code=kind)


def allowed_hand_overs(case: Case) -> tuple[HandOver, ...]:
    """The hand-overs possible now: up (sent) while undecided and below the deciding tier, down
    (returned) once decided and above the tier that received it."""
    up = case.stage not in FINISHED and RANK[case.holder] < RANK[case.deciding_tier]
    down = case.stage in FINISHED and case.stage != "collected" and RANK[case.holder] > RANK[case.opened_tier]
    moves: list[HandOver] = []
    if up:
        moves.append("sent")
    if down:
        moves.append("returned")
    return tuple(moves)


def _interrupted(case: Case) -> str:
    """The stage a 补正 or 特别程序 interrupted (the case returns to it)."""
    for step in reversed(case.steps):
        if step.kind not in PAUSED and step.kind not in ("sent", "returned"):
            return step.kind
    return "received"


def _may_accept(case: Case) -> bool:
    """Accepted at the deciding tier once the papers are there, or online after its pre-review (网上受理)."""
    if RANK[case.holder] >= RANK[case.deciding_tier]:
        return True
    return any(s.kind == "prereview" for s in case.steps)


def step_tier(case: Case, stage: str) -> Tier:
    """Where a stage happens: the deciding tier decides; documents, results and collection are where
    the papers are."""
    return case.deciding_tier if stage in DECIDING else case.holder


def advance(
    case: Case,
    stage: str,
    *,
    by: str,
    now: datetime,
    note: str = "",
    basis: str = "",
    received: Sequence[str] = (),
) -> Case:
    """`case` moved to `stage`, or CaseRefused saying what may follow instead."""
    if stage not in STAGES:
        raise CaseRefused(
            f"unknown stage {stage!r}; stages: {', '.join(STAGES)}",  # catalog: internal
            "unknown_stage",
            stage=stage,
            stages=_comma().join(stage_choice(s) for s in STAGES),
        )
    if len(case.steps) >= MAX_STEPS:
        raise CaseRefused(
            f"{case.number} has {len(case.steps)} steps, the most a case keeps",  # catalog: internal
            "too_many_steps",
            case=case.number,
        )
    if now < case.steps[-1].at:
        when = now.isoformat(timespec="seconds")
        raise CaseRefused(f"{when} is before the case's last step", "before_last_step", time=when)  # catalog: internal
    allowed = allowed_next(case)
    if stage not in allowed:
        now_is = f"{case.number} is {STAGE_NAMES[case.stage]} ({case.stage})"
        name = STAGE_NAMES[case.stage]
        if not allowed:
            raise CaseRefused(f"{now_is}: nothing follows", "nothing_follows", case=case.number, stage=name)
        hand_overs = allowed_hand_overs(case)
        moves = "".join(f", or {kind} (--to a tier)" for kind in hand_overs)
        choices = _comma().join([*map(stage_choice, allowed), *map(hand_over_choice, hand_overs)])
        said = f"{now_is}; next may be: {', '.join(allowed)}{moves}"
        if stage == "accepted" and RANK[case.holder] < RANK[case.deciding_tier]:
            hint = f"; the papers are still at the {case.holder} tier: send them up or pre-review online first"
            raise CaseRefused(said + hint, "papers_below", case=case.number, tier=TIER_SHORT[case.holder], next=choices)
        raise CaseRefused(said, "not_next", case=case.number, stage=name, next=choices)
    note = _text(note, MAX_NOTE, "the note")
    basis = _text(basis, MAX_BASIS, "the legal basis")
    if stage == "refused" and (not note or not basis):
        raise CaseRefused(
            "refused (not accepted) needs the reason (--note) and the legal basis (--basis)",  # catalog: internal
            "refusal_needs_basis",
        )
    if stage == "supplement" and not note and not case.missing:
        raise CaseRefused(
            "supplement (correction) needs a note saying what is to be corrected "  # catalog: internal
            "or brought (--note)",
            "supplement_needs_note",
        )
    docs = _documents(received, case.required)
    step = Step(stage, now, step_tier(case, stage), by, note, basis, docs)
    return replace(case, steps=(*case.steps, step), received=tuple(dict.fromkeys((*case.received, *docs))))


def hand_over(case: Case, to: str, *, by: str, now: datetime, note: str = "") -> Case:
    """The papers carried to tier `to`: up to the deciding tier before the decision (转报), back down
    toward the tier that received them after it (结果送回, 代为取件)."""
    if to not in TIERS:
        tiers = _comma().join(_("{name} ({code})").format(name=TIER_SHORT[t], code=t) for t in TIERS)
        raise CaseRefused(
            f"unknown tier {to!r}; tiers: {', '.join(TIERS)}",  # catalog: internal
            "unknown_tier",
            tier=to,
            tiers=tiers,
        )
    if len(case.steps) >= MAX_STEPS:
        raise CaseRefused(
            f"{case.number} has {len(case.steps)} steps, the most a case keeps",  # catalog: internal
            "too_many_steps",
            case=case.number,
        )
    holder, stage = case.holder, case.stage
    if to == holder:
        raise CaseRefused(
            f"{case.number} is at the {holder} tier already",  # catalog: internal
            "already_at_tier",
            case=case.number,
            tier=TIER_SHORT[to],
        )
    if RANK[to] > RANK[holder]:
        if stage in FINISHED:
            raise CaseRefused(
                f"{case.number} is {STAGE_NAMES[stage]}: its result goes down, not up",  # catalog: internal
                "decided_goes_down",
                case=case.number,
                stage=STAGE_NAMES[stage],
            )
        if RANK[to] > RANK[case.deciding_tier]:
            raise CaseRefused(
                f"{case.item_name} is decided at the {case.deciding_tier} tier: send it no higher",  # catalog: internal
                "no_higher",
                item=case.item_name,
                tier=TIER_SHORT[case.deciding_tier],
            )
        kind: HandOver = "sent"
    else:
        if stage not in FINISHED:
            raise CaseRefused(
                f"{case.number} is {STAGE_NAMES[stage]}: papers come back down once it is decided",  # catalog: internal
                "not_decided_yet",
                case=case.number,
                stage=STAGE_NAMES[stage],
            )
        if RANK[to] < RANK[case.opened_tier]:
            raise CaseRefused(
                f"{case.number} was handed in at the {case.opened_tier} tier: return it no lower",  # catalog: internal
                "no_lower",
                case=case.number,
                tier=TIER_SHORT[case.opened_tier],
            )
        if stage == "collected":
            raise CaseRefused(f"{case.number} has been collected", "collected", case=case.number)  # catalog: internal
        kind = "returned"
    step = Step(kind, now, to, by, _text(note, MAX_NOTE, "the note"))
    return replace(case, steps=(*case.steps, step))


def purge(case: Case) -> Case:
    """The case without the applicant's name and phone: the masked forms stay."""
    return replace(case, applicant=None, phone=None)


# -- numbers, masks, tokens -----------------------------------------------------------------------


def case_number(prefix: str, day: date, seq: int) -> str:
    if not 1 <= seq <= MAX_PER_DAY:
        raise CaseRefused(
            f"{seq} cases on {day.isoformat()}: a day has numbers for {MAX_PER_DAY}",  # catalog: internal
            "day_full",
            day=day.isoformat(),
            most=MAX_PER_DAY,
        )
    return f"{prefix}-{day:%y%m%d}-{seq:04d}"


def normal_number(text: str, prefix: str) -> str | None:
    """A case number as typed: any case, spaces or '-' anywhere, the centre's letters optional
    (2612030007 at a kiosk's digit keypad). None if it cannot be one."""
    compact = re.sub(r"[\s\-－]", "", text.strip()).upper()  # catalog: data
    if len(compact) > 20:
        return None
    if compact.isdigit():
        compact = prefix + compact
    match = re.fullmatch(r"([A-Z]{1,4})([0-9]{6})([0-9]{4})", compact)
    if match is None:
        return None
    return f"{match[1]}-{match[2]}-{match[3]}"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character, a star for each of the others; a name of one
    character is only a star (its first character would be all of it). Characters as a reader counts
    them (`content.shared.graphemes`): a letter with its combining marks is one, and is kept or starred
    whole."""
    chars = graphemes(name.strip())
    if len(chars) <= 1:
        return "*" * len(chars)
    return chars[0] + "*" * (len(chars) - 1)


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; a short number keeps only its last four digits."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 4) + digits[-4:]


TOKEN_BYTES: Final = 12


def token(secret: bytes, number: str) -> str:
    """The tracking link's key: an HMAC of the case number, so a link cannot be made up from a number."""
    digest = hmac.new(secret, number.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_ok(secret: bytes, number: str, given: str | None) -> bool:
    return given is not None and len(given) <= 64 and hmac.compare_digest(token(secret, number), given)
