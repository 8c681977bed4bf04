"""Frames from the sample state: sizes, modes, what is where, golden images, and the scheduler."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from content.centre.loader import Content
from led_driver import render
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import Profile, find_profile, load_profile, shipped
from led_driver.scheduler import Scheduler
from led_driver.state import Announcement, DisplayState
from led_driver.text import load_font, render_line
from tests.led_driver.test_state import sample_state

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
EVENING = datetime(2026, 11, 27, 21, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def state(content: Content) -> DisplayState:
    return sample_state(content)


def profile(name: str) -> Profile:
    loaded, problems = load_profile(find_profile(name))
    assert loaded is not None, problems
    return loaded.for_window("zonghe") if loaded.needs_window else loaded


@pytest.mark.parametrize("name", shipped())
def test_frames_match_the_golden_images(name: str, state: DisplayState) -> None:
    """Regenerate after a deliberate change with HALL_UPDATE_GOLDEN=1 and look at the PNGs."""
    p = profile(name)
    frame = render.render_frame(p, state, NOW, call_age_s=20.0)
    assert frame.size == tuple(p.size)
    assert frame.mode == ("1" if p.colour_mode == "mono" else "RGB")
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("HALL_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        frame.save(golden)
    with Image.open(golden) as expected:
        assert expected.mode == frame.mode and expected.size == frame.size
        assert ImageChops.difference(expected.convert("RGB"), frame.convert("RGB")).getbbox() is None, (
            f"{name} differs from {golden}"
        )


def test_the_serving_number_is_drawn_in_the_call_banner(state: DisplayState) -> None:
    p = profile("wall-1920x1080")
    banner = next(z for z in p.zones if z.kind == "call_banner")
    x, y, width, height = banner.box
    steady = render.render_frame(p, state, NOW, call_age_s=20.0).crop((x, y, x + width, y + height))
    # The same words drawn alone, in the banner's font and colour, appear inside the banner.
    assert banner.font is not None
    words = render_line(
        "请A001号到2号窗口办理",
        load_font(banner.font.font, banner.font.size),
        render.paint_for(p, NOW)(p.colour("call")),
        "RGB",
        (0, 0, 0),
    )
    left = (width - words.width) // 2
    top = (height - words.height) // 2
    region = steady.crop((left, top, left + words.width, top + words.height))
    assert ImageChops.difference(region, words).getbbox() is None
    # While the call is new, the banner flashes: filled with the call colour.
    flashing = render.render_frame(p, state, NOW, call_age_s=0.1).crop((x, y, x + width, y + height))
    assert flashing.getpixel((2, 2)) == render.paint_for(p, NOW)(p.colour("call"))
    assert steady.getpixel((2, 2)) == (0, 0, 0)


@pytest.mark.parametrize("name", shipped())
def test_nothing_is_drawn_outside_the_zones(name: str, state: DisplayState) -> None:
    p = profile(name)
    frame = render.render_frame(p, state, NOW, call_age_s=0.1).convert("RGB")
    mask = Image.new("1", frame.size, 1)
    for zone in p.zones:
        x, y, width, height = zone.box
        mask.paste(0, (x, y, x + width, y + height))
    background = Image.new(
        "RGB", frame.size, render.paint_for(p, NOW)(p.colour("background")) if p.colour_mode != "mono" else (0, 0, 0)
    )  # type: ignore[arg-type]
    outside = Image.composite(frame, background, mask)
    assert ImageChops.difference(outside, background).getbbox() is None


def test_emergency_takes_the_whole_display(state: DisplayState) -> None:
    p = profile("window-192x64")
    urgent = DisplayState(
        **{
            **state.__dict__,
            "announcements": (
                *state.announcements,
                Announcement("a9", "大厅停电，暂停办理业务，请有序离开", "emergency", ("all",)),
            ),
        }
    )
    frame = render.render_frame(p, urgent, NOW)
    emergency = render.paint_for(p, NOW)(p.colour("emergency"))
    corners = [frame.getpixel((0, 0)), frame.getpixel((191, 63)), frame.getpixel((0, 63))]
    assert corners == [emergency] * 3


def test_closed_hours_show_the_idle_screen(state: DisplayState) -> None:
    p = profile("wall-768x384")
    assert not render.is_open(state, EVENING)
    idle = render.render_frame(p, state, EVENING)
    assert idle == render.render_idle(p, state, EVENING)
    assert idle != render.render_frame(p, state, NOW)


@pytest.mark.parametrize("name", ["window-192x64", "strip-128x32"])
def test_outside_the_hours_a_small_display_says_its_message_whole_a_page_at_a_time(
    name: str, state: DisplayState
) -> None:
    p = profile(name)
    font = render.font_of(p, None)
    (message,) = [line for line in render.idle_lines(p, state, EVENING, 9) if "下班" in line]
    pages = [
        render.paged_line(message, font, p.size[0], render.IDLE_PAGE_S, EVENING + timedelta(seconds=s))
        for s in range(0, 60, render.IDLE_PAGE_S)
    ]
    assert len(set(pages)) > 1, "the message does not fit: it must page"
    shown = "".join(dict.fromkeys(page.removesuffix("…") for page in pages))
    assert shown == message, f"{name} never shows all of {message!r}: {pages}"
    frames = {
        render.render_idle(p, state, EVENING + timedelta(seconds=s)).tobytes() for s in range(0, 60, render.IDLE_PAGE_S)
    }
    assert len(frames) > 1


def test_at_lunch_a_display_says_when_the_afternoon_opens(state: DisplayState) -> None:
    lunch = NOW.replace(hour=12, minute=30)
    assert not render.is_open(state, lunch)
    assert "今天 14:00 开始办理" in render.idle_lines(profile("window-192x64"), state, lunch, 3)


def test_brightness_dims_the_colours(state: DisplayState) -> None:
    p = profile("window-192x64")  # 50% from 18:30
    assert render.paint_for(p, NOW)("#ffffff") == (255, 255, 255)
    dusk = NOW.replace(hour=18, minute=45)
    assert render.paint_for(p, dusk)("#ffffff") == (127, 127, 127)


def test_hostile_text_renders(state: DisplayState) -> None:
    hostile = DisplayState(
        **{
            **state.__dict__,
            "centre": "𠮷😀\x00\n" + "长" * 500,
            "announcements": (Announcement("a1", "𠮷" * 500 + "\u202e" + "😀" * 100, "normal", ("all",)),),
        }
    )
    for name in shipped():
        p = profile(name)
        frame = render.render_frame(p, hostile, NOW, ticker_offset=12345)
        assert frame.size == tuple(p.size)


def test_the_scheduler_redraws_only_what_changed_and_scrolls_by_cropping(state: DisplayState) -> None:
    p = profile("window-192x64")
    output = MemoryOutput()
    output.open((192, 64), "RGB")
    ticks = iter(i / 60 for i in range(10_000))
    scheduler = Scheduler(p, output, wall_clock=lambda: NOW, monotonic=lambda: next(ticks))
    first = scheduler.compose(state, NOW, 1.0, None).copy()
    later = scheduler.compose(state, NOW, 2.0, None).copy()
    window_zone = p.zones[0]
    x, y, width, height = window_zone.box
    # The window zone did not change: identical pixels. The ticker moved.
    assert first.crop((x, y, x + width, y + height)) == later.crop((x, y, x + width, y + height))
    assert first.crop((0, 48, 192, 64)) != later.crop((0, 48, 192, 64))
    # A new state redraws the window zone.
    changed = DisplayState(**{**state.__dict__, "windows": ()})
    after = scheduler.compose(changed, NOW, 2.0, None)
    assert after.crop((x, y, x + width, y + height)) != later.crop((x, y, x + width, y + height))


def test_a_call_wakes_the_scheduler_instead_of_waiting_for_the_tick(state: DisplayState) -> None:
    # The scheduler's clock stands still at 0: the next tick (1 s at 1 fps) never comes, so the only
    # way a second frame is shown is the call waking the loop.
    p = profile("window-192x64").model_copy(update={"fps": 1})
    output = MemoryOutput()
    output.open((192, 64), "RGB")
    scheduler = Scheduler(p, output, wall_clock=lambda: NOW, monotonic=lambda: 0.0)
    shown = threading.Event()
    scheduler.on_call_shown = lambda latency: shown.set()
    stop = threading.Event()
    runner = threading.Thread(target=scheduler.run, args=(stop,))
    runner.start()
    try:
        scheduler.update(state, call_arrived_at=0.0)
        assert shown.wait(30), "the call was never shown"
        assert scheduler.last_call_latency_s == 0.0
        assert len(output.frames) == 2  # the first frame, then the call's
    finally:
        stop.set()
        scheduler.update(state)
        runner.join(5)


def test_a_window_screen_shows_the_install_s_window_and_says_when_it_is_gone(state: DisplayState) -> None:
    loaded, _ = load_profile(find_profile("window-192x64"))
    assert loaded is not None and loaded.needs_window  # the shipped profile fits every centre's windows
    zonghe = render.render_frame(loaded.for_window("zonghe"), state, NOW)
    shebao = render.render_frame(loaded.for_window("shebao"), state, NOW)
    gone = render.render_frame(loaded.for_window("gone"), state, NOW)
    assert zonghe != shebao
    font = load_font(loaded.font.font, loaded.font.size)
    said = render_line("本窗口未启用", font)
    line = gone.crop((0, 16, 192, 32)).convert("L")
    assert line.getbbox() is not None and line.crop(line.getbbox()).size == said.crop(said.getbbox()).size


def test_the_wall_s_window_table_shows_every_window_over_its_pages(state: DisplayState) -> None:
    from dataclasses import replace

    from led_driver.state import WindowRow

    p = profile("wall-1920x1080")
    zone = next(z for z in p.zones if z.kind == "windows")
    many = tuple(WindowRow(f"w{i}", i, f"第{i}窗口", True, "", "", "") for i in range(1, 21))
    busy = replace(state, windows=many)
    shown: set[int] = set()
    page = render.table_page(p, zone, len(many), NOW)
    assert page.pages > 1 and page.mark == f"{page.page + 1}/{page.pages}"
    for k in range(page.pages):
        at = NOW + timedelta(seconds=zone.page_seconds * k)
        this = render.table_page(p, zone, len(many), at)
        shown.update(range(this.start, min(len(many), this.start + this.rows)))
        assert (this.rows + 1) * render.font_of(p, zone).line_height <= zone.box[3]  # rows and the mark fit
    assert shown == set(range(20))
    first = render.render_zone(p, zone, busy, NOW)
    later = render.render_zone(p, zone, busy, NOW + timedelta(seconds=zone.page_seconds))
    assert first != later
