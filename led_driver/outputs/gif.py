"""A short animated GIF preview: the first `fps × seconds` frames, written once that many are in, or on close.

The GIF plays at `fps`, so the driver asks the render loop for no more (`max_fps`). GIF delays are
whole hundredths of a second and browsers show anything under 2/100 s at 1/10 s, hence fps ≤ 50;
an fps that does not divide 100 plays slightly fast (30 fps is stored as 3/100 s a frame). Pillow
folds identical consecutive frames into one frame with their delays added, so a still stretch
costs one frame in the file.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from content.shared.catalog import domain
from led_driver.outputs.base import OutputError, check_frame, check_size

_ = domain("led").gettext

MAX_FPS = 50


class GifOutput:
    def __init__(self, path: Path, fps: float = 10, seconds: float = 10) -> None:
        if not 0 < fps <= MAX_FPS:
            raise OutputError(
                _("{form}: fps {value} must be above 0 and at most {highest}").format(
                    form="gif:FILE", value=f"{fps:g}", highest=MAX_FPS
                )
            )
        if seconds <= 0:
            raise OutputError(
                _("{form}: seconds {value} must be above 0").format(form="gif:FILE", value=f"{seconds:g}")
            )
        self.path = path
        self.max_fps: float | None = fps
        self.capacity = max(1, round(fps * seconds))
        self.duration_ms = round(1000 / fps)
        self.written = False
        self._frames: list[Image.Image] = []
        self._size: tuple[int, int] | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "gif")
        if not self.path.parent.is_dir():
            raise OutputError(
                _("{output}: the directory {directory} does not exist").format(
                    output=f"gif:{self.path}", directory=self.path.parent
                )
            )
        self._size = size
        self._frames = []
        self.written = False

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "gif")
        if self.written:
            return
        # A copy: the caller draws the next frame into the same image.
        self._frames.append(frame.copy())
        if len(self._frames) >= self.capacity:
            self._write()

    def close(self) -> None:
        if self._frames and not self.written:
            self._write()
        self._size = None

    def _write(self) -> None:
        first, *rest = self._frames
        first.save(self.path, save_all=True, append_images=rest, duration=self.duration_ms, loop=0)
        self._frames = []
        self.written = True
