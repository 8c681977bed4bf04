"""The letters a centre's case numbers start with (WC-261203-0007): `cases.prefix` in centre.yaml, or by
default the initials of the pinyin of the place its short name names (魏城镇便民服务中心 → 魏城 → WC).

pypinyin reads the hanzi; it is imported at the first use, by the service and `hall check` (the service
extra), never by a command that only sends.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from content.centre import schema

PATTERN: Final = re.compile(r"[A-Z]{2,4}")
"""What a prefix is: two to four capital latin letters."""
HALLS: Final = ("便民服务中心", "政务服务中心", "党群服务中心", "服务中心", "服务站", "代办点", "中心")  # catalog: data
"""What a centre's name ends with after its place, longest first."""
UNITS: Final = ("街道", "社区", "镇", "乡", "村", "区", "县", "市", "省")  # catalog: data
"""The administrative units a place's name ends with (魏城镇), or that come before it (游仙区魏城镇)."""


def place(name: str) -> str:
    """The place a centre's name names: without the hall's words, the unit it ends with and the units
    above it, as long as two characters are left (绵阳市游仙区魏城镇便民服务中心 → 魏城; 新市镇 → 新市)."""
    text = name.strip()
    for hall in HALLS:
        if text.endswith(hall) and len(text) > len(hall):
            text = text[: -len(hall)]
            break
    for unit in UNITS:
        if text.endswith(unit) and len(text) - len(unit) >= 2:
            text = text[: -len(unit)]
            break
    cut = max((text[:-2].rfind(unit) + len(unit) for unit in UNITS if unit in text[:-2]), default=0)
    return text[cut:] if len(text) - cut >= 2 else text


@lru_cache(maxsize=16)
def initials(name: str) -> str | None:
    """The default letters for a centre called `name`: its place's pinyin initials (at most 4), or those
    of the place with its unit when the place gives one letter; None when no two letters come of it."""
    from pypinyin import Style, lazy_pinyin

    def letters(text: str) -> str:
        return "".join(ch for s in lazy_pinyin(text, style=Style.FIRST_LETTER) for ch in s.upper() if "A" <= ch <= "Z")

    found = letters(place(name))
    if len(found) < 2:
        found = letters(name)
    return found[:4] if len(found) >= 2 else None


def case_prefix(centre: schema.Centre) -> str | None:
    """The centre's case-number letters: `cases.prefix` as given, or the default from its short name (its
    name when it has none). None when neither gives letters (`hall check` says to write `cases.prefix`)."""
    if centre.cases.prefix is not None:
        return centre.cases.prefix
    return initials(centre.short_name or centre.name)
