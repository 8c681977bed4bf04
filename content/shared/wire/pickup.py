"""The `pickup` document: numbers of the cases ready for collection (请以下办件人到窗口取件), of applicants
who agreed to be shown; never a name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from content.shared import limits as cap
from content.shared.contract import not_a_list

SHOWN: Final = cap.PICKUP_SHOWN
"""Case numbers a display reads: the service sends no more."""
CASE_NUMBER: Final = re.compile(r"[A-Z]{1,4}-[0-9]{6}-[0-9]{4}")
"""A case number as the case rules write one (`content.cases.rules.NUMBER`): WC-261203-0007."""
PROBLEMS_NAMED: Final = 5
"""Dropped entries a warning describes one by one; it counts the rest."""


def body(cases: Iterable[str]) -> dict[str, Any]:
    return {"cases": list(cases)}


def read_cases(value: list[Any]) -> tuple[tuple[str, ...], list[str]]:
    """The case numbers of a list (at most `SHOWN`, each once, in its order) and what was wrong with the
    entries left out, one sentence each; bounded however large or strange the list."""
    problems: list[str] = []
    if len(value) > SHOWN:
        problems.append(f"{len(value)} cases, more than the {SHOWN} a display reads: the rest are ignored")
    kept: list[str] = []
    seen: set[str] = set()
    dropped: list[str] = []
    for index, entry in enumerate(value[:SHOWN]):
        if not isinstance(entry, str):
            dropped.append(f"entry {index} is {type(entry).__name__}, not text")
        elif not CASE_NUMBER.fullmatch(entry):
            shown = repr(entry[:24]) + (f"… ({len(entry)} characters)" if len(entry) > 24 else "")
            dropped.append(f"entry {index} {shown} is not a case number like WC-261203-0007")
        elif entry in seen:
            dropped.append(f"entry {index} {entry} is a repeat")
        else:
            seen.add(entry)
            kept.append(entry)
    if dropped:
        named = "; ".join(dropped[:PROBLEMS_NAMED])
        more = f"; and {len(dropped) - PROBLEMS_NAMED} more" if len(dropped) > PROBLEMS_NAMED else ""
        problems.append(f"{len(dropped)} of the cases dropped: {named}{more}")
    return tuple(kept), problems


def read(doc: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """The case numbers and what was dropped; PayloadError when `cases` is no list."""
    value = doc.get("cases")
    if not isinstance(value, list):
        raise not_a_list("pickup", "cases", value)
    return read_cases(value)
