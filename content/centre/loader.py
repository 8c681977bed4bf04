"""Load a centre's content directory into a `Content`, or say everything that is wrong with it.

A content directory holds:

    centre.yaml       the centre: windows, hours, phones, rules
    categories.yaml   `categories:` with ticket prefixes
    items/*.yaml      `items:` the service items (办事指南), any number of files
    staff.yaml        `staff:` with photos relative to the directory
    agents.yaml       `agents:` the proxy agents (代办员)
    holidays.yaml     optional: local days off, and years the national calendar does not know yet

Loading is pure apart from reading the files: it returns every problem at once, each with
`file:line`, and a `Content` only when there are none; with it, what is not wrong but worth knowing
(`LoadResult.notices`: a text that screens will show a page at a time; `warnings`: the sample's address
kept in a copy of it). Every message comes from the `centre` catalog.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content.centre import schema
from content.centre.validate import cross_check
from content.shared import limits as cap
from content.shared.catalog import N_, domain
from content.shared.files import TooLarge, UnsafeFile, read_regular
from content.shared.yamlfile import Located, M, Problem, load_yaml, shown_text, validate_model

_ = domain("centre").gettext

_HOLDS = {
    "centre.yaml": N_("the centre's id, name, tier, address, hours, phones and windows"),
    "categories.yaml": N_("'categories:' and under it the list of categories with their ticket prefixes"),
    "staff.yaml": N_("'staff:' and under it the list of staff members"),
    "agents.yaml": N_("'agents:' and under it the list of proxy agents"),
    "items": N_("'items:' and under it a list of service items (their guides)"),
    "holidays.yaml": N_("'years:', 'holidays:' and 'workdays:' with the days off and the make-up working days"),
}
"""What each file holds, in the words of the message for an empty one."""
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
MAX_MEDIA_BYTES = cap.MEDIA_BYTES


@dataclass(frozen=True)
class Media:
    sha256: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Content:
    centre: schema.Centre
    categories: tuple[schema.Category, ...]
    items: tuple[schema.Item, ...]
    staff: tuple[schema.Staff, ...]
    agents: tuple[schema.Agent, ...]
    media: dict[str, Media]
    """Media by the path written in the content (e.g. `photos/s01.png`)."""
    holidays: schema.HolidaysFile = field(default_factory=schema.HolidaysFile)
    """Local days off and make-up working days, and years given in full (`holidays.yaml`)."""


@dataclass(frozen=True)
class LoadResult:
    content: Content | None
    problems: list[Problem]
    notices: list[Problem] = field(default_factory=list)
    """Not wrong, worth knowing: texts longer than a screen shows at once, which screens show a page at a time."""
    warnings: list[Problem] = field(default_factory=list)
    """Likely wrong, though the hall runs: the sample's public address kept in a copy of the sample."""


def _read_media(directory: Path, ref: str) -> Media | str:
    """The media file `ref`, or what is wrong with it."""
    path = (directory / ref).resolve()
    if directory.resolve() not in path.parents:
        return _("the photo '{photo}' is outside the content directory: put it in the directory").format(photo=ref)
    try:
        data = read_regular(path, MAX_MEDIA_BYTES)  # resolved: no link left to follow
    except TooLarge:
        return _("the photo '{photo}' is larger than {limit} KB: make it smaller").format(
            photo=ref, limit=MAX_MEDIA_BYTES // 1024
        )
    except UnsafeFile:
        return _("the photo '{photo}' is not a regular file").format(photo=ref)
    except OSError:
        return _("the photo '{photo}' is not in the content directory: put it there, or correct its name").format(
            photo=ref
        )
    if not data.startswith(_IMAGE_MAGIC):
        return _("the photo '{photo}' is not a PNG or JPEG image").format(photo=ref)
    mime = "image/png" if data.startswith(_IMAGE_MAGIC[0]) else "image/jpeg"
    return Media(hashlib.sha256(data).hexdigest(), mime, data)


class _Reader:
    def __init__(self, directory: Path, label: str) -> None:
        self.directory = directory
        self.label = label
        self.problems: list[Problem] = []
        self.located: dict[str, tuple[Any, Located]] = {}

    def read(self, relative: str, model: type[M]) -> M | None:
        path = self.directory / relative
        name = f"{self.label}/{relative}"
        if not path.is_file():
            self.problems.append(Problem(name, 1, _("the file is missing: every centre has one")))
            return None
        data, located, problems = load_yaml(path, name)
        self.problems.extend(problems)
        if problems and data is None:
            return None
        self.located[relative] = (data, located)
        holds = _(_HOLDS.get(relative) or _HOLDS["items"])
        value, problems = validate_model(model, data, located, holds=holds)
        self.problems.extend(problems)
        return value

    def at(self, relative: str, path: Sequence[str | int], message: str) -> Problem:
        data, located = self.located[relative]
        return located.problem(data, path, message)


def load_content(directory: Path | str, label: str | None = None) -> LoadResult:
    """Load and check a content directory. `label` is how files are named in problems."""
    # Loading allocates hundreds of thousands of small objects that all stay alive: the cyclic
    # collector would scan them again and again for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_content(Path(directory), label)
    finally:
        if enabled:
            gc.enable()


def _load_content(directory: Path, label: str | None) -> LoadResult:
    reader = _Reader(directory, label if label is not None else str(directory))
    if not directory.is_dir():
        return LoadResult(None, [Problem(reader.label, 1, _("not a directory"))])

    centre = reader.read("centre.yaml", schema.Centre)
    categories_file = reader.read("categories.yaml", schema.CategoriesFile)
    staff_file = reader.read("staff.yaml", schema.StaffFile)
    agents_file = reader.read("agents.yaml", schema.AgentsFile)
    holidays = schema.HolidaysFile()
    if (directory / "holidays.yaml").is_file():
        holidays = reader.read("holidays.yaml", schema.HolidaysFile) or holidays
        reader.problems.extend(_holiday_clashes(holidays, reader))
    item_files = sorted((directory / "items").glob("*.yaml")) if (directory / "items").is_dir() else []
    if not item_files:
        message = _("no items/*.yaml files: the service items are written in the items directory")
        reader.problems.append(Problem(f"{reader.label}/items", 1, message))
    items_by_file: list[tuple[str, schema.ItemsFile]] = []
    for path in item_files:
        relative = f"items/{path.name}"
        loaded = reader.read(relative, schema.ItemsFile)
        if loaded is not None:
            items_by_file.append((relative, loaded))

    reader.problems.extend(cross_check(centre, categories_file, items_by_file, staff_file, agents_file, reader.at))

    media: dict[str, Media] = {}
    for index, member in enumerate(staff_file.staff if staff_file else ()):
        if member.photo is None or member.photo in media:
            continue
        found = _read_media(directory, member.photo)
        if isinstance(found, str):
            reader.problems.append(reader.at("staff.yaml", ("staff", index, "photo"), found))
        else:
            media[member.photo] = found

    if reader.problems or centre is None or categories_file is None or staff_file is None or agents_file is None:
        return LoadResult(None, sorted(set(reader.problems)))
    items = tuple(item for _, loaded in items_by_file for item in loaded.items)
    content = Content(
        centre=centre,
        categories=tuple(categories_file.categories),
        items=items,
        staff=tuple(staff_file.staff),
        agents=tuple(agents_file.agents),
        media=media,
        holidays=holidays,
    )
    return LoadResult(content, [], _paged(items_by_file, reader), _sample_address(directory, centre, reader))


def _holiday_clashes(holidays: schema.HolidaysFile, reader: _Reader) -> list[Problem]:
    """A day listed both as a day off and as a working day."""
    off = {day: index for index, entry in enumerate(holidays.holidays) for day in entry.days()}
    problems = []
    for index, entry in enumerate(holidays.workdays):
        clash = sorted(set(entry.days()) & off.keys())
        if clash:
            problems.append(
                reader.at(
                    "holidays.yaml",
                    ("workdays", index),
                    _(
                        "{day} is listed under holidays: (entry {entry}) and under workdays:; keep it in one of them"
                    ).format(day=clash[0], entry=off[clash[0]] + 1),
                )
            )
    return problems


def _paged(items_by_file: list[tuple[str, schema.ItemsFile]], reader: _Reader) -> list[Problem]:
    """A notice at each fee, step and document's note longer than a screen shows at once (`limits.PAGE`):
    the displays show it whole, a page at a time, and the installer knows it beforehand."""
    notices = []
    for relative, loaded in items_by_file:
        for i, item in enumerate(loaded.items):
            name = shown_text(item.name, 30)
            if len(item.fee) > cap.PAGE:
                message = _(
                    "the fee of '{item}' has {count} characters, more than the {page} a screen shows at once: "
                    "the LED displays show it a page at a time and the kiosk scrolls it, never cut"
                ).format(item=name, count=len(item.fee), page=cap.PAGE)
                notices.append(reader.at(relative, ("items", i, "fee"), message))
            for j, step in enumerate(item.steps):
                if len(step) > cap.PAGE:
                    message = _(
                        "step {number} of '{item}' has {count} characters, more than the {page} a screen shows at "
                        "once: the LED displays show it a page at a time and the kiosk scrolls it, never cut"
                    ).format(number=j + 1, item=name, count=len(step), page=cap.PAGE)
                    notices.append(reader.at(relative, ("items", i, "steps", j), message))
            for j, document in enumerate(item.documents):
                if document.note is not None and len(document.note) > cap.PAGE:
                    message = _(
                        "the note on document {number} of '{item}' has {count} characters, more than the {page} a "
                        "screen shows at once: the LED displays show it a page at a time and the kiosk scrolls it, "
                        "never cut"
                    ).format(number=j + 1, item=name, count=len(document.note), page=cap.PAGE)
                    notices.append(reader.at(relative, ("items", i, "documents", j, "note"), message))
    return sorted(notices)


def _sample_address(directory: Path, centre: schema.Centre, reader: _Reader) -> list[Problem]:
    """A warning when a copy of the sample keeps the sample's `public_url`: every QR code and printed link
    of the hall would open the sample's address."""
    from content.centre.synth import SAMPLE

    if centre.public_url is None or directory.resolve() == SAMPLE.resolve():
        return []
    if centre.public_url.rstrip("/") != (_sample_url() or "").rstrip("/"):
        return []
    message = _(
        "public_url is still the sample centre's address ({url}): every QR code and printed link of this hall "
        "would open it. Write the address at which phones reach this hall's public pages"
    ).format(url=centre.public_url)
    return [reader.at("centre.yaml", ("public_url",), message)]


def _sample_url() -> str | None:
    from content.centre.synth import SAMPLE

    data, _located, _problems = load_yaml(SAMPLE / "centre.yaml")
    url = data.get("public_url") if isinstance(data, dict) else None
    return url if isinstance(url, str) else None


def summary(content: Content) -> str:
    instant = sum(item.instant for item in content.items)
    return _(
        "{name} ({id}): {windows} windows, {categories} categories, {items} items ({instant} instant), "
        "{staff} staff, {agents} agents"
    ).format(
        name=content.centre.name,
        id=content.centre.id,
        windows=len(content.centre.windows),
        categories=len(content.categories),
        items=len(content.items),
        instant=instant,
        staff=len(content.staff),
        agents=len(content.agents),
    )
