"""An output that discards frames, for benchmarks: it only counts them."""

from __future__ import annotations

from PIL import Image

from led_driver.outputs.base import check_frame, check_size


class NullOutput:
    max_fps: float | None = None

    def __init__(self) -> None:
        self.frames = 0
        self._size: tuple[int, int] | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "null")
        self._size = size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "null")
        self.frames += 1

    def close(self) -> None:
        self._size = None
