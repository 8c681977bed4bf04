"""One PNG file, replaced at most every `every` seconds: what the display shows now, for a person
to look at (the demo, a supervisor's page) without filling a disk with frames."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from content.shared.catalog import domain
from led_driver.outputs.base import OutputError, check_frame, check_size

_ = domain("led").gettext


class SnapshotOutput:
    max_fps: float | None = None

    def __init__(
        self, path: Path, every: float = 1.0, scale: int = 1, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.every = every
        self.scale = scale
        self.written = 0
        self._monotonic = monotonic
        self._last: float | None = None
        self._size: tuple[int, int] | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "snapshot")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                _("{output}: cannot create the directory: {reason}").format(
                    output=f"snapshot:{self.path}", reason=exc.strerror
                )
            ) from exc
        self._size = size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "snapshot")
        now = self._monotonic()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        picture = frame
        if self.scale > 1:  # small panels are a few dozen pixels: enlarge, keeping the dots sharp
            picture = frame.resize((frame.width * self.scale, frame.height * self.scale), Image.Resampling.NEAREST)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        picture.save(temporary, format="PNG", compress_level=1)
        os.replace(temporary, self.path)  # a viewer never sees half a file
        self.written += 1

    def close(self) -> None:
        self._size = None
