"""What a citizen is shown of a case: pure functions of the case, the content, the calendar and the time.

Two levels. The summary, which the QR link alone opens: the item, the stage and the tier that holds
the case, the due date, whom to call, the applicant masked (张*). The details, which need the last four
digits of the applicant's phone as well: the documents still missing and the notes of every step.
The same view answers the kiosk (`case` command, on the kiosk's own reply topic) and the tracking page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from content.cases.rules import STAGE_NAMES, TIER_SHORT, Calendar, Case, clock, flag
from content.centre.loader import Content
from content.shared.wording import TIER_NAMES


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def time_text(at: datetime) -> str:
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


@dataclass(frozen=True)
class Contact:
    label: str
    phone: str


def contacts(case: Case, content: Content) -> tuple[Contact, ...]:
    """Whom to call about the case: its agent, the window that received it, the hall's hotline."""
    found: list[Contact] = []
    agent = next((a for a in content.agents if a.id == case.agent), None)
    if agent is not None:
        found.append(Contact(f"代办员 {agent.name}（{agent.area}）", agent.phone))
    window = next((w for w in content.centre.windows if w.id == case.window), None)
    if window is not None:
        staff = next((s for s in content.staff if s.window == window.id), None)
        if staff is not None:
            found.append(Contact(f"{window.name} {staff.name}", staff.phone))
    found.append(Contact("咨询电话", content.centre.hotline))
    found.append(Contact("投诉电话", content.centre.complaint_phone))
    return tuple(found)


def promise_text(case: Case, calendar: Calendar, today: date) -> str:
    """承诺办结: the due date and the limit, or that the clock is stopped."""
    times = clock(case, calendar, today)
    if case.limit_days == 0 and times.due is not None:
        return "即办件，当场办结"
    if times.due is None:
        return f"补正或特别程序期间不计时，恢复后还有 {times.remaining} 个工作日"
    return f"{day_text(times.due)}前办结（承诺 {case.limit_days} 个工作日）"


FLAG_TEXT = {
    "overdue": "已超过承诺时限",
    "due_soon": "即将到期",
    "paused": "暂停计时",
    "on_time": "按时办结",
    "late": "超时办结",
    "": "",
}


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
            entry["name"] = f"转报至{TIER_SHORT[step.tier]}"
        elif step.kind == "returned":
            entry["name"] = f"结果送回{TIER_SHORT[step.tier]}"
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
