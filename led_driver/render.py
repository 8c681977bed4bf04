"""Pure renderers: (profile, display state, time) → `PIL.Image`.

Each zone of a profile is drawn on its own image, keyed by exactly what it shows (`zone_key`), so
the scheduler redraws a zone only when its key changes. Tickers are drawn once into a strip
(`ticker_strip`) and scrolled by cropping. An emergency takes the whole display and shows its whole
text (`emergency_layout`). `render_frame` puts it all together for previews and tests; the
scheduler does the same work incrementally.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from content.shared import when, wording
from content.shared.catalog import N_, domain
from led_driver import text
from led_driver.profile import FontRef, Profile, Zone, dimmed, rgb
from led_driver.state import DisplayState, Guide, WindowRow
from led_driver.voice import call_sentence, window_word

_words = domain("led")
_ = _words.gettext

GAP = text.TICKER_GAP
EMERGENCY_HEADING = N_("Emergency notice")
PICKUP_HEADINGS = (
    N_("Cases ready: please collect them at a window"),
    N_("Please collect at a window"),
    N_("Collect at a window"),
    N_("Collect"),
)
"""The pickup zone's heading, and shorter ones for a zone too narrow for it (with its page mark); translated
where they are read (`pickup_headings`)."""
READ_CHARS_PER_S = 3
"""How fast a page of an emergency is taken to be read: slowly, by the elderly, from across the hall."""
MIN_PAGE_S = 5


def mode_of(profile: Profile) -> str:
    return "1" if profile.colour_mode == "mono" else "RGB"


@dataclass(frozen=True)
class Paint:
    """Colours resolved for the profile's mode and the brightness of the hour."""

    mode: str
    level: int

    def __call__(self, hex_colour: str) -> int | tuple[int, int, int]:
        if self.mode == "1":
            return 1 if rgb(hex_colour) != (0, 0, 0) else 0
        return dimmed(hex_colour, self.level)


Ink = int | tuple[int, int, int]


@dataclass(frozen=True)
class Pens:
    """The colours a zone draws with."""

    text: Ink
    accent: Ink
    paused: Ink


def paint_for(profile: Profile, now: datetime) -> Paint:
    return Paint(mode_of(profile), profile.brightness_at(now.time()))


def font_of(profile: Profile, zone: Zone | None) -> text.Font:
    ref: FontRef = zone.font if zone is not None and zone.font is not None else profile.font
    return _font(ref)


@functools.lru_cache(maxsize=32)
def _font(ref: FontRef) -> text.Font:
    """Found and opened once a process: zone keys ask for their zone's font on every frame."""
    return text.load_font(ref.font, ref.size)


def is_open(state: DisplayState, now: datetime) -> bool:
    """Within the centre's opening hours (always, when the centre published none)."""
    return when.is_open(state.hours, now)


# -- drawing helpers ------------------------------------------------------------------------------


class _Canvas:
    def __init__(self, size: tuple[int, int], mode: str, background: int | tuple[int, int, int]) -> None:
        self.image = Image.new(mode, size, background)
        self.mode = mode
        self.background = background

    def line(
        self,
        words: str,
        font: text.Font,
        colour: int | tuple[int, int, int],
        x: int,
        y: int,
        width: int,
        align: str = "left",
    ) -> None:
        """One line, shortened with … (whole characters) when it does not fit `width`."""
        fitted = text.shorten(words, font, width)
        if not fitted:
            return
        strip = text.render_line(fitted, font, colour, self.mode, self.background)
        if align == "center":
            x += (width - strip.width) // 2
        elif align == "right":
            x += width - strip.width
        self.image.paste(strip, (x, y))


def _rows_page(count: int, rows: int, page_seconds: int, now: datetime) -> int:
    pages = max(1, -(-count // rows))
    return int(now.timestamp() // page_seconds) % pages


@dataclass(frozen=True)
class TablePage:
    """Which rows of a table a frame shows: every row is shown on some page, each page for `page_seconds`."""

    start: int
    rows: int
    """Rows of data on a page (the zone's `rows`, no more than its height holds)."""
    page: int
    pages: int

    @property
    def mark(self) -> str:
        """ "2/3" on a table of several pages (drawn on a row of its own), "" otherwise."""
        return f"{self.page + 1}/{self.pages}" if self.pages > 1 else ""


def table_page(profile: Profile, zone: Zone, count: int, now: datetime) -> TablePage:
    fits = max(1, zone.box[3] // font_of(profile, zone).line_height)
    rows = min(zone.rows, fits)
    if count > rows and rows >= 2:
        rows = min(rows, fits - 1)  # a row for the page mark, so that a citizen knows more follows
    pages = max(1, -(-count // rows))
    page = int(now.timestamp() // zone.page_seconds) % pages
    return TablePage(page * rows, rows, page, pages)


@dataclass(frozen=True)
class PickupLayout:
    """How the pickup zone lays its case numbers out: the heading, then a grid filled row by row.

    The heading takes the top line. On a zone of one line it leads the line and the numbers follow,
    or, where the line has no room for both, it is a page of its own before the numbers' pages. When
    the numbers do not all fit, they are shown a page at a time, each for the zone's `page_seconds`,
    with the page mark ("2/5") at the right of the heading's line, or on the last row where that line
    has no room. A number wider than its column is shown in parts, one after the other (`paged_line`).
    """

    heading: str
    one_line: bool
    columns: int
    rows: int
    """Rows of numbers on a page."""
    left: int
    """Where the first column's numbers start: after the heading on a one-line zone; else where a column's
    widest number is centred in it (every number of a column starts there)."""
    pitch: int
    """Pixels from one column's left edge to the next's."""
    top: int
    """Where the first row of numbers starts."""
    number_pages: int
    heading_page: bool
    """One line too narrow for heading and number: the heading is page 1, the numbers follow."""
    mark_y: int | None
    """Where the page mark goes (at the right); None: nowhere (no room for it, or a single page)."""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def pages(self) -> int:
        return self.number_pages + (1 if self.heading_page else 0)


@dataclass(frozen=True)
class PickupPage:
    """Which case numbers a frame of the pickup zone shows; `count` 0 on a heading page."""

    start: int
    count: int
    page: int
    pages: int

    @property
    def mark(self) -> str:
        return f"{self.page + 1}/{self.pages}" if self.pages > 1 else ""


@functools.lru_cache(maxsize=16)
def pickup_layout(ref: FontRef, width: int, height: int, rows: int, cases: tuple[str, ...]) -> PickupLayout:
    """Worked out once for a list of numbers, not every frame: only the page changes with time."""
    font = _font(ref)
    step = font.line_height
    gap = max(1, font.size // 2)  # half an em between columns, and after a heading on the same line
    lines = max(1, height // step)
    cell = max((font.text_width(c) for c in cases), default=0)
    most = len(cases) + 1  # pages there could be at most (one number a page, and a heading page)
    mark_w = font.text_width(f"{most}/{most}") + gap

    def grid(room: int, number_rows: int) -> tuple[int, int, int]:
        columns = max(1, (room + gap) // (cell + gap)) if cell else 1
        number_rows = max(1, min(rows, number_rows))
        return columns, number_rows, max(1, -(-len(cases) // (columns * number_rows)))

    headings = pickup_headings()

    def fitting(room: int) -> list[str]:
        return [h for h in headings if font.text_width(h) <= room]

    if lines == 1:
        top = (height - step) // 2
        beside = fitting(width - gap - cell)
        if not beside:
            columns, number_rows, pages = grid(width - mark_w, 1)
            mark_y = top if width - columns * cell >= mark_w else None
            heading = (fitting(width) or headings[-1:])[0]
            room = width - (mark_w if mark_y is not None else 0)
            return PickupLayout(heading, True, columns, 1, 0, max(1, room // columns), top, pages, True, mark_y)
        heading = beside[0]
        left = font.text_width(heading) + gap
        columns, number_rows, pages = grid(width - left, 1)
        mark_y = None
        if pages > 1:
            columns, number_rows, pages = grid(width - left - mark_w, 1)
            mark_y = top if width - left - columns * cell >= mark_w else None
        room = width - left - (mark_w if mark_y is not None else 0)
        return PickupLayout(heading, True, columns, 1, left, max(1, room // columns), top, pages, False, mark_y)
    columns, number_rows, pages = grid(width, lines - 1)
    heading = (fitting(width) or headings[-1:])[0]
    mark_y = None
    if pages > 1:
        beside = fitting(width - font.text_width(f"{pages}/{pages}") - gap)
        if beside:
            heading, mark_y = beside[0], 0
        elif lines >= 3:
            columns, number_rows, pages = grid(width, lines - 2)
            mark_y = height - step
    pitch = width // columns
    # Centred as a block, the numbers left-aligned in their columns: digits line up under each other.
    left = max(0, (pitch - cell) // 2) if cell <= pitch else 0
    return PickupLayout(heading, False, columns, number_rows, left, pitch, step, pages, False, mark_y)


def pickup_headings() -> tuple[str, ...]:
    """The pickup zone's headings, longest first, in the display's language."""
    return tuple(_(heading) for heading in PICKUP_HEADINGS)


def pickup_page(profile: Profile, zone: Zone, cases: tuple[str, ...], now: datetime) -> PickupPage:
    """The page of the pickup zone at `now`: every number is on some page, each page `page_seconds`."""
    ref = zone.font if zone.font is not None else profile.font
    layout = pickup_layout(ref, zone.box[2], zone.box[3], zone.rows, cases)
    page = int(now.timestamp() // zone.page_seconds) % layout.pages
    numbers = page - 1 if layout.heading_page else page
    if numbers < 0:
        return PickupPage(0, 0, page, layout.pages)
    start = numbers * layout.per_page
    return PickupPage(start, min(layout.per_page, len(cases) - start), page, layout.pages)


# -- zones ----------------------------------------------------------------------------------------


def zone_key(profile: Profile, zone: Zone, state: DisplayState, now: datetime, flash: bool) -> Hashable:
    """Everything a zone's picture depends on: equal keys, equal pictures."""
    level = profile.brightness_at(now.time())
    match zone.kind:
        case "title":
            return (level, state.centre)
        case "clock":
            return (level, now.strftime("%Y-%m-%d %H:%M"))
        case "call_banner":
            return (level, state.last_call, flash)
        case "window":
            return (level, state.windows, int(now.timestamp() // max(3, zone.page_seconds // 2)))
        case "windows":
            reasons = any(not w.open for w in state.windows)
            part = int(now.timestamp() // max(3, zone.page_seconds // 2)) if reasons else None
            return (level, state.windows, table_page(profile, zone, len(state.windows), now), part)
        case "waiting":
            return (level, state.waiting, table_page(profile, zone, len(state.waiting), now))
        case "recent_calls":
            return (level, state.recent)
        case "staff":
            return (level, state.staff, table_page(profile, zone, len(state.staff), now))
        case "guides":
            return (level, guide_page(profile, zone, state, now))
        case "ticker":
            return (level, state.ticker(now=now))
        case "text":
            return (level, zone.text)
        case "pickup":
            return (level, state.pickup, pickup_page(profile, zone, state.pickup, now) if state.pickup else None)
    return None


def render_zone(profile: Profile, zone: Zone, state: DisplayState, now: datetime, flash: bool = False) -> Image.Image:
    """The zone's picture, at its box size. The ticker zone here is its first, unscrolled frame."""
    paint = paint_for(profile, now)
    background = paint(zone.background or profile.colour("background"))
    colour = paint(zone.colour or profile.colour("text"))
    accent = paint(profile.colour("accent"))
    font = font_of(profile, zone)
    width, height = zone.box[2], zone.box[3]
    canvas = _Canvas((width, height), paint.mode, background)
    step = font.line_height
    match zone.kind:
        case "title":
            canvas.line(state.centre, font, accent, 0, (height - step) // 2, width, zone.align)
        case "text":
            canvas.line(zone.text or "", font, colour, 0, (height - step) // 2, width, zone.align)
        case "clock":
            weekday = wording.weekday(now.weekday())
            full = _("{weekday} {year}-{month:02d}-{day:02d} {time}").format(
                year=now.year, month=now.month, day=now.day, weekday=weekday, time=f"{now:%H:%M}"
            )
            words = full if font.text_width(full) <= width else f"{now:%H:%M}"
            canvas.line(words, font, colour, 0, (height - step) // 2, width, zone.align)
        case "call_banner":
            _call_banner(canvas, profile, state, paint, font, width, height, flash)
        case "windows":
            page = table_page(profile, zone, len(state.windows), now)
            pens = Pens(colour, accent, paint(profile.colour("paused")))
            _windows(canvas, page, state, now, max(3, zone.page_seconds // 2), font, pens, width)
            _page_mark(canvas, page, font, colour, width, height)
        case "window":
            pens = Pens(colour, accent, paint(profile.colour("paused")))
            _window_screen(canvas, zone, state, now, font, pens, width, height)
            scroll = zone_scroll(profile, zone, state)
            if scroll is not None:  # its first, unscrolled frame, as for a ticker
                canvas.image.paste(scroll_strip(profile, zone, state, now).frame(0, width), (0, scroll[0]))
        case "waiting":
            page = table_page(profile, zone, len(state.waiting), now)
            _page_mark(canvas, page, font, colour, width, height)
            names = text.distinct(
                [row.name for row in state.waiting[page.start : page.start + page.rows]], font, width // 2
            )
            for i, row in enumerate(state.waiting[page.start : page.start + page.rows]):
                if row.estimate_min is None:
                    status = _("Not taking numbers")
                elif row.waiting == 0:
                    status = _("No wait")
                else:
                    status = _words.ngettext(
                        "{waiting} waiting, about {minutes} min", "{waiting} waiting, about {minutes} min", row.waiting
                    ).format(waiting=row.waiting, minutes=row.estimate_min)
                y = i * step
                canvas.line(names[i], font, colour, 0, y, width // 2)
                canvas.line(status, font, accent, width // 2, y, width - width // 2, "right")
        case "recent_calls":
            for i, call in enumerate(state.recent[: zone.rows]):
                where = window_word(call.window_number, call.window_name)
                canvas.line(f"{call.ticket} → {where}", font, accent if i == 0 else colour, 0, i * step, width)
        case "staff":
            page = table_page(profile, zone, len(state.staff), now)
            _page_mark(canvas, page, font, colour, width, height)
            for i, member in enumerate(state.staff[page.start : page.start + page.rows]):
                y = i * step
                canvas.line(f"{member.name} {member.post}", font, colour, 0, y, width * 3 // 4)
                canvas.line(member.status, font, accent, width * 3 // 4, y, width - width * 3 // 4, "right")
        case "guides":
            _guide(canvas, guide_page(profile, zone, state, now), font, Pens(colour, accent, colour), width)
        case "ticker":
            strip = ticker_strip(profile, zone, state, now)
            canvas.image.paste(strip.frame(0, width), (0, (height - step) // 2))
        case "pickup":
            _pickup(canvas, profile, zone, state, now, font, Pens(colour, accent, colour), width, height)
    return canvas.image


def _pickup(
    canvas: _Canvas,
    profile: Profile,
    zone: Zone,
    state: DisplayState,
    now: datetime,
    font: text.Font,
    pens: Pens,
    width: int,
    height: int,
) -> None:
    """请以下办件人到窗口取件 and a page of case numbers; nothing while no case is ready."""
    if not state.pickup:
        return
    ref = zone.font if zone.font is not None else profile.font
    layout = pickup_layout(ref, width, height, zone.rows, state.pickup)
    page = pickup_page(profile, zone, state.pickup, now)
    step = font.line_height
    seconds = max(3, zone.page_seconds // 2)
    if page.count == 0:  # the heading's own page, on a line too narrow for heading and number
        canvas.line(layout.heading, font, pens.accent, 0, layout.top, width, "center")
    elif layout.one_line:
        if layout.left:
            canvas.line(layout.heading, font, pens.accent, 0, layout.top, layout.left)
    else:
        canvas.line(layout.heading, font, pens.accent, 0, 0, width, "left" if layout.mark_y == 0 else "center")
    if page.mark and layout.mark_y is not None and page.count:
        canvas.line(page.mark, font, pens.text, 0, layout.mark_y, width, "right")
    for i, number in enumerate(state.pickup[page.start : page.start + page.count]):
        row, column = divmod(i, layout.columns)
        x, y = layout.left + column * layout.pitch, layout.top + row * step
        room = layout.pitch if layout.one_line else layout.pitch - layout.left
        canvas.line(paged_line(number, font, room, seconds, now), font, pens.text, x, y, room)


def _call_banner(
    canvas: _Canvas,
    profile: Profile,
    state: DisplayState,
    paint: Paint,
    font: text.Font,
    width: int,
    height: int,
    flash: bool,
) -> None:
    call = state.last_call
    step = font.line_height
    if call is None:
        canvas.line(_("Welcome"), font, paint(profile.colour("accent")), 0, (height - step) // 2, width, "center")
        return
    where = window_word(call.window_number, call.window_name)
    # The full sentence where it fits; on a narrow strip the number and the window matter most.
    candidates = [
        call.text or call_sentence(call.ticket, call.window_number, call.window_name),
        _("{ticket} to {window}").format(ticket=call.ticket, window=where),
        f"{call.ticket} {where}",
    ]
    words = next((c for c in candidates if font.text_width(c) <= width), candidates[-1])
    if flash:
        # Inverted while the call is new: a colour block is what catches an eye across a hall.
        canvas.image.paste(paint(profile.colour("call")), (0, 0, width, height))
        canvas.background = paint(profile.colour("call"))
        canvas.line(words, font, paint(profile.colour("background")), 0, (height - step) // 2, width, "center")
    else:
        canvas.line(words, font, paint(profile.colour("call")), 0, (height - step) // 2, width, "center")


def _windows(
    canvas: _Canvas,
    page: TablePage,
    state: DisplayState,
    now: datetime,
    seconds: int,
    font: text.Font,
    pens: Pens,
    width: int,
) -> None:
    step = font.line_height
    shown = state.windows[page.start : page.start + page.rows]
    name_w, serving_w = width * 5 // 12, width * 3 // 12
    labels = window_names(shown, font, name_w)
    for i, w in enumerate(shown):
        y = i * step
        canvas.line(labels[i], font, pens.text, 0, y, name_w)
        if not w.open:
            # A long reason in parts, a clause at a time: where to go is never what is cut.
            reason = paged_line(w.reason or _("Paused"), font, width - name_w, seconds, now, clauses=True)
            canvas.line(reason, font, pens.paused, name_w, y, width - name_w)
            continue
        canvas.line(w.serving or "—", font, pens.accent, name_w, y, serving_w, "center")
        canvas.line(w.staff, font, pens.text, name_w + serving_w, y, width - name_w - serving_w, "right")


def window_names(rows: tuple[WindowRow, ...], font: text.Font, width: int) -> list[str]:
    """ "3号 name" for each row, shortened to `width` so that names sharing a beginning keep what tells them
    apart (社会…养老保险） beside 社会…医疗保险）), by name and not only by number, at one length."""
    numbers = [_("No. {number}").format(number=w.number) + " " if w.number is not None else "" for w in rows]
    room = width - max((font.text_width(n) for n in numbers), default=0)
    return [n + name for n, name in zip(numbers, text.distinct([w.name for w in rows], font, room), strict=True)]


def _page_mark(canvas: _Canvas, page: TablePage, font: text.Font, pen: Ink, width: int, height: int) -> None:
    if page.mark:
        canvas.line(page.mark, font, pen, 0, height - font.line_height, width, "right")


def paged_line(
    line: str, font: text.Font, width: int, page_seconds: int, now: datetime, *, clauses: bool = False
) -> str:
    """A line that does not fit `width`, shown a part at a time: every part but the last ends with "…",
    each stays `page_seconds`, then the line starts again; a line that fits, as it is. `clauses`: parts
    end after a clause's punctuation where they can (`text.paginate`)."""
    pages = text.paginate(line, font, width, 1, clauses=clauses)
    if len(pages) <= 1:
        return line
    return pages[int(now.timestamp() // page_seconds) % len(pages)][0]


def window_label(row: WindowRow) -> str:
    """A window as its own screen names it: 3号 社会保障服务窗口."""
    return _("No. {number} {name}").format(number=row.number, name=row.name) if row.number is not None else row.name


@functools.lru_cache(maxsize=64)
def _name_lines(font: text.Font, width: int, label: str) -> tuple[str, ...]:
    """The window's name wrapped to `width`, every line of it."""
    pages = text.paginate(label, font, width, 1000)
    return tuple(pages[0]) if pages else ()


def zone_scroll(profile: Profile, zone: Zone, state: DisplayState) -> tuple[int, str] | None:
    """The line of a zone that scrolls as the ticker does (its top in the zone, its text); None: none does.
    A window's name too long for its screen's lines scrolls whole along the top line, never shown in parts."""
    if zone.kind != "window":
        return None
    row = next((w for w in state.windows if w.id == zone.window), None)
    if row is None:
        return None
    font = font_of(profile, zone)
    rows = max(1, zone.box[3] // font.line_height)
    label = window_label(row)
    return (0, label) if len(_name_lines(font, zone.box[2], label)) > max(1, rows - 1) else None


def scroll_strip(profile: Profile, zone: Zone, state: DisplayState, now: datetime) -> text.TickerStrip:
    """The strip that `zone_scroll`'s line is cropped from."""
    scroll = zone_scroll(profile, zone, state)
    paint = paint_for(profile, now)
    return text.TickerStrip(
        scroll[1] if scroll else "",
        font_of(profile, zone),
        paint(profile.colour("accent")),
        paint.mode,
        paint(zone.background or profile.colour("background")),
        gap=GAP,
    )


def _window_screen(
    canvas: _Canvas,
    zone: Zone,
    state: DisplayState,
    now: datetime,
    font: text.Font,
    pens: Pens,
    width: int,
    height: int,
) -> None:
    """A window's own screen (窗口屏): its name, who is there, the number being served. The name is shown
    whole in one frame: on one line, else on as many as it takes with a line left for the rest, else
    scrolling along the top line (`zone_scroll`). A long pause's reason is shown a clause at a time."""
    row = next((w for w in state.windows if w.id == zone.window), None)
    step = font.line_height
    seconds = max(3, zone.page_seconds // 2)
    if row is None:
        # Not (or no longer) a window of the centre: `hall led` refused to start on one, so the content changed.
        canvas.line(zone.window or "", font, pens.paused, 0, 0, width, "center")
        if height >= step * 2:
            middle = max(step, (height - step) // 2)
            canvas.line(_("This window is not in use"), font, pens.text, 0, middle, width, "center")
        return
    rows = max(1, height // step)
    names = list(_name_lines(font, width, window_label(row)))
    if len(names) > max(1, rows - 1):
        names = [""]  # the name scrolls along this line
    for i, name in enumerate(names):
        canvas.line(name, font, pens.accent, 0, i * step, width, "center")
    if not row.open:
        paused = _("Paused")
        said = [paused, row.reason] if row.reason and row.reason != paused else [paused]
    else:
        serving = _("Now serving {ticket}").format(ticket=row.serving) if row.serving else ""
        said = [serving or _("Please take a number and wait")]
        if row.staff:
            said.append(_("Staff: {name}").format(name=row.staff))
    below = len(names) * step
    said = said[: max(0, (height - below) // step)]
    # Under a one-line name the first line sits in the middle, as the screen always had it.
    top = max(below, (height - step) // 2) if len(names) == 1 and len(said) == 1 else below
    for i, words in enumerate(said):
        pen = pens.paused if not row.open and i == 0 else pens.text
        shown = paged_line(words, font, width, seconds, now, clauses=True)
        canvas.line(shown, font, pen, 0, top + i * step, width, "center")


@dataclass(frozen=True)
class GuideLines:
    """One page of a guide as the guide screen shows it: the heading line, then the lines of the guide."""

    heading: str
    """The item's name (shortened with … when it needs more: then it opens the first page whole)."""
    mark: str
    """第 2/5 页 on a guide of several pages, "" on one of a single page."""
    lines: tuple[str, ...]
    headed: tuple[int, ...]
    """For each line, how many of its first characters are a section's heading (收费标准：), drawn in accent."""


@dataclass(frozen=True)
class GuidePage:
    """Which page of which guide the guide screen shows: every page of every guide in turn."""

    guide: int
    page: int
    pages: int
    lines: GuideLines


def _guide_paragraphs(guide: Guide, windows: tuple[str, ...], name_whole: bool) -> list[tuple[str, int]]:
    """The whole guide as paragraphs, each with the length of the heading it starts with (0: none): every
    disclosure field in the order of a printed guide (`content.shared.wording.guide_sections`)."""
    sections = wording.guide_sections(
        windows=windows,
        limits=guide.limits,
        fee=guide.fee,
        documents=[_("{n}. {document}").format(n=n, document=d) for n, d in enumerate(guide.documents, 1)],
        steps=guide.steps,
        basis=guide.basis,
        department=guide.department,
        phone=guide.phone,
        tiers=guide.tiers,
        agents=(),
    )
    paragraphs: list[tuple[str, int]] = [] if name_whole else [(guide.name, len(guide.name))]
    for section in sections:
        if len(section.lines) == 1 and not section.checklist:
            said = _("{heading}: {text}").format(heading=section.title, text=section.lines[0])
            paragraphs.append((said, len(said) - len(section.lines[0])))
            continue
        said = _("{heading}: {text}").format(heading=section.title, text="")
        paragraphs.append((said, len(said)))
        paragraphs.extend((line, 0) for line in section.lines)
    return paragraphs


@functools.lru_cache(maxsize=512)
def _guide_lines(
    guide: Guide, windows: tuple[str, ...], font: text.Font, width: int, rows: int
) -> tuple[GuideLines, ...]:
    """A guide's pages: under a heading line with the name and the page mark, the whole guide. Kept per
    guide, so that a catalog with one item changed lays out only that item again."""
    widest_mark = font.text_width(_("Page {page}/{pages}").format(page=88, pages=88))
    gap = font.size // 2
    whole = font.text_width(guide.name) <= width - widest_mark - gap
    paragraphs = _guide_paragraphs(guide, windows, whole)
    headings = {said[:length]: length for said, length in paragraphs if length}
    body = "\n".join(said for said, _length in paragraphs)
    # A heading on a line of its own (申请材料：) is kept with its first line, never alone at a page's end.
    keep, before = set(), 0  # the lines of the body before each paragraph
    for said, length in paragraphs:
        if length == len(said):
            keep.add(before)
        before += len((said + "\n").splitlines())
    pages = text.paginate(body, font, width, max(1, rows - 1), keep=keep) or [[]]
    out = []
    for n, lines in enumerate(pages, 1):
        mark = _("Page {page}/{pages}").format(page=n, pages=len(pages)) if len(pages) > 1 else ""
        room = width - (font.text_width(mark) + gap if mark else 0)
        headed = tuple(next((k for h, k in headings.items() if line.startswith(h)), 0) for line in lines)
        out.append(GuideLines(text.shorten(guide.name, font, room), mark, tuple(lines), headed))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def guide_layout(
    ref: FontRef, width: int, height: int, guides: tuple[Guide, ...], windows: tuple[tuple[str, str], ...]
) -> tuple[tuple[GuideLines, ...], ...]:
    """Every guide's pages, worked out once for a catalog (and the windows' names), not every frame."""
    font = _font(ref)
    rows = max(1, height // font.line_height)
    names = dict(windows)
    return tuple(
        _guide_lines(guide, tuple(names.get(w, w) for w in guide.windows), font, width, rows) for guide in guides
    )


def lay_out_guides(profile: Profile, zone: Zone, state: DisplayState) -> tuple[tuple[GuideLines, ...], ...]:
    """The pages of every guide of `state` in the guide zone `zone`, laid out once and kept
    (`guide_layout`): the frame loop has this done off its own thread when a catalog arrives
    (`Scheduler`), so that a long catalog never holds up a call's frame."""
    ref = zone.font if zone.font is not None else profile.font
    windows = tuple((w.id, window_label(w)) for w in state.windows)
    return guide_layout(ref, zone.box[2], zone.box[3], state.guides, windows)


def guide_page(profile: Profile, zone: Zone, state: DisplayState, now: datetime) -> GuidePage | None:
    """The page of the guide carousel at `now`: each page of each guide for the zone's `page_seconds`, a
    guide's pages one after the other, then the next guide; None without guides."""
    if not state.guides:
        return None
    layout = lay_out_guides(profile, zone, state)
    at = int(now.timestamp() // zone.page_seconds) % sum(len(pages) for pages in layout)
    for index, pages in enumerate(layout):
        if at < len(pages):
            return GuidePage(index, at, len(pages), pages[at])
        at -= len(pages)
    raise AssertionError("a page past the last")  # pragma: no cover  # catalog: internal


def _guide(canvas: _Canvas, page: GuidePage | None, font: text.Font, pens: Pens, width: int) -> None:
    """A page of a guide: its name and 第 n/m 页, then its lines, each section's heading in accent."""
    if page is None:
        return
    step = font.line_height
    shown = page.lines
    canvas.line(shown.heading, font, pens.accent, 0, 0, width)
    if shown.mark:
        canvas.line(shown.mark, font, pens.text, 0, 0, width, "right")
    for i, (line, headed) in enumerate(zip(shown.lines, shown.headed, strict=True)):
        y = (i + 1) * step
        heading, rest = line[:headed], line[headed:]
        if heading:
            canvas.line(heading, font, pens.accent, 0, y, width)
        if rest:
            x = font.text_width(heading)
            canvas.line(rest, font, pens.text, x, y, width - x)


def ticker_strip(profile: Profile, zone: Zone, state: DisplayState, now: datetime) -> text.TickerStrip:
    paint = paint_for(profile, now)
    words = state.ticker(now=now) or state.centre
    return text.TickerStrip(
        words,
        font_of(profile, zone),
        paint(zone.colour or profile.colour("text")),
        paint.mode,
        paint(zone.background or profile.colour("background")),
        gap=GAP,
    )


# -- whole frames ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergencyLayout:
    """Where an emergency goes on one display: worked out once for its text, not every frame.

    The heading 紧急通知 fills the top line, inverted (on a display of one line it leads the text).
    The text under it is shown whole: at once where it fits; where one line is left for it, it
    scrolls there as the ticker does; else in pages of the lines left, each but the last ending in
    …, each shown `page_seconds`: time enough to read the longest.
    """

    heading: str
    pages: tuple[tuple[str, ...], ...]
    """The lines of each page: one page when the text fits, none when it scrolls."""
    scroll: str
    """The text scrolled on the line under the heading; "" when it is paged."""
    page_seconds: float
    top: int
    """The heading's top: heading and text are centred as one block."""
    step: int
    margin: int
    """Left and right of paged text: on a wall, half a line; a small display keeps every column."""
    font: FontRef | None = None
    """The face and size it is drawn in (None: the profile's own)."""

    @property
    def text_top(self) -> int:
        return self.top + (self.step if self.heading else 0)

    def page_at(self, age_s: float) -> int:
        """The page shown `age_s` seconds after the emergency first showed: it starts at the first."""
        return int(age_s // self.page_seconds) % len(self.pages) if self.pages else 0


EMERGENCY_SCALES = (3.0, 2.5, 2.0, 1.5)
"""An emergency on an outline font is drawn as large as it fits whole on one page: up to three times the
profile's size (a wall's 44 px text is read from the back of the hall at 132 px). Bitmap faces keep their
one size."""


def emergency_layout(profile: Profile, words: str) -> EmergencyLayout:
    if profile.font.font != "unifont":
        for scale in EMERGENCY_SCALES:
            ref = FontRef(font=profile.font.font, size=int(profile.font.size * scale))
            layout = _emergency_layout(profile, words, ref)
            if len(layout.pages) == 1 and not layout.scroll:
                return layout
    return _emergency_layout(profile, words, profile.font)


def _emergency_layout(profile: Profile, words: str, ref: FontRef) -> EmergencyLayout:
    font = _font(ref)
    width, height = profile.size
    step = font.line_height
    rows = max(1, height // step)
    margin = step // 2 if width >= 20 * step or (ref.font != "unifont" and width >= 8 * step) else 0
    heading = _(EMERGENCY_HEADING) if rows > 1 else ""
    body = words if heading else _("{heading}: {text}").format(heading=_(EMERGENCY_HEADING), text=words)
    text_rows = rows - 1 if heading else rows
    pages = text.paginate(body, font, width - 2 * margin, text_rows) or [[]]
    if text_rows == 1 and len(pages) > 1:
        return EmergencyLayout(heading, (), body, MIN_PAGE_S, max(0, (height - step * rows) // 2), step, 0, ref)
    longest = max(sum(len(line) for line in page) for page in pages)
    lines = max(len(page) for page in pages) + (1 if heading else 0)
    return EmergencyLayout(
        heading,
        tuple(tuple(page) for page in pages),
        "",
        max(MIN_PAGE_S, longest / READ_CHARS_PER_S),
        max(0, (height - step * lines) // 2),
        step,
        margin,
        ref,
    )


def emergency_strip(profile: Profile, layout: EmergencyLayout, now: datetime) -> text.TickerStrip:
    paint = paint_for(profile, now)
    ink, background = paint(profile.colour("emergency_text")), paint(profile.colour("emergency"))
    font = _font(layout.font) if layout.font is not None else font_of(profile, None)
    return text.TickerStrip(layout.scroll, font, ink, paint.mode, background, gap=GAP)


def scroll_offset(profile: Profile, seconds: float) -> int:
    return int(seconds * profile.scroll_px_per_s)


def render_emergency(
    profile: Profile, words: str, now: datetime, age_s: float = 0.0, layout: EmergencyLayout | None = None
) -> Image.Image:
    """An emergency takes the whole display: its frame `age_s` seconds after it first showed."""
    layout = layout or emergency_layout(profile, words)
    paint = paint_for(profile, now)
    background, ink = paint(profile.colour("emergency")), paint(profile.colour("emergency_text"))
    width, height = profile.size
    font = _font(layout.font) if layout.font is not None else font_of(profile, None)
    canvas = _Canvas((width, height), paint.mode, background)
    if layout.heading:
        canvas.image.paste(ink, (0, layout.top, width, layout.top + layout.step))
        canvas.background = ink
        canvas.line(layout.heading, font, background, 0, layout.top, width, "center")
        canvas.background = background
    if layout.scroll:
        strip = emergency_strip(profile, layout, now)
        canvas.image.paste(strip.frame(scroll_offset(profile, age_s), width), (0, layout.text_top))
    elif layout.pages:
        for i, line in enumerate(layout.pages[layout.page_at(age_s)]):
            y = layout.text_top + i * layout.step
            canvas.line(line, font, ink, layout.margin, y, width - 2 * layout.margin, "center")
    return canvas.image


IDLE_PAGE_S = 4
CLOSED_TODAY = N_("Closed for today. Welcome back during opening hours")
"""What a display says outside the hours when the hall does not open again today (unless its profile says)."""
"""Outside the hours, a line too long for the display shows a part at a time, this long each."""


def idle_lines(profile: Profile, state: DisplayState, now: datetime, rows: int) -> list[str]:
    """What a display says outside the hours, at most `rows` lines: when the hall opens again today (or the
    profile's idle text), the time, the centre; fewer rows keep them in that order of need."""
    later = when.opens_later_today(state.hours, now)
    note = wording.opens_today(later) if later else profile.idle_text or _(CLOSED_TODAY)
    lines = [line for line in (state.centre, f"{now:%H:%M}", note) if line]
    needed = [line for line in (note, f"{now:%H:%M}", state.centre) if line][: max(1, rows)]
    return [line for line in lines if line in needed]


def idle_key(profile: Profile, state: DisplayState, now: datetime) -> Hashable:
    """Changes whenever the idle screen's picture may: the minute, a page of a long line, the hours."""
    return ("idle", state.centre, state.hours, now.strftime("%H:%M"), int(now.timestamp() // IDLE_PAGE_S))


def render_idle(profile: Profile, state: DisplayState, now: datetime) -> Image.Image:
    """Outside opening hours: the centre, the time and when the hall opens; a long line is paged, never cut."""
    paint = paint_for(profile, now)
    width, height = profile.size
    canvas = _Canvas((width, height), paint.mode, paint(profile.colour("background")))
    font = font_of(profile, None)
    step = font.line_height
    fitting = idle_lines(profile, state, now, height // step)
    top = max(0, (height - step * len(fitting)) // 2)
    for i, line in enumerate(fitting):
        shown = paged_line(line, font, width, IDLE_PAGE_S, now)
        canvas.line(shown, font, paint(profile.colour("text")), 0, top + i * step, width, "center")
    return canvas.image


def flash_on(profile: Profile, state: DisplayState, call_age_s: float | None) -> bool:
    """Whether the call banner shows inverted now: blinking twice a second while the call is new."""
    if state.last_call is None or call_age_s is None or call_age_s >= profile.flash_seconds:
        return False
    return int(call_age_s * 2) % 2 == 0


def render_frame(
    profile: Profile,
    state: DisplayState,
    now: datetime,
    *,
    call_age_s: float | None = None,
    ticker_offset: int = 0,
    emergency_age_s: float = 0.0,
) -> Image.Image:
    """One whole frame. `call_age_s`: seconds since the last call arrived (for the flash);
    `emergency_age_s`: since the emergency first showed (its page, or how far it scrolled)."""
    emergency = state.emergency(now=now)
    if emergency is not None:
        return render_emergency(profile, emergency.text, now, emergency_age_s)
    if not profile.always_open and not is_open(state, now):
        return render_idle(profile, state, now)
    paint = paint_for(profile, now)
    frame = Image.new(paint.mode, tuple(profile.size), paint(profile.colour("background")))  # type: ignore[arg-type]
    flash = flash_on(profile, state, call_age_s)
    for zone in profile.zones:
        x, y, width, height = zone.box
        if zone.kind == "ticker":
            strip = ticker_strip(profile, zone, state, now)
            picture = render_zone(profile, zone, state, now)
            picture.paste(strip.frame(ticker_offset, width), (0, (height - strip.height) // 2))
        else:
            picture = render_zone(profile, zone, state, now, flash)
            scroll = zone_scroll(profile, zone, state)
            if scroll is not None:
                picture.paste(scroll_strip(profile, zone, state, now).frame(ticker_offset, width), (0, scroll[0]))
        frame.paste(picture, (x, y))
    return frame
