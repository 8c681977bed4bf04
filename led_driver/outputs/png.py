"""Numbered PNG frames in a directory (`frame-000001.png`, …), for previews and tests."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from content.shared.catalog import domain
from led_driver.outputs.base import OutputError, check_frame, check_size

_ = domain("led").gettext


class PngOutput:
    max_fps: float | None = None

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0
        self._size: tuple[int, int] | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "png")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                _("{output}: cannot create the directory: {reason}").format(
                    output=f"png:{self.directory}", reason=exc.strerror
                )
            ) from exc
        self._size = size
        self.count = 0

    def path_of(self, number: int) -> Path:
        """Where frame `number` (from 1) goes."""
        return self.directory / f"frame-{number:06d}.png"

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "png")
        self.count += 1
        # compress_level 1: a preview run writes many frames, and size matters less than time.
        frame.save(self.path_of(self.count), compress_level=1)

    def close(self) -> None:
        self._size = None
