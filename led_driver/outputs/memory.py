"""An output that records copies of the frames it is shown, for tests of the modules that drive outputs."""

from __future__ import annotations

from PIL import Image

from led_driver.outputs.base import check_frame, check_size


class MemoryOutput:
    max_fps: float | None = None

    def __init__(self, max_fps: float | None = None) -> None:
        self.max_fps = max_fps
        self.frames: list[Image.Image] = []
        self.size: tuple[int, int] | None = None
        self.mode: str | None = None
        self.closed = False

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "memory")
        self.size, self.mode = size, mode

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self.size, "memory")
        # A copy: the caller draws the next frame into the same image.
        self.frames.append(frame.copy())

    def close(self) -> None:
        self.closed = True
