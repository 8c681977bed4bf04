"""Queue commands: `ticket` (take a number) and `call` (next, a given ticket, recall, no-show, done,
transfer). Thin: they check the arguments against the content and apply the rules of
`content.queue.rules`, whose refusals they word with the numbers and windows they are about."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from content.centre.loader import Content
from content.centre.schema import Category, PriorityKind
from content.queue import rules as q
from content.service.commands.base import Args, Context, Outcome, Refusal, parse_args
from content.service.live import Live
from content.shared import when
from content.shared.catalog import domain
from content.shared.contract import zone_named
from content.shared.wording import PRIORITY_NAMES

_ = domain("service").gettext

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


def category_of(content: Content, category_id: str) -> Category:
    for category in content.categories:
        if category.id == category_id:
            return category
    known = ", ".join(f"{c.id} ({c.name})" for c in content.categories)
    raise Refusal("no_category", category=category_id, known=known)


def window_name(content: Content, window_id: str) -> str:
    for window in content.centre.windows:
        if window.id == window_id:
            return window.name
    known = ", ".join(f"{w.id} ({w.name})" for w in content.centre.windows)
    raise Refusal("no_window", window=window_id, known=known)


def queue_refused(
    exc: q.QueueError, content: Content, queue: q.QueueState, window_id: str, ticket: str | None = None
) -> Refusal:
    """A refusal of the queue's rules, worded with what it is about: the window's name, the ticket at it
    (or `ticket`, the one the command named). Every code of the rules has its own sentence; `queue_rule`
    is for a rule added later without one."""
    at = q.window_state(queue, window_id)
    name = window_name(content, window_id)
    match exc.code:
        case "window_paused":
            reason = _(" ({reason})").format(reason=at.reason) if at.reason else ""
            return Refusal("window_paused", window=name, reason=reason)
        case "no_ticket" | "ticket_taken" if ticket is not None:
            return Refusal(exc.code, ticket=ticket)
        case "nobody_served":
            return Refusal("nobody_served", window=name)
        case "still_serving" | "same_window":
            return Refusal(exc.code, window=name, ticket=at.serving)
        case "same_category":
            serving = queue.tickets[at.serving] if at.serving else None
            category = category_of(content, serving.category).name if serving else ""
            return Refusal("same_category", ticket=at.serving, category=category)
    return Refusal("queue_rule", detail=str(exc))


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
        "category_name": category_of(content, ticket.category).name,
        "priority": ticket.priority,
        "priority_name": PRIORITY_NAMES.get(ticket.priority or ""),
        "issued": ticket.issued.isoformat(timespec="seconds"),
        "ahead": ahead,
        "estimated_wait_min": q.estimated_wait(queue, content.centre, ticket.category, ahead),
        "url": ticket_url(content, ticket),
        **({"to_window": ticket.for_window, "to_window_name": window_name(content, ticket.for_window)}
           if ticket.for_window else {}),
    }  # fmt: skip


def _in_the_hours(cx: Context) -> None:
    """Numbers only in the hours, or `issue_before_open` minutes before a session: the rule the kiosk
    greys 取号 by (`when.issuing`)."""
    centre = cx.content.centre
    zone = zone_named(centre.timezone)
    now = cx.now.astimezone(zone) if zone is not None else cx.now
    before = centre.queue.issue_before_open
    if not centre.queue.issue_any_time and not when.issuing(centre.sessions(), now, before):
        starts = when.issuing_from(centre.sessions(), now, before)
        raise Refusal("numbers_not_yet", starts=starts) if starts else Refusal("numbers_over")


def take_ticket(cx: Context) -> Outcome:
    parsed = parse_args(TicketArgs, cx.args)
    category = category_of(cx.content, parsed.category)
    settings = cx.content.centre.queue
    _in_the_hours(cx)
    queue = q.roll_day(cx.live.queue, cx.now, settings)
    if q.taken_lately(queue, cx.sender, cx.now) >= settings.tickets_per_minute:
        raise Refusal("rate_limited", account=cx.sender, most=settings.tickets_per_minute)
    try:
        queue = q.issue(queue, category.id, category.prefix, parsed.priority, cx.now, cx.sender)
    except q.QueueError:
        raise Refusal("numbers_exhausted", prefix=category.prefix, most=q.MAX_NUMBER) from None
    ticket = queue.tickets[f"{category.prefix}{queue.counters[category.prefix]:03d}"]
    return Outcome(replace(cx.live, queue=queue), ticket_json(cx.content, queue, ticket))


def _call_json(call: q.Call | None, window: str, name: str) -> dict[str, Any]:
    if call is None:
        message = _("No one is waiting at {window}").format(window=name)
        return {"window": window, "window_name": name, "ticket": None, "message": message}
    return {
        "window": window,
        "window_name": name,
        "ticket": call.ticket,
        "category": call.category,
        "recall": call.recall,
        "seq": call.seq,
        "text": call.text,
    }


def call(cx: Context) -> Outcome:
    content, now = cx.content, cx.now
    parsed = parse_args(CallArgs, cx.args)
    cx.require("call", parsed.window)  # a transfer's target window is not acted on: it calls the ticket later
    name = window_name(content, parsed.window)
    if parsed.action == "ticket" and parsed.ticket is None:
        raise Refusal("ticket_needs_number")
    target = None
    if parsed.action == "transfer":
        if (parsed.category is None) == (parsed.to_window is None):
            raise Refusal("transfer_needs_target")
        if parsed.category is not None:
            target = category_of(content, parsed.category)
        else:
            window_name(content, parsed.to_window or "")
    before = queue = q.roll_day(cx.live.queue, now, content.centre.queue)
    staff = staff_at(content, cx.live, parsed.window)
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
        raise queue_refused(exc, content, before, parsed.window, parsed.ticket) from None
    return Outcome(replace(cx.live, queue=queue), result, (made,) if made else ())
