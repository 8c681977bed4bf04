"""The retained state documents, built from content and live state. Pure functions.

Each builder turns content and live state into a document's typed form and hands it to that document's
module in `content.shared.wire`, which writes the body that every device reads back with its one reader;
`content.shared.contract` adds `schema`, `ts` and `rev`. Bodies are plain JSON-ready dicts, stable for equal inputs, so
their rev changes only when what a device would show changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from content.centre.loader import Content
from content.centre.schema import Window
from content.queue import rules as q
from content.queue.stats import day_stats
from content.service.commands.queue import staff_at
from content.service.live import Live
from content.shared import contract
from content.shared import limits as cap
from content.shared.contract import rev_of
from content.shared.wire import agents as agents_doc
from content.shared.wire import announcements as announcements_doc
from content.shared.wire import catalog as catalog_doc
from content.shared.wire import centre as centre_doc
from content.shared.wire import pickup as pickup_doc
from content.shared.wire import queue as queue_doc
from content.shared.wire import staff as staff_doc
from content.shared.wire import stats as stats_doc
from content.shared.wording import TIER_NAMES


def _media_hash(content: Content, ref: str | None) -> str | None:
    if ref is None or ref not in content.media:
        return None
    return content.media[ref].sha256


def centre(content: Content) -> dict[str, Any]:
    fields = content.centre.model_dump(mode="json", exclude={"logo"})
    return centre_doc.body(fields, _media_hash(content, content.centre.logo), TIER_NAMES[content.centre.tier])


def catalog(content: Content) -> dict[str, Any]:
    return catalog_doc.body(
        [category.model_dump(mode="json") for category in content.categories],
        [item.model_dump(mode="json") for item in content.items],
    )


def staff(content: Content, live: Live) -> dict[str, Any]:
    members = []
    for member in content.staff:
        state = live.staff.get(member.id)
        members.append(
            staff_doc.StaffMember(
                id=member.id,
                name=member.name,
                post=member.post,
                window=member.window,
                phone=member.phone,
                photo=_media_hash(content, member.photo),
                status=state.status if state else member.status,
                since=state.since.isoformat(timespec="seconds") if state else "",
                substitute=state.substitute if state else None,
            )
        )
    return staff_doc.body(members)


def agents(content: Content) -> dict[str, Any]:
    return agents_doc.body([agent.model_dump(mode="json") for agent in content.agents])


def announcements(live: Live, now: datetime) -> dict[str, Any]:
    """Only what is active now (approved, started, not over: `Announcement.active`): one waiting for a
    manager or rejected is never published. The service republishes when one starts or expires."""
    return announcements_doc.body(a.on_the_wire() for a in live.announcements.values() if a.active(now))


def pickup(live: Live) -> dict[str, Any]:
    """请以下办件人到窗口取件: case numbers only, of applicants who agreed to be shown."""
    return pickup_doc.body(live.pickup)


def _window(content: Content, live: Live, window: Window) -> queue_doc.WindowState:
    state, day = live.queue, live.queue.day
    w = q.window_state(state, window.id)
    staff_id = staff_at(content, live, window.id)
    member = next((m for m in content.staff if m.id == staff_id), None)
    return queue_doc.WindowState(
        id=window.id,
        number=window.number,
        name=window.name,
        open=w.open,
        reason=w.reason or "",
        serving=w.serving or "",
        staff=member.name if member else "",
        staff_id=member.id if member else "",
        categories=tuple(sorted(q.serves(content.centre, window.id, day)) if day else window.categories),
    )


def queue(content: Content, live: Live) -> dict[str, Any]:
    """What the hall shows of the queue: who is served where, how many wait, the last calls."""
    state = live.queue
    day = state.day
    lines = q.category_lines(state, content.centre) if day else {}
    empty = q.CategoryLine(0, 0, None)
    return queue_doc.body(
        queue_doc.Queue(
            day=day.isoformat() if day else "",
            market_day=q.is_market_day(day, content.centre.queue) if day else False,
            lines=tuple(
                queue_doc.QueueLine(
                    category=category.id,
                    name=category.name,
                    prefix=category.prefix,
                    waiting=lines.get(category.id, empty).waiting,
                    priority_waiting=lines.get(category.id, empty).priority_waiting,
                    estimate_min=lines.get(category.id, empty).estimated_wait_min,
                )
                for category in content.categories
            ),
            windows=tuple(_window(content, live, window) for window in content.centre.windows),
            last_calls=tuple(wire_call(call) for call in state.recent),
        )
    )


def wire_call(call: q.Call) -> queue_doc.Call:
    return queue_doc.Call(
        seq=call.seq,
        ticket=call.ticket,
        window=call.window,
        window_name=call.window_name,
        window_number=call.window_number,
        text=call.text,
        recall=call.recall,
        category=call.category,
        at=call.at,
    )


def call_json(call: q.Call) -> dict[str, Any]:
    """A call as the `call` event and the queue's last calls carry it."""
    return queue_doc.call_json(wire_call(call))


def stats(content: Content, live: Live) -> dict[str, Any]:
    """The day's queue statistics so far, for wall summaries and supervisors."""
    day = live.queue.day
    tickets = list(live.queue.tickets.values())
    return stats_doc.body(day.isoformat() if day else None, stats_rows(content, tickets))


def stats_rows(content: Content, tickets: list[q.Ticket]) -> list[dict[str, Any]]:
    return day_stats(
        tickets,
        {c.id: c.name for c in content.categories},
        {w.id: w.name for w in content.centre.windows},
        {m.id: m.name for m in content.staff},
    )


class DocumentCache:
    """Builds each document only when what it is made from has changed.

    A command changes one part of the live state; rebuilding and hashing the catalog (megabytes
    for a large centre) on every ticket would cost more than everything else together. Inputs are
    compared by identity: content and live state are immutable, and every change makes new objects.
    """

    STATS_EVERY = timedelta(seconds=10)
    """The statistics cover the whole day: rebuilt at most this often, not on every ticket."""
    IDLE = timedelta(days=1)

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[object, ...], dict[str, Any], str]] = {}
        self._stats_at: datetime | None = None
        self._stats_behind = False
        """The statistics' inputs changed since they were last built (the rebuild waits for the throttle)."""

    def next_due(self, now: datetime) -> datetime:
        """When the throttled statistics need rebuilding: only when they are behind. Statistics that are
        current need nothing, so a hall at rest sleeps (a moment in the past here would spin the loop)."""
        if self._stats_behind and self._stats_at is not None:
            return max(now, self._stats_at + self.STATS_EVERY)
        return now + self.IDLE

    def build(self, content: Content, live: Live, now: datetime) -> dict[str, tuple[dict[str, Any], str]]:
        """Every state document by topic, with its rev."""
        active = tuple(sorted(a.id for a in live.announcements.values() if a.active(now)))
        plan: dict[str, tuple[tuple[object, ...], Callable[[], dict[str, Any]]]] = {
            "centre": ((content,), lambda: centre(content)),
            "catalog": ((content,), lambda: catalog(content)),
            "staff": ((content, live.staff), lambda: staff(content, live)),
            "agents": ((content,), lambda: agents(content)),
            "queue": ((content, live.queue, live.staff), lambda: queue(content, live)),
            "announcements": ((live.announcements, active), lambda: announcements(live, now)),
            "stats": ((content, live.queue.tickets), lambda: stats(content, live)),
            "pickup": ((live.pickup,), lambda: pickup(live)),
        }
        built = {}
        for topic, (inputs, make) in plan.items():
            cached = self._cache.get(topic)
            current = cached is not None and _same(cached[0], inputs)
            throttled = topic == "stats" and self._stats_at is not None and now < self._stats_at + self.STATS_EVERY
            if cached is not None and (current or throttled):
                if topic == "stats":
                    self._stats_behind = not current
                built[topic] = (cached[1], cached[2])
                continue
            body = make()
            rev = rev_of(body)
            self._cache[topic] = (inputs, body, rev)
            if topic == "stats":
                self._stats_at, self._stats_behind = now, False
            built[topic] = (body, rev)
        return built


def _same(before: tuple[object, ...], now: tuple[object, ...]) -> bool:
    """Inputs alike: the same objects (content and live state are immutable), or equal tuples."""
    return len(before) == len(now) and all(
        a is b or (isinstance(a, tuple) and a == b) for a, b in zip(before, now, strict=True)
    )


def oversized(content: Content, now: datetime) -> list[str]:
    """What in `content` would make a document larger than a device reads (`limits.DOCUMENT_BYTES`),
    one sentence each; the service publishes no such content and `hall check` refuses it."""
    too_large = []
    for topic, body in all_documents(content, Live(), now).items():
        size = len(contract.encode(contract.state_document(body, now)))
        if size > cap.DOCUMENT_BYTES:
            too_large.append(
                f"the {topic} document would be {size / 2**20:.1f} MB, more than the {cap.DOCUMENT_BYTES // 2**20} MB "
                f"a device reads: split the centre, or shorten its longest texts"
            )
    return too_large


def all_documents(content: Content, live: Live, now: datetime) -> dict[str, dict[str, Any]]:
    """Every state document by topic name (relative to the centre)."""
    return {
        "centre": centre(content),
        "catalog": catalog(content),
        "staff": staff(content, live),
        "agents": agents(content),
        "queue": queue(content, live),
        "announcements": announcements(live, now),
        "stats": stats(content, live),
        "pickup": pickup(live),
    }
