"""Rules that span the content files: references, unique ids, time limits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from content.centre import numbers, schema
from content.shared.catalog import N_, domain
from content.shared.contract import zone_named
from content.shared.yamlfile import Problem

_ = domain("centre").gettext

At = Callable[[str, Sequence[str | int], str], Problem]
"""Makes a problem at (file relative to the content directory, path in that file, message)."""


def _duplicates(entries: Iterable[tuple[str, Sequence[str | int], str]], words: str, at: At) -> list[Problem]:
    """A problem at each value seen before; `words` (marked with N_) has {value} and {first} (file:line)."""
    seen: dict[str, tuple[str, Sequence[str | int]]] = {}
    problems = []
    for file, path, value in entries:
        if value in seen:
            first_file, first_path = seen[value]
            first = at(first_file, first_path, "")
            message = _(words).format(value=value, first=f"{first.file}:{first.line}")
            problems.append(at(file, path, message))
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
                _(
                    "the promised limit ({promised} working days) is longer than the legal limit ({legal}): "
                    "a hall promises no more than the law allows"
                ).format(promised=limits.promised, legal=limits.legal),
            )
        )
    if instant and limits.promised != 0:
        problems.append(("promised", _("an instant item (instant: true) has the promised limit 0")))
    if not instant and limits.promised == 0:
        problems.append(("promised", _("an item that is not instant needs a promised limit above 0")))
    if limits.proxy is not None and limits.proxy < limits.promised:
        problems.append(
            (
                "proxy",
                _(
                    "the proxy limit ({proxy} working days) is shorter than the promised limit ({promised}): "
                    "carrying the papers up adds days"
                ).format(proxy=limits.proxy, promised=limits.promised),
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
            message = _("unknown time zone '{zone}': write Asia/Shanghai").format(zone=centre.timezone)
            problems.append(at(c, ("timezone",), message))
        problems += _case_prefix(centre, at)
        problems += _duplicates(
            ((c, ("windows", i, "id"), w.id) for i, w in enumerate(centre.windows)),
            N_("the window id '{value}' is used twice (first at {first}): give each window its own"),
            at,
        )
        problems += _duplicates(
            ((c, ("windows", i, "number"), str(w.number)) for i, w in enumerate(centre.windows) if w.number),
            N_("window number {value} is used twice (first at {first}): give each window its own"),
            at,
        )

    category_ids: set[str] | None = None
    if categories is not None:
        category_ids = {category.id for category in categories.categories}
        problems += _duplicates(
            ((k, ("categories", i, "id"), x.id) for i, x in enumerate(categories.categories)),
            N_("the category id '{value}' is used twice (first at {first}): give each category its own"),
            at,
        )
        problems += _duplicates(
            ((k, ("categories", i, "prefix"), x.prefix) for i, x in enumerate(categories.categories)),
            N_("the ticket prefix {value} is used twice (first at {first}): give each category its own"),
            at,
        )

    problems += _duplicates(
        ((f, ("items", i, "id"), item.id) for f, loaded in item_files for i, item in enumerate(loaded.items)),
        N_("the item id '{value}' is used twice (first at {first}): give each item its own"),
        at,
    )
    if staff is not None:
        problems += _duplicates(
            ((s, ("staff", i, "id"), m.id) for i, m in enumerate(staff.staff)),
            N_("the staff id '{value}' is used twice (first at {first}): give each person their own"),
            at,
        )
    if agents is not None:
        problems += _duplicates(
            ((a, ("agents", i, "id"), x.id) for i, x in enumerate(agents.agents)),
            N_("the agent id '{value}' is used twice (first at {first}): give each agent their own"),
            at,
        )

    if centre is not None and category_ids is not None:
        for i, window in enumerate(centre.windows):
            for j, category in enumerate(window.categories):
                if category not in category_ids:
                    problems.append(at(c, ("windows", i, "categories", j), _no_category(category)))

    for file, loaded in item_files:
        for i, item in enumerate(loaded.items):
            if category_ids is not None and item.category not in category_ids:
                problems.append(at(file, ("items", i, "category"), _no_category(item.category)))
            for j, window_id in enumerate(item.windows):
                if window_ids is not None and window_id not in window_ids:
                    problems.append(at(file, ("items", i, "windows", j), _no_window(window_id)))
            for key, message in check_limits(item.limits, item.instant):
                problems.append(at(file, ("items", i, "limits", key), message))

    if staff is not None and window_ids is not None:
        for i, member in enumerate(staff.staff):
            if member.window is not None and member.window not in window_ids:
                problems.append(at(s, ("staff", i, "window"), _no_window(member.window)))
    return problems


def _no_category(category: str) -> str:
    return _("there is no category '{category}' in categories.yaml: use the id of one listed there").format(
        category=category
    )


def _no_window(window: str) -> str:
    return _("there is no window '{window}' in centre.yaml: use the id of one of its windows").format(window=window)


def _case_prefix(centre: schema.Centre, at: At) -> list[Problem]:
    """The letters of case numbers: as written, 2 to 4 capital latin letters; by default, some must come of
    the short name (or the name)."""
    given = centre.cases.prefix
    if given is not None:
        if numbers.PATTERN.fullmatch(given):
            return []
        message = _(
            "the letters of case numbers (cases.prefix) '{value}' are not 2 to 4 capital latin letters: "
            "write the centre's own, such as {example}"
        ).format(value=given, example=numbers.initials(centre.short_name or centre.name) or "WC")
        return [at("centre.yaml", ("cases", "prefix"), message)]
    if numbers.case_prefix(centre) is not None:
        return []
    key = "short_name" if centre.short_name else "name"
    message = _(
        "no letters for case numbers come of the centre's name {name}: "
        "write them under cases as prefix, 2 to 4 capital latin letters such as WC"
    ).format(name=centre.short_name or centre.name)
    return [at("centre.yaml", (key,), message)]
