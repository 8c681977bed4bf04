"""A scripted walk through a running KioskApp: a generator of waits stepped by the Kivy clock.

Each `yield` gives the seconds to wait before the next step, so frames get drawn between steps;
`settled()` waits instead until Kivy's layout passes have stopped changing what is on view. The
walk runs on the main thread, as every widget change must. The screenshots (`kiosk.screenshots`)
and the tests' tours build on it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from kiosk.words import _

log = logging.getLogger("hall.kiosk.tour")

SETTLE_S: Final = 0.6
"""Before the first step: the window opens and the app shows its first model."""
SETTLE_TIMEOUT_S: Final = 10.0
"""The longest `settled()` waits for a layout that keeps changing (a slow machine under load takes a
few seconds over the stress centre); past it the walk goes on and the checks report what they see."""

STILL_FRAMES: Final = 2
"""Frames in a row with no widget changing size before `settled()` calls the layout settled."""

Layout = tuple[tuple[int, float, float, float, float, float, int], ...]


class Tour:
    """Steps a generator of waits on the Kivy clock; stops the app at the end or on an error."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._steps: Iterator[float] | None = None
        app.tour = self  # Kivy's clock holds callbacks weakly: the app keeps the tour alive

    def steps(self) -> Iterator[float]:
        raise NotImplementedError

    def schedule(self, delay: float = SETTLE_S) -> None:
        from kivy.clock import Clock

        def begin(_dt: float) -> None:
            self._steps = self.steps()
            self._next(0)

        Clock.schedule_once(begin, delay)

    def _next(self, _dt: float) -> None:
        from kivy.clock import Clock

        assert self._steps is not None
        try:
            wait = next(self._steps)
        except StopIteration:
            self.app.stop()
            return
        except Exception as exc:
            log.exception(_("the tour failed"))
            self.fail(_("the tour failed: {error!r}").format(error=exc))
            return
        Clock.schedule_once(self._next, wait)

    def fail(self, message: str) -> None:
        log.error("%s", message)
        self.app.exit_code = 1
        self.app.exit_message = message
        self.app.stop()

    def wait_until(self, done: Callable[[], bool], timeout: float, step: float = 0.2) -> Iterator[float]:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            yield step

    def settled(self, timeout: float = SETTLE_TIMEOUT_S) -> Iterator[float]:
        """Until the widgets under the root keep their sizes over two frames in a row: every layout
        pass that a change set off (a tile's text wrapping anew, its row evening out, a grid
        reflowing) has run, and been drawn. A `yield 0` waits for the next frame, which comes after
        Kivy's layout pass and drawing; a trigger a change set off runs in the frame after it, so
        one unchanged frame is not yet enough."""
        deadline = time.monotonic() + timeout
        last, unchanged = layout_of(self.app.root), 0
        while time.monotonic() < deadline:
            yield 0
            now = layout_of(self.app.root)
            unchanged = unchanged + 1 if now == last else 0
            if unchanged == STILL_FRAMES:
                return
            last = now
        log.warning(_("the layout still changed after %g s"), timeout)


def layout_of(root: Any) -> Layout:
    """The sizes of the widgets under `root`, their texts' sizes and their children's counts: what a
    layout pass changes. Positions are left out: the ticker moves on its own every frame."""
    found = []
    for widget in root.walk(restrict=True):
        text_w, text_h = getattr(widget, "texture_size", (0, 0))
        found.append(
            (
                id(widget),
                widget.width,
                widget.height,
                float(text_w),
                float(text_h),
                widget.opacity,
                len(widget.children),
            )
        )
    return tuple(found)


def save_screenshot(target: Path) -> Path:
    """The window as it is now, into `target` (a PNG)."""
    from kivy.core.window import Window

    made = Window.screenshot(name=str(target.with_name(f"{target.stem}-.png")))  # Kivy adds a number
    if not made:
        raise RuntimeError(_("the window gave no screenshot for {name}").format(name=target.name))
    os.replace(made, target)
    log.info("wrote %s", target)
    return target
