"""Queue rules: tickets, calls and the order in which citizens are served. Pure functions.

A `QueueState` holds one service day: today's tickets by number, the last number issued per
prefix, each window's state, and the call sequence (which never restarts). Every rule takes a
state and returns the next one; nothing here reads a clock, a file or the network.

Order at a window: among the waiting tickets of the categories the window serves today,
priority tickets (elderly, disabled, pregnant, military, appointment) go first, but while normal
tickets wait, at most `priority_streak` priority tickets are called in a row at that window.
Within each class, tickets go in the order they were issued; a transferred ticket keeps its
number and its original place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

from content.centre.schema import Centre, QueueSettings
from content.shared import when
from content.shared.catalog import domain

_ = domain("service").gettext

TicketStatus = Literal["waiting", "serving", "done", "no_show"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_NUMBER = 999


class QueueError(Exception):
    """A queue command that cannot be applied; the message says why, `code` which rule it was (for a
    screen that says it in its own words: the console)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Ticket:
    number: str
    day: date
    category: str
    priority: str | None
    issued: datetime
    status: TicketStatus = "waiting"
    window: str | None = None
    staff: str | None = None
    called: datetime | None = None
    finished: datetime | None = None
    calls: int = 0
    origin: str | None = None
    """The category it was issued for, when it has been transferred since."""
    issued_by: str | None = None
    """The account that took it: a kiosk's, or a staff tool's."""
    for_window: str | None = None
    """Sent to this window by a transfer: only it calls the ticket, in the ticket's place."""


@dataclass(frozen=True)
class WindowState:
    open: bool = True
    reason: str | None = None
    serving: str | None = None
    priority_streak: int = 0
    idle_since: datetime | None = None


@dataclass(frozen=True)
class Call:
    seq: int
    ticket: str
    window: str
    window_name: str
    window_number: int | None
    category: str
    recall: bool
    at: datetime

    @property
    def text(self) -> str:
        """The words a voice says for this call."""
        if self.window_number is not None:
            return _("Number {ticket}, please go to window {number}").format(
                ticket=self.ticket, number=self.window_number
            )
        return _("Number {ticket}, please go to {window}").format(ticket=self.ticket, window=self.window_name)


@dataclass(frozen=True)
class QueueState:
    day: date | None = None
    tickets: Mapping[str, Ticket] = field(default_factory=dict)
    counters: Mapping[str, int] = field(default_factory=dict)
    windows: Mapping[str, WindowState] = field(default_factory=dict)
    seq: int = 0
    recent: tuple[Call, ...] = ()


# -- the service day ------------------------------------------------------------------------------


def service_day(now: datetime, settings: QueueSettings) -> date:
    """The day a ticket belongs to: numbers restart at `reset_hour`, not at midnight (`when.service_day`)."""
    return when.service_day(now, settings.reset_hour)


def next_reset(now: datetime, settings: QueueSettings) -> datetime:
    return when.next_reset(now, settings.reset_hour)


def is_market_day(day: date, settings: QueueSettings) -> bool:
    market = settings.market_days
    return day.day in market.days_of_month or WEEKDAYS[day.weekday()] in market.weekdays or day in market.dates


def roll_day(state: QueueState, now: datetime, settings: QueueSettings) -> QueueState:
    """Start a new service day when the reset hour has passed: numbers restart, windows empty.
    The call sequence carries on, so `seq` is increasing for ever."""
    today = service_day(now, settings)
    if state.day == today:
        return state
    windows = {key: replace(w, serving=None, priority_streak=0, idle_since=None) for key, w in state.windows.items()}
    return QueueState(day=today, tickets={}, counters={}, windows=windows, seq=state.seq, recent=())


def serves(centre: Centre, window_id: str, day: date) -> frozenset[str]:
    """Categories a window serves on `day`."""
    window = next(w for w in centre.windows if w.id == window_id)
    if window.comprehensive and not is_market_day(day, centre.queue):
        return frozenset(category for w in centre.windows for category in w.categories)
    return frozenset(window.categories)


def window_state(state: QueueState, window_id: str) -> WindowState:
    return state.windows.get(window_id, WindowState())


# -- issuing --------------------------------------------------------------------------------------


def issue(
    state: QueueState, category: str, prefix: str, priority: str | None, now: datetime, by: str | None = None
) -> QueueState:
    """Issue the next number of `prefix`, taken by account `by`. `state` must already be rolled to today."""
    assert state.day is not None
    last = state.counters.get(prefix, 0)
    if last >= MAX_NUMBER:
        raise QueueError(
            _("All {most} numbers of category {prefix} are taken today").format(most=MAX_NUMBER, prefix=prefix),
            "numbers_exhausted",
        )
    number = f"{prefix}{last + 1:03d}"
    ticket = Ticket(number=number, day=state.day, category=category, priority=priority, issued=now, issued_by=by)
    return replace(
        state,
        tickets={**state.tickets, number: ticket},
        counters={**state.counters, prefix: last + 1},
    )


def taken_lately(state: QueueState, by: str, now: datetime, seconds: float = 60.0) -> int:
    """How many numbers account `by` took in the `seconds` before `now`. Tickets are kept in the order
    they were issued, so this looks at the last minute's only, however long the day."""
    since = now - timedelta(seconds=seconds)
    count = 0
    tickets = state.tickets
    newest_first = reversed(tickets.values()) if isinstance(tickets, dict) else reversed(list(tickets.values()))
    for ticket in newest_first:
        if ticket.issued <= since:
            break
        count += ticket.issued_by == by and ticket.issued <= now
    return count


def waiting(state: QueueState, categories: Iterable[str], window_id: str | None = None) -> list[Ticket]:
    """The tickets waiting in `categories`, oldest first; with `window_id`, as that window calls them: those
    sent to it by a transfer too, and none sent to another window."""
    wanted = set(categories)

    def called_here(t: Ticket) -> bool:
        if window_id is None:
            return t.category in wanted
        return t.for_window == window_id or (t.for_window is None and t.category in wanted)

    found = [t for t in state.tickets.values() if t.status == "waiting" and called_here(t)]
    return sorted(found, key=lambda t: (t.issued, t.number))


def ahead_of(state: QueueState, ticket: Ticket) -> int:
    """How many are called before `ticket` in its category: waiting priority tickets first, then the others in
    the order they were issued (so a later normal ticket is never ahead of an earlier one)."""
    key = (ticket.issued, ticket.number)
    queue = waiting(state, [ticket.category])
    if ticket.priority is None:
        return sum(
            1 for t in queue if t.number != ticket.number and (t.priority is not None or (t.issued, t.number) < key)
        )
    return sum(1 for t in queue if t.priority is not None and (t.issued, t.number) < key)


def pick_next(
    state: QueueState, categories: Iterable[str], streak: int, limit: int, window_id: str | None = None
) -> Ticket | None:
    """The ticket a window calls next, by the fair order in this module's docstring."""
    queue = waiting(state, categories, window_id)
    priority = [t for t in queue if t.priority is not None]
    normal = [t for t in queue if t.priority is None]
    if priority and (not normal or streak < limit):
        return priority[0]
    if normal:
        return normal[0]
    return None


# -- calling --------------------------------------------------------------------------------------


def _finish_current(state: QueueState, window_id: str, status: TicketStatus, now: datetime) -> QueueState:
    current = window_state(state, window_id)
    if current.serving is None:
        return state
    ticket = state.tickets[current.serving]
    tickets = {**state.tickets, ticket.number: replace(ticket, status=status, finished=now)}
    windows = {**state.windows, window_id: replace(current, serving=None, idle_since=now)}
    return replace(state, tickets=tickets, windows=windows)


def _call(
    state: QueueState, centre: Centre, window_id: str, ticket: Ticket, staff: str | None, recall: bool, now: datetime
) -> tuple[QueueState, Call]:
    window = next(w for w in centre.windows if w.id == window_id)
    current = window_state(state, window_id)
    seq = state.seq + 1
    call = Call(seq, ticket.number, window.id, window.name, window.number, ticket.category, recall, now)
    called = replace(
        ticket,
        status="serving",
        window=window_id,
        staff=staff if not recall else ticket.staff,
        called=ticket.called if recall else now,
        calls=ticket.calls + 1,
    )
    streak = current.priority_streak
    if not recall:
        streak = streak + 1 if ticket.priority is not None else 0
    windows = {**state.windows, window_id: replace(current, serving=ticket.number, priority_streak=streak)}
    recent = (call, *state.recent)[: centre.queue.recent_calls]
    return replace(
        state, tickets={**state.tickets, ticket.number: called}, windows=windows, seq=seq, recent=recent
    ), call


def _open_window(state: QueueState, window_id: str) -> WindowState:
    current = window_state(state, window_id)
    if not current.open:
        reason = _(" ({reason})").format(reason=current.reason) if current.reason else ""
        raise QueueError(
            _("Window {window} is paused{reason}: open it first").format(window=window_id, reason=reason),
            "window_paused",
        )
    return current


def call_next(
    state: QueueState, centre: Centre, window_id: str, staff: str | None, now: datetime
) -> tuple[QueueState, Call | None]:
    """Finish whoever is at the window and call the next ticket; None when no one is waiting."""
    day = state.day
    assert day is not None
    current = _open_window(state, window_id)
    state = _finish_current(state, window_id, "done", now)
    chosen = pick_next(
        state, serves(centre, window_id, day), current.priority_streak, centre.queue.priority_streak, window_id
    )
    if chosen is None:
        return state, None
    return _call(state, centre, window_id, chosen, staff, False, now)


def call_ticket(
    state: QueueState, centre: Centre, window_id: str, number: str, staff: str | None, now: datetime
) -> tuple[QueueState, Call]:
    """Call a given ticket (e.g. a citizen who missed their turn and came back)."""
    _open_window(state, window_id)
    ticket = state.tickets.get(number)
    if ticket is None:
        raise QueueError(_("There is no number {ticket} today").format(ticket=number), "no_ticket")
    if ticket.status in ("serving", "done"):
        if ticket.status == "serving":
            said = _("Number {ticket} is being served at window {window} already")
        else:
            said = _("Number {ticket} has been served at window {window} already")
        raise QueueError(said.format(ticket=number, window=ticket.window or "-"), "ticket_taken")
    state = _finish_current(state, window_id, "done", now)
    return _call(state, centre, window_id, state.tickets[number], staff, False, now)


def recall(state: QueueState, centre: Centre, window_id: str, now: datetime) -> tuple[QueueState, Call]:
    current = _open_window(state, window_id)
    if current.serving is None:
        raise QueueError(
            _("Nobody is being served at window {window} to call again").format(window=window_id), "nobody_served"
        )
    return _call(state, centre, window_id, state.tickets[current.serving], None, True, now)


def no_show(state: QueueState, window_id: str, now: datetime) -> tuple[QueueState, str]:
    current = window_state(state, window_id)
    if current.serving is None:
        raise QueueError(_("Nobody is being served at window {window}").format(window=window_id), "nobody_served")
    return _finish_current(state, window_id, "no_show", now), current.serving


def done(state: QueueState, window_id: str, now: datetime) -> tuple[QueueState, str]:
    current = window_state(state, window_id)
    if current.serving is None:
        raise QueueError(_("Nobody is being served at window {window}").format(window=window_id), "nobody_served")
    return _finish_current(state, window_id, "done", now), current.serving


def transfer(
    state: QueueState, window_id: str, category: str | None, to_window: str | None = None
) -> tuple[QueueState, str]:
    """Send the ticket at the window to another category's queue, or to another window (which alone then
    calls it), keeping its number and its place."""
    current = window_state(state, window_id)
    if current.serving is None:
        raise QueueError(
            _("Nobody is being served at window {window} to transfer").format(window=window_id), "nobody_served"
        )
    ticket = state.tickets[current.serving]
    if to_window is not None:
        if to_window == window_id:
            raise QueueError(
                _("Number {ticket} is at window {window} already").format(ticket=ticket.number, window=window_id),
                "same_window",
            )
        moved = replace(ticket, status="waiting", window=None, staff=None, called=None, for_window=to_window)
        windows = {**state.windows, window_id: replace(current, serving=None)}
        return replace(state, tickets={**state.tickets, ticket.number: moved}, windows=windows), ticket.number
    assert category is not None
    if ticket.category == category:
        raise QueueError(
            _("Number {ticket} is in category {category} already").format(ticket=ticket.number, category=category),
            "same_category",
        )
    moved = replace(
        ticket,
        category=category,
        status="waiting",
        window=None,
        staff=None,
        called=None,
        origin=ticket.origin or ticket.category,
        for_window=None,
    )
    windows = {**state.windows, window_id: replace(current, serving=None)}
    return replace(state, tickets={**state.tickets, ticket.number: moved}, windows=windows), ticket.number


def set_window(state: QueueState, window_id: str, open_: bool, reason: str | None, now: datetime) -> QueueState:
    current = window_state(state, window_id)
    if not open_ and current.serving is not None:
        raise QueueError(
            _(
                "Window {window} is serving number {ticket}: finish it, transfer it or mark it no-show before pausing"
            ).format(window=window_id, ticket=current.serving),
            "still_serving",
        )
    updated = replace(current, open=open_, reason=None if open_ else reason, idle_since=now if open_ else None)
    return replace(state, windows={**state.windows, window_id: updated})


# -- estimates ------------------------------------------------------------------------------------


def service_minutes(state: QueueState, category: str, default: int) -> float:
    """Mean minutes at the window for today's finished tickets of `category`, else `default`."""
    spans = [
        (t.finished - t.called).total_seconds() / 60
        for t in state.tickets.values()
        if t.category == category and t.status == "done" and t.called and t.finished
    ]
    return sum(spans) / len(spans) if spans else float(default)


def open_windows_for(state: QueueState, centre: Centre, category: str) -> int:
    assert state.day is not None
    return sum(
        1 for w in centre.windows if window_state(state, w.id).open and category in serves(centre, w.id, state.day)
    )


@dataclass(frozen=True)
class CategoryLine:
    waiting: int
    priority_waiting: int
    estimated_wait_min: int | None
    """For the last in line: the wait of a ticket taken now, near enough."""


def category_lines(state: QueueState, centre: Centre) -> dict[str, CategoryLine]:
    """Waiting counts and estimates for every category, in one pass over the day's tickets
    (what the queue document needs after every command)."""
    assert state.day is not None
    waiting_by: dict[str, list[int]] = {}
    served: dict[str, list[float]] = {}
    for t in state.tickets.values():
        if t.status == "waiting":
            counts = waiting_by.setdefault(t.category, [0, 0])
            counts[0] += 1
            counts[1] += t.priority is not None
        elif t.status == "done" and t.called and t.finished:
            served.setdefault(t.category, []).append((t.finished - t.called).total_seconds() / 60)
    open_by: dict[str, int] = {}
    for w in centre.windows:
        if window_state(state, w.id).open:
            for category in serves(centre, w.id, state.day):
                open_by[category] = open_by.get(category, 0) + 1
    lines = {}
    for category in set(open_by) | set(waiting_by):
        waiting_count, priority_count = waiting_by.get(category, [0, 0])
        spans = served.get(category)
        minutes = sum(spans) / len(spans) if spans else float(centre.queue.service_minutes)
        windows = open_by.get(category, 0)
        estimate = math.ceil(waiting_count * minutes / windows) if windows else None
        lines[category] = CategoryLine(waiting_count, priority_count, estimate)
    return lines


def estimated_wait(state: QueueState, centre: Centre, category: str, ahead: int) -> int | None:
    """Minutes until a ticket with `ahead` people before it is called; None if no window serves it now."""
    windows = open_windows_for(state, centre, category)
    if windows == 0:
        return None
    minutes = service_minutes(state, category, centre.queue.service_minutes)
    return math.ceil(ahead * minutes / windows)
