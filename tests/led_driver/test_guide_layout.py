"""A new catalog's guides are laid out in pages off the frame loop's thread: a call's frame never waits
for 200 long guides (3.5 s at `hall check`'s bounds, benchmarks/bench_led.py), and the guide screen
shows the guides it has until the new ones are ready."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from PIL import Image

from led_driver import render
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import Profile, find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState, Guide

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def _profile() -> Profile:
    loaded, problems = load_profile(find_profile("wall-768x384"))
    assert loaded is not None, problems
    zones = [zone for zone in loaded.zones if zone.kind != "ticker"]
    return loaded.model_copy(update={"always_open": True, "zones": zones})


def _guide(name: str, documents: int) -> Guide:
    note = "须经公证并办理领事认证，" * 29
    return Guide(name, (), "承诺12个工作日", "不收费", tuple(f"材料{d}：{note}" for d in range(documents)))


def _frame(scheduler: Scheduler, output: MemoryOutput) -> Image.Image:
    scheduler.run(threading.Event(), frames=scheduler.frames_shown + 1)
    return output.frames[-1]


def _zone(profile: Profile, frame: Image.Image, state: DisplayState) -> tuple[bytes, bytes]:
    zone = next(z for z in profile.zones if z.kind == "guides")
    x, y, w, h = zone.box
    return frame.crop((x, y, x + w, y + h)).tobytes(), render.render_zone(profile, zone, state, NOW).tobytes()


def test_a_new_catalog_is_laid_out_off_the_frame_loop_and_shown_once_ready() -> None:
    profile, output, jobs = _profile(), MemoryOutput(), list[Callable[[], None]]()
    output.open(tuple(profile.size), render.mode_of(profile))  # type: ignore[arg-type]
    scheduler = Scheduler(profile, output, wall_clock=lambda: NOW, monotonic=lambda: 0.0, background=jobs.append)
    old = DisplayState(guides=(_guide("旧事项", 1),))
    scheduler.update(old)
    jobs.pop()()
    shown, fresh = _zone(profile, _frame(scheduler, output), old)
    assert shown == fresh

    new = replace(old, guides=tuple(_guide(f"新事项{i}", 25) for i in range(40)))
    scheduler.update(new)
    assert len(jobs) == 1, "the new guides are laid out by a job of their own"
    assert scheduler.state is new and scheduler.shown.guides == old.guides
    laid_out = render.guide_layout.cache_info().misses
    shown, fresh = _zone(profile, _frame(scheduler, output), old)
    assert shown == fresh, "until the new guides are laid out, the guide screen shows the old"
    assert render.guide_layout.cache_info().misses == laid_out, "the frame loop laid out the new guides itself"

    jobs.pop()()
    assert scheduler.shown.guides == new.guides
    shown, fresh = _zone(profile, _frame(scheduler, output), new)
    assert shown == fresh


def test_guides_replaced_while_being_laid_out_show_the_newest() -> None:
    profile, output, jobs = _profile(), MemoryOutput(), list[Callable[[], None]]()
    output.open(tuple(profile.size), render.mode_of(profile))  # type: ignore[arg-type]
    scheduler = Scheduler(profile, output, wall_clock=lambda: NOW, monotonic=lambda: 0.0, background=jobs.append)
    first = DisplayState(guides=(_guide("第一版", 3),))
    second = replace(first, guides=(_guide("第二版", 3),))
    scheduler.update(first)
    scheduler.update(second)
    scheduler.update(replace(second, centre="魏城"))  # other news with the same guides starts no new job
    assert len(jobs) == 2
    jobs[1]()  # the newer finishes first
    jobs[0]()  # then the older: it must not take the screen back
    assert scheduler.shown.guides == second.guides
