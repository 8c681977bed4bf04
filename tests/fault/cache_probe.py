"""A device started from its cache alone, in a process of its own so that its memory can be measured:

    python -m tests.fault.cache_probe led|kiosk CACHE_DIR

starts an LED controller (a window screen drawing into memory) or the kiosk's link and model, with no
broker, and waits until it shows the centre it cached: the LED controller a frame drawn from it, the kiosk a
model whose home screen lays out. Prints one JSON line: the documents it shows (null if it never showed the
centre, and it exits 1) and its peak RSS in KiB. The address space is capped, so a device that reads without
a bound fails here rather than taking the machine's memory.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import Image

from led_driver.state import DisplayState
from tests.conftest import CENTRE, WAIT_S

ADDRESS_SPACE = 3 << 30


class _Frames:
    """An output that notes the documents of the state its last frame was drawn from, once that shows the
    centre."""

    max_fps: float | None = None

    def __init__(self) -> None:
        self.shown = threading.Event()
        self.revs: dict[str, str] = {}
        self.state: Callable[[], DisplayState] = DisplayState

    def open(self, size: tuple[int, int], mode: str) -> None:
        pass

    def show(self, frame: Image.Image) -> None:
        revs = dict(self.state().revs)
        if "centre" in revs:
            self.revs = revs
            self.shown.set()

    def close(self) -> None:
        pass


def led(cache: Path) -> list[str] | None:
    from led_driver.device import LedController
    from led_driver.profile import find_profile, load_profile
    from led_driver.scheduler import Scheduler

    profile, problems = load_profile(find_profile("window-192x64"))
    assert profile is not None, problems
    profile = profile.model_copy(update={"always_open": True}).for_window("zonghe")
    output = _Frames()
    scheduler = Scheduler(profile, output, wall_clock=lambda: datetime.now().astimezone())
    output.state = lambda: scheduler.state
    controller = LedController(None, CENTRE, scheduler, device_id="led-probe", cache_dir=cache)
    stop = threading.Event()
    controller.start()
    thread = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
    thread.start()
    try:
        return sorted(output.revs) if output.shown.wait(WAIT_S) else None
    finally:
        stop.set()
        scheduler.update(scheduler.state)
        thread.join(WAIT_S)
        controller.stop()


def kiosk(cache: Path) -> list[str] | None:
    from kiosk import viewmodel
    from kiosk.device import KioskLink

    link = KioskLink(None, CENTRE, device_id="kiosk-probe", cache_dir=cache)
    link.start()
    try:
        model = link.wait_for(lambda m: m.centre is not None, WAIT_S)
        if model is None:
            return None
        viewmodel.home_tiles(model)
        return sorted(model.revs)
    finally:
        link.stop()


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    device, cache = argv[0], Path(argv[1])
    shown = {"led": led, "kiosk": kiosk}[device](cache)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"shown": shown, "peak_rss_kb": peak_kb}))
    if shown is None:
        print(f"the {device} never showed the centre from its cache", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
