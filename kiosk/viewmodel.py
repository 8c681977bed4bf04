"""What each screen lays out, as pure functions of the model (and of the time, passed in).

The Kivy screens bind to these; none of them touches a widget, the clock or the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from content.shared import graphemes, when, wording
from content.shared.wire.staff import StaffMember
from content.shared.wording import Section
from kiosk.model import TARGET, Guide, KioskModel
from kiosk.words import _

IDLE_TIMEOUT_S: Final = 90.0
ATTRACT_AFTER_S: Final = 60.0
"""Seconds without a touch on the home screen before the attract loop starts."""
ATTRACT_SLIDE_S: Final = 8.0
ATTRACT_GUIDES: Final = 6
ATTRACT_CALL: Final = _("Touch to read the service guide")
LARGE_TEXT_SCALE: Final = 1.4
STALE_MARKER: Final = _("This information may not be up to date")


@dataclass(frozen=True)
class Tile:
    category: str
    name: str
    prefix: str
    items: int
    waiting: int
    estimate_min: int | None
    caption: str
    """等候 3 人 / 约 24 分钟 on two lines (a tile is narrow), or 无需等候."""


@dataclass(frozen=True)
class ItemRow:
    id: str
    name: str
    instant: bool
    marker: str
    """即办 for instant items, else empty."""
    limits: str


@dataclass(frozen=True)
class StaffRow:
    name: str
    post: str
    window: str
    phone: str
    status: str
    photo: str | None
    on_duty: bool = False


def waiting_caption(waiting: int, estimate_min: int | None, tile: bool = False) -> str:
    """正在等候 3 人，约 24 分钟; on a `tile`, two short lines: 等候 3 人 / 约 24 分钟."""
    if not waiting:
        return _("No wait")
    if tile:
        if estimate_min:
            return _("{waiting} waiting\nabout {minutes} min").format(waiting=waiting, minutes=estimate_min)
        return _("{waiting} waiting").format(waiting=waiting)
    if estimate_min:
        return _("{waiting} people waiting, about {minutes} minutes").format(waiting=waiting, minutes=estimate_min)
    return _("{waiting} people waiting").format(waiting=waiting)


TILE_NAME_CHARS = 16
LARGE_TILE_NAME_CHARS = 10
"""In large text: a tile's name in at most three lines, so that a row of tiles fits the view whole."""
"""A home tile shows a category's name up to this long, then "…": one 40-character name must not make its
whole row of tiles taller than the screen. The category's own screen names it whole."""


def tile_name(name: str, limit: int = TILE_NAME_CHARS) -> str:
    """The name on a tile: at most `limit` characters, cut with "…" at a grapheme boundary."""
    return graphemes.cut(name, limit)


def home_tiles(model: KioskModel, name_chars: int = TILE_NAME_CHARS) -> tuple[Tile, ...]:
    tiles = []
    for category in model.categories:
        line = model.queue.line(category.id)
        waiting = line.waiting if line else 0
        estimate = line.estimate_min if line else None
        tiles.append(
            Tile(
                category.id,
                tile_name(category.name, name_chars),
                category.prefix,
                len(category.items),
                waiting,
                estimate,
                waiting_caption(waiting, estimate, tile=True),
            )
        )
    return tuple(tiles)


def item_rows(model: KioskModel, category: str) -> tuple[ItemRow, ...]:
    return tuple(
        ItemRow(item.id, item.name, item.instant, _("Same day") if item.instant else "", item.limits)
        for item in model.items_of(category)
    )


def category_notice(model: KioskModel, category: str) -> str:
    """For a category with no items, instead of an empty list: that there are none yet, and where to ask
    (the comprehensive window, the hotline); "" for a category with items."""
    if model.items_of(category):
        return ""
    window = model.comprehensive_window()
    return wording.empty_category_notice(
        window.name if window else "",
        window.number if window else None,
        model.centre.hotline if model.centre else "",
    )


def guide_sections(guide: Guide) -> tuple[Section, ...]:
    """Every disclosure field, in the order of a printed guide (content.shared.wording); empty sections left out."""
    item = guide.item
    return wording.guide_sections(
        windows=guide.window_names,
        limits=item.limits,
        fee=item.fee,
        documents=(row.text for row in item.documents),
        steps=item.steps,
        basis=item.basis,
        department=item.department,
        phone=item.phone,
        tiers=item.tier_names,
        agents=(f"{a.area} {a.name} {a.phone}".strip() for a in guide.agents),
    )


def staff_status(model: KioskModel, member: StaffMember) -> str:
    """在岗, or 暂离 / 请假 / 下班 with who covers: 请假，由何建华代岗."""
    if member.status == "on_duty" or not member.substitute:
        return member.status_name
    cover = next((s for s in model.staff if s.id == member.substitute), None)
    if cover is None or cover.status != "on_duty":
        return member.status_name
    return _("{status}, {cover} covers").format(status=member.status_name, cover=cover.name)


def staff_rows(model: KioskModel) -> tuple[StaffRow, ...]:
    return tuple(
        StaffRow(
            m.name, m.post, model.window_name(m.window), m.phone, staff_status(model, m), m.photo, m.status == "on_duty"
        )
        for m in model.staff
    )


@dataclass(frozen=True)
class AgentGroup:
    """The proxy agents of one tier on the staff board, under their heading."""

    heading: str
    """村(社区)代办员 / 乡镇(街道)代办员 / 区级代办员."""
    lines: tuple[str, ...]
    """魏城镇石龙村　唐淑芬　0816-2731202, in the agents document's order."""


def agent_groups(model: KioskModel) -> tuple[AgentGroup, ...]:
    """The agents by tier (村, 乡镇, 区, then any of another tier), each group under its own heading;
    a tier without agents has no group."""
    groups: dict[str, list[str]] = {}
    for agent in model.agents:
        tier = agent.tier if agent.tier in wording.AGENT_HEADINGS else ""
        line = "\u3000".join((agent.area, agent.name, agent.phone)).strip()  # catalog: data (an ideographic space)
        groups.setdefault(tier, []).append(line)
    headings = {**wording.AGENT_HEADINGS, "": wording.OTHER_AGENTS}
    return tuple(AgentGroup(heading, tuple(groups[tier])) for tier, heading in headings.items() if tier in groups)


@dataclass(frozen=True)
class DutyRow:
    """Who serves at one window now, for the home screen."""

    window: str
    """1号 综合窗口."""
    names: str
    """张磊、何建华（代罗俊）, or NOBODY_ON_DUTY."""
    note: str
    """暂停办理：下村办件 when the window is paused, else empty."""
    staffed: bool


LIST_SEPARATOR: Final = _(", ")
"""Between the names of a list (张磊、刘小燕)."""
HOURS_SEPARATOR: Final = _("; ")
"""Between the opening hours of different days."""
NOBODY_ON_DUTY: Final = _("Nobody on duty")
OTHERS_ON_DUTY: Final = _("On duty at the centre")


def duty_rows(model: KioskModel) -> tuple[DutyRow, ...]:
    """Each window with the staff on duty at it now (their own people, then whoever covers for one who
    is away), whether it is paused; then the staff on duty who have no window (the centre's leaders)."""
    if model.centre is None:
        return ()
    by_id = {m.id: m for m in model.staff}
    states = {w.id: w for w in model.queue.windows}
    rows = []
    for window in model.centre.windows:
        own = [m for m in model.staff if m.window == window.id]
        names = [m.name for m in own if m.status == "on_duty"]
        for member in own:
            cover = by_id.get(member.substitute or "") if member.status != "on_duty" else None
            if cover is not None and cover.status == "on_duty" and cover.window != window.id:
                names.append(_("{cover} (for {member})").format(cover=cover.name, member=member.name))
        state = states.get(window.id)
        note = ""
        if state is not None and not state.open:
            note = _("Paused: {reason}").format(reason=state.reason) if state.reason else _("Paused")
        label = _("No. {number} {name}").format(number=window.number, name=window.name)
        if window.number is None:
            label = window.name
        listed = LIST_SEPARATOR.join(dict.fromkeys(names))
        rows.append(DutyRow(label, listed or NOBODY_ON_DUTY, note, bool(names)))
    windows = {w.id for w in model.centre.windows}
    others = [m.name for m in model.staff if m.status == "on_duty" and (m.window is None or m.window not in windows)]
    if others:
        rows.append(DutyRow(OTHERS_ON_DUTY, LIST_SEPARATOR.join(others), "", True))
    return tuple(rows)


@dataclass(frozen=True)
class Slide:
    """One page of the attract loop: a featured guide (tap to open it) or an announcement."""

    kind: str
    """guide / announcement."""
    title: str
    text: str
    call: str
    """The line that invites a touch."""
    item: str = ""
    """The item id of a guide slide."""


def attract_slides(model: KioskModel, now: datetime | None = None, guides: int = ATTRACT_GUIDES) -> tuple[Slide, ...]:
    """The featured guides (the first item of each category, up to `guides`), then the announcements
    in force at `now` (emergencies have their own overlay)."""
    featured = [items[0] for items in map(model.items_of, (c.id for c in model.categories)) if items][:guides]
    slides = [Slide("guide", item.name, item.limits, ATTRACT_CALL, item.id) for item in featured]
    slides += [
        Slide("announcement", _("Notice"), a.text, _("Touch the screen to go back to the home screen"))
        for a in model.announcements.rows
        if a.priority != "emergency" and a.shown(now, TARGET)
    ]
    return tuple(slides)


def attract_index(
    last_touch: float,
    now: float,
    count: int,
    after_s: float = ATTRACT_AFTER_S,
    slide_s: float = ATTRACT_SLIDE_S,
) -> int | None:
    """The slide due at `now` (monotonic seconds), or None: touched within `after_s`, or no slides."""
    idle = now - last_touch - after_s
    if count <= 0 or idle < 0:
        return None
    return int(idle // slide_s) % count


def even_rows(heights: list[float], cols: int, least: float = 0.0) -> list[float]:
    """The height for each of `heights` laid out `cols` to a row: the tallest of its row (at least
    `least`), so the tiles of a row line up whatever their text wraps to."""
    cols = max(cols, 1)
    rows = [max([least, *heights[start : start + cols]]) for start in range(0, len(heights), cols)]
    return [rows[n // cols] for n in range(len(heights))]


def whole_rows(extents: list[tuple[float, float]], available: float) -> float:
    """The height of a scrolling view at most `available` tall that shows its content's first rows whole
    and no row in part: `extents` are the (top, bottom) of each widget measured down from the content's
    top. The view ends in the gap after the last row that fits; what follows is scrolled to. With the
    first row taller than `available`, all of `available` (that row is scrolled through)."""
    cut = available
    while cut > 0:
        across = [top for top, bottom in extents if top < cut < bottom]
        if not across:
            break
        cut = min(across)
    shows_one = any(bottom <= cut for _top, bottom in extents)
    tallest = max((bottom - top for top, bottom in extents if bottom - top <= available), default=0.0)
    # never shorter than a row that fits: every row can be scrolled into view whole
    return cut if shows_one and cut >= tallest else available


def is_idle(last_touch: float, now: float, timeout_s: float = IDLE_TIMEOUT_S) -> bool:
    """Back to the home screen after `timeout_s` seconds without a touch (monotonic seconds)."""
    return now - last_touch >= timeout_s


def text_scale(large: bool) -> float:
    return LARGE_TEXT_SCALE if large else 1.0


def stale_marker(model: KioskModel) -> str:
    return STALE_MARKER if model.stale else ""


def ticket_notice(model: KioskModel, now: datetime) -> str | None:
    """Why 取号 is greyed at `now` and when numbers start (现在不能取号，今天 08:30 开始取号。); None while numbers
    may be taken, or when the hours are not known. The service refuses a number by the same rule."""
    centre = model.centre
    if centre is None or centre.issue_any_time or when.issuing(centre.sessions, now, centre.issue_before_open):
        return None
    return wording.numbers_closed(when.issuing_from(centre.sessions, now, centre.issue_before_open))


def closed_notice(model: KioskModel, now: datetime, with_hours: bool = True) -> str:
    """Outside the opening hours, when the hall opens next today (or that it is over for today), and
    the hours (`with_hours`); empty while open (or when nothing is known)."""
    centre = model.centre
    if centre is None or when.is_open(centre.sessions, now):
        return ""
    later = when.opens_later_today(centre.sessions, now)
    if later:
        notice = _("The centre is closed now; it opens today at {time}.").format(time=later)
    else:
        notice = _("The centre has closed for today.")
    hours = HOURS_SEPARATOR.join(centre.hours)
    return _("{notice} Opening hours: {hours}").format(notice=notice, hours=hours) if hours and with_hours else notice
