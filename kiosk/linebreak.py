"""Line breaking for Chinese text (禁则): where a label's lines may end, given a way to measure a line.

Kivy wraps only at spaces and cuts a run of hanzi wherever the line is full, so "。" or "）" can start a
line. `wrap` puts the line breaks in itself:

- a line may end between two CJK characters, between a CJK character and a run of other characters,
  and at spaces (the spaces at a break are dropped);
- a line never starts with closing punctuation nor ends with opening punctuation: a closing mark goes
  to the next line with the character before it, an opening mark with the character after it;
- a run of non-CJK, non-space characters (0816-2731008, 09:00-12:00, A005, a URL) stays on one line
  unless it alone is wider than the line; so do "——" and "……", a number with the hanzi written
  right after it (1份, 60周岁), and a name joined by a middle dot (阿依古丽·买买提,
  content.shared.graphemes);
- with `words`, a run of hanzi stays on one line too: a list of names (张磊、阿依古丽·买买提) breaks
  only after its 、 or at spaces, never inside a name;
- whatever is still wider than the line is broken between characters;
- a paragraph does not end in a line of a single hanzi when the line before can spare a piece.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from content.shared.graphemes import boundaries

__all__ = ["CLOSING", "OPENING", "wrap"]

CLOSING: Final = frozenset("，。、；：！？）》」』】〕〉〗｝”’…‥—·・～％,.;:!?)]}%")  # catalog: data
"""Never at the start of a line."""
OPENING: Final = frozenset("（《「『【〔〈〖｛“‘([{")  # catalog: data
"""Never at the end of a line."""

_SPACE: Final = " "
_WIDE: Final = frozenset("WF")
_PUNCTUATION: Final = CLOSING | OPENING
_DOTS: Final = re.compile(r"(?<=[·・])")
_NAME_MAX: Final = 24
"""A dot-joined run longer than this (in characters) is prose, not a name: it breaks as prose does."""


@dataclass(frozen=True)
class _Segment:
    """Text that stays on one line, and the spaces before it: dropped if the line breaks there."""

    spaces: str
    text: str


def wrap(text: str, width: float, measure: Callable[[str], float], *, words: bool = False) -> str:
    """`text` with "\\n" inserted so that each line's `measure` is at most `width`, where possible.

    Existing "\\n" start new paragraphs; each is wrapped on its own. A piece that cannot be broken by
    the rules and is wider than the line is broken between characters, one character per line at least.
    With `words`, runs of hanzi are not broken either (a list of names): only at punctuation and spaces.
    """
    if width <= 0 or not text:
        return text
    return "\n".join(_wrap_paragraph(paragraph, width, measure, words) for paragraph in text.split("\n"))


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float], words: bool = False) -> str:
    """Greedy: each segment goes on the current line if the line, measured whole, still fits."""
    if not paragraph.strip(_SPACE):
        return paragraph
    lines: list[str] = []
    line = ""
    pending = _segments(paragraph, words)
    pending.reverse()
    while pending:
        segment = pending.pop()
        if measure(segment.text) > width and _joined(segment.text):
            # a name wider than the whole line: it breaks after its dots (阿依古丽· / 买买提), then as prose
            parts = [
                piece
                for part in _DOTS.split(segment.text)
                if part
                for piece in ([_Segment("", part)] if measure(part) <= width else _segments(part, words, names=False))
            ]
            parts[0] = _Segment(segment.spaces, parts[0].text)
            pending.extend(reversed(parts))
            continue
        if line:
            candidate = line + segment.spaces + segment.text
            if measure(candidate) <= width:
                line = candidate
                continue
            lines.append(line)
            line = ""
            if not segment.text:  # trailing spaces that do not fit: the break drops them
                continue
        text = segment.text  # at the start of a line: the spaces before it were the break
        pieces = [text] if measure(text) <= width else _by_character(text, width, measure)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line or not lines:
        lines.append(line)
    _no_orphan(lines, width, measure)
    return "\n".join(lines)


def _no_orphan(lines: list[str], width: float, measure: Callable[[str], float]) -> None:
    """A paragraph does not end in a line of one hanzi (搜索事 / 项, …窗口取 / 号, …保障 / 卡）): the line
    before gives its last piece, as long as it keeps two."""
    alone = lines[-1].rstrip("".join(CLOSING))  # 卡） and 号。 are alone too
    if len(lines) < 2 or not lines[-2] or len(_clusters(alone)) != 1:
        return
    if not _is_cjk(_base(alone)) or not _is_cjk(_base(lines[-2])):
        return
    pieces = _segments(lines[-2])
    if len(pieces) < 3 or pieces[-1].spaces:
        return
    last = pieces[-1].text + lines[-1]
    if measure(last) <= width:
        lines[-2] = "".join(piece.spaces + piece.text for piece in pieces[:-1])
        lines[-1] = last


def _segments(paragraph: str, words: bool = False, names: bool = True) -> list[_Segment]:
    """The paragraph as pieces that stay on one line, each with the spaces that a break before it drops.

    The first piece keeps the paragraph's leading spaces; spaces at its end come last, with no text.
    """
    segments: list[_Segment] = []
    current: _Segment | None = None
    spaces = ""  # since the last atom that is not spaces
    previous = ""  # that atom
    for atom in _atoms(paragraph, names):
        if atom[0] == _SPACE:
            spaces += atom
        elif current is None:
            current = _Segment("", spaces + atom)
        elif _may_break(previous, spaces, atom, words):
            segments.append(current)
            current = _Segment(spaces, atom)
        else:
            current = _Segment(current.spaces, current.text + spaces + atom)
        if atom[0] != _SPACE:
            previous, spaces = atom, ""
    if current is None:  # only spaces
        return [_Segment("", spaces)] if spaces else []
    segments.append(current)
    if spaces:
        segments.append(_Segment(spaces, ""))
    return segments


def _may_break(before: str, spaces: str, after: str, words: bool = False) -> bool:
    """Whether a line may end between two atoms that are not spaces, with `spaces` between them."""
    last = _base(before)
    if after[0] in CLOSING or last in OPENING:
        return False
    if words and not spaces and last not in _PUNCTUATION and after[0] not in _PUNCTUATION:
        return False  # inside a word or a name: 宋𠮷祥 stays whole
    if not spaces and last.isascii() and last.isdigit() and _is_cjk(after[0]):
        return False  # a number and its unit: 1份, 20个, 60周岁
    return bool(spaces) or _is_cjk(last) or _is_cjk(after[0])


def _by_character(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` in lines that fit `width`, broken anywhere between characters, at least one on each line;
    spaces at these breaks are dropped too, and leading spaces stay with the first character."""
    pieces: list[str] = []
    line = ""
    for cluster in _clusters(text):
        if not line:
            if cluster != _SPACE or not pieces:
                line = cluster
        elif measure(line + cluster) <= width or not line.strip(_SPACE):
            line += cluster
        elif cluster == _SPACE:
            pieces.append(line.rstrip(_SPACE))
            line = ""
        else:
            pieces.append(line.rstrip(_SPACE))
            line = cluster
    if line or not pieces:
        pieces.append(line)
    return pieces


def _atoms(paragraph: str, names: bool = True) -> list[str]:
    """Runs of spaces, single CJK characters and runs of other characters (marks stay on their base);
    with `names`, a dot-joined name is one atom."""
    atoms: list[str] = []
    inside = _inside_names(paragraph) if names else set()
    at = 0
    for cluster in _clusters(paragraph):
        kind = _kind(cluster[0])
        if atoms and (at in inside or (kind != "cjk" and kind == _kind(atoms[-1][0]))):
            atoms[-1] += cluster
        else:
            atoms.append(cluster)
        at += len(cluster)
    return atoms


def _joined(text: str) -> bool:
    return ("·" in text or "・" in text) and bool(_inside_names(text))


def _inside_names(paragraph: str) -> set[int]:
    """The offsets inside the dot-joined names of `paragraph` (no line break there), names up to
    `_NAME_MAX` characters: a longer run joined by a dot is prose (…中心·政务服务…)."""
    if "·" not in paragraph and "・" not in paragraph:
        return set()
    allowed = set(boundaries(paragraph))
    inside: set[int] = set()
    run: list[int] = []
    for offset in range(len(paragraph) + 1):
        if offset not in allowed and 0 < offset < len(paragraph):
            run.append(offset)
            continue
        if run and len(run) < _NAME_MAX:
            inside.update(run)
        run = []
    return inside


def _clusters(text: str) -> list[str]:
    """Characters, with combining marks, variation selectors and joined characters kept on their base."""
    clusters: list[str] = []
    for char in text:
        joins = _extends(char) or clusters[-1].endswith("\u200d") if clusters else False
        if joins and char != _SPACE and clusters[-1][0] != _SPACE:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _extends(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me") or "\ufe00" <= char <= "\ufe0f" or char == "\u200d"


def _base(atom: str) -> str:
    """The last character of `atom` that is not a mark on another."""
    for char in reversed(atom):
        if not _extends(char):
            return char
    return atom[-1]


def _kind(char: str) -> str:
    if char == _SPACE:
        return "space"
    return "cjk" if _is_cjk(char) else "other"


def _is_cjk(char: str) -> bool:
    """Hanzi, kana, full-width forms and Chinese punctuation: a line may end before or after each."""
    return unicodedata.east_asian_width(char) in _WIDE or (not char.isascii() and char in _PUNCTUATION)
