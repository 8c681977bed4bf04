"""Emergencies on every shipped profile: legible by day and at night (WCAG contrast measured on the
rendered frame), and shown whole over time on displays too small for them."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from PIL import Image, ImageChops

from content.shared import limits
from led_driver import render
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import MIN_CONTRAST, Profile, contrast, find_profile, load_profile, rgb, shipped
from led_driver.scheduler import Scheduler
from led_driver.state import Announcement, DisplayState
from led_driver.text import load_font, render_line

ZONE = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=ZONE)
LONG = (
    "因大厅供电线路突发故障，即日起暂停办理全部业务。请各位群众听从工作人员指挥，保持秩序，"
    "从东侧1号门和西侧2号门有序离开，不要拥挤，不要使用电梯。已取号的群众号码当日有效，"
    "恢复供电后按原号办理；急需办理的社保、医保、民政业务可拨打服务热线0816-1234567预约，"
    "或登录“天府通办”APP在线办理。行动不便的老人、残疾人请留在原位，工作人员将协助您离开。"
    "如闻到焦味或看到烟雾，请用湿毛巾捂住口鼻，低姿前行，并立即拨打119。大厅内的自助终端、"
    "叫号机和复印机已停止使用，请勿触碰。恢复办理的时间将通过本屏幕、镇政府微信公众号和"
    "各村（社区）便民服务站另行通知。请到大门口服务台咨询。感谢您的理解与配合！"
)
LONGEST = (LONG * 2)[: limits.ANNOUNCEMENT]
"""The longest announcement the service accepts."""
SHORT = "大厅停电，暂停办理业务，请有序离开"
READ_CHARS_PER_S = 4
"""A brisk reading speed: a page shown for less than this allows is too short to read."""


def profile(name: str) -> Profile:
    loaded, problems = load_profile(find_profile(name))
    assert loaded is not None, problems
    return loaded.for_window("zonghe") if loaded.needs_window else loaded


def moments(p: Profile) -> list[tuple[str, datetime]]:
    """By day, and at night: from the start of the dimmest level the profile sets (if it dims)."""
    dimmest = min(p.brightness, key=lambda b: b.level, default=None)
    night = time.fromisoformat(dimmest.start) if dimmest else time(21, 0)
    return [("day", NOW), ("night", datetime.combine(NOW.date(), night, ZONE))]


def urgent(words: str) -> DisplayState:
    return DisplayState(
        centre="魏城镇便民服务中心",
        announcements=(
            Announcement("a1", "今天逢场，请按号有序办理", "normal", ("all",)),
            Announcement("a9", words, "emergency", ("all",)),
        ),
    )


def physical(p: Profile, image: Image.Image) -> Image.Image:
    """The frame as the panel lights it: a mono panel's lit pixels are its one LED colour."""
    if image.mode != "1":
        return image
    lit = rgb(p.colour("text"))
    mask = image.convert("L")
    return Image.composite(Image.new("RGB", image.size, lit), Image.new("RGB", image.size), mask)


def measured_contrast(image: Image.Image) -> tuple[float, tuple[int, int, int]]:
    """The WCAG ratio of text to background in an RGB region: the most common colour is the
    background, the colour furthest from it the text (anti-aliasing gives the colours between)."""
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert colours is not None
    background = max(colours)[1]
    ink = max((c for _, c in colours), key=lambda c: sum((a - b) ** 2 for a, b in zip(c, background, strict=True)))
    return contrast(background, ink), background


def rows_of(frame: Image.Image, layout: render.EmergencyLayout, count: int) -> list[Image.Image]:
    width = frame.width
    return [
        frame.crop((0, y, width, y + layout.step))
        for y in range(layout.text_top, layout.text_top + count * layout.step, layout.step)
    ]


def inked(image: Image.Image, background: int | tuple[int, int, int]) -> Image.Image:
    """The part of `image` that is not background: text compared wherever it was aligned."""
    rgb_image = image.convert("RGB")
    plain = Image.new(image.mode, image.size, background).convert("RGB")
    bbox = ImageChops.difference(rgb_image, plain).getbbox()
    assert bbox is not None, "nothing drawn"
    return rgb_image.crop(bbox)


# -- legible ------------------------------------------------------------------------------------


def test_the_contrast_ratio_is_wcags() -> None:
    white, black = (255, 255, 255), (0, 0, 0)
    assert contrast(white, black) == pytest.approx(21) and contrast(black, black) == 1
    assert contrast((0x76, 0x76, 0x76), white) == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast((0x77, 0x77, 0x77), white) == pytest.approx(4.48, abs=0.01)
    assert contrast((0xFF, 0, 0), black) == pytest.approx(5.25, abs=0.01)


@pytest.mark.parametrize("when", ["day", "night"])
@pytest.mark.parametrize("words", [SHORT, LONG], ids=["short", "long"])
@pytest.mark.parametrize("name", shipped())
def test_an_emergency_reads_at_least_4_5_to_1_by_day_and_at_night(name: str, words: str, when: str) -> None:
    p = profile(name)
    now = dict(moments(p))[when]
    assert when == "day" or p.brightness_at(now.time()) == min(p.levels())
    frame = physical(p, render.render_frame(p, urgent(words), now).convert(render.mode_of(p)))
    layout = render.emergency_layout(p, words)
    width, height = p.size
    heading = frame.convert("RGB").crop((0, layout.top, width, layout.top + layout.step))
    below = frame.convert("RGB").crop((0, layout.text_top, width, height))
    for region in (heading, below):
        ratio, _ = measured_contrast(region)
        assert ratio >= MIN_CONTRAST, f"{name} {when}: {ratio:.2f}:1"
    # And it is an emergency to the eye: its text stands on the emergency colour.
    _, background = measured_contrast(below)
    paint = render.paint_for(p, now)
    expected = rgb(p.colour("emergency")) if p.colour_mode == "mono" else paint(p.colour("emergency"))
    assert background == expected


def test_a_profile_whose_emergency_would_not_read_at_night_is_refused() -> None:
    good = profile("window-192x64")
    data = good.model_dump()
    with pytest.raises(ValueError, match=r"亮度 50% 时对比度为 1\.9\d:1；至少需要 4\.5:1"):
        Profile.model_validate(
            {**data, "colours": {**data["colours"], "emergency": "#ff0000", "emergency_text": "#000000"}}
        )
    with pytest.raises(ValueError, match=r"亮度 30% 时.*（此亮度下黑底白字为 2\.\d\d:1）"):
        Profile.model_validate({**data, "brightness": [{"start": "19:00", "level": 30}]})
    mono = profile("strip-128x32").model_dump()
    with pytest.raises(ValueError, match=r"对比度为 1\.00:1"):  # both lit on a mono panel
        Profile.model_validate({**mono, "colours": {**mono["colours"], "emergency_text": "#ff0000"}})


# -- shown whole ----------------------------------------------------------------------------------


def scheduler_for(p: Profile) -> Scheduler:
    output = MemoryOutput()
    output.open((p.size[0], p.size[1]), render.mode_of(p))
    return Scheduler(p, output, wall_clock=lambda: NOW, monotonic=lambda: 0.0)


@pytest.mark.parametrize("words", [LONG, LONGEST], ids=["300", "500"])
@pytest.mark.parametrize("name", shipped())
def test_a_long_emergency_is_shown_whole_over_its_frames(name: str, words: str) -> None:
    p = profile(name)
    layout = render.emergency_layout(p, words)
    if name in ("strip-128x32", "window-192x64"):
        assert layout.scroll or len(layout.pages) > 1, "the test is meant to exercise a text that does not fit"
    drawn = layout.font or p.font  # a wall draws it as large as it fits on one page
    font = load_font(drawn.font, drawn.size)
    paint = render.paint_for(p, NOW)
    ink, background = paint(p.colour("emergency_text")), paint(p.colour("emergency"))
    scheduler = scheduler_for(p)
    start = 1000.0  # the scheduler's clock when the emergency first shows
    state = urgent(words)
    scheduler.compose(state, NOW, start, None)
    width = p.size[0]
    if layout.scroll:
        # Frames one display width of scrolling apart, side by side, are the whole text in one line.
        whole = render_line(words, font, ink, render.mode_of(p), background)
        speed = p.scroll_px_per_s
        crops = []
        for k in range(-(-whole.width // width)):
            frame = scheduler.compose(state, NOW, start + (k * width + 0.5) / speed, None)
            crops.append(rows_of(frame, layout, 1)[0])
        joined = Image.new(whole.mode, (width * len(crops), whole.height))
        for k, crop in enumerate(crops):
            joined.paste(crop, (k * width, 0))
        assert (
            ImageChops.difference(
                joined.crop((0, 0, whole.width, whole.height)).convert("RGB"), whole.convert("RGB")
            ).getbbox()
            is None
        )
        return
    # Paged: each page stays long enough to read, every page but the last ends with …, the pages
    # together are the text, and the frames over the cycle show exactly those lines, in order.
    pages = layout.pages
    assert all(page[-1].endswith("…") for page in pages[:-1]) and not pages[-1][-1].endswith("…")
    kept = "".join(
        line.removesuffix("…") if i == len(page) - 1 else line for page in pages[:-1] for i, line in enumerate(page)
    )
    assert kept + "".join(pages[-1]) == words
    for k, page in enumerate(pages):
        assert layout.page_seconds * READ_CHARS_PER_S >= sum(len(line) for line in page)
        first = scheduler.compose(state, NOW, start + k * layout.page_seconds + 0.5, None).copy()
        last = scheduler.compose(state, NOW, start + (k + 1) * layout.page_seconds - 0.5, None).copy()
        assert ImageChops.difference(first.convert("RGB"), last.convert("RGB")).getbbox() is None
        for line, row in zip(page, rows_of(first, layout, len(page)), strict=True):
            expected = render_line(line, font, ink, render.mode_of(p), background)
            assert ImageChops.difference(inked(row, background), inked(expected, background)).getbbox() is None, line
    # Round again: the first page after the last.
    again = scheduler.compose(state, NOW, start + len(pages) * layout.page_seconds + 0.5, None)
    assert (
        ImageChops.difference(
            again.convert("RGB"), render.render_emergency(p, words, NOW, 0.0).convert("RGB")
        ).getbbox()
        is None
    )


def test_an_emergency_starts_at_its_beginning_and_a_new_one_starts_again() -> None:
    p = profile("window-192x64")
    scheduler = scheduler_for(p)
    layout = render.emergency_layout(p, LONG)
    first_page = render.render_emergency(p, LONG, NOW, 0.0)
    second_page = render.render_emergency(p, LONG, NOW, layout.page_seconds)
    assert first_page != second_page
    # Whatever the clocks say when it arrives, the first page shows first.
    assert scheduler.compose(urgent(LONG), NOW, 5000.0, None) == first_page
    assert scheduler.compose(urgent(LONG), NOW, 5000.0 + layout.page_seconds + 1, None) == second_page
    # Taken down and sent again: from the first page again.
    scheduler.compose(DisplayState(centre="魏城镇便民服务中心"), NOW, 6000.0, None)
    assert scheduler.compose(urgent(LONG), NOW, 6001.0, None) == first_page


def test_a_scrolling_emergency_moves_every_frame_from_its_start() -> None:
    p = profile("strip-128x32")
    scheduler = scheduler_for(p)
    layout = render.emergency_layout(p, LONG)
    assert layout.scroll == LONG and layout.heading == "紧急通知"
    at_start = scheduler.compose(urgent(LONG), NOW, 300.0, None).copy()
    assert at_start == render.render_emergency(p, LONG, NOW, 0.0)
    later = scheduler.compose(urgent(LONG), NOW, 301.0, None).copy()
    assert at_start.crop((0, 0, 128, 16)) == later.crop((0, 0, 128, 16))  # the heading stays
    assert later == render.render_emergency(p, LONG, NOW, 1.0) != at_start


def test_a_wall_draws_an_emergency_as_large_as_it_fits_whole() -> None:
    wall = profile("wall-1920x1080")
    short = render.emergency_layout(wall, "系统维护，暂停办理社保业务")
    assert short.font is not None and short.font.size == 3 * wall.font.size and len(short.pages) == 1
    long = render.emergency_layout(wall, "因大厅供电线路突发故障，即日起暂停办理全部业务。" * 12)
    assert long.font is not None and wall.font.size <= long.font.size < short.font.size
    assert render.emergency_layout(profile("strip-128x32"), "系统维护").font == profile("strip-128x32").font
