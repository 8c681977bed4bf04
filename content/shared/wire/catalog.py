"""The `catalog` document: the categories (with their ticket prefixes) and the service items with every
field a guide (办事指南) must disclose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from content.shared import limits as cap
from content.shared.contract import (
    read_id,
    read_ids,
    read_int,
    read_main_rows,
    read_object,
    read_rows,
    read_strings,
    read_text,
)
from content.shared.wire.text import read_whole, read_wholes
from content.shared.wording import TIER_NAMES, format_document, format_limits


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    prefix: str
    items: tuple[str, ...]
    """Ids of the category's items, in catalog order."""


@dataclass(frozen=True)
class DocumentRow:
    """One line of the required-documents checklist (办理要件)."""

    name: str
    form: str
    copies: int | None
    note: str

    @property
    def text(self) -> str:
        """居民身份证 — 原件和复印件各1份（有则提供）."""
        return format_document(self.name, self.form, self.copies, self.note)


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
    fee: str
    documents: tuple[DocumentRow, ...]
    steps: tuple[str, ...]
    basis: str
    phone: str
    tiers: tuple[str, ...]
    keywords: tuple[str, ...]

    @property
    def limits(self) -> str:
        """即办件，当场办结 / 承诺 8 个工作日（法定 20 个工作日）；代办 13 个工作日."""
        return format_limits(self.instant, self.legal, self.promised, self.proxy)

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(TIER_NAMES[t] for t in self.tiers)


def body(categories: list[dict[str, Any]], items: list[dict[str, Any]]) -> dict[str, Any]:
    """From the content's categories and items as `hall check` passed them."""
    return {"categories": categories, "items": items}


def _document_row(d: Mapping[str, Any]) -> DocumentRow | None:
    name = read_whole(d.get("name"), cap.NAME)
    if not name:
        return None
    return DocumentRow(
        name, read_text(d.get("form"), 20), read_int(d.get("copies"), 0, 99), read_whole(d.get("note"), cap.NOTE)
    )


def read_item(raw: Mapping[str, Any]) -> Item | None:
    """One item; None without its id or name."""
    item_id, name = read_id(raw.get("id")), read_whole(raw.get("name"), cap.NAME)
    if not item_id or not name:
        return None
    limits = read_object(raw.get("limits"))
    legal, promised, proxy = (read_int(limits.get(key), 0, 3650) for key in ("legal", "promised", "proxy"))
    return Item(
        id=item_id,
        name=name,
        category=read_id(raw.get("category")),
        department=read_whole(raw.get("department"), cap.NAME),
        windows=read_ids(raw.get("windows"), cap.ITEM_WINDOWS),
        instant=raw.get("instant") is True,
        legal=legal,
        promised=promised,
        proxy=proxy,
        fee=read_whole(raw.get("fee"), cap.NOTE),
        documents=tuple(row for row in map(_document_row, read_rows(raw.get("documents"), cap.DOCUMENTS)) if row),
        steps=read_wholes(raw.get("steps"), cap.LONG, cap.STEPS),
        basis=read_whole(raw.get("basis"), cap.LONG),
        phone=read_text(raw.get("phone"), cap.PHONE),
        tiers=tuple(t for t in read_strings(raw.get("tiers"), 20, 3) if t in TIER_NAMES),
        keywords=read_strings(raw.get("keywords"), cap.KEYWORD, cap.KEYWORDS),
    )


def read(doc: Mapping[str, Any]) -> tuple[tuple[Category, ...], dict[str, Item]]:
    """The categories, each with its items' ids, and the items by id in catalog order."""
    raw_categories = read_main_rows(doc, "categories", "catalog", cap.CATEGORIES)
    items: dict[str, Item] = {}
    for raw in read_main_rows(doc, "items", "catalog", cap.ITEMS):
        item = read_item(raw)
        if item is not None and item.id not in items:
            items[item.id] = item
    members: dict[str, list[str]] = {}
    for item in items.values():
        members.setdefault(item.category, []).append(item.id)
    categories = []
    seen: set[str] = set()
    for c in raw_categories:
        category_id = read_id(c.get("id"))
        if not category_id or category_id in seen:
            continue
        seen.add(category_id)
        name = read_text(c.get("name"), cap.LABEL) or category_id
        categories.append(
            Category(category_id, name, read_text(c.get("prefix"), 2), tuple(members.get(category_id, ())))
        )
    return tuple(categories), items
