"""Every shipped LED profile with the stress centre: every character drawn, every window shown, names
told apart. `HALL_STRESS_FRAMES=DIR` also writes the frames there, to be looked at."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from content.centre.loader import Content, load_content
from content.centre.stress import RARE, WINDOWS, write_stress_centre
from content.service import documents
from content.service.commands.announcements import announce
from content.service.commands.base import Context
from content.service.commands.queue import call, take_ticket
from content.service.live import Live
from content.shared import contract
from led_driver import render, text
from led_driver.profile import Profile, find_profile, load_profile, shipped
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
