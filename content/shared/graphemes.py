"""Cutting text where a reader sees a boundary: between user-perceived characters (extended grapheme
clusters, so never inside a surrogate pair, a combining sequence or an emoji), and never inside a name
joined by a middle dot (阿依古丽·买买提). A cut is marked with "…".

`regex`'s `\\X` finds the clusters (the standard library has no grapheme segmentation); the browser's
equivalent is `Intl.Segmenter`.
"""

from __future__ import annotations

from typing import Final

import regex

CUT: Final = "…"
_CLUSTER: Final = regex.compile(r"\X")
_JOINED: Final = regex.compile(r"[^\s\p{P}·・]+(?:[·・][^\s\p{P}·・]+)+")
"""A name joined by a middle dot (· or ・), as Uyghur, Tibetan and foreign names are written in Chinese."""


def graphemes(text: str) -> list[str]:
    """The text's user-perceived characters."""
    found: list[str] = _CLUSTER.findall(text)
    return found


def length(text: str) -> int:
    """How many characters a reader counts."""
    return len(graphemes(text))


def boundaries(text: str) -> list[int]:
    """The code-point offsets where the text may be cut: between clusters, outside dot-joined names."""
    inside: set[int] = set()
    for name in _JOINED.finditer(text):
        inside.update(range(name.start() + 1, name.end()))
    offsets = [0]
    for cluster in _CLUSTER.finditer(text):
        offsets.append(cluster.end())
    return [o for o in offsets if o not in inside]


def cut(text: str, limit: int, mark: str = CUT) -> str:
    """The text if it has at most `limit` characters, else its beginning and `mark` within `limit`,
    cut at a boundary. A name longer than the whole limit is cut between its clusters rather than lost."""
    clusters = graphemes(text)
    if len(clusters) <= limit:
        return text
    room = limit - length(mark)
    if room <= 0:
        return "".join(clusters[:limit])
    end = sum(len(c) for c in clusters[:room])
    allowed = [b for b in boundaries(text) if b <= end]
    best = allowed[-1] if allowed and allowed[-1] > 0 else end
    if best == end and best not in allowed:
        # No boundary before the limit: a name longer than it. Cut where its parts join, if one fits.
        dot = max(text.rfind("·", 0, end + 1), text.rfind("・", 0, end + 1))
        best = dot if dot > 0 else end
    return text[:best].rstrip().rstrip("·・") + mark
