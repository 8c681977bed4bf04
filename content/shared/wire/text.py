"""Reading text people must read whole: what `hall check` passed is never cut."""

from __future__ import annotations

from typing import Any, Final

from content.shared import graphemes

CUT: Final = graphemes.CUT


def read_whole(value: Any, limit: int) -> str:
    """A text field people must read whole (the disclosure of a guide, a rule, the address), at most
    `limit` characters, the schema's own bound (`content.shared.limits`): content that `hall check`
    passed is never cut. Anything longer came from elsewhere, and is cut with a visible "…", between two
    characters a reader sees (never inside a surrogate pair, a combining sequence or a dot-joined name)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if len(text) <= limit:
        return text
    # A hostile field may be megabytes: only its beginning is looked at (a character is a few code points).
    head = text[: limit * 4 + 16]
    cut = graphemes.cut(head, limit)
    if len(cut) > limit:  # characters of several code points: still no more than `limit` code points
        room = limit - len(CUT)
        ends = [end for end in graphemes.boundaries(head[: limit + 1]) if 0 < end <= room]
        cut = head[: ends[-1] if ends else room].rstrip() + CUT
    return cut


def read_wholes(value: Any, limit: int, rows: int) -> tuple[str, ...]:
    """`read_whole` over the non-empty strings of a list field, at most `rows` of them."""
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (read_whole(v, limit) for v in value[:rows]) if t)
