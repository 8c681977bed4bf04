"""What the kiosk shows, read defensively from the contract's documents. Pure: no Kivy, no I/O.

Every payload is untrusted. A field of the wrong type is skipped, text is bounded, a row that is
not an object is dropped; a payload that is not a contract document at all, or whose main list is
missing, raises `PayloadError` and leaves the previous model in place, so a screen never shows a
document half-applied. A guide's text is bounded where the schema bounds it (`read_whole`): what
`hall check` passed shows whole, and a longer text is cut with a visible "…". `KioskModel.apply`
returns a new model; models are immutable, so handing one from the MQTT side to the UI thread is a
reference swap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote

from content.shared import limits as cap
from content.shared.contract import (
    PayloadError,
    decode,
    read_id,
    read_ids,
    read_int,
    read_main_rows,
    read_object,
    read_optional,
    read_rows,
    read_strings,
    read_text,
    read_time,
    read_zone,
    zone_named,
)
from content.shared.wording import (
    STATUS_NAMES,
    TIER_NAMES,
    Session,
    format_document,
    format_hours,
    format_limits,
    read_sessions,
)
from kiosk.search import IndexCache, SearchIndex

MAX_PAYLOAD: Final = cap.DOCUMENT_BYTES
SERVICE_PRESENCE: Final = "device/service/state"
DOCUMENTS: Final = ("centre", "catalog", "staff", "agents", "queue", "announcements")
"""The state documents the kiosk shows (and caches)."""


# -- what the screens show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    id: str
    number: int | None
    name: str
    categories: tuple[str, ...]
    comprehensive: bool = False
    """The comprehensive window (综合窗口): where to ask about anything."""


@dataclass(frozen=True)
class Rule:
    title: str
    text: str


@dataclass(frozen=True)
class Centre:
    id: str
    name: str
    short_name: str
    tier_name: str
    address: str
    sessions: tuple[Session, ...]
    """The opening hours."""
    hours_note: str
    hotline: str
    complaint_phone: str
    public_url: str | None
    windows: tuple[Window, ...]
    rules: tuple[Rule, ...]
    logo: str | None
    """The logo's media hash."""
    timezone: str = "Asia/Shanghai"

    @property
    def hours(self) -> tuple[str, ...]:
        """The opening hours for people: 周一至周五 09:00–12:00、14:00–17:30."""
        return format_hours(self.sessions)

    def now(self) -> datetime:
        """The time in the centre's own zone: the kiosk's clock, hours and announcement times."""
        zone = zone_named(self.timezone)
        return datetime.now(zone) if zone is not None else datetime.now().astimezone()


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    prefix: str
    items: tuple[str, ...]
    """Ids of the category's items, in catalog order."""


@dataclass(frozen=True)
class DocumentRow:
    """One line of the required-documents checklist."""

    name: str
    form: str
    copies: int | None
    note: str
    text: str
    """居民身份证 — 原件和复印件各1份（有则提供）."""


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    category: str
    department: str
    windows: tuple[str, ...]
    instant: bool
    legal: int | None
    promised: int | None
    proxy: int | None
    limits: str
    """即办件，当场办结 / 承诺 8 个工作日（法定 20 个工作日）；代办 13 个工作日."""
    fee: str
    documents: tuple[DocumentRow, ...]
    steps: tuple[str, ...]
    basis: str
    phone: str
    tiers: tuple[str, ...]
    tier_names: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    post: str
    window: str | None
    phone: str
    photo: str | None
    """The photo's sha256 (its media topic), when it has one."""
    status: str
    status_name: str
    since: str
    substitute: str | None


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    tier: str
    tier_name: str
    area: str
    phone: str


@dataclass(frozen=True)
class QueueLine:
    category: str
    name: str
    prefix: str
    waiting: int
    priority_waiting: int
    estimate_min: int | None


@dataclass(frozen=True)
class WindowState:
    id: str
    number: int | None
    name: str
    open: bool
    reason: str
    serving: str
    staff: str


@dataclass(frozen=True)
class Queue:
    day: str = ""
    market_day: bool = False
    lines: tuple[QueueLine, ...] = ()
    windows: tuple[WindowState, ...] = ()

    def line(self, category: str) -> QueueLine | None:
        return next((line for line in self.lines if line.category == category), None)


@dataclass(frozen=True)
class Announcement:
    id: str
    text: str
    priority: str
    targets: tuple[str, ...]
    starts: datetime | None
    expires: datetime | None

    def shown(self, now: datetime | None, target: str = "kiosk") -> bool:
        if "all" not in self.targets and target not in self.targets:
            return False
        if now is None:
            return True
        if self.starts is not None and now < self.starts:
            return False
        # From the cache, offline: an announcement that has run out must not go on showing.
        return self.expires is None or now < self.expires


@dataclass(frozen=True)
class Announcements:
    rows: tuple[Announcement, ...] = ()

    def emergency(self, now: datetime | None = None) -> Announcement | None:
        """The announcement that covers the whole screen, while it lasts."""
        return next((a for a in self.rows if a.priority == "emergency" and a.shown(now)), None)

    def ticker(self, now: datetime | None = None, separator: str = "　　") -> str:
        return separator.join(a.text for a in self.rows if a.priority != "emergency" and a.shown(now))


@dataclass(frozen=True)
class Guide:
    """An item's guide as the screen shows it: the item, and what other documents say about it."""

    item: Item
    category_name: str
    window_names: tuple[str, ...]
    agents: tuple[Agent, ...]
    """The village agents (代办员), when the village tier handles the item."""
    url: str | None
    """What the QR code opens on a phone."""


def guide_url(centre: Centre | None, item: Item | str) -> str | None:
    """`<public_url>/g/<item id>`: what a guide's QR code opens; None when the centre has no public URL."""
    if centre is None or not centre.public_url:
        return None
    item_id = item.id if isinstance(item, Item) else item
    return f"{centre.public_url.rstrip('/')}/g/{quote(item_id, safe='')}"


# -- documents ------------------------------------------------------------------------------------

CUT: Final = "…"


def read_whole(value: Any, limit: int) -> str:
    """A text field people must read whole (the disclosure of a guide, a rule, the address), at most
    `limit` characters, the schema's own bound (`content.shared.limits`): content that `hall check`
    passed is never cut. Anything longer came from elsewhere, and is cut with a visible "…"."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return text if len(text) <= limit else text[: limit - len(CUT)].rstrip() + CUT


def read_wholes(value: Any, limit: int, rows: int) -> tuple[str, ...]:
    """`read_whole` over the non-empty strings of a list field, at most `rows` of them."""
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (read_whole(v, limit) for v in value[:rows]) if t)


def parse_centre(doc: Mapping[str, Any]) -> Centre:
    name = read_text(doc.get("name"), cap.CENTRE_NAME)
    if not name:
        raise PayloadError("centre: 'name' must be text")
    url = read_text(doc.get("public_url"), 300)
    windows = tuple(
        Window(
            read_id(w.get("id")),
            read_int(w.get("number"), 1, 999),
            read_text(w.get("name"), cap.LABEL),
            read_ids(w.get("categories")),
            w.get("comprehensive") is True,
        )
        for w in read_rows(doc.get("windows"))
        if read_id(w.get("id"))
    )
    rules = tuple(
        Rule(read_whole(r.get("title"), cap.POST), read_whole(r.get("text"), cap.LONG))
        for r in read_rows(doc.get("rules"))
        if read_text(r.get("title"), cap.POST) or read_text(r.get("text"))
    )
    return Centre(
        id=read_id(doc.get("id")),
        name=name,
        short_name=read_text(doc.get("short_name"), cap.CENTRE_NAME) or name,
        tier_name=read_text(doc.get("tier_name"), cap.LABEL) or TIER_NAMES.get(read_text(doc.get("tier"), 20), ""),
        address=read_whole(doc.get("address"), cap.LONG),
        sessions=read_sessions(read_rows(doc.get("hours"))),
        hours_note=read_whole(doc.get("hours_note"), cap.LONG),
        hotline=read_text(doc.get("hotline"), cap.PHONE),
        complaint_phone=read_text(doc.get("complaint_phone"), cap.PHONE),
        public_url=url if url.startswith(("http://", "https://")) and " " not in url else None,
        windows=windows,
        rules=rules,
        logo=read_optional(doc.get("logo"), 64),
        timezone=read_zone(doc.get("timezone")),
    )


def _document_row(d: Mapping[str, Any]) -> DocumentRow | None:
    name = read_whole(d.get("name"), cap.NAME)
    if not name:
        return None
    form = read_text(d.get("form"), 20)
    copies = read_int(d.get("copies"), 0, 99)
    note = read_whole(d.get("note"), cap.NOTE)
    return DocumentRow(name, form, copies, note, format_document(name, form, copies, note))


def parse_item(raw: Mapping[str, Any]) -> Item | None:
    item_id, name = read_id(raw.get("id")), read_whole(raw.get("name"), cap.NAME)
    if not item_id or not name:
        return None
    limits = read_object(raw.get("limits"))
    instant = raw.get("instant") is True
    legal, promised, proxy = (read_int(limits.get(key), 0, 3650) for key in ("legal", "promised", "proxy"))
    tiers = tuple(t for t in read_strings(raw.get("tiers"), 20, 3) if t in TIER_NAMES)
    return Item(
        id=item_id,
        name=name,
        category=read_id(raw.get("category")),
        department=read_whole(raw.get("department"), cap.NAME),
        windows=read_ids(raw.get("windows"), cap.ITEM_WINDOWS),
        instant=instant,
        legal=legal,
        promised=promised,
        proxy=proxy,
        limits=format_limits(instant, legal, promised, proxy),
        fee=read_whole(raw.get("fee"), cap.NOTE),
        documents=tuple(row for row in map(_document_row, read_rows(raw.get("documents"), cap.DOCUMENTS)) if row),
        steps=read_wholes(raw.get("steps"), cap.LONG, cap.STEPS),
        basis=read_whole(raw.get("basis"), cap.LONG),
        phone=read_text(raw.get("phone"), cap.PHONE),
        tiers=tiers,
        tier_names=tuple(TIER_NAMES[t] for t in tiers),
        keywords=read_strings(raw.get("keywords"), cap.KEYWORD, cap.KEYWORDS),
    )


def parse_catalog(doc: Mapping[str, Any]) -> tuple[tuple[Category, ...], dict[str, Item]]:
    raw_categories = read_main_rows(doc, "categories", "catalog")
    items: dict[str, Item] = {}
    for raw in read_main_rows(doc, "items", "catalog"):
        item = parse_item(raw)
        if item is not None and item.id not in items:
            items[item.id] = item
    categories = []
    seen: set[str] = set()
    for c in raw_categories:
        category_id = read_id(c.get("id"))
        if not category_id or category_id in seen:
            continue
        seen.add(category_id)
        members = tuple(item.id for item in items.values() if item.category == category_id)
        categories.append(
            Category(
                category_id, read_text(c.get("name"), cap.LABEL) or category_id, read_text(c.get("prefix"), 2), members
            )
        )
    return tuple(categories), items


def parse_staff(doc: Mapping[str, Any]) -> tuple[StaffMember, ...]:
    rows = []
    for m in read_main_rows(doc, "staff", "staff"):
        name = read_text(m.get("name"), cap.LABEL)
        if not name:
            continue
        status = read_text(m.get("status"), 10)
        photo = read_text(m.get("photo"), 64).lower()
        rows.append(
            StaffMember(
                id=read_id(m.get("id")),
                name=name,
                post=read_text(m.get("post"), cap.POST),
                window=read_id(m.get("window")) or None,
                phone=read_text(m.get("phone"), cap.PHONE),
                photo=photo if len(photo) == 64 and all(ch in "0123456789abcdef" for ch in photo) else None,
                status=status if status in STATUS_NAMES else "",
                status_name=STATUS_NAMES.get(status, ""),
                since=read_text(m.get("since"), 40),
                substitute=read_id(m.get("substitute")) or None,
            )
        )
    return tuple(rows)


def parse_agents(doc: Mapping[str, Any]) -> tuple[Agent, ...]:
    return tuple(
        Agent(
            id=read_id(a.get("id")),
            name=read_text(a.get("name"), cap.LABEL),
            tier=read_text(a.get("tier"), 20),
            tier_name=TIER_NAMES.get(read_text(a.get("tier"), 20), ""),
            area=read_text(a.get("area"), cap.POST),
            phone=read_text(a.get("phone"), cap.PHONE),
        )
        for a in read_main_rows(doc, "agents", "agents")
        if read_text(a.get("name"), cap.LABEL)
    )


def parse_queue(doc: Mapping[str, Any]) -> Queue:
    lines = tuple(
        QueueLine(
            category=read_id(c.get("id")),
            name=read_text(c.get("name"), cap.LABEL),
            prefix=read_text(c.get("prefix"), 2),
            waiting=read_int(c.get("waiting")) or 0,
            priority_waiting=read_int(c.get("priority_waiting")) or 0,
            estimate_min=read_int(c.get("estimated_wait_min")),
        )
        for c in read_main_rows(doc, "categories", "queue")
        if read_id(c.get("id"))
    )
    windows = []
    for w in read_main_rows(doc, "windows", "queue"):
        windows.append(
            WindowState(
                id=read_id(w.get("id")),
                number=read_int(w.get("number"), 1, 999),
                name=read_text(w.get("name"), cap.LABEL),
                open=w.get("open") is not False,
                reason=read_text(w.get("reason"), 60),
                serving=read_text(w.get("serving"), 8),
                staff=read_text(read_object(w.get("staff")).get("name"), 40),
            )
        )
    return Queue(read_text(doc.get("day"), 10), doc.get("market_day") is True, lines, tuple(windows))


def parse_announcements(doc: Mapping[str, Any]) -> Announcements:
    rows = []
    for a in read_main_rows(doc, "announcements", "announcements", cap.ANNOUNCEMENTS):
        text = read_text(a.get("text"), cap.ANNOUNCEMENT)
        if not text:
            continue
        priority = read_text(a.get("priority"), 10)
        rows.append(
            Announcement(
                id=read_id(a.get("id")),
                text=text,
                priority=priority if priority in ("normal", "high", "emergency") else "normal",
                targets=read_strings(a.get("targets"), 10, 5) or ("all",),
                starts=read_time(a.get("starts")),
                expires=read_time(a.get("expires")),
            )
        )
    return Announcements(tuple(rows))


# -- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskModel:
    """The latest of each document, the connection, and the service's presence."""

    centre: Centre | None = None
    categories: tuple[Category, ...] = ()
    items: Mapping[str, Item] = field(default_factory=dict)
    """By id, in catalog order."""
    staff: tuple[StaffMember, ...] = ()
    agents: tuple[Agent, ...] = ()
    queue: Queue = field(default_factory=Queue)
    announcements: Announcements = field(default_factory=Announcements)
    index: SearchIndex | None = None
    revs: Mapping[str, str] = field(default_factory=dict)
    connected: bool = False
    """Subscribed to the broker now (set by the link)."""
    service: str = "unknown"
    """The content service's presence: ready / lost / disconnected / unknown."""
    media: frozenset[str] = frozenset()
    """Hashes of the media in the local cache."""
    indexes: IndexCache = field(default_factory=IndexCache, compare=False, repr=False)
    """Shared by the models that follow this one: the search index is built once per catalog rev."""

    @property
    def stale(self) -> bool:
        """The content may be out of date: not connected, or the service is not running."""
        return not self.connected or self.service != "ready"

    def apply(self, topic: str, payload: bytes) -> KioskModel:
        """The model after one message on `topic` (relative to the centre). Pure but for the shared
        index cache. Raises PayloadError for a payload that is not a document; unknown topics are ignored."""
        if topic == SERVICE_PRESENCE:
            status = decode(payload, 64 * 1024).get("status")
            if status not in ("ready", "lost", "disconnected"):
                raise PayloadError(f"service presence: unknown status {status!r}")
            return replace(self, service=status)
        builder = _BUILDERS.get(topic)
        if builder is None:
            return self
        doc = decode(payload, MAX_PAYLOAD)
        updated = builder(self, doc)
        rev = read_text(doc.get("rev"), 64)
        revs = {**self.revs, topic: rev} if rev else {k: v for k, v in self.revs.items() if k != topic}
        return replace(updated, revs=revs)

    def with_connection(self, connected: bool) -> KioskModel:
        return self if connected == self.connected else replace(self, connected=connected)

    def with_media(self, sha256: str) -> KioskModel:
        return self if sha256 in self.media else replace(self, media=self.media | {sha256})

    # -- lookups the screens use ---------------------------------------------------------------

    def window_name(self, window_id: str | None) -> str:
        if self.centre is None or window_id is None:
            return ""
        return next((w.name for w in self.centre.windows if w.id == window_id), "")

    def comprehensive_window(self) -> Window | None:
        """The comprehensive window (综合窗口), where to ask about what the kiosk does not list; by its
        flag, else by its name."""
        windows = self.centre.windows if self.centre is not None else ()
        flagged = next((w for w in windows if w.comprehensive), None)
        return flagged or next((w for w in windows if "综合" in w.name), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def items_of(self, category_id: str) -> tuple[Item, ...]:
        category = self.category(category_id)
        return tuple(self.items[i] for i in category.items if i in self.items) if category else ()

    def guide_url(self, item: Item | str) -> str | None:
        return guide_url(self.centre, item)

    def guide(self, item_id: str) -> Guide | None:
        item = self.items.get(item_id)
        if item is None:
            return None
        category = self.category(item.category)
        return Guide(
            item=item,
            category_name=category.name if category else "",
            window_names=tuple(name for name in map(self.window_name, item.windows) if name),
            agents=tuple(a for a in self.agents if a.tier == "village") if "village" in item.tiers else (),
            url=self.guide_url(item),
        )

    def search(self, query: str, limit: int = 20) -> list[Item]:
        if self.index is None:
            return []
        return [self.items[hit.id] for hit in self.index.search(query, limit) if hit.id in self.items]


def _centre(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, centre=parse_centre(doc))


def _catalog(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    categories, items = parse_catalog(doc)
    return replace(model, categories=categories, items=items, index=model.indexes.index_for(doc))


def _staff(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, staff=parse_staff(doc))


def _agents(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, agents=parse_agents(doc))


def _queue(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, queue=parse_queue(doc))


def _announcements(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, announcements=parse_announcements(doc))


_BUILDERS: Final[dict[str, Callable[[KioskModel, Mapping[str, Any]], KioskModel]]] = {
    "centre": _centre,
    "catalog": _catalog,
    "staff": _staff,
    "agents": _agents,
    "queue": _queue,
    "announcements": _announcements,
}
