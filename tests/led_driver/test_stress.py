"""Every shipped LED profile with the stress centre: every character drawn, every window shown, names
told apart. `HALL_STRESS_FRAMES=DIR` also writes the frames there, to be looked at."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from content.centre.loader import Content, load_content
from content.centre.stress import LEGALISATION, RARE, WINDOWS, write_stress_centre
from content.service import documents
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.commands.queue import call, take_ticket
from content.service.live import Live
from content.shared import contract
from content.shared import limits as cap
from led_driver import render, text
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import Profile, Zone, find_profile, load_profile, shipped
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState, apply
from tests.led_driver.test_state import NOW, _doc

CALLED = "w04"
"""The window called: its name is 40 characters with every CJK extension in it."""


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Content:
    out = tmp_path_factory.mktemp("stress") / "content"
    write_stress_centre(out)
    loaded = load_content(out)
    assert loaded.content is not None, loaded.problems
    return loaded.content


@pytest.fixture(scope="module")
def state(stress: Content) -> DisplayState:
    live = Live()
    for category in ("c07", "c07", "c27", "c08"):  # c27: prefix AA
        live = take_ticket(Context(live, stress, {"category": category}, "kiosk-1", NOW)).live
    out = call(Context(live, stress, {"window": CALLED}, "staff", NOW))
    live = announce(
        Context(out.live, stress, {"text": f"{RARE}片区今日逢场，各窗口全员在岗·请按号办理①②③"}, "staff", NOW)
    ).live
    docs = documents.all_documents(stress, live, NOW)
    built = DisplayState()
    for topic in ("centre", "queue", "staff", "catalog", "announcements"):
        built = apply(built, topic, _doc(docs[topic]))
    return apply(built, "call", contract.encode(contract.call_event(documents.call_json(out.calls[0]), NOW)))


def profiles() -> list[Profile]:
    found = []
    for name in shipped():
        loaded, problems = load_profile(find_profile(name))
        assert loaded is not None, problems
        loaded = loaded.model_copy(update={"always_open": True})
        found.append(loaded.for_window(CALLED) if loaded.needs_window else loaded)
    return found


def shown_texts(state: DisplayState) -> list[str]:
    return [
        state.centre,
        *(w.name for w in state.windows),
        *(w.staff for w in state.windows),
        *(f"{m.name} {m.post}" for m in state.staff),
        *(row.name for row in state.waiting),
        *(g.name for g in state.guides),
        state.ticker(),
        state.last_call.text if state.last_call else "",
    ]


@pytest.mark.parametrize("p", profiles(), ids=lambda p: p.name)
def test_every_character_of_the_stress_centre_is_drawn(p: Profile, state: DisplayState) -> None:
    for zone in p.zones:
        font = render.font_of(p, zone)
        boxes = {g.text for t in shown_texts(state) for g in font.glyphs(t) if g.replaced}
        assert boxes == set(), f"{p.name}, {zone.kind}: drawn as boxes: {sorted(boxes)}"
    assert set(RARE) <= set("".join(shown_texts(state)))  # the check saw every block


@pytest.mark.parametrize("p", profiles(), ids=lambda p: p.name)
def test_every_window_is_shown_and_told_apart(p: Profile, state: DisplayState, tmp_path: Path) -> None:
    assert len(state.windows) == WINDOWS
    frames = []
    for zone in (z for z in p.zones if z.kind == "windows"):
        page = render.table_page(p, zone, len(state.windows), NOW)
        seen: set[str] = set()
        name_w = zone.box[2] * 5 // 12
        font = render.font_of(p, zone)
        for k in range(page.pages):
            this = render.table_page(p, zone, len(state.windows), NOW + timedelta(seconds=zone.page_seconds * k))
            rows = state.windows[this.start : this.start + this.rows]
            seen.update(w.id for w in rows)
            names = render.window_names(rows, font, name_w)
            assert len(set(names)) == len(rows), names
            # 社会保障服务窗口（城乡居民养老保险） and （…医疗保险）: apart by name, not only by number
            bare = [n.split("号 ", 1)[1] for n in names]
            assert len(set(bare)) == len(rows), bare
        assert len(seen) == WINDOWS
    for k in range(3):
        at = NOW + timedelta(seconds=10 * k)
        frame = render.render_frame(p, state, at, call_age_s=20.0)
        assert frame.size == tuple(p.size) and frame.getbbox() is not None
        frames.append(frame)
    target = os.environ.get("HALL_STRESS_FRAMES")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for k, frame in enumerate(frames):
            frame.save(Path(target) / f"{p.name.split()[0]}-{p.size[0]}x{p.size[1]}-{k}.png")


def test_a_window_name_too_long_for_the_window_screen_is_shown_whole_in_parts(state: DisplayState) -> None:
    p = next(p for p in profiles() if p.needs_window is False and any(z.kind == "window" for z in p.zones))
    zone = next(z for z in p.zones if z.kind == "window")
    font = render.font_of(p, zone)
    row = next(w for w in state.windows if w.id == CALLED)
    label = f"{row.number}号 {row.name}"
    seconds = max(3, zone.page_seconds // 2)
    pages = [page[0] for page in text.paginate(label, font, zone.box[2], 1)]
    shown = [
        render.paged_line(label, font, zone.box[2], seconds, NOW + timedelta(seconds=seconds * k))
        for k in range(len(pages) * 2)
    ]
    assert len(pages) > 1 and set(shown) == set(pages)  # every part in turn, then again
    assert all(page.endswith("…") for page in pages[:-1]) and not pages[-1].endswith("…")
    assert all(font.text_width(page) <= zone.box[2] for page in pages)
    assert "".join(page.removesuffix("…") for page in pages).replace(" ", "") == label.replace(" ", "")


# -- every screen whole (issue 25): a guide in pages, names told apart, reasons and names never cut ---------------


def profile_named(size: tuple[int, int]) -> Profile:
    return next(p for p in profiles() if tuple(p.size) == size)


def window_screen(window: str) -> Profile:
    """The window screen (192×64), showing `window`."""
    loaded, problems = load_profile(find_profile("window-192x64"))
    assert loaded is not None, problems
    return loaded.model_copy(update={"always_open": True}).for_window(window)


def drawn_at(p: Profile, zone: Zone, image: Image.Image, words: str, x: int, y: int, key: str = "text") -> bool:
    """Whether `words`, drawn alone in the zone's font and the profile's colour `key`, is what the zone's picture
    has at (x, y)."""
    paint = render.paint_for(p, NOW)
    strip = text.render_line(
        words, render.font_of(p, zone), paint(p.colour(key)), paint.mode, paint(p.colour("background"))
    )
    region = image.crop((x, y, x + strip.width, y + strip.height))
    return region.size == strip.size and ImageChops.difference(region, strip).getbbox() is None


def guide_pages(p: Profile, zone: Zone, state: DisplayState, guide: int) -> list[render.GuidePage]:
    """Every page of one guide, in the order the guide screen shows them."""
    first = render.guide_page(p, zone, state, NOW)
    assert first is not None
    found: list[render.GuidePage] = []
    for k in range(2000):
        page = render.guide_page(p, zone, state, NOW + timedelta(seconds=zone.page_seconds * k))
        assert page is not None
        if page.guide == guide:
            found.append(page)
        elif found:
            break
    return found


def test_the_guide_screen_pages_through_the_whole_of_a_long_guide(state: DisplayState, tmp_path: Path) -> None:
    p = profile_named((768, 384))
    zone = next(z for z in p.zones if z.kind == "guides")
    font = render.font_of(p, zone)
    index = next(i for i, g in enumerate(state.guides) if len(g.documents) == 25)
    guide = state.guides[index]
    pages = guide_pages(p, zone, state, index)
    count = len(pages)
    assert count > 1 and [page.page for page in pages] == list(range(count))
    assert [page.lines.mark for page in pages] == [f"第 {k}/{count} 页" for k in range(1, count + 1)]
    rows = zone.box[3] // font.line_height
    for page in pages:
        assert len(page.lines.lines) <= rows - 1  # under the heading line: nothing drawn past the zone
        assert all(font.text_width(line) <= zone.box[2] for line in page.lines.lines)
        image = render.render_zone(p, zone, state, NOW + timedelta(seconds=zone.page_seconds * 0))  # drawn whole
        assert image.size == (zone.box[2], zone.box[3])
    shown = "".join(line.removesuffix("…") for page in pages for line in page.lines.lines).replace(" ", "")
    for document in guide.documents:
        assert document.replace(" ", "") in shown, document  # all 25, each with its form and its whole note
    assert guide.fee.replace(" ", "") in shown  # the fee whole, not cut at 证书工本…
    assert "代办2个工作日" in shown  # the proxy (代办) limit
    for step in guide.steps:
        assert step.replace(" ", "") in shown  # 1,000 characters, whole
    assert guide.name in shown
    assert len(guide.steps[0]) >= 1000 and any("（" in d and len(d) > 500 for d in guide.documents)
    # Each page is drawn with its mark at the right of the heading line.
    at = NOW + timedelta(seconds=zone.page_seconds * (guide_offset(p, zone, state, index) + 1))
    picture = render.render_zone(p, zone, state, at)
    mark = f"第 2/{count} 页"
    assert drawn_at(p, zone, picture, mark, zone.box[2] - font.text_width(mark), 0)


def test_the_guide_screen_shows_a_348_character_note_and_a_1000_character_fee_whole(
    stress: Content, state: DisplayState
) -> None:
    p = profile_named((768, 384))
    zone = next(z for z in p.zones if z.kind == "guides")
    index = next(i for i, g in enumerate(state.guides) if len(g.documents) == 25)
    item = next(item for item in stress.items if len(item.documents) == 25)
    notes = [d.note for d in item.documents if d.note and len(d.note) == LEGALISATION]
    assert notes and len(item.fee) == cap.NOTE == 1000
    pages = guide_pages(p, zone, state, index)
    # Read as the screen shows them: page after page, each page's last line without its mark.
    shown = "".join(line.removesuffix("…") for page in pages for line in page.lines.lines).replace(" ", "")
    assert item.fee.replace(" ", "") in shown  # on several lines and pages, not one line cut short
    for note in notes:
        assert note.replace(" ", "") in shown


def test_no_guide_page_ends_with_a_heading_alone(state: DisplayState) -> None:
    p = profile_named((768, 384))
    zone = next(z for z in p.zones if z.kind == "guides")
    windows = tuple((w.id, render.window_label(w)) for w in state.windows)
    layout = render.guide_layout(zone.font or p.font, zone.box[2], zone.box[3], state.guides, windows)
    kept = 0
    for pages in layout:
        for page, following in pairwise(pages):
            last, headed = page.lines[-1].removesuffix("…"), page.headed[-1]
            assert not (headed and headed >= len(last)), (page.heading, page.mark, last)
            assert page.lines[-1].endswith("…")  # the page before it still says there is more
            first, headed = following.lines[0], following.headed[0]
            if headed and headed == len(first):  # a heading that starts a page has its first line under it
                kept += 1
                assert len(following.lines) > 1 and following.headed[1] == 0
    assert kept  # the stress centre has headings that would have ended a page (办理流程：, 申请材料：)


def guide_offset(p: Profile, zone: Zone, state: DisplayState, guide: int) -> int:
    """How many pages after NOW the guide's first page shows."""
    for k in range(5000):
        page = render.guide_page(p, zone, state, NOW + timedelta(seconds=zone.page_seconds * k))
        if page is not None and page.guide == guide and page.page == 0:
            return k
    raise AssertionError("the guide never shows")


def test_two_windows_that_share_a_long_beginning_are_told_apart_at_one_length(state: DisplayState) -> None:
    p = profile_named((1920, 1080))
    zone = next(z for z in p.zones if z.kind == "windows")
    font = render.font_of(p, zone)
    rows = tuple(w for w in state.windows if w.id in ("w02", "w03"))
    names = render.window_names(rows, font, zone.box[2] * 5 // 12)
    assert names[0] != names[1] and font.text_width(names[0]) == font.text_width(names[1])
    # What tells them apart is there whole, not one stray character of it (…老保险） beside …疗保险）).
    assert "养老保险" in names[0] and "医疗保险" in names[1], names
    picture = render.render_zone(p, zone, state, NOW)
    step = font.line_height
    for i, row in enumerate(rows):
        y = state.windows.index(row) * step
        assert drawn_at(p, zone, picture, names[i], 0, y)


def test_a_pause_reason_keeps_where_to_go(state: DisplayState) -> None:
    reason = "系统升级，暂停受理，请到1号综合受理窗口办理"
    windows = tuple(replace(w, open=False, reason=reason) if w.id == "w05" else w for w in state.windows)
    paused = replace(state, windows=windows)
    p = profile_named((1920, 1080))
    zone = next(z for z in p.zones if z.kind == "windows")
    font = render.font_of(p, zone)
    name_w, y = zone.box[2] * 5 // 12, 4 * font.line_height
    assert font.text_width(reason) > zone.box[2] - name_w  # too long for its cell
    seen = [render.render_zone(p, zone, paused, NOW + timedelta(seconds=s)) for s in range(zone.page_seconds)]
    assert any(drawn_at(p, zone, picture, "系统升级，暂停受理，…", name_w, y, "paused") for picture in seen)
    assert any(drawn_at(p, zone, picture, "请到1号综合受理窗口办理", name_w, y, "paused") for picture in seen)
    # The window's own screen says it too, a clause at a time.
    screen = window_screen("w05")
    window_zone = next(z for z in screen.zones if z.kind == "window")
    pictures = [render.render_zone(screen, window_zone, paused, NOW + timedelta(seconds=s)) for s in range(12)]
    where = "请到1号综合受理窗口办理"
    x = (window_zone.box[2] - render.font_of(screen, window_zone).text_width(where)) // 2
    assert any(drawn_at(screen, window_zone, picture, where, x, 32) for picture in pictures)


def test_a_window_screen_never_splits_a_name_across_frames(state: DisplayState) -> None:
    # A name of two lines: both in every frame.
    screen = window_screen("w02")
    zone = next(z for z in screen.zones if z.kind == "window")
    font = render.font_of(screen, zone)
    row = next(w for w in state.windows if w.id == "w02")
    label = f"{row.number}号 {row.name}"
    lines = text.paginate(label, font, zone.box[2], 3)[0]
    assert len(lines) == 2 and "".join(lines).replace(" ", "") == label.replace(" ", "")
    assert render.zone_scroll(screen, zone, state) is None
    for s in range(0, 30, 3):
        picture = render.render_zone(screen, zone, state, NOW + timedelta(seconds=s))
        for i, line in enumerate(lines):
            x = (zone.box[2] - font.text_width(line)) // 2
            assert drawn_at(screen, zone, picture, line, x, i * font.line_height, "accent"), (s, line)
    # A name longer than the screen holds scrolls whole along the top line, as the ticker does.
    screen = window_screen(CALLED)
    zone = next(z for z in screen.zones if z.kind == "window")
    row = next(w for w in state.windows if w.id == CALLED)
    label = f"{row.number}号 {row.name}"
    assert render.zone_scroll(screen, zone, state) == (0, label)
    strip = render.scroll_strip(screen, zone, state, NOW)
    paint = render.paint_for(screen, NOW)
    whole = text.render_line(label + render.GAP, font, paint(screen.colour("accent")), paint.mode)
    assert ImageChops.difference(strip.cycle, whole).getbbox() is None
    frames = [render.render_frame(screen, state, NOW, ticker_offset=k * 64) for k in range(3)]
    assert len({frame.crop((0, 0, 192, 16)).tobytes() for frame in frames}) == 3  # it moves


def test_screenshots_of_the_long_guide_the_wall_and_a_window_screen(state: DisplayState) -> None:
    """`HALL_STRESS_FRAMES=DIR`: every page of the 25-document guide, the wall's pages, a long window name."""
    target = os.environ.get("HALL_STRESS_FRAMES")
    if not target:
        pytest.skip("HALL_STRESS_FRAMES not set")
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    p = profile_named((768, 384))
    zone = next(z for z in p.zones if z.kind == "guides")
    index = next(i for i, g in enumerate(state.guides) if len(g.documents) == 25)
    start = guide_offset(p, zone, state, index)
    for k in range(len(guide_pages(p, zone, state, index))):
        at = NOW + timedelta(seconds=zone.page_seconds * (start + k))
        render.render_frame(p, state, at, call_age_s=20.0).save(out / f"guide-768x384-page{k + 1:02d}.png")
    wall = profile_named((1920, 1080))
    windows = next(z for z in wall.zones if z.kind == "windows")
    for k in range(render.table_page(wall, windows, len(state.windows), NOW).pages):
        at = NOW + timedelta(seconds=windows.page_seconds * k)
        render.render_frame(wall, state, at, call_age_s=20.0).save(out / f"wall-1920x1080-page{k + 1}.png")
    screen = window_screen(CALLED)
    for k in range(3):
        frame = render.render_frame(screen, state, NOW, ticker_offset=k * 96)
        frame.resize((192 * 4, 64 * 4), Image.Resampling.NEAREST).save(out / f"window-192x64-{CALLED}-{k}.png")


def test_the_scheduler_scrolls_a_long_window_name_as_render_frame_draws_it(state: DisplayState) -> None:
    screen = window_screen(CALLED)
    scheduler = Scheduler(screen, MemoryOutput(), wall_clock=lambda: NOW, monotonic=lambda: 0.0)
    first = scheduler.compose(state, NOW, 0.0, None).copy()
    assert ImageChops.difference(first, render.render_frame(screen, state, NOW)).getbbox() is None
    later = scheduler.compose(state, NOW, 2.0, None).copy()
    moved = render.render_frame(screen, state, NOW, ticker_offset=2 * screen.scroll_px_per_s)
    assert ImageChops.difference(later, moved).getbbox() is None
    assert later.crop((0, 0, 192, 16)).tobytes() != first.crop((0, 0, 192, 16)).tobytes()
