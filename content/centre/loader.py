"""Load a centre's content directory into a `Content`, or say everything that is wrong with it.

A content directory holds:

    centre.yaml       the centre: windows, hours, phones, rules
    categories.yaml   `categories:` with ticket prefixes
    items/*.yaml      `items:` the service items (办事指南), any number of files
    staff.yaml        `staff:` with photos relative to the directory
    agents.yaml       `agents:` the proxy agents (代办员)
    holidays.yaml     optional: local days off, and years the national calendar does not know yet

Loading is pure apart from reading the files: it returns every problem at once, each with
`file:line`, and a `Content` only when there are none.
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
from content.shared.files import TooLarge, UnsafeFile, read_regular
from content.shared.yamlfile import Located, M, Problem, load_yaml, validate_model

_HOLDS = {
    "centre.yaml": "the centre's id, name, tier, address, hours, phones and windows",
    "categories.yaml": "'categories:' and under it the list of categories with their ticket prefixes",
    "staff.yaml": "'staff:' and under it the list of staff members",
    "agents.yaml": "'agents:' and under it the list of proxy agents (代办员)",
    "items": "'items:' and under it a list of service items (办事指南)",
    "holidays.yaml": "'years:', 'holidays:' and 'workdays:' with the days off and make-up working days (调休)",
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


def _read_media(directory: Path, ref: str) -> Media | str:
    """The media file `ref`, or what is wrong with it."""
    path = (directory / ref).resolve()
    if directory.resolve() not in path.parents:
        return f"photo {ref!r} is outside the content directory"
    try:
        data = read_regular(path, MAX_MEDIA_BYTES)  # resolved: no link left to follow
    except TooLarge:
        return f"photo {ref!r} is larger than {MAX_MEDIA_BYTES} bytes"
    except UnsafeFile as exc:
        return f"photo {ref!r} {exc.problem}"
    except OSError:
        return f"photo {ref!r} not found"
    if not data.startswith(_IMAGE_MAGIC):
        return f"photo {ref!r} is not a PNG or JPEG image"
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
            self.problems.append(Problem(name, 1, "file is missing"))
            return None
        data, located, problems = load_yaml(path, name)
        self.problems.extend(problems)
        if problems and data is None:
            return None
        self.located[relative] = (data, located)
        holds = _HOLDS.get(relative) or _HOLDS["items"]
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
        return LoadResult(None, [Problem(reader.label, 1, "not a directory")])

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
        reader.problems.append(Problem(f"{reader.label}/items", 1, "no items/*.yaml files"))
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
    return LoadResult(content, [])


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
                    f"{clash[0]} is listed under holidays: (entry {off[clash[0]] + 1}) and under workdays:; "
                    "keep it in one of them",
                )
            )
    return problems


def summary(content: Content) -> str:
    instant = sum(item.instant for item in content.items)
    return (
        f"{content.centre.name} ({content.centre.id}): {len(content.centre.windows)} windows, "
        f"{len(content.categories)} categories, {len(content.items)} items ({instant} instant), "
        f"{len(content.staff)} staff, {len(content.agents)} agents"
    )
