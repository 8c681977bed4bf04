"""Reading text people must read whole: what `hall check` passed is never cut."""

from __future__ import annotations

from typing import Any, Final

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
