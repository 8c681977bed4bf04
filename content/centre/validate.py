"""Rules that span the content files: references, unique ids, time limits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from content.centre import schema
from content.shared.contract import zone_named
from content.shared.yamlfile import Problem

At = Callable[[str, Sequence[str | int], str], Problem]
"""Makes a problem at (file relative to the content directory, path in that file, message)."""


def _duplicates(entries: Iterable[tuple[str, Sequence[str | int], str]], what: str, at: At) -> list[Problem]:
    seen: dict[str, tuple[str, Sequence[str | int]]] = {}
    problems = []
    for file, path, value in entries:
        if value in seen:
            first_file, first_path = seen[value]
            first = at(first_file, first_path, "")
            problems.append(at(file, path, f"duplicate {what} {value!r} (first at {first.file}:{first.line})"))
        else:
            seen[value] = (file, path)
    return problems


def check_limits(limits: schema.Limits, instant: bool) -> list[tuple[str, str]]:
    """Problems with an item's time limits, as (field, message). Limits are in working days."""
    problems = []
    if limits.promised > limits.legal:
        problems.append(
            (
                "promised",
                f"promised limit {limits.promised} working days is longer than the legal limit {limits.legal}",
            )
        )
    if instant and limits.promised != 0:
        problems.append(("promised", "an instant item (即办件) has promised limit 0"))
    if not instant and limits.promised == 0:
        problems.append(("promised", "an item that is not instant needs a promised limit above 0"))
    if limits.proxy is not None and limits.proxy < limits.promised:
        problems.append(
            (
                "proxy",
                f"proxy limit {limits.proxy} working days is shorter than the promised limit {limits.promised}",
            )
        )
    return problems


def cross_check(
    centre: schema.Centre | None,
    categories: schema.CategoriesFile | None,
    item_files: Sequence[tuple[str, schema.ItemsFile]],
    staff: schema.StaffFile | None,
    agents: schema.AgentsFile | None,
    at: At,
) -> list[Problem]:
    """Check what spans files. Files that failed to load are None (or absent from `item_files`):
    the checks that need them are skipped, so one broken file does not hide the others' problems."""
    problems: list[Problem] = []
    c, k, s, a = "centre.yaml", "categories.yaml", "staff.yaml", "agents.yaml"

    window_ids: set[str] | None = None
    if centre is not None:
        window_ids = {window.id for window in centre.windows}
        if zone_named(centre.timezone) is None:
            problems.append(at(c, ("timezone",), f"unknown time zone {centre.timezone!r} (e.g. Asia/Shanghai)"))
        problems += _duplicates(
            ((c, ("windows", i, "id"), w.id) for i, w in enumerate(centre.windows)), "window id", at
        )
        problems += _duplicates(
            ((c, ("windows", i, "number"), str(w.number)) for i, w in enumerate(centre.windows) if w.number),
            "window number",
            at,
        )

    category_ids: set[str] | None = None
    if categories is not None:
        category_ids = {category.id for category in categories.categories}
        problems += _duplicates(
            ((k, ("categories", i, "id"), x.id) for i, x in enumerate(categories.categories)),
            "category id",
            at,
        )
        problems += _duplicates(
            ((k, ("categories", i, "prefix"), x.prefix) for i, x in enumerate(categories.categories)),
            "ticket prefix",
            at,
        )

    problems += _duplicates(
        ((f, ("items", i, "id"), item.id) for f, loaded in item_files for i, item in enumerate(loaded.items)),
        "item id",
        at,
    )
    if staff is not None:
        problems += _duplicates(((s, ("staff", i, "id"), m.id) for i, m in enumerate(staff.staff)), "staff id", at)
    if agents is not None:
        problems += _duplicates(((a, ("agents", i, "id"), x.id) for i, x in enumerate(agents.agents)), "agent id", at)

    if centre is not None and category_ids is not None:
        for i, window in enumerate(centre.windows):
            for j, category in enumerate(window.categories):
                if category not in category_ids:
                    problems.append(
                        at(c, ("windows", i, "categories", j), f"no category {category!r} in categories.yaml")
                    )

    for file, loaded in item_files:
        for i, item in enumerate(loaded.items):
            if category_ids is not None and item.category not in category_ids:
                problems.append(at(file, ("items", i, "category"), f"no category {item.category!r} in categories.yaml"))
            for j, window_id in enumerate(item.windows):
                if window_ids is not None and window_id not in window_ids:
                    problems.append(at(file, ("items", i, "windows", j), f"no window {window_id!r} in centre.yaml"))
            for key, message in check_limits(item.limits, item.instant):
                problems.append(at(file, ("items", i, "limits", key), message))

    if staff is not None and window_ids is not None:
        for i, member in enumerate(staff.staff):
            if member.window is not None and member.window not in window_ids:
                problems.append(at(s, ("staff", i, "window"), f"no window {member.window!r} in centre.yaml"))
    return problems
