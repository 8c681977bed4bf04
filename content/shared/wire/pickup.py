"""The `pickup` document: numbers of the cases ready for collection (请以下办件人到窗口取件), of applicants
who agreed to be shown; never a name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from content.shared import limits as cap
from content.shared.catalog import domain
from content.shared.contract import kind_of, not_a_list
from content.shared.graphemes import cut

_ = domain("shared").gettext

SHOWN: Final = cap.PICKUP_SHOWN
"""Case numbers a display reads: the service sends no more."""
CASE_NUMBER: Final = re.compile(r"[A-Z]{1,4}-[0-9]{6}-[0-9]{4}")
"""A case number as the case rules write one (`content.cases.rules.NUMBER`): WC-261203-0007."""
PROBLEMS_NAMED: Final = 5
"""Dropped entries a warning describes one by one; it counts the rest."""
SHOWN_CHARACTERS: Final = 24
"""How much of a wrong entry a warning quotes."""


def body(cases: Iterable[str]) -> dict[str, Any]:
    return {"cases": list(cases)}


def read_cases(value: list[Any]) -> tuple[tuple[str, ...], list[str]]:
    """The case numbers of a list (at most `SHOWN`, each once, in its order) and what was wrong with the
    entries left out, one sentence each in the hall's language (entries counted from 1, as a person
    counts them); bounded however large or strange the list."""
    problems: list[str] = []
    if len(value) > SHOWN:
        problems.append(
            _("{count} cases, more than the {shown} a display reads: the rest are ignored").format(
                count=len(value), shown=SHOWN
            )
        )
    kept: list[str] = []
    seen: set[str] = set()
    dropped: list[str] = []
    for index, entry in enumerate(value[:SHOWN], start=1):
        if not isinstance(entry, str):
            dropped.append(_("entry {index} is {kind}, not text").format(index=index, kind=kind_of(entry)))
        elif not CASE_NUMBER.fullmatch(entry):
            dropped.append(
                _("entry {index} {entry} is not a case number like {example}").format(
                    index=index, entry=_shown(entry), example="WC-261203-0007"
                )
            )
        elif entry in seen:
            dropped.append(_("entry {index} {entry} is a repeat").format(index=index, entry=entry))
        else:
            seen.add(entry)
            kept.append(entry)
    if dropped:
        named = _("; ").join(dropped[:PROBLEMS_NAMED])
        if len(dropped) > PROBLEMS_NAMED:
            said = _("{count} of the cases dropped: {named}; and {more} more").format(
                count=len(dropped), named=named, more=len(dropped) - PROBLEMS_NAMED
            )
        else:
            said = _("{count} of the cases dropped: {named}").format(count=len(dropped), named=named)
        problems.append(said)
    return tuple(kept), problems


def _shown(entry: str) -> str:
    """An entry as a warning quotes it: its beginning, and its length when it is longer."""
    if len(entry) <= SHOWN_CHARACTERS:
        return repr(entry)
    return _("{beginning}… ({count} characters)").format(
        beginning=repr(cut(entry[: 8 * SHOWN_CHARACTERS], SHOWN_CHARACTERS, "")), count=len(entry)
    )


def read(doc: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """The case numbers and what was dropped; PayloadError when `cases` is no list."""
    value = doc.get("cases")
    if not isinstance(value, list):
        raise not_a_list("pickup", "cases", value)
    return read_cases(value)
