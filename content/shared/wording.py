"""The words people read, shared by every surface that shows them: the kiosk, the LED displays and the
public pages. Pure functions over plain values; the standard library only, so devices may import it.

Every word comes from the `shared` catalog in the hall's language. The tables (`TIER_NAMES`,
`STATUS_NAMES`…) hold English ids and give each in the hall's language when it is read, so a table
read after a process chose its language (`catalog.use`) speaks that language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from content.shared.catalog import N_, domain
from content.shared.refusals import sentence
from content.shared.when import WEEK, Session

_words = domain("shared")
_ = _words.gettext


class Words(Mapping[str, str]):
    """A table of English ids read in the hall's language: `TIER_NAMES["village"]` is 村(社区)代办点 in a
    Chinese hall. `ids` gives the ids themselves; `translate` is the domain's gettext."""

    def __init__(self, ids: Mapping[str, str], translate: Callable[[str], str] = _) -> None:
        self.ids: Final = dict(ids)
        self._translate = translate

    def __getitem__(self, key: str) -> str:
        return self._translate(self.ids[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"Words({dict(self)!r})"


TIER_NAMES: Final = Words(
    {
        "village": N_("village (community) service point"),
        "township": N_("township (subdistrict) service centre"),
        "district": N_("district government service centre"),
    }
)
AGENT_HEADINGS: Final = Words(
    {
        "village": N_("Village (community) agents"),
        "township": N_("Township (subdistrict) agents"),
        "district": N_("District agents"),
    }
)
"""The proxy agents (代办员) of each tier, under their heading, in this order (三级代理)."""
OTHER_AGENTS: Final = _("Other agents")
"""Agents whose tier is none of those, in the language of the process when it imported this module:
`other_agents()` reads it in the language of the moment."""
STATUS_NAMES: Final = Words(
    {"on_duty": N_("on duty"), "away": N_("away"), "off": N_("off duty"), "leave": N_("on leave")}
)
PRIORITY_NAMES: Final = Words(
    {
        "elderly": N_("elderly"),
        "disabled": N_("disabled"),
        "pregnant": N_("pregnant"),
        "military": N_("military"),
        "appointment": N_("appointment"),
    }
)
DAY_NAMES: Final = Words(
    {
        "mon": N_("Mon"),
        "tue": N_("Tue"),
        "wed": N_("Wed"),
        "thu": N_("Thu"),
        "fri": N_("Fri"),
        "sat": N_("Sat"),
        "sun": N_("Sun"),
    }
)
_WEEK: Final = WEEK
FORMS: Final = Words({"original": N_("original"), "copy": N_("copy"), "original_and_copy": N_("original and copy")})
PERMISSION_NAMES: Final = Words(
    {
        "view": N_("see how the hall is doing"),
        "call": N_("call numbers"),
        "window": N_("pause or open windows"),
        "status": N_("set who is on duty"),
        "announce": N_("put up announcements"),
        "approve": N_("review announcements"),
        "cases": N_("handle cases"),
        "personal": N_("see applicants' names and mobile numbers"),
        "users": N_("manage accounts"),
        "audit": N_("read the record of operations"),
    }
)
"""What each right of `content.accounts.users.may` lets one do, as a refusal names it (没有权限审核公告)."""


def other_agents() -> str:
    """The heading of agents whose tier is none of the three: 其他代办员."""
    return _("Other agents")


_WEEKDAYS: Final = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def weekday(index: int) -> str:
    """The day of the week a clock shows (星期二), Monday being 0 as `date.weekday()` counts."""
    return _(_WEEKDAYS[index])


def listing(parts: Iterable[str]) -> str:
    """Parts of a list in one line: 周一、周三."""
    return _(", ").join(parts)


def format_days(days: tuple[str, ...]) -> str:
    """mon…fri → 周一至周五; mon, wed → 周一、周三; every day → 每天."""
    known = sorted({d for d in days if d in DAY_NAMES}, key=_WEEK.index)
    if len(known) == 7:
        return _("every day")
    runs: list[list[str]] = []
    for day in known:
        if runs and _WEEK.index(day) == _WEEK.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(_("{first} to {last}").format(first=DAY_NAMES[run[0]], last=DAY_NAMES[run[-1]]))
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return listing(parts)


def format_hours(sessions: Iterable[Session]) -> tuple[str, ...]:
    """One line per set of days, its sessions in order: 周一至周五 09:00–12:00、14:00–17:30."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for session in sessions:
        grouped.setdefault(session.days, []).append(f"{session.open}–{session.close}")
    return tuple(
        _("{days} {hours}").format(days=format_days(days), hours=listing(spans))
        for days, spans in grouped.items()
        if format_days(days)
    )


def format_limits(instant: bool, legal: int | None, promised: int | None, proxy: int | None) -> str:
    if instant:
        text = _("Done on the spot")
    elif promised is not None and legal:
        text = _("Promised in {promised} working days (by law {legal} working days)").format(
            promised=promised, legal=legal
        )
    elif promised is not None:
        text = _words.ngettext(
            "Promised in {promised} working day", "Promised in {promised} working days", promised
        ).format(promised=promised)
    elif legal is not None:
        text = _words.ngettext("By law {legal} working day", "By law {legal} working days", legal).format(legal=legal)
    else:
        text = ""
    if proxy is not None:
        by_agent = _words.ngettext(
            "Through an agent {proxy} working day", "Through an agent {proxy} working days", proxy
        ).format(proxy=proxy)
        text = _("{limits}; {by_agent}").format(limits=text, by_agent=by_agent) if text else by_agent
    return text


def format_document(name: str, form: str, copies: int | None, note: str) -> str:
    """居民身份证 — 原件和复印件各1份; 照片 — 原件3份; a note in brackets."""
    kind = FORMS.get(form, "")
    if kind and copies:
        if form == "original_and_copy":
            amount = _words.ngettext("{form}, {copies} of each", "{form}, {copies} of each", copies)
        else:
            amount = _words.ngettext("{form} × {copies}", "{form} × {copies}", copies)
        amount = amount.format(form=kind, copies=copies)
    else:
        amount = kind
    text = f"{name} — {amount}" if amount else name
    return _("{document} ({note})").format(document=text, note=note) if note else text


@dataclass(frozen=True)
class Section:
    """One part of a printed guide (办事指南): a title and its lines."""

    title: str
    lines: tuple[str, ...]
    checklist: bool = False
    """Required documents: each line a box to tick."""
    phone: bool = False
    """The line is a phone number."""


def guide_sections(
    *,
    windows: Iterable[str],
    limits: str,
    fee: str,
    documents: Iterable[str],
    steps: Iterable[str],
    basis: str,
    department: str,
    phone: str,
    tiers: Iterable[str],
    agents: Iterable[str],
) -> tuple[Section, ...]:
    """Every disclosure field of an item, in the order of a printed guide, empty ones left out: the
    kiosk, the guide screen over the comprehensive window and the public page all show this order."""
    sections = (
        Section(_("Where to apply"), _line(listing(windows))),
        Section(_("Time limits"), _line(limits)),
        Section(_("Fees"), _line(fee)),
        Section(_("Documents to bring"), tuple(documents), checklist=True),
        Section(_("Steps"), tuple(f"{n}. {step}" for n, step in enumerate(steps, 1))),
        Section(_("Legal basis"), _line(basis)),
        Section(_("Department in charge"), _line(department)),
        Section(_("Enquiries"), _line(phone), phone=True),
        Section(_("Can also be handled at"), _line(listing(tiers))),
        Section(AGENT_HEADINGS["village"], tuple(agents)),
    )
    return tuple(section for section in sections if section.lines)


def _line(text: str) -> tuple[str, ...]:
    return (text,) if text else ()


def opens_today(at: str) -> str:
    """When the hall opens again today, as a display says it outside the hours: 今天 14:00 开始办理."""
    return _("Open again today from {at}").format(at=at)


def numbers_closed(starts: str | None) -> str:
    """Why no number can be taken now, and when one can: 现在不能取号，今天 08:30 开始取号。 The service's
    refusal of a number says the same (`refusals`)."""
    return sentence("numbers_not_yet", starts=starts) if starts else sentence("numbers_over")


def empty_category_notice(window: str = "", number: int | None = None, hotline: str = "") -> str:
    """What a category without items says instead of an empty list, and where to ask: the comprehensive
    window (its name and number) and the centre's hotline, each left out when unknown.
    本类事项暂未上线。请到 1 号综合窗口咨询，或拨打咨询电话 0816-2731000。"""
    if window and number is not None:
        if hotline:
            return _(
                "No items of this category are online yet. Please ask at {window} (no. {number}), or call {hotline}."
            ).format(window=window, number=number, hotline=hotline)
        return _("No items of this category are online yet. Please ask at {window} (no. {number}).").format(
            window=window, number=number
        )
    if window:
        if hotline:
            return _("No items of this category are online yet. Please ask at {window}, or call {hotline}.").format(
                window=window, hotline=hotline
            )
        return _("No items of this category are online yet. Please ask at {window}.").format(window=window)
    if hotline:
        return _("No items of this category are online yet. Please ask the hall's staff, or call {hotline}.").format(
            hotline=hotline
        )
    return _("No items of this category are online yet. Please ask the hall's staff.")
