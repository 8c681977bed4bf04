"""The pickup zone (请以下办件人到窗口取件): its document read defensively, its numbers drawn in pages."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from content.service import documents
from content.service.live import Live
from content.shared import contract
from led_driver import render
from led_driver.device import LedController
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import PROFILES, FontRef, Profile, Zone, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import READY_SHOWN, DisplayState, apply
from led_driver.text import load_font, render_line
from tests.led_driver.test_state import NOW, _doc
from tests.words import english

CASES = ("WC-261203-0007", "WC-261203-0012", "ABCD-261204-0100")


def numbers(count: int) -> tuple[str, ...]:
    """Distinct case numbers of both prefix lengths the rules allow (one to four letters)."""
    return tuple(f"{('W', 'WC', 'ABC', 'ABCD')[i % 4]}-2612{i % 28 + 1:02d}-{i:04d}" for i in range(count))


def pickup_doc(cases: Any) -> bytes:
    return _doc({"cases": cases})


# -- the document ----------------------------------------------------------------------------------


def test_the_services_document_is_read_whole() -> None:
    body = documents.pickup(Live(pickup=CASES))
    state = apply(DisplayState(), "pickup", _doc(body))
    assert state.pickup == CASES
    assert state.revs["pickup"] == contract.rev_of(body)
    assert apply(state, "pickup", pickup_doc([])).pickup == ()


def test_without_the_document_there_is_nothing_to_show() -> None:
    assert DisplayState().pickup == ()


@pytest.mark.parametrize("cases", ["WC-261203-0007", {"a": 1}, None, 5, True])
def test_cases_that_are_no_list_refuse_the_document_and_keep_the_last(cases: Any) -> None:
    before = apply(DisplayState(), "pickup", pickup_doc(list(CASES)))
    with pytest.raises(contract.PayloadError, match=r"取件名单文档中的办件编号应为列表"):
        apply(before, "pickup", pickup_doc(cases))
    with pytest.raises(contract.PayloadError, match="取件名单"):
        apply(before, "pickup", _doc({"numbers": list(CASES)}))
    assert before.pickup == CASES


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (7, "第 2 项为数字，应为文本"),
        (None, "第 2 项为空值，应为文本"),
        (True, "第 2 项为是否值，应为文本"),
        (["WC-261203-0001"], "第 2 项为列表，应为文本"),
        ({"number": "WC-261203-0001"}, "第 2 项为对象，应为文本"),
        ("wc-261203-0001", "不是办件编号（应形如 WC-261203-0007）"),
        ("WC-261203-001", "不是办件编号（应形如 WC-261203-0007）"),
        ("WCXYZ-261203-0001", "不是办件编号（应形如 WC-261203-0007）"),
        ("WC-261203-0001\n", "不是办件编号（应形如 WC-261203-0007）"),
        (" WC-261203-0001", "不是办件编号（应形如 WC-261203-0007）"),
        ("ＷＣ-261203-0001", "不是办件编号（应形如 WC-261203-0007）"),  # fullwidth letters
        ("WC-٢٦١٢٠٣-0001", "不是办件编号（应形如 WC-261203-0007）"),  # Arabic-Indic digits, which \\d would take
        ("", "不是办件编号（应形如 WC-261203-0007）"),
        ("WC-261203-0007", "第 2 项 WC-261203-0007 重复了"),
    ],
)
def test_a_bad_entry_is_dropped_with_a_warning(entry: Any, why: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hall.led"):
        state = apply(DisplayState(), "pickup", pickup_doc(["WC-261203-0007", entry, "WC-261203-0012"]))
    assert state.pickup == ("WC-261203-0007", "WC-261203-0012")
    (record,) = caplog.records
    assert record.getMessage().startswith("取件名单：略去了 1 个办件：") and why in record.getMessage()
    assert english(record.getMessage()) == []  # the installer reads the journal in the hall's language


def test_a_huge_string_costs_a_short_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hall.led"):
        state = apply(DisplayState(), "pickup", pickup_doc(["W" * 1_000_000, *CASES]))
    assert state.pickup == CASES
    (record,) = caplog.records
    assert "…（共 1000000 个字符）" in record.getMessage() and len(record.getMessage()) < 200


def test_ten_thousand_entries_are_read_no_further_than_a_display_shows(caplog: pytest.LogCaptureFixture) -> None:
    many = numbers(10_000)
    with caplog.at_level(logging.WARNING, logger="hall.led"):
        state = apply(DisplayState(), "pickup", pickup_doc(list(many)))
    assert state.pickup == many[:READY_SHOWN] and READY_SHOWN == 60
    assert [r.getMessage() for r in caplog.records] == [
        f"取件名单：共 10000 个办件，超过显示屏读取的 {READY_SHOWN} 个：其余的不予显示"
    ]


def test_ten_thousand_bad_entries_make_one_bounded_warning(caplog: pytest.LogCaptureFixture) -> None:
    junk: list[Any] = [i if i % 2 else "x" * 300 for i in range(10_000)]  # 1.5 MB: under the 4 MB read
    with caplog.at_level(logging.WARNING, logger="hall.led"):
        state = apply(DisplayState(), "pickup", pickup_doc(junk))
    assert state.pickup == ()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and all(len(m) < 600 for m in messages), messages
    assert messages[1].startswith(f"取件名单：略去了 {READY_SHOWN} 个办件：") and messages[1].endswith("；另有 55 个")


def test_the_controller_survives_hostile_pickup_documents_and_caches_the_good_one(tmp_path: Path) -> None:
    profile = variants()["window"]
    scheduler = Scheduler(profile, MemoryOutput(), wall_clock=lambda: NOW)
    led = LedController(None, "weicheng", scheduler, device_id="led-test", cache_dir=tmp_path)
    state = led.received(led.state, "pickup", pickup_doc(list(CASES)), 0.0)
    for hostile in (
        b"not json",
        b"[]",
        pickup_doc("WC-261203-0007"),
        pickup_doc([{"$": "x" * 300}] * 10_000),
        pickup_doc(["WC-261203-0001"] * 500_000),  # over the 4 MB a device reads: refused unread
        pickup_doc([None, 1.5, "WC-261203-0099", "WC-261203-0099"]),
    ):
        state = led.received(state, "pickup", hostile, 0.0)
    led.settle(state)
    assert scheduler.state.pickup == ("WC-261203-0099",)
    frame = scheduler.compose(scheduler.state, NOW, 0.0, None)
    assert frame.size == tuple(profile.size)
    # the last good document, from the cache, at the next start
    again = LedController(
        None, "weicheng", Scheduler(profile, MemoryOutput()), device_id="led-test", cache_dir=tmp_path
    )
    again.start()
    try:
        restored = again.wait_for(lambda s: bool(s.pickup), 15.0)
    finally:
        again.stop()
    assert restored is not None and restored.pickup == ("WC-261203-0099",)


# -- the zone --------------------------------------------------------------------------------------


def _profile(name: str, zones: list[dict[str, Any]], keep: tuple[str, ...] = ()) -> Profile:
    loaded, problems = load_profile(find_profile(name))
    assert loaded is not None, problems
    kept = [z for z in loaded.zones if z.kind in keep]
    return loaded.model_copy(update={"always_open": True, "zones": [*kept, *(Zone.model_validate(z) for z in zones)]})


def variants() -> dict[str, Profile]:
    """A pickup zone on each kind of display: a wall's corner, a 768 screen's middle, a window
    screen, a two-line mono strip and one line of it."""
    wall_font = {"font": "wqy-microhei", "size": 32}
    return {
        "wall": _profile(
            "wall-1920x1080",
            [{"kind": "pickup", "box": [1180, 680, 700, 210], "font": wall_font, "rows": 4, "page_seconds": 10}],
            ("title", "clock", "call_banner", "windows", "waiting", "ticker"),
        ),
        "mid": _profile("wall-768x384", [{"kind": "pickup", "box": [10, 124, 748, 210]}], ("title", "ticker")),
        "window": _profile("window-192x64", [{"kind": "pickup", "box": [0, 0, 192, 48]}], ("ticker",)),
        "strip": _profile("strip-128x32", [{"kind": "pickup", "box": [0, 0, 128, 32]}]),
        "line": _profile("strip-128x32", [{"kind": "pickup", "box": [0, 16, 128, 16]}], ("call_banner",)),
    }


VARIANTS = variants()


def zone_of(profile: Profile) -> Zone:
    return next(z for z in profile.zones if z.kind == "pickup")


def zone_image(profile: Profile, state: DisplayState, at: Any) -> Image.Image:
    x, y, width, height = zone_of(profile).box
    return render.render_frame(profile, state, at).crop((x, y, x + width, y + height)).convert("RGB")


def drawn(profile: Profile, image: Image.Image, words: str, x: int, y: int, colour_key: str = "text") -> bool:
    """Whether `words`, drawn alone in the zone's font and colour, is what the image has at (x, y)."""
    zone = zone_of(profile)
    paint = render.paint_for(profile, NOW)
    strip = render_line(
        words,
        render.font_of(profile, zone),
        paint(profile.colour(colour_key)),
        paint.mode,
        paint(profile.colour("background")),
    ).convert("RGB")
    region = image.crop((x, y, x + strip.width, y + strip.height))
    return ImageChops.difference(region, strip).getbbox() is None


def pages_of(profile: Profile, cases: tuple[str, ...]) -> list[tuple[Any, render.PickupPage]]:
    zone = zone_of(profile)
    first = render.pickup_page(profile, zone, cases, NOW)
    start = NOW - timedelta(seconds=zone.page_seconds * first.page)  # the moment page 1 shows
    found = []
    for k in range(first.pages):
        at = start + timedelta(seconds=zone.page_seconds * k)
        page = render.pickup_page(profile, zone, cases, at)
        assert page.page == k
        found.append((at, page))
    return found


@pytest.mark.parametrize("name", VARIANTS)
def test_no_numbers_no_zone(name: str) -> None:
    p = VARIANTS[name]
    assert zone_image(p, DisplayState(), NOW).getbbox() is None
    assert zone_image(p, DisplayState(pickup=()), NOW).getbbox() is None


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("count", [3, 50, READY_SHOWN])
def test_every_number_is_drawn_whole_on_some_page(name: str, count: int, tmp_path: Path) -> None:
    p = VARIANTS[name]
    zone = zone_of(p)
    font = render.font_of(p, zone)
    cases = numbers(count)
    state = DisplayState(pickup=cases)
    layout = render.pickup_layout(zone.font or p.font, zone.box[2], zone.box[3], zone.rows, cases)
    seen: list[str] = []
    headings = 0
    for at, page in pages_of(p, cases):
        image = zone_image(p, state, at)
        if page.count == 0:  # a line too narrow for heading and number gives the heading a page
            headings += 1
            x = (zone.box[2] - font.text_width(layout.heading)) // 2
            assert drawn(p, image, layout.heading, x, layout.top, "accent")
            continue
        shown = cases[page.start : page.start + page.count]
        for i, number in enumerate(shown):
            row, column = divmod(i, layout.columns)
            assert font.text_width(number) <= layout.pitch, "a number that fits is never shown in parts"
            x, y = layout.left + column * layout.pitch, layout.top + row * font.line_height
            assert drawn(p, image, number, x, y), f"{name}: {number} not drawn whole on page {page.mark}"
        if layout.mark_y is not None and page.mark:
            assert drawn(p, image, page.mark, zone.box[2] - font.text_width(page.mark), layout.mark_y)
        seen.extend(shown)
    assert seen == list(cases), "every number once, in order, across the pages"
    assert headings == (1 if layout.heading_page else 0)
    if count == 3 and name in ("wall", "mid"):
        assert len(pages_of(p, cases)) == 1  # three fit a wall at once, without a page mark


@pytest.mark.parametrize("name", ["wall", "mid"])
def test_the_heading_is_drawn_whole_where_there_is_room(name: str) -> None:
    p = VARIANTS[name]
    zone = zone_of(p)
    font = render.font_of(p, zone)
    image = zone_image(p, DisplayState(pickup=CASES), NOW)
    x = (zone.box[2] - font.text_width(render.pickup_headings()[0])) // 2
    assert drawn(p, image, render.pickup_headings()[0], x, 0, "accent")
    paged = DisplayState(pickup=numbers(50))
    at, page = pages_of(p, paged.pickup)[1]
    assert page.mark == f"2/{page.pages}"
    image = zone_image(p, paged, at)  # with a page mark at its right, the heading starts the line
    assert drawn(p, image, render.pickup_headings()[0], 0, 0, "accent")
    assert drawn(p, image, page.mark, zone.box[2] - font.text_width(page.mark), 0)


def test_a_number_wider_than_the_zone_is_shown_in_parts() -> None:
    p = _profile("window-192x64", [{"kind": "pickup", "box": [0, 0, 64, 48], "page_seconds": 6}])
    state = DisplayState(pickup=("ABCD-261204-0100",))
    zone = zone_of(p)
    parts = {
        render.paged_line("ABCD-261204-0100", render.font_of(p, zone), 64, 3, NOW + timedelta(seconds=s))
        for s in range(0, 12, 3)
    }
    assert len(parts) > 1 and all(part for part in parts)
    assert "".join(sorted(parts, key=lambda s: "ABCD-261204-0100".find(s.removesuffix("…")))).replace("…", "") == (
        "ABCD-261204-0100"
    )
    assert zone_image(p, state, NOW).getbbox() is not None


def test_the_zone_key_changes_with_the_numbers_and_the_page() -> None:
    p = VARIANTS["window"]
    zone = zone_of(p)
    state = DisplayState(pickup=numbers(10))
    key = render.zone_key(p, zone, state, NOW, False)
    assert key == render.zone_key(p, zone, replace(state), NOW, False)
    assert key != render.zone_key(p, zone, DisplayState(pickup=numbers(11)), NOW, False)
    assert key != render.zone_key(p, zone, state, NOW + timedelta(seconds=zone.page_seconds), False)
    assert render.zone_key(p, zone, DisplayState(), NOW, False) == render.zone_key(
        p, zone, DisplayState(), NOW + timedelta(seconds=zone.page_seconds), False
    )


def test_the_scheduler_redraws_the_zone_when_the_numbers_change() -> None:
    p = VARIANTS["window"]
    scheduler = Scheduler(p, MemoryOutput(), wall_clock=lambda: NOW)
    x, y, width, height = zone_of(p).box
    empty = scheduler.compose(DisplayState(), NOW, 0.0, None).crop((x, y, x + width, y + height))
    assert empty.getbbox() is None
    shown = scheduler.compose(DisplayState(pickup=CASES), NOW, 0.1, None).crop((x, y, x + width, y + height))
    assert shown.getbbox() is not None
    assert scheduler.compose(DisplayState(), NOW, 0.2, None).crop((x, y, x + width, y + height)).getbbox() is None


@pytest.mark.parametrize(
    ("font", "size"), [("unifont", 16), ("unifont", 32), ("wqy-microhei", 26), ("wqy-microhei", 32)]
)
def test_the_zone_uses_only_glyphs_the_fonts_have(font: str, size: int) -> None:
    loaded = load_font(font, size)
    texts = [*render.pickup_headings(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789/", *numbers(READY_SHOWN)]
    boxes = {g.text for t in texts for g in loaded.glyphs(t) if g.replaced}
    assert boxes == set(), f"{font} {size}: drawn as boxes: {sorted(boxes)}"


def test_the_documented_wall_zone_is_a_valid_profile(tmp_path: Path) -> None:
    """The wall profile shows how to add the zone (there is no room beside the others): doing so gives a
    valid profile whose numbers fit."""
    source = (PROFILES / "wall-1920x1080.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    (example,) = [line for line in lines if line.lstrip().startswith("# - {kind: pickup")]
    edited = [
        "  " + example.strip().removeprefix("# ") if line == example else line
        for line in lines
        if "kind: recent_calls" not in line
    ]
    path = tmp_path / "wall-pickup.yaml"
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    loaded, problems = load_profile(path)
    assert loaded is not None, problems
    p = loaded.model_copy(update={"always_open": True})
    assert [z.kind for z in p.zones].count("pickup") == 1 and "recent_calls" not in [z.kind for z in p.zones]
    state = DisplayState(centre="魏城镇便民服务中心", pickup=numbers(50))
    pages = pages_of(p, state.pickup)
    assert sum(page.count for _, page in pages) == 50 and len(pages) <= 8  # a minute or so for all of them
    assert render.render_frame(p, state, NOW).size == (1920, 1080)


def test_the_document_on_the_wire_is_what_the_zone_shows() -> None:
    raw = json.loads(pickup_doc(list(CASES)))
    assert raw["cases"] == list(CASES) and raw["schema"] == contract.SCHEMA and "rev" in raw


@pytest.mark.parametrize("height", [16, 48])
def test_numbers_never_run_into_the_page_mark_or_past_the_zone(height: int) -> None:
    ref = FontRef(font="unifont", size=16)
    font = load_font("unifont", 16)
    cases = numbers(50)
    cell = max(font.text_width(c) for c in cases)
    for width in range(120, 420, 7):
        layout = render.pickup_layout(ref, width, height, 6, cases)
        end = layout.left + (layout.columns - 1) * layout.pitch + min(cell, layout.pitch)
        assert end <= width, (width, layout)
        if layout.mark_y is not None and layout.one_line:  # on the same line as the numbers
            assert end <= width - font.text_width(f"{layout.pages}/{layout.pages}"), (width, layout)
