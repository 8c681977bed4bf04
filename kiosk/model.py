"""What the kiosk shows: the latest of each document, read by the contract's one reader each
(`content.shared.wire`), and the lookups its screens make. Pure: no Kivy, no I/O.

A payload that is not a contract document, or whose main list is missing, raises `PayloadError` and leaves
the previous model in place, so a screen never shows a document half-applied. `KioskModel.apply` returns a
new model; models are immutable, so handing one from the MQTT side to the UI thread is a reference swap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final
from urllib.parse import quote

from content.shared import limits as cap
from content.shared.contract import PayloadError, decode, read_text
from content.shared.wire import agents as agents_doc
from content.shared.wire import announcements as announcements_doc
from content.shared.wire import catalog as catalog_doc
from content.shared.wire import centre as centre_doc
from content.shared.wire import queue as queue_doc
from content.shared.wire import staff as staff_doc
from content.shared.wire.agents import Agent
from content.shared.wire.announcements import Announcements
from content.shared.wire.catalog import Category, Item
from content.shared.wire.centre import Centre, Window
from content.shared.wire.queue import Queue
from content.shared.wire.staff import StaffMember
from kiosk.search import IndexCache, SearchIndex
from kiosk.words import _

MAX_PAYLOAD: Final = cap.DOCUMENT_BYTES
SERVICE_PRESENCE: Final = "device/service/state"
DOCUMENTS: Final = ("centre", "catalog", "staff", "agents", "queue", "announcements")
"""The state documents the kiosk shows (and caches)."""
TARGET: Final = "kiosk"
"""What the kiosk is to an announcement's `targets`."""


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
                raise PayloadError(_("service presence: unknown status {status}").format(status=repr(status)))
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
        return flagged or next((w for w in windows if "综合" in w.name), None)  # catalog: data (a name, matched)

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
    return replace(model, centre=centre_doc.read(doc))


def _catalog(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    categories, items = catalog_doc.read(doc)
    return replace(model, categories=categories, items=items, index=model.indexes.index_for(doc))


def _staff(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, staff=staff_doc.read(doc))


def _agents(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, agents=agents_doc.read(doc))


def _queue(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, queue=queue_doc.read(doc))


def _announcements(model: KioskModel, doc: Mapping[str, Any]) -> KioskModel:
    return replace(model, announcements=announcements_doc.read(doc))


_BUILDERS: Final[dict[str, Callable[[KioskModel, Mapping[str, Any]], KioskModel]]] = {
    "centre": _centre,
    "catalog": _catalog,
    "staff": _staff,
    "agents": _agents,
    "queue": _queue,
    "announcements": _announcements,
}
