"""Queue command handlers: `cmd/ticket`, `cmd/call`, `cmd/window`. Thin: they check the
arguments against the content and apply the rules of `content.queue.rules`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from content.centre.loader import Content
from content.centre.schema import Category, PriorityKind
from content.queue import rules as q
from content.service.commands import Args, CommandError, Outcome, parse_args
from content.service.live import Live
from content.shared.wording import PRIORITY_NAMES

Short = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TicketArgs(Args):
    category: Short
    priority: PriorityKind | None = None


class CallArgs(Args):
    window: Short
    action: Literal["next", "recall", "no_show", "ticket", "transfer", "done"] = "next"
    ticket: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}[0-9]{3}$")] | None = None
    category: Short | None = None
    to_window: Short | None = None
    """transfer: the window that alone calls the ticket next (instead of a category)."""


class WindowArgs(Args):
    window: Short
    state: Literal["open", "pause"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = None


def _category(content: Content, category_id: str) -> Category:
    for category in content.categories:
        if category.id == category_id:
            return category
    known = ", ".join(f"{c.id} ({c.name})" for c in content.categories)
    raise CommandError(f"no category {category_id!r}; categories: {known}")


def _window_name(content: Content, window_id: str) -> str:
    for window in content.centre.windows:
        if window.id == window_id:
            return window.name
    known = ", ".join(f"{w.id} ({w.name})" for w in content.centre.windows)
    raise CommandError(f"no window {window_id!r}; windows: {known}")


def staff_at(content: Content, live: Live, window_id: str) -> str | None:
    """The staff member on duty at a window now, if any."""
    for member in content.staff:
        state = live.staff.get(member.id)
        status = state.status if state else member.status
        if member.window == window_id and status == "on_duty":
            return member.id
    return None


def ticket_url(content: Content, ticket: q.Ticket) -> str | None:
    base = content.centre.public_url
    return f"{base.rstrip('/')}/q/{ticket.day.isoformat()}/{ticket.number}" if base else None


def ticket_json(content: Content, queue: q.QueueState, ticket: q.Ticket) -> dict[str, Any]:
    ahead = q.ahead_of(queue, ticket)
    return {
        "ticket": ticket.number,
        "day": ticket.day.isoformat(),
        "category": ticket.category,
        "category_name": _category(content, ticket.category).name,
        "priority": ticket.priority,
        "priority_name": PRIORITY_NAMES.get(ticket.priority or ""),
        "issued": ticket.issued.isoformat(timespec="seconds"),
        "ahead": ahead,
        "estimated_wait_min": q.estimated_wait(queue, content.centre, ticket.category, ahead),
        "url": ticket_url(content, ticket),
        **({"to_window": ticket.for_window, "to_window_name": _window_name(content, ticket.for_window)}
           if ticket.for_window else {}),
    }  # fmt: skip


def take_ticket(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    parsed = parse_args(TicketArgs, args)
    category = _category(content, parsed.category)
    settings = content.centre.queue
    queue = q.roll_day(live.queue, now, settings)
    if q.taken_lately(queue, by, now) >= settings.tickets_per_minute:
        raise CommandError(
            f"{by} has taken {settings.tickets_per_minute} numbers in the last minute, the most one account may "
            "(queue.tickets_per_minute in centre.yaml); wait a moment",
            code="rate_limited",
        )
    try:
        queue = q.issue(queue, category.id, category.prefix, parsed.priority, now, by)
    except q.QueueError as exc:
        raise CommandError(str(exc), code="numbers_exhausted") from None
    ticket = queue.tickets[f"{category.prefix}{queue.counters[category.prefix]:03d}"]
    return Outcome(replace(live, queue=queue), ticket_json(content, queue, ticket))


def _call_json(call: q.Call | None, window: str, window_name: str) -> dict[str, Any]:
    if call is None:
        return {"window": window, "window_name": window_name, "ticket": None, "message": "no one waiting"}
    return {
        "window": window,
        "window_name": window_name,
        "ticket": call.ticket,
        "category": call.category,
        "recall": call.recall,
        "seq": call.seq,
        "text": call.text,
    }


def call(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    parsed = parse_args(CallArgs, args)
    name = _window_name(content, parsed.window)
    if parsed.action == "ticket" and parsed.ticket is None:
        raise CommandError("action 'ticket' needs 'ticket', e.g. A012")
    target = None
    if parsed.action == "transfer":
        if (parsed.category is None) == (parsed.to_window is None):
            raise CommandError("action 'transfer' needs 'category' or 'to_window' (one of them)")
        if parsed.category is not None:
            target = _category(content, parsed.category)
        else:
            _window_name(content, parsed.to_window or "")
    queue = q.roll_day(live.queue, now, content.centre.queue)
    staff = staff_at(content, live, parsed.window)
    try:
        match parsed.action:
            case "next":
                queue, made = q.call_next(queue, content.centre, parsed.window, staff, now)
                result = _call_json(made, parsed.window, name)
            case "ticket":
                assert parsed.ticket is not None
                queue, made = q.call_ticket(queue, content.centre, parsed.window, parsed.ticket, staff, now)
                result = _call_json(made, parsed.window, name)
            case "recall":
                queue, made = q.recall(queue, content.centre, parsed.window, now)
                result = _call_json(made, parsed.window, name)
            case "no_show":
                queue, number = q.no_show(queue, parsed.window, now)
                made, result = None, {"window": parsed.window, "ticket": number, "status": "no_show"}
            case "done":
                queue, number = q.done(queue, parsed.window, now)
                made, result = None, {"window": parsed.window, "ticket": number, "status": "done"}
            case "transfer":
                queue, number = q.transfer(queue, parsed.window, target.id if target else None, parsed.to_window)
                made = None
                result = {"window": parsed.window, **ticket_json(content, queue, queue.tickets[number])}
    except q.QueueError as exc:
        raise CommandError(str(exc), code=exc.code) from None
    return Outcome(replace(live, queue=queue), result, (made,) if made else ())


def window(live: Live, content: Content, args: dict[str, Any], by: str, now: datetime) -> Outcome:
    parsed = parse_args(WindowArgs, args)
    name = _window_name(content, parsed.window)
    if parsed.state == "open" and parsed.reason:
        raise CommandError("a reason is given only when pausing a window")
    queue = q.roll_day(live.queue, now, content.centre.queue)
    reason = (parsed.reason or "暂停服务") if parsed.state == "pause" else None
    try:
        queue = q.set_window(queue, parsed.window, parsed.state == "open", reason, now)
    except q.QueueError as exc:
        raise CommandError(str(exc), code=exc.code) from None
    return Outcome(
        replace(live, queue=queue),
        {"window": parsed.window, "window_name": name, "open": parsed.state == "open", "reason": reason},
    )
