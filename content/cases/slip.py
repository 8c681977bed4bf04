"""The acceptance slip (受理回执): what the applicant takes home when a case is received, with the QR
code of its tracking page.

`SlipView` is what a slip prints, as the service's `case_slip` answers it (the applicant's name already
masked, the dates already worded); `write_slip` lays it out and writes it. Two layouts:

- `a4`: A4 pages at 150 dpi (1240×1754 px, greyscale, black on white). The QR code (about 45 mm)
  stands at the top right of the first page, beside the case's particulars. What does not fit flows
  onto further pages, each headed with the case number; when there are several, each is footed with
  第 n 页 / 共 m 页. The notes close the last page, at its foot when there is room.
- `receipt`: an 80 mm thermal-printer receipt: 576 px wide (the printable width at 203 dpi), 1-bit
  (mode "1", as the printer prints), as tall as its content; the QR code (about 37 mm) is centred below
  the phone numbers.

A `.pdf` holds every page (a receipt is one long page). A `.png` holds one page: an A4 slip of several
pages is written as `slip.png` (the first page) with `slip-2.png`, `slip-3.png`, … beside it, and
`slip-N.png` files left from a longer slip of the same name are removed. Every file is written to a
temporary file in the same directory and renamed over the target, so a reader never sees half a slip.

Text is wrapped by the width of its characters, measured with the face that draws them (hanzi have no
spaces to break at; a Latin word breaks at a space when it can, anywhere when it must), and never cut.
Each character comes from the first face of the chain whose character map has it: WenQuanYi Micro Hei,
then Hanazono A and B for CJK Extensions A to F (㐀, 𠮷, 𡋗: common in names), then Unifont. It is the
kiosk's chain, found the same way ($HALL_FONT_DIRS first, then the system font directories).

Every field is bounded (`MAX_TEXT` characters, `MAX_DOCUMENTS` documents, …): a view past a bound raises
ValueError naming the field, so a hostile case costs a few pages, not thousands.
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final, Literal

from PIL import Image, ImageDraw, ImageFont

from content.shared.catalog import domain
from content.shared.files import PRIVATE, staged
from content.shared.fonts import FontChain, FontError, joins, read_cmap
from content.shared.fonts import split_runs as shared_split_runs

_ = domain("service").gettext

LAYOUTS: Final = ("a4", "receipt")
SUFFIXES: Final = (".pdf", ".png")

MAX_TEXT: Final = 2000
"""Characters in one text field, one document's name, one note."""
MAX_NUMBER: Final = 64
"""Characters in the case number (printed again at the head of every further page)."""
MAX_URL: Final = 1000
"""Characters in the tracking link: a QR code of that still scans at 35 mm."""
MAX_PHONE: Final = 200
"""Characters in a phone's label or number."""
MAX_DOCUMENTS: Final = 200
"""Documents in either list (an item requires at most 64)."""
MAX_LIST_TEXT: Final = 20_000
"""Characters in all the names of one list together: about ten A4 pages."""
MAX_NOTES: Final = 50
MAX_NOTES_TEXT: Final = 10_000
"""Characters in all the notes together."""
MAX_PHONES: Final = 50

# -- the view ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipView:
    """What one slip prints; the sequences are kept as tuples. Raises ValueError naming a field past its bound."""

    centre: str
    number: str
    item: str
    opened: str
    received_at: str
    applicant: str
    promised: str
    received_docs: Sequence[str]
    missing_docs: Sequence[str]
    phones: Sequence[tuple[str, str]]
    url: str
    notes: Sequence[str]

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("received_docs", "missing_docs", "notes"):
                limit = MAX_NOTES if f.name == "notes" else MAX_DOCUMENTS
                object.__setattr__(self, f.name, _texts(f.name, value, limit))
            elif f.name == "phones":
                object.__setattr__(self, f.name, _phones(value))
            else:
                limit = {"number": MAX_NUMBER, "url": MAX_URL}.get(f.name, MAX_TEXT)
                _text(f.name, value, limit)
        for name in ("number", "url"):
            if not getattr(self, name).strip():
                raise ValueError(
                    f"{name}: a slip needs one (it is printed large / as the QR code)"  # catalog: internal
                )


def _text(name: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: a string, not {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{name}: {len(value)} characters, more than the {limit} a slip prints")  # catalog: internal
    return value


def _texts(name: str, value: object, limit: int) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{name}: a sequence of strings, not {type(value).__name__}")  # catalog: internal
    if len(value) > limit:
        raise ValueError(f"{name}: {len(value)} entries, more than the {limit} a slip prints")  # catalog: internal
    out = tuple(_text(f"{name}[{i}]", v, MAX_TEXT) for i, v in enumerate(value))
    total, most = sum(map(len, out)), MAX_NOTES_TEXT if name == "notes" else MAX_LIST_TEXT
    if total > most:
        raise ValueError(f"{name}: {total} characters in all, more than the {most} a slip prints")  # catalog: internal
    return out


def _phones(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"phones: a sequence of (label, phone) pairs, not {type(value).__name__}")  # catalog: internal
    if len(value) > MAX_PHONES:
        raise ValueError(f"phones: {len(value)} entries, more than the {MAX_PHONES} a slip prints")  # catalog: internal
    out = []
    for i, pair in enumerate(value):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"phones[{i}]: a (label, phone) pair")  # catalog: internal
        out.append((_text(f"phones[{i}] label", pair[0], MAX_PHONE), _text(f"phones[{i}] phone", pair[1], MAX_PHONE)))
    return tuple(out)


# -- fonts -------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def font_chain(dirs: tuple[Path, ...] | None = None) -> tuple[str, ...]:
    """The installed faces in chain order (`content.shared.fonts`): the first primary face found, then
    every fallback found. FileNotFoundError (an OSError, as for a file that cannot be written) when no
    primary face is installed."""
    try:
        found = FontChain.installed(dirs)
    except FontError as exc:
        raise FileNotFoundError(
            _(
                "no CJK font to print the slip in {directories}: install {package} (and fonts-hanazono for rare hanzi)"
            ).format(directories=_(", ").join(str(d) for d in exc.directories), package=exc.package)
        ) from None
    return tuple(str(path) for path in found.paths)


@functools.lru_cache(maxsize=16)
def cmap(path: str) -> frozenset[int]:
    """The code points the face (the first of a collection) maps; empty for a file fontTools cannot read."""
    return read_cmap(Path(path))


@functools.lru_cache(maxsize=8192)
def face_of(chain: tuple[str, ...], ch: str) -> int | None:
    """The first face of `chain` whose character map has `ch`; None when none has."""
    cp = ord(ch)
    return next((i for i, path in enumerate(chain) if cp in cmap(path)), None)


def clean(text: str) -> str:
    """As printed: controls and line breaks become spaces, invisible format characters (bidi
    overrides, ZWSP, BOM) are dropped, lone surrogates become U+FFFD."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif category == "Cs":
            out.append("\ufffd")
        elif category != "Cf" or ch == "\u200d":
            out.append(ch)
    return "".join(out)


def clusters(text: str) -> list[str]:
    """A character with the marks and joiners after it: what a line never splits."""
    out: list[str] = []
    for ch in text:
        if out and joins(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def split_runs(text: str, chain: tuple[str, ...]) -> list[tuple[int, str]]:
    """`text` cut into runs of one face each, in order: (index into `chain`, run)."""
    return shared_split_runs(text, lambda ch: face_of(chain, ch))


@functools.lru_cache(maxsize=64)
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: the same advances with or without libraqm, and measuring a cluster is drawing it.
    return ImageFont.truetype(path, size, index=0, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=32768)
def _advance(chain: tuple[str, ...], size: int, cluster: str) -> float:
    face = face_of(chain, cluster[0]) or 0
    return _face(chain[face], size).getlength(cluster)


# -- layout ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    size: int
    bold: bool = False
    leading: float = 1.5
    """Line height as a multiple of the size."""

    @property
    def height(self) -> int:
        return math.ceil(self.size * self.leading)

    def baseline(self, chain: tuple[str, ...]) -> int:
        """From the top of a line to its baseline: the primary face's box centred in the line."""
        ascent, descent = _face(chain[0], self.size).getmetrics()
        return round((self.height - ascent - descent) / 2 + ascent)


@dataclass(frozen=True)
class _Spec:
    """A layout's page and type sizes, in pixels of its resolution."""

    width: int
    page_height: int | None
    """None: one page as tall as its content (a receipt)."""
    dpi: int
    margin_x: int
    margin_top: int
    margin_bottom: int
    title: _Style
    centre: _Style
    number: _Style
    heading: _Style
    body: _Style
    small: _Style
    qr_px: int
    """The QR code's modules at least this wide (the quiet zone comes on top)."""
    qr_float: bool
    """At the top right beside the particulars (A4), or centred below the phones (receipt)."""
    mode: Literal["L", "1"]


_MM_A4 = 150 / 25.4
A4: Final = _Spec(
    width=1240,
    page_height=1754,
    dpi=150,
    margin_x=round(18 * _MM_A4),
    margin_top=round(15 * _MM_A4),
    margin_bottom=round(15 * _MM_A4),
    title=_Style(56, bold=True, leading=1.4),
    centre=_Style(32, leading=1.4),
    number=_Style(44, bold=True, leading=1.35),
    heading=_Style(30, bold=True, leading=1.6),
    body=_Style(27),
    small=_Style(22, leading=1.45),
    qr_px=round(40 * _MM_A4),
    qr_float=True,
    mode="L",
)
RECEIPT: Final = _Spec(
    width=576,
    page_height=None,
    dpi=203,
    margin_x=8,
    margin_top=16,
    margin_bottom=56,
    title=_Style(46, bold=True, leading=1.4),
    centre=_Style(26, leading=1.4),
    number=_Style(38, bold=True, leading=1.35),
    heading=_Style(27, bold=True, leading=1.55),
    body=_Style(25, leading=1.45),
    small=_Style(22, leading=1.4),
    qr_px=round(37 * 203 / 25.4),
    qr_float=False,
    mode="1",
)
SPECS: Final = {"a4": A4, "receipt": RECEIPT}

_NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…％,.;:?!)]}%·")  # catalog: data
"""Closing punctuation: carried onto the next line with the character before it, never led with."""


@dataclass(frozen=True)
class _Text:
    x: float
    baseline: float
    face: str
    size: int
    text: str
    bold: bool


@dataclass(frozen=True)
class _Paste:
    x: int
    y: int
    image: Image.Image


@dataclass(frozen=True)
class _Rule:
    x0: int
    x1: int
    y: int
    width: int
    dashed: bool


_Op = _Text | _Paste | _Rule


def break_at(units: Sequence[str], start: int, width: float, widths: Sequence[float]) -> int:
    """Where the line that begins at `units[start]` ends (exclusive): as many clusters as fit in
    `width`, at least one; back to a space inside a Latin word, and never before closing punctuation."""
    used, end = 0.0, start
    while end < len(units) and used + widths[end] <= width:
        used += widths[end]
        end += 1
    if end >= len(units):
        return len(units)
    if end == start:
        return start + 1
    nxt = units[end]
    if nxt.isspace():
        return end
    if not _wide(nxt) and not _wide(units[end - 1]):
        # inside a Latin word: back to the last space on the line if it is not too far back
        for i in range(end - 1, start, -1):
            if units[i].isspace():
                if i + 1 - start >= (end - start) // 2:
                    return i + 1
                break
    if nxt[0] in _NO_LINE_START and end - start > 1:
        return end - 1
    return end


def _wide(cluster: str) -> bool:
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F")


class _Flow:
    """Text and images laid out down the pages, recorded as drawing operations per page."""

    def __init__(self, spec: _Spec, chain: tuple[str, ...], running_head: str) -> None:
        self.spec = spec
        self.chain = chain
        self.running_head = running_head
        self.pages: list[list[_Op]] = [[]]
        self.y = spec.margin_top
        self.floats: list[tuple[int, int, int, int]] = []
        """(page, top, bottom, x): nothing right of x between top and bottom on that page."""

    # -- space -----------------------------------------------------------------------------------------

    @property
    def bottom(self) -> int:
        if self.spec.page_height is None:
            return 1 << 40  # a receipt: one page as long as it takes
        return self.spec.page_height - self.spec.margin_bottom - self.spec.small.height

    def span(self, height: int) -> tuple[int, int]:
        """The left and right x of a line `height` tall at the current y."""
        left, right = self.spec.margin_x, self.spec.width - self.spec.margin_x
        page = len(self.pages) - 1
        for p, top, bottom, x in self.floats:
            if p == page and self.y < bottom and self.y + height > top:
                right = min(right, x)
        return left, right

    def room(self, height: int) -> None:
        """A new page unless `height` more fits on this one."""
        if self.y + height > self.bottom and self.y > self._top():
            self.pages.append([])
            self.y = self._top()

    def _top(self) -> int:
        top = self.spec.margin_top
        return top if len(self.pages) == 1 else top + 2 * self.spec.small.height

    def gap(self, height: int) -> None:
        self.y += height

    # -- text ------------------------------------------------------------------------------------------

    def measure(self, text: str, style: _Style) -> float:
        return sum(_advance(self.chain, style.size, c) for c in clusters(text))

    def _draw_line(self, x: float, baseline: float, text: str, style: _Style) -> None:
        self.pages[-1].extend(self._line(x, baseline, text, style))

    def _line(self, x: float, baseline: float, text: str, style: _Style) -> list[_Op]:
        """One line of text from `x` on `baseline`, a drawing operation a run of one face."""
        ops: list[_Op] = []
        for face, run in split_runs(text, self.chain):
            ops.append(_Text(x, baseline, self.chain[face], style.size, run, style.bold))
            x += _face(self.chain[face], style.size).getlength(run)
        return ops

    def text(
        self,
        text: str,
        style: _Style,
        *,
        label: str = "",
        label_style: _Style | None = None,
        hang: float = 0,
        align: Literal["left", "centre"] = "left",
    ) -> None:
        """A paragraph, wrapped; `label` is drawn at the left of its first line, every line starts `hang` in."""
        label_style = label_style or style
        units = clusters(clean(text))
        widths = [_advance(self.chain, style.size, u) for u in units]
        start, first = 0, True
        while first or start < len(units):
            height = max(style.height, label_style.height) if first and label else style.height
            self.room(height)
            left, right = self.span(height)
            end = break_at(units, start, right - left - hang, widths)
            line = "".join(units[start:end]).rstrip()
            base = max(style.baseline(self.chain), label_style.baseline(self.chain) if first and label else 0)
            if first and label:
                self._draw_line(left, self.y + base, label, label_style)
            x = left + hang
            if align == "centre":
                x = left + (right - left - self.measure(line, style)) / 2
            self._draw_line(x, self.y + base, line, style)
            self.y += height
            start, first = end, False
            while start < len(units) and units[start].isspace():
                start += 1

    def lines_height(self, texts: Sequence[str], style: _Style, width: float) -> int:
        """How tall `texts` are as paragraphs `width` wide (no floats in the way)."""
        total = 0
        for text in texts:
            units = clusters(clean(text))
            widths = [_advance(self.chain, style.size, u) for u in units]
            start, count = 0, 0
            while count == 0 or start < len(units):
                start = break_at(units, start, width, widths)
                while start < len(units) and units[start].isspace():
                    start += 1
                count += 1
            total += count * style.height
        return total

    # -- rules and images ------------------------------------------------------------------------------

    def rule(self, width: int = 2, dashed: bool = False) -> None:
        self.room(width + 1)
        left, right = self.span(width)
        self.pages[-1].append(_Rule(left, right, self.y, width, dashed))
        self.y += width

    def image(self, image: Image.Image, *, float_right: bool = False, gap: int = 0) -> None:
        """Centred in the line, or set at the right with the text flowing left of it (`gap` away)."""
        if float_right:
            left, right = self.span(image.height)
            x = right - image.width
            self.pages[-1].append(_Paste(x, self.y, image))
            self.floats.append((len(self.pages) - 1, self.y, self.y + image.height + gap, x - gap))
            return
        self.room(image.height)
        left, right = self.span(image.height)
        self.pages[-1].append(_Paste(left + (right - left - image.width) // 2, self.y, image))
        self.y += image.height

    # -- pages -----------------------------------------------------------------------------------------

    def render(self) -> list[Image.Image]:
        spec = self.spec
        count = len(self.pages)
        images = []
        for number, ops in enumerate(self.pages, start=1):
            extra: list[_Op] = []
            if spec.page_height is not None and count > 1:
                page_of = _("Page {page} of {pages}").format(page=number, pages=count)
                extra += self._centred(page_of, spec.page_height - spec.margin_bottom)
                if number > 1:
                    head = _("{heading} (continued)").format(heading=self.running_head)
                    extra += self._centred(head, spec.margin_top + spec.small.height)
            height = spec.page_height if spec.page_height is not None else self.y + spec.margin_bottom
            page = Image.new("L", (spec.width, height), 255)
            draw = ImageDraw.Draw(page)
            for op in [*ops, *extra]:
                _paint(draw, page, op)
            images.append(page if spec.mode == "L" else page.point(_THRESHOLD, "1"))
        return images

    def _centred(self, text: str, baseline: int) -> list[_Op]:
        style = self.spec.small
        x = (self.spec.width - self.measure(text, style)) / 2
        return self._line(max(self.spec.margin_x, x), baseline, clean(text), style)


_THRESHOLD: Final = [0 if v < 160 else 255 for v in range(256)]
"""Grey to the printer's black and white: anti-aliased edges a little on the black side, so strokes hold."""


def _paint(draw: ImageDraw.ImageDraw, page: Image.Image, op: _Op) -> None:
    if isinstance(op, _Text):
        stroke = max(1, op.size // 40) if op.bold else 0
        font = _face(op.face, op.size)
        draw.text((op.x, op.baseline), op.text, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
    elif isinstance(op, _Paste):
        page.paste(op.image, (op.x, op.y))
    elif op.dashed:
        for x in range(op.x0, op.x1, 12):
            draw.rectangle((x, op.y, min(x + 6, op.x1) - 1, op.y + op.width - 1), fill=0)
    else:
        draw.rectangle((op.x0, op.y, op.x1 - 1, op.y + op.width - 1), fill=0)


def qr_image(url: str, min_px: int) -> Image.Image:
    """The QR code of `url` (error correction M), its modules at least `min_px` wide, in whole pixels
    a module, with the 4-module quiet zone around it; greyscale, black on white."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(url.encode("utf-8"))
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    n = len(matrix)
    box = max(1, -(-min_px // n))
    small = Image.new("L", (n + 8, n + 8), 255)
    small.paste(Image.frombytes("L", (n, n), bytes(0 if dark else 255 for row in matrix for dark in row)), (4, 4))
    return small.resize(((n + 8) * box, (n + 8) * box), Image.Resampling.NEAREST)


def _qr_block(view: SlipView, spec: _Spec, chain: tuple[str, ...]) -> Image.Image:
    """The QR code with its caption below, as one image."""
    code = qr_image(view.url, spec.qr_px)
    caption = _("Scan to follow the case")
    style = spec.small
    width = max(code.width, math.ceil(sum(_advance(chain, style.size, c) for c in caption)))
    block = Image.new("L", (width, code.height + style.height), 255)
    block.paste(code, ((width - code.width) // 2, 0))
    draw = ImageDraw.Draw(block)
    x = (width - sum(_advance(chain, style.size, c) for c in caption)) / 2
    for face, run in split_runs(caption, chain):
        font = _face(chain[face], style.size)
        draw.text((x, code.height + style.baseline(chain) - style.size // 4), run, font=font, fill=0, anchor="ls")
        x += font.getlength(run)
    return block


def render_pages(view: SlipView, layout: str) -> list[Image.Image]:
    """The slip's pages in `layout` ("a4" or "receipt")."""
    spec = SPECS.get(layout)
    if spec is None:
        raise ValueError(f"unknown slip layout {layout!r}: use {' or '.join(LAYOUTS)}")  # catalog: internal
    chain = font_chain()
    flow = _Flow(spec, chain, _("Acceptance slip {number}").format(number=view.number))

    flow.text(_("Acceptance slip"), spec.title, align="centre")
    if view.centre:
        flow.text(view.centre, spec.centre, align="centre")
    flow.gap(spec.body.size // 2)
    flow.rule(3)
    flow.gap(spec.body.size // 2)

    qr = _qr_block(view, spec, chain)
    if spec.qr_float:
        flow.image(qr, float_right=True, gap=spec.body.size)

    labels = (
        _("Case number"),
        _("Service item"),
        _("Received on"),
        _("Received at"),
        _("Applicant"),
        _("Promised by"),
    )
    values = (view.number, view.item, view.opened, view.received_at, view.applicant, view.promised)
    labelled = [_("{label}: ").format(label=label) for label in labels]
    hang = max(flow.measure(label, spec.body) for label in labelled) + spec.body.size // 3
    for n, (label, value) in enumerate(zip(labelled, values, strict=True)):
        style = spec.number if n == 0 else spec.body  # the case number, large
        flow.text(value or "—", style, label=label, label_style=spec.body, hang=hang)

    def documents(heading: str, names: Sequence[str]) -> None:
        flow.gap(spec.body.size // 3)
        flow.room(spec.heading.height + spec.body.height)  # a heading stays with its first line
        flow.text(heading, spec.heading)
        if not names:
            flow.text(_("None"), spec.body, hang=spec.body.size)
            return
        marker = flow.measure(f"{len(names)}.", spec.body)
        for n, doc in enumerate(names, start=1):
            flow.text(doc, spec.body, label=f"{n}.", hang=spec.body.size + marker + spec.body.size // 3)

    documents(_("Documents received"), view.received_docs)
    documents(_("Documents still to bring (told once, in full)"), view.missing_docs)
    if view.phones:
        flow.gap(spec.body.size // 3)
        flow.room(spec.heading.height + spec.body.height)
        flow.text(_("Phone numbers"), spec.heading)
        room = spec.width - 2 * spec.margin_x - spec.body.size
        for label, phone in view.phones:
            line = _("{label}: {phone}").format(label=label, phone=phone) if label else phone
            if label and flow.measure(line, spec.body) > room and flow.measure(phone, spec.body) <= room:
                # A number is dialled whole: it goes on a line of its own rather than break.
                flow.text(_("{label}: ").format(label=label), spec.body, hang=spec.body.size)
                flow.text(phone, spec.body, hang=spec.body.size)
            else:
                flow.text(line, spec.body, hang=spec.body.size)

    if not spec.qr_float:
        flow.gap(spec.body.size)
        flow.image(qr)

    if view.notes:
        width = spec.width - 2 * spec.margin_x
        block = 2 * (spec.body.size // 2) + 1 + flow.lines_height(view.notes, spec.small, width)
        flow.gap(spec.body.size // 2)
        if spec.page_height is not None:
            flow.room(block)  # the notes together, on one page when they fit on one
            below_floats = max([b for p, _, b, _ in flow.floats if p == len(flow.pages) - 1] + [flow.y])
            flow.y = max(below_floats, flow.bottom - block)  # at the foot of the last page
        flow.gap(spec.body.size // 2)
        flow.rule(1, dashed=True)
        flow.gap(spec.body.size // 2)
        for note in view.notes:
            flow.text(note, spec.small)
    return flow.render()


# -- files -------------------------------------------------------------------------------------------


def write_slip(view: SlipView, path: str | os.PathLike[str], layout: str = "a4") -> list[Path]:
    """Write the slip to `path` (.pdf or .png) in layout "a4" or "receipt"; the files written, in page order.
    Each is the writer's only (mode 600) from its first byte: it names the applicant and holds the link that
    follows the case.

    ValueError for another layout or suffix; OSError when a file cannot be written or no font is installed.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"cannot write a slip as {out.suffix or 'no suffix'!r}: use {' or '.join(SUFFIXES)}"  # catalog: internal
        )
    if layout not in LAYOUTS:
        raise ValueError(f"unknown slip layout {layout!r}: use {' or '.join(LAYOUTS)}")  # catalog: internal
    pages = render_pages(view, layout)
    dpi = SPECS[layout].dpi
    if suffix == ".pdf":
        with staged(out, mode=PRIVATE) as tmp:
            pages[0].save(tmp, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
        return [out]
    written = []
    for n, page in enumerate(pages, start=1):
        target = out if n == 1 else out.with_name(f"{out.stem}-{n}{out.suffix}")
        with staged(target, mode=PRIVATE) as tmp:
            page.save(tmp, "PNG", dpi=(dpi, dpi), optimize=True)
        written.append(target)
    n = len(pages) + 1
    while (stale := out.with_name(f"{out.stem}-{n}{out.suffix}")).is_file():
        stale.unlink()  # a page of a longer slip written here before
        n += 1
    return written


__all__ = ["LAYOUTS", "SUFFIXES", "SlipView", "font_chain", "render_pages", "split_runs", "write_slip"]
