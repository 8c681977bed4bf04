"""Text on LED displays: clean payload text, fit it in whole characters, render strips, scroll by cropping.

Everything here is a pure function of its arguments (the `Font` caches only what it has drawn).
Payload text should pass through `sanitize` first: it caps the length before any layout, so a 1 MB
string costs no more than a long announcement.

The stated rules for text that does not fit:
- `shorten`: keep the beginning, drop whole clusters from the end, append "…"; "" if not even "…" fits.
  A name joined by a middle dot (阿依古丽·买买提) is kept whole or left out, never cut inside
  (`content.shared.graphemes.boundaries`), unless it alone is wider than the line.
- `distinct`: texts that would shorten alike keep, each, the whole part that tells them apart, after
  the same beginning.
- `wrap`: hanzi break anywhere (not before closing or after opening punctuation), other text at
  spaces, a word longer than the line at a cluster boundary; when text remains after `max_lines`,
  the last line is shortened with "…".
- `paginate`: broken as `wrap` breaks, but nothing is left out: pages of lines, each page but the
  last ending in "…". With `clauses`, a line rather ends after a clause's punctuation (，。；), so
  that "请到1号窗口办理" stays on one page. A line given in `keep` (a heading) never ends a page: it
  starts the next, with the line it heads.
- a ticker scrolls instead (`TickerStrip`), drawn a tile at a time, so its memory is a few tiles
  whatever its length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Collection

from PIL import Image

from content.shared.graphemes import boundaries
from led_driver.fonts import Font, FontError, Glyph, load_font, wide

__all__ = [
    "ELLIPSIS",
    "MAX_CHARS",
    "Font",
    "FontError",
    "TickerStrip",
    "distinct",
    "load_font",
    "paginate",
    "render_line",
    "sanitize",
    "shorten",
    "wrap",
]

Colour = int | tuple[int, ...] | str
MAX_CHARS = 2000
MAX_TICKER_CHARS = 12_000
"""Twenty announcements of 500 characters and their gaps; a ticker is cut past this."""
TILE_PX = 1024
"""A ticker is drawn in tiles of about this many pixels of whole glyphs."""
KEPT_TILES = 6
"""Tiles a ticker keeps drawn: enough for a 1080p wall's widest frame and the next tile."""
ELLIPSIS = "…"
TICKER_GAP = "　　　"  # catalog: data

# Line breaks (those str.splitlines knows) become "\n"; every other C0/C1 control becomes a space.
_CONTROLS = {cp: " " for cp in (*range(0x20), *range(0x7F, 0xA0)) if cp != 0x0A}
_CONTROLS.update({cp: "\n" for cp in (0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)})
_SURROGATE = re.compile("[\ud800-\udfff]")

# Kinsoku: never at the start of a line / never at the end of one.
_NO_START = frozenset("，。、；：？！）」』】》〉〕〗｝〙〛’”…‥・·～％,.;:?!)]}%")  # catalog: data
_NO_END = frozenset("（「『【《〈〔〖｛〘〚‘“([{")  # catalog: data
_CLAUSE_END = frozenset("，。；：！？、,;:!?")  # catalog: data
_OPENING = frozenset("（「『【《〈〔〖｛〘〚([{")  # catalog: data
_CLOSING = frozenset("）」』】》〉〕〗｝〙〛)]}")  # catalog: data


def sanitize(value: object, max_chars: int = MAX_CHARS) -> str:
    """Payload text made safe to lay out.

    A str is cut to `max_chars` first (so the rest of the work is bounded), then "\\r\\n", "\\r" and
    the other line separators become "\\n", other control characters spaces, lone surrogates U+FFFD.
    Numbers (a ticket sent as 12) become their decimal text. Anything else (None, bools, lists,
    dicts, bytes) becomes "": a wrong type shows nothing rather than a Python repr.
    """
    if isinstance(value, str):
        text = value[:max_chars]
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            text = str(value)[:max_chars]
        except ValueError:  # an int with more digits than Python will print
            return ""
    else:
        return ""
    return _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").translate(_CONTROLS))


def render_line(text: str, font: Font, fill: Colour = 255, mode: str = "L", background: Colour = 0) -> Image.Image:
    """One line of text: an image exactly `font.text_width(text)` wide and `font.line_height` tall.

    Line breaks and controls show as spaces; characters no face has, as the replacement box. Bitmap
    fonts and mode "1" images are drawn without anti-aliasing.
    """
    glyphs = font.glyphs(text)
    image = Image.new(mode, (sum(glyph.advance for glyph in glyphs), font.line_height), background)
    _draw(image, glyphs, 0, font, fill)
    return image


def _draw(image: Image.Image, glyphs: list[Glyph], x: int, font: Font, fill: Colour) -> None:
    """Draw `glyphs` from pen position `x` (which may lie left of the image: what falls outside is cut)."""
    antialias = image.mode != "1"
    for glyph in glyphs:
        ink = font.ink(glyph, antialias)
        if ink is not None:
            mask, dx = ink
            image.paste(fill, (x + dx, 0), mask)
        x += glyph.advance


def shorten(text: str, font: Font, width: int, ellipsis: str = ELLIPSIS) -> str:
    """The text as displayed if it fits `width`, else its beginning in whole clusters plus `ellipsis`."""
    return _shorten(font.glyphs(text), font, width, ellipsis)


def _shorten(glyphs: list[Glyph], font: Font, width: int, ellipsis: str) -> str:
    if sum(glyph.advance for glyph in glyphs) <= width:
        return "".join(glyph.text for glyph in glyphs)
    room = width - font.text_width(ellipsis)
    if room < 0:
        return ""
    kept = _kept(glyphs, room)
    return _head(glyphs[:kept]) + ellipsis


def _head(glyphs: list[Glyph]) -> str:
    """A beginning as shown before "…": no space, dot or opening bracket left hanging at its end."""
    return "".join(glyph.text for glyph in glyphs).rstrip().rstrip("·・" + "".join(_OPENING)).rstrip()


def _kept(glyphs: list[Glyph], room: int) -> int:
    """How many glyphs from the start fit `room`, ending where a cut may fall: outside a dot-joined name,
    unless the name is all there is before the room runs out (then at its dot, else between clusters)."""
    fits, used = 0, 0
    for glyph in glyphs:
        used += glyph.advance
        if used > room:
            break
        fits += 1
    if fits == len(glyphs):
        return fits
    cuts = _cuts(glyphs)
    allowed = [k for k in range(fits, 0, -1) if k in cuts]
    if allowed:
        return allowed[0]
    dots = [k for k in range(fits, 0, -1) if glyphs[k - 1].text in ("·", "・")]
    return dots[0] if dots else fits


def _cuts(glyphs: list[Glyph]) -> set[int]:
    """The glyph counts after which a text may be cut: every one but those inside a dot-joined name."""
    joined = "".join(glyph.text for glyph in glyphs)
    inside = {end for end in _ends(glyphs)} - set(boundaries(joined))
    cuts, at = {0}, 0
    for k, glyph in enumerate(glyphs, 1):
        at += len(glyph.text)
        if at not in inside:
            cuts.add(k)
    return cuts


def _ends(glyphs: list[Glyph]) -> list[int]:
    ends, at = [], 0
    for glyph in glyphs:
        at += len(glyph.text)
        ends.append(at)
    return ends


def distinct(texts: list[str], font: Font, width: int, ellipsis: str = ELLIPSIS) -> list[str]:
    """Each text shortened to `width`, so that different texts stay different where the width allows.

    Texts that would shorten alike keep the same beginning, then `ellipsis`, then, each, the whole part
    that tells them apart to its end: 社会…养老保险） beside 社会…医疗保险）, 综合受理…（一） beside
    综合受理…（二）; never one stray character of it (…老保险）, …一）). The part starts at an opening
    bracket just before it when there is room for it, and never inside a dot-joined name.
    """
    shown = [shorten(t, font, width, ellipsis) for t in texts]
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(shown):
        groups.setdefault(label, []).append(i)
    for indices in groups.values():
        different = sorted({texts[i] for i in indices})
        if len(different) < 2:
            continue
        labels = _apart(different, font, width, ellipsis)
        if labels is not None and len(set(labels.values())) == len(different):
            for i in indices:
                shown[i] = labels[texts[i]]
    return shown


def _apart(texts: list[str], font: Font, width: int, ellipsis: str) -> dict[str, str] | None:
    """Labels for texts that shorten alike: their common beginning cut to one length, then each one's own end."""
    glyphs = [font.glyphs(t) for t in texts]
    common = 0
    while all(len(g) > common for g in glyphs) and len({g[common].text for g in glyphs}) == 1:
        common += 1
    if any(len(g) == common for g in glyphs):
        common -= 1  # one is the beginning of another: its end is what it has of its own
    first = glyphs[0]
    cuts = set.intersection(*(_cuts(g) for g in glyphs))
    starts = [k for k in range(common, -1, -1) if k in cuts]
    if not starts:
        return None
    start = starts[0]
    # Back to an opening bracket the differing part is in, where every label still has room for it.
    bracket = next((k for k in range(start - 1, -1, -1) if first[k].text in _OPENING), None)
    closed = any(first[k].text in _CLOSING for k in range((bracket or 0) + 1, start))
    mark = font.text_width(ellipsis)
    roomy = bracket is not None and max(sum(x.advance for x in g[bracket:]) for g in glyphs) + mark <= width
    if bracket is not None and roomy and not closed and bracket in cuts:
        start = bracket
    tails = [g[start:] for g in glyphs]
    room = width - mark - max(sum(x.advance for x in tail) for tail in tails)
    if room < 0:
        # The differing parts are longer than the line: each from where it differs, shortened at its end.
        return {
            t: ellipsis + _shorten(tail, font, width - mark, ellipsis) for t, tail in zip(texts, tails, strict=True)
        }
    head = first[: _kept(first[:start], room)] if start else []
    beginning = _head(head)
    return {t: beginning + ellipsis + "".join(x.text for x in tail) for t, tail in zip(texts, tails, strict=True)}


def wrap(text: str, font: Font, width: int, max_lines: int, ellipsis: str = ELLIPSIS) -> list[str]:
    """At most `max_lines` lines, each no wider than `width`; "\\n" starts a new line."""
    if max_lines < 1 or width < 1:
        return []
    items, last = _items(text, font)
    if last < 0:
        return []
    lines: list[str] = []
    start = 0
    while start <= last:
        while _is_space(items[start]):
            start += 1
        end, resume = _fit(items, start, width)
        stuck = end == start and items[start] is not None  # a single cluster wider than the line
        if stuck or (len(lines) == max_lines - 1 and resume <= last):
            while items[start] is None or _is_space(items[start]):
                start += 1  # the last line shows text, not a blank line before it
            lines.append(_shorten(_joined(items[start : last + 1], font), font, width, ellipsis))
            break
        lines.append("".join(glyph.text for glyph in items[start:end] if glyph is not None).rstrip())
        start = resume
    return lines


def paginate(
    text: str,
    font: Font,
    width: int,
    rows: int,
    ellipsis: str = ELLIPSIS,
    *,
    clauses: bool = False,
    keep: Collection[int] = (),
) -> list[list[str]]:
    """The whole text in pages of at most `rows` lines, each no wider than `width`, broken as `wrap`
    breaks. The last line of every page but the last ends with `ellipsis`: there is more. Without
    it, the pages' lines are the text, less the spaces and line breaks that lines start or end at.
    A page starts with text, never a blank line. With `clauses`, a line that does not hold the rest of
    the text ends after the last clause's punctuation (，。；) it holds, if any: a sentence is read
    a clause a page (系统升级，暂停受理， / 请到1号窗口办理), not cut inside one.
    `keep`: the numbers of the text's lines (from 0, as `str.splitlines` counts them) kept with the
    line after them, as a heading is: one that would be alone at the bottom of a page starts the next.
    """
    if rows < 1 or width < 1:
        return []
    items, last = _items(text, font)
    kept = _line_starts(items, keep)
    room = width - font.text_width(ellipsis)
    pages: list[list[str]] = []
    page: list[str] = []
    begun: list[int] = []
    start = 0
    while start <= last:
        while _is_space(items[start]) or (not page and items[start] is None):
            start += 1
        end, resume = _fit_some(items, start, width, clauses)
        more = resume <= last
        if more and page and len(page) == rows - 1 and start in kept and items[end] is None:
            # A heading whole on the page's last line, its text on the next page: it goes there too,
            # and the line before it ends the page, with its mark.
            page.pop()
            start = begun.pop()
            end, resume = _fit_some(items, start, max(1, room), clauses)
            pages.append([*page, _line(items, start, end) + ellipsis])
            page, begun, start = [], [], resume
            continue
        if more and len(page) == rows - 1:
            end, resume = _fit_some(items, start, max(1, room), clauses)
        line = _line(items, start, end)
        page.append(line + ellipsis if more and len(page) == rows - 1 else line)
        begun.append(start)
        start = resume
        if len(page) == rows or start > last:
            pages.append(page)
            page, begun = [], []
    return pages


def _line(items: list[Glyph | None], start: int, end: int) -> str:
    return "".join(glyph.text for glyph in items[start:end] if glyph is not None).rstrip()


def _line_starts(items: list[Glyph | None], lines: Collection[int]) -> set[int]:
    """Where each of the text's `lines` (numbered from 0) starts among its glyphs."""
    starts = [0] + [i + 1 for i, item in enumerate(items) if item is None]
    return {starts[n] for n in lines if 0 <= n < len(starts)}


def _items(text: str, font: Font) -> tuple[list[Glyph | None], int]:
    """The text's glyphs with None for a hard line break, and the index of the last that is neither
    a space nor a break (-1 for none): trailing blank lines and spaces are not shown."""
    items: list[Glyph | None] = []
    for i, paragraph in enumerate(text.splitlines()):
        if i:
            items.append(None)
        items.extend(font.glyphs(paragraph))
    visible = [i for i, item in enumerate(items) if item is not None and not item.text.isspace()]
    return items, visible[-1] if visible else -1


def _fit_some(items: list[Glyph | None], start: int, width: int, clauses: bool = False) -> tuple[int, int]:
    """`_fit`, but a cluster wider than the line still fills one, so that a page always moves on."""
    end, resume = _fit(items, start, width)
    if end == start and items[start] is not None:
        return start + 1, start + 1
    if clauses and end == resume and end < len(items):
        # The line was full: end it after its last clause instead, where it has one.
        ends = [i + 1 for i in range(start, end - 1) if (glyph := items[i]) is not None and glyph.text in _CLAUSE_END]
        if ends:
            return ends[-1], ends[-1]
    return end, resume


def _fit(items: list[Glyph | None], start: int, width: int) -> tuple[int, int]:
    """Where the line that starts at `start` ends, and where the next one starts."""
    x, last_break = 0, 0
    for i in range(start, len(items)):
        glyph = items[i]
        if glyph is None:
            return i, i + 1
        if x + glyph.advance > width:
            end = last_break if last_break > start else i
            return end, end
        x += glyph.advance
        following = items[i + 1] if i + 1 < len(items) else None
        if following is not None and _can_break(glyph, following):
            last_break = i + 1
    return len(items), len(items)


def _can_break(before: Glyph, after: Glyph) -> bool:
    if before.text.isspace() or after.text.isspace():
        return True
    if after.text[0] in _NO_START or before.text[-1] in _NO_END:
        return False
    return wide(before.text) or wide(after.text)


def _is_space(item: Glyph | None) -> bool:
    return item is not None and item.text.isspace()


def _joined(items: list[Glyph | None], font: Font) -> list[Glyph]:
    """The rest of a text as one line: hard breaks become spaces."""
    space = font.glyphs(" ")
    return [glyph for item in items for glyph in ([item] if item is not None else space)]


class TickerStrip:
    """A text scrolled by cropping, drawn a tile at a time.

    One period is the text followed by `gap`. It is cut into tiles of whole glyphs about `TILE_PX`
    wide, each drawn when a frame first needs it, and only the last `KEPT_TILES` are kept: a
    ticker costs a few tiles of memory however long its text (80 announcements once took a wall
    controller to 2.8 GB as one strip). Offsets move the text left: `frame(0, w)` starts at the
    text's first column and `frame(period, w)` equals it.
    """

    def __init__(
        self,
        text: str,
        font: Font,
        fill: Colour = 255,
        mode: str = "L",
        background: Colour = 0,
        *,
        gap: str = TICKER_GAP,
    ) -> None:
        self._glyphs = font.glyphs(text[:MAX_TICKER_CHARS] + gap)
        self._font, self._fill, self._mode, self._background = font, fill, mode, background
        self.height = font.line_height
        # Tiles: (pen position, first glyph, end glyph), none of width 0.
        self._tiles: list[tuple[int, int, int]] = []
        x = start = tile_x = 0
        for k, glyph in enumerate(self._glyphs):
            if x - tile_x + glyph.advance > TILE_PX and x > tile_x:
                self._tiles.append((tile_x, start, k))
                start, tile_x = k, x
            x += glyph.advance
        if x > tile_x:
            self._tiles.append((tile_x, start, len(self._glyphs)))
        elif self._tiles:  # a last run of zero-width glyphs joins the tile before it
            self._tiles[-1] = (*self._tiles[-1][:2], len(self._glyphs))
        self.period = max(1, x)
        self._starts = [tile[0] for tile in self._tiles]
        self._drawn: OrderedDict[int, Image.Image] = OrderedDict()

    @property
    def cycle(self) -> Image.Image:
        """One period in one image (for tests and previews: a long text makes it large)."""
        image = Image.new(self._mode, (self.period, self.height), self._background)
        for index, (x, _, _) in enumerate(self._tiles):
            image.paste(self._tile(index), (x, 0))
        return image

    def frame(self, offset_px: int, width: int) -> Image.Image:
        width = max(0, width)
        frame = Image.new(self._mode, (width, self.height), self._background)
        if not self._tiles:
            return frame
        at = offset_px % self.period
        pos = 0
        while pos < width:
            index = bisect_right(self._starts, at) - 1
            tile_x = self._starts[index]
            tile = self._tile(index)
            frame.paste(tile, (pos - (at - tile_x), 0))  # the part left of the frame is cut
            pos += tile_x + tile.width - at
            at = (tile_x + tile.width) % self.period
        return frame

    def _tile(self, index: int) -> Image.Image:
        tile = self._drawn.get(index)
        if tile is not None:
            self._drawn.move_to_end(index)
            return tile
        x, start, end = self._tiles[index]
        following = self._tiles[index + 1][0] if index + 1 < len(self._tiles) else self.period
        tile = Image.new(self._mode, (following - x, self.height), self._background)
        # One glyph either side too, so ink that overhangs a tile's edge is drawn as in one strip.
        before = max(0, start - 1)
        pen = x - sum(glyph.advance for glyph in self._glyphs[before:start])
        _draw(tile, self._glyphs[before : end + 1], pen - x, self._font, self._fill)
        self._drawn[index] = tile
        if len(self._drawn) > KEPT_TILES:
            self._drawn.popitem(last=False)
        return tile
