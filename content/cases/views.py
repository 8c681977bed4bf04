"""What a citizen is shown of a case: pure functions of the case, the content, the calendar and the time.

Two levels. The summary, which the QR link alone opens: the item, the stage and the tier that holds
the case, the due date, whom to call, the applicant masked (张*). The details, which need the last four
digits of the applicant's phone as well: the documents still missing and the notes of every step.
The same view answers the kiosk (`case` command, on the kiosk's own reply topic) and the tracking page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from content.cases.rules import STAGE_NAMES, TIER_SHORT, Calendar, Case, Words, clock, flag
from content.centre.loader import Content
from content.shared.catalog import N_, domain
from content.shared.wording import TIER_NAMES

_ = domain("service").gettext


def day_text(day: date) -> str:
    """2026年11月28日."""
    return _("{year}-{month:02d}-{day:02d}").format(year=day.year, month=day.month, day=day.day)


def time_text(at: datetime) -> str:
    """2026年11月28日 09:30."""
    return _("{day} {time}").format(day=day_text(at.date()), time=f"{at:%H:%M}")


@dataclass(frozen=True)
class Contact:
    label: str
    phone: str


def contacts(case: Case, content: Content) -> tuple[Contact, ...]:
    """Whom to call about the case: its agent, the window that received it, the hall's hotline."""
    found: list[Contact] = []
    agent = next((a for a in content.agents if a.id == case.agent), None)
    if agent is not None:
        found.append(Contact(_("Agent {name} ({area})").format(name=agent.name, area=agent.area), agent.phone))
    window = next((w for w in content.centre.windows if w.id == case.window), None)
    if window is not None:
        staff = next((s for s in content.staff if s.window == window.id), None)
        if staff is not None:
            found.append(Contact(_("{window} {staff}").format(window=window.name, staff=staff.name), staff.phone))
    found.append(Contact(_("Enquiries"), content.centre.hotline))
    found.append(Contact(_("Complaints"), content.centre.complaint_phone))
    return tuple(found)


def promise_text(case: Case, calendar: Calendar, today: date) -> str:
    """承诺办结: the due date and the limit, or that the clock is stopped."""
    times = clock(case, calendar, today)
    if case.limit_days == 0 and times.due is not None:
        return _("Done on the spot")
    if times.due is None:
        return _(
            "The clock stops during a correction or a special procedure; {days} working days are left when it resumes"
        ).format(days=times.remaining)
    return _("Done by {day} (promised: {days} working days)").format(day=day_text(times.due), days=case.limit_days)


FLAG_TEXT: Final[Mapping[str, str]] = Words(
    {
        "overdue": N_("Past the promised limit"),
        "due_soon": N_("Due soon"),
        "paused": N_("Clock stopped"),
        "on_time": N_("Done on time"),
        "late": N_("Done late"),
        "": "",
    }
)


def track(
    case: Case,
    content: Content,
    calendar: Calendar,
    now: datetime,
    *,
    details: bool,
    soon_days: int = 2,
) -> dict[str, Any]:
    """The case as a citizen sees it, as JSON-ready data; `details` adds the notes and missing documents."""
    today = now.date()
    times = clock(case, calendar, today)
    stage = case.stage
    where = TIER_NAMES.get(case.holder, case.holder)
    timeline = []
    for step in case.steps:
        entry: dict[str, Any] = {
            "at": step.at.isoformat(timespec="seconds"),
            "when": time_text(step.at),
            "kind": step.kind,
            "name": STAGE_NAMES[step.kind],
            "tier": step.tier,
            "tier_name": TIER_SHORT[step.tier],
        }
        if step.kind == "sent":
            entry["name"] = _("Sent up to the {tier} tier").format(tier=TIER_SHORT[step.tier])
        elif step.kind == "returned":
            entry["name"] = _("Result sent back to the {tier} tier").format(tier=TIER_SHORT[step.tier])
        if details:
            entry["note"] = step.note
            if step.basis:
                entry["basis"] = step.basis
        timeline.append(entry)
    state = flag(case, calendar, today, soon_days)
    view: dict[str, Any] = {
        "number": case.number,
        "item": case.item_name,
        "stage": stage,
        "stage_name": STAGE_NAMES[stage],
        "holder": case.holder,
        "holder_name": where,
        "deciding_name": TIER_NAMES.get(case.deciding_tier, case.deciding_tier),
        "opened": time_text(case.opened),
        "due": times.due.isoformat() if times.due else None,
        "due_text": promise_text(case, calendar, today),
        "flag": state,
        "flag_text": FLAG_TEXT[state],
        "applicant": case.masked_name,
        "contacts": [{"label": c.label, "phone": c.phone} for c in contacts(case, content)],
        "timeline": timeline,
        "details": details,
    }
    if details:
        view["missing"] = list(case.missing)
        view["received"] = list(case.received)
        view["phone"] = case.masked_phone
    return view
