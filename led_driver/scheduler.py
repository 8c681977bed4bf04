"""The frame loop: redraw only the zones whose picture changed, scroll tickers (and a window's name too
long for its screen) by cropping, and show frames at the output's rate. A new call is drawn at once, not
on the next tick. An emergency is shown from its first page, or the start of its text, when it first
appears.

A new catalog's guides are laid out in pages on a thread of their own (`background`), and the guide
screen shows the guides it has until their pages are ready: laying out 200 long guides takes seconds,
and a call must not wait for it.

One frame buffer is reused: changed zones are pasted into it, the tickers' crops are pasted over
their boxes every frame, and the buffer goes to the output. An output that keeps frames (a GIF,
the in-memory driver) copies them; the others only read the buffer during `show`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import datetime

from PIL import Image

from content.shared.wire.centre import now_in
from led_driver import render
from led_driver.outputs.base import Output
from led_driver.profile import Profile
from led_driver.state import DisplayState, Guide
from led_driver.text import TickerStrip


def in_thread(work: Callable[[], None]) -> None:
    """Run `work` on a daemon thread of its own."""
    threading.Thread(target=work, name="guide-layout", daemon=True).start()


def centre_clock(scheduler: Scheduler) -> datetime:
    """Now, in the centre's time zone (from its `centre` document), for the clock and the hours."""
    return now_in(scheduler.state.timezone)


class Scheduler:
    def __init__(
        self,
        profile: Profile,
        output: Output,
        *,
        wall_clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        background: Callable[[Callable[[], None]], None] = in_thread,
    ) -> None:
        self.profile = profile
        self.output = output
        self._wall_clock = wall_clock or (lambda: centre_clock(self))
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._state = DisplayState()
        self._background = background
        self._guide_zones = [z for z in profile.zones if z.kind == "guides"]
        self._laid_out: tuple[Guide, ...] = ()
        """The guides whose pages are laid out: what the guide screen shows."""
        self._laying: tuple[Guide, ...] | None = None
        """The newest guides being laid out, if any."""
        self._call_at: float | None = None
        self._call_pending = False
        self._dirty = False
        self._keys: dict[int, Hashable] = {}
        self._strips: dict[int, tuple[Hashable, TickerStrip]] = {}
        self._screen: Hashable = None
        self._alarm: tuple[str, float, render.EmergencyLayout] | None = None
        """The emergency shown: its text, when it first showed, its layout."""
        self._alarm_strip: tuple[Hashable, TickerStrip] | None = None
        self._buffer = Image.new(render.mode_of(profile), tuple(profile.size))  # type: ignore[arg-type]
        self._start = monotonic()
        self.frames_shown = 0
        self.last_call_latency_s: float | None = None
        """From a call's arrival to the first frame showing it."""
        self.on_call_shown: Callable[[float], None] | None = None

    @property
    def state(self) -> DisplayState:
        """The newest state handed over."""
        return self._state

    @property
    def shown(self) -> DisplayState:
        """The state frames show: the newest, with the guides whose pages are laid out."""
        with self._cond:
            return self._shown(self._state)

    def update(self, state: DisplayState, call_arrived_at: float | None = None) -> None:
        """Hand over new state (from any thread). It is drawn at once, not on the next tick: a call,
        and the queue document that follows it with the number at its window."""
        with self._cond:
            self._state = state
            self._dirty = True
            if call_arrived_at is not None:
                self._call_at = call_arrived_at
                self._call_pending = True
            lay_out = self._guide_zones and state.guides not in (self._laid_out, self._laying)
            if lay_out:
                self._laying = state.guides
            self._cond.notify_all()
        if lay_out:
            self._background(lambda: self._lay_out(state))

    def _lay_out(self, state: DisplayState) -> None:
        """Lay out the pages of `state`'s guides in every guide zone, then let the frames show them."""
        for zone in self._guide_zones:
            render.lay_out_guides(self.profile, zone, state)
        with self._cond:
            if self._laying == state.guides:  # else newer guides are being laid out, and will be shown
                self._laid_out, self._laying = state.guides, None
                self._dirty = True
                self._cond.notify_all()

    def _shown(self, state: DisplayState) -> DisplayState:
        """The state a frame shows: with the guides that are laid out, until the newest are."""
        if state.guides is self._laid_out or not self._guide_zones or state.guides == self._laid_out:
            return state
        return replace(state, guides=self._laid_out)

    # -- the loop -------------------------------------------------------------------------------

    def run(self, stop: threading.Event, frames: int | None = None, seconds: float | None = None) -> int:
        rate = float(self.profile.fps)
        if self.output.max_fps:
            rate = min(rate, self.output.max_fps)
        period = 1.0 / rate
        started = self._monotonic()
        due = started
        while not stop.is_set():
            with self._cond:
                while not self._dirty and not stop.is_set():
                    remaining = due - self._monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                state, call_at, pending = self._shown(self._state), self._call_at, self._call_pending
                self._call_pending = self._dirty = False
            if stop.is_set():
                break
            now = self._monotonic()
            frame = self.compose(state, self._wall_clock(), now, call_at)
            self.output.show(frame)
            self.frames_shown += 1
            if pending and call_at is not None:
                self.last_call_latency_s = self._monotonic() - call_at
                if self.on_call_shown is not None:
                    self.on_call_shown(self.last_call_latency_s)
            if frames is not None and self.frames_shown >= frames:
                break
            if seconds is not None and now - started >= seconds:
                break
            if now >= due:  # a regular tick; an extra frame drawn for new state keeps the schedule
                due += period
                if due < now:  # fell behind: carry on from now
                    due = now + period
        return self.frames_shown

    # -- one frame ------------------------------------------------------------------------------

    def compose(self, state: DisplayState, wall: datetime, now: float, call_at: float | None) -> Image.Image:
        """The frame for this moment, redrawing only what changed since the last one."""
        profile = self.profile
        emergency = state.emergency(now=wall)
        if emergency is not None:
            return self._emergency(emergency.text, wall, now)
        self._alarm = self._alarm_strip = None
        if not profile.always_open and not render.is_open(state, wall):
            return self._whole(render.idle_key(profile, state, wall), lambda: render.render_idle(profile, state, wall))
        if self._screen != "zones":
            # Back from a whole screen (an emergency, the idle page): what lies between the zones is
            # painted too, or the last screen would show through the gaps.
            self._screen = "zones"
            self._keys.clear()
            self._strips.clear()
            width, height = profile.size
            self._buffer.paste(render.paint_for(profile, wall)(profile.colour("background")), (0, 0, width, height))
        flash = render.flash_on(profile, state, None if call_at is None else now - call_at)
        buffer = self._buffer
        for index, zone in enumerate(profile.zones):
            x, y, width, height = zone.box
            if zone.kind == "ticker":
                key = render.zone_key(profile, zone, state, wall, False)
                cached = self._strips.get(index)
                if cached is None or cached[0] != key:
                    strip = render.ticker_strip(profile, zone, state, wall)
                    self._strips[index] = (key, strip)
                    paint = render.paint_for(profile, wall)
                    buffer.paste(paint(zone.background or profile.colour("background")), (x, y, x + width, y + height))
                strip = self._strips[index][1]
                offset = int((now - self._start) * profile.scroll_px_per_s)
                buffer.paste(strip.frame(offset, width), (x, y + (height - strip.height) // 2))
                continue
            key = render.zone_key(profile, zone, state, wall, flash)
            if self._keys.get(index) != key:
                buffer.paste(render.render_zone(profile, zone, state, wall, flash), (x, y))
                self._keys[index] = key
            scroll = render.zone_scroll(profile, zone, state)
            if scroll is not None:
                # A line of the zone too long for it (a window's name) scrolls over the zone's picture.
                line_key = (scroll, profile.brightness_at(wall.time()))
                cached = self._strips.get(index)
                if cached is None or cached[0] != line_key:
                    self._strips[index] = (line_key, render.scroll_strip(profile, zone, state, wall))
                strip = self._strips[index][1]
                offset = int((now - self._start) * profile.scroll_px_per_s)
                buffer.paste(strip.frame(offset, width), (x, y + scroll[0]))
        return buffer

    def _emergency(self, words: str, wall: datetime, now: float) -> Image.Image:
        """Drawn again when its page or the brightness changes; a text that scrolls is cropped
        from a strip drawn once, like a ticker."""
        profile = self.profile
        if self._alarm is None or self._alarm[0] != words:
            self._alarm = (words, now, render.emergency_layout(profile, words))
        _, since, layout = self._alarm
        age = now - since
        level = profile.brightness_at(wall.time())
        frame = self._whole(
            ("emergency", words, level, layout.page_at(age)),
            lambda: render.render_emergency(profile, words, wall, age, layout),
        )
        if layout.scroll:
            if self._alarm_strip is None or self._alarm_strip[0] != (words, level):
                self._alarm_strip = ((words, level), render.emergency_strip(profile, layout, wall))
            strip = self._alarm_strip[1]
            frame.paste(strip.frame(render.scroll_offset(profile, age), profile.size[0]), (0, layout.text_top))
        return frame

    def _whole(self, key: Hashable, draw: Callable[[], Image.Image]) -> Image.Image:
        if self._screen != key:
            self._buffer.paste(draw(), (0, 0))
            self._screen = key
            self._keys.clear()
            self._strips.clear()
        return self._buffer
