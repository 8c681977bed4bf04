"""The LED controller as a device on the bus (`content.shared.device_link`): what it applies, how it hands
the state to the scheduler (which runs on the caller's thread), the calls it says, the window it shows,
and the latency it reports. A controller that starts without a broker shows what its cache holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from content.shared.broker_url import BrokerUrl
from content.shared.catalog import domain
from content.shared.device_link import DeviceLink, DocumentCache
from content.shared.transport import DEVICE_KEEPALIVE_S
from led_driver.scheduler import Scheduler
from led_driver.state import TOPICS, DisplayState, apply
from led_driver.voice import words_of

_ = domain("led").gettext
log = logging.getLogger("hall.led")

CACHED = ("centre", "queue", "staff", "catalog", "announcements", "pickup")
"""The documents kept on disk, in the order they are read back: the queue before the staff, whose rows name
windows from it."""
LATENCY_REPORT_EVERY_S = 5.0


class LedController(DeviceLink[DisplayState]):
    KIND = "led"
    TOPICS = TOPICS
    CACHED = CACHED
    EACH = frozenset({"call"})
    """Every call is shown and said, however fast they come."""

    def __init__(
        self,
        broker: BrokerUrl | None,
        centre: str,
        scheduler: Scheduler,
        *,
        device_id: str,
        cache_dir: Path,
        on_call: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        keepalive: int = DEVICE_KEEPALIVE_S,
        window: str | None = None,
        on_unknown_window: Callable[[str], None] | None = None,
        on_window_found: Callable[[], None] | None = None,
    ) -> None:
        """`window`: the window this display's window zones show; `on_unknown_window(message)` is called when
        the broker's queue document has no such window (once until it has it again)."""
        cache = DocumentCache(cache_dir, CACHED, log)
        super().__init__(
            broker, centre, DisplayState(), device_id=device_id, cache=cache, log=log, clock=clock, keepalive=keepalive
        )
        self.scheduler = scheduler
        self.window = window
        self._on_unknown_window = on_unknown_window
        self._on_window_found = on_window_found
        self._window_missing = False
        self._on_call = on_call
        self._call_at: float | None = None
        """When the first new call of the batch being applied arrived."""
        self._said: list[str] = []
        self._reported_at = 0.0
        scheduler.on_call_shown = self._call_shown

    def apply(self, state: DisplayState, topic: str, payload: bytes) -> DisplayState:
        return apply(state, topic, payload)

    def received(self, state: DisplayState, topic: str, payload: bytes, arrived: float) -> DisplayState:
        updated = super().received(state, topic, payload, arrived)
        if updated is state:
            return state
        if topic == "call" and updated.last_call is not None:
            self._call_at = self._call_at or arrived
            self._said.append(words_of(updated.last_call))
        elif topic == "queue" and self.window is not None:
            self._check_window(updated)
        return updated

    def settle(self, state: DisplayState) -> None:
        call_at, said = self._call_at, self._said
        self._call_at, self._said = None, []
        self.scheduler.update(state, call_arrived_at=call_at)
        if self._on_call is not None:
            for words in said:
                self._on_call(words)

    def _check_window(self, state: DisplayState) -> None:
        ids = [w.id for w in state.windows]
        missing = self.window not in ids
        if missing and not self._window_missing:
            if ids:
                message = _(
                    "Window {window} is not one of centre {centre}'s windows ({windows}): give --window one of them"
                )
            else:
                message = _("Window {window} is not one of centre {centre}'s windows (it has none yet)")
            message = message.format(window=self.window, centre=self.centre, windows=_(", ").join(ids))
            log.error("%s", message)
            if self._on_unknown_window is not None:
                self._on_unknown_window(message)
        if not missing and self._on_window_found is not None:
            self._on_window_found()
        self._window_missing = missing

    # -- presence -------------------------------------------------------------------------------

    def latency_ms(self) -> float | None:
        latency = self.scheduler.last_call_latency_s
        return round(latency * 1000, 1) if latency is not None else None

    def _call_shown(self, latency_s: float) -> None:
        """From the scheduler's thread: report latency now and then, not on every call."""
        now = time.monotonic()
        if self.ready.is_set() and now - self._reported_at >= LATENCY_REPORT_EVERY_S:
            self._reported_at = now
            self.publish_presence("ready")
