"""HUB75 panels on a Raspberry Pi through hzeller's rpi-rgb-led-matrix Python bindings (`rgbmatrix`).

The module is not on PyPI: it is built on the controller from the library's `bindings/python`. It
is imported when the output is made, so a missing module is reported at start-up. Frames are drawn
off screen and swapped in on the panel's vertical sync; the swap hands back the canvas to draw the
next frame into. The library needs root for the GPIO (and then drops to the `daemon` user unless
`drop_privileges=0`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from PIL import Image

from content.shared.catalog import N_, domain
from led_driver.outputs.base import OutputError, check_frame, check_size, unknown_option

_ = domain("led").gettext

MISSING = N_(
    "{output}: the rgbmatrix module (rpi-rgb-led-matrix) is not installed: build it on the controller from "
    "{url} (bindings/python/README.md: `make build-python` and `sudo make install-python`), for the Python "
    "that runs the wall (a venv then needs --system-site-packages)"
)
URL = "https://github.com/hzeller/rpi-rgb-led-matrix"

# Spec option → (RGBMatrixOptions attribute, type).
OPTIONS: Mapping[str, tuple[str, type]] = {
    "rows": ("rows", int),
    "cols": ("cols", int),
    "chain": ("chain_length", int),
    "parallel": ("parallel", int),
    "brightness": ("brightness", int),
    "mapping": ("hardware_mapping", str),
    "slowdown": ("gpio_slowdown", int),
    "pwm_bits": ("pwm_bits", int),
    "pwm_lsb_nanoseconds": ("pwm_lsb_nanoseconds", int),
    "scan_mode": ("scan_mode", int),
    "multiplexing": ("multiplexing", int),
    "row_address_type": ("row_address_type", int),
    "rgb_sequence": ("led_rgb_sequence", str),
    "pixel_mapper": ("pixel_mapper_config", str),
    "disable_hardware_pulsing": ("disable_hardware_pulsing", bool),
    "drop_privileges": ("drop_privileges", bool),
}
# Bounds of the integer options; the others take 0…255 (the bindings store them in a byte).
RANGES: Mapping[str, tuple[int, int]] = {
    "rows": (1, 255),
    "cols": (1, 255),
    "chain": (1, 255),
    "parallel": (1, 6),
    "brightness": (1, 100),
    "pwm_bits": (1, 11),
    "pwm_lsb_nanoseconds": (50, 10_000),
}


def _import_rgbmatrix() -> ModuleType:
    return importlib.import_module("rgbmatrix")


class RgbMatrixOutput:
    max_fps: float | None = None

    def __init__(
        self, options: Mapping[str, int | str | bool], load: Callable[[], ModuleType] = _import_rgbmatrix
    ) -> None:
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise OutputError(unknown_option("rgbmatrix", ", ".join(unknown), OPTIONS))
        try:
            self._module = load()
        except ImportError as exc:
            raise OutputError(_(MISSING).format(output="rgbmatrix", url=URL)) from exc
        self.options = dict(options)
        self._size: tuple[int, int] | None = None
        self._matrix: Any = None
        self._canvas: Any = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "rgbmatrix")
        matrix_options = self._module.RGBMatrixOptions()
        for key, value in self.options.items():
            setattr(matrix_options, OPTIONS[key][0], value)
        try:
            matrix = self._module.RGBMatrix(options=matrix_options)
            canvas = matrix.CreateFrameCanvas()
            panel = (matrix.width, matrix.height)
        except Exception as exc:  # the bindings raise plain Exception when the C++ matrix failed to start
            raise OutputError(
                _("{output}: the panel driver did not start ({error}): run it as root on the Pi").format(
                    output="rgbmatrix", error=exc
                )
            ) from exc
        if panel != size:
            raise OutputError(
                _(
                    "{output}: the panels are {panels} (cols × chain by rows × parallel, after any pixel_mapper) "
                    "but the frames are {frames}: fix rows/cols/chain/parallel or the profile"
                ).format(output="rgbmatrix", panels=f"{panel[0]}×{panel[1]}", frames=f"{size[0]}×{size[1]}")
            )
        self._matrix, self._canvas, self._size = matrix, canvas, size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "rgbmatrix")
        self._canvas.SetImage(frame if frame.mode == "RGB" else frame.convert("RGB"))
        self._canvas = self._matrix.SwapOnVSync(self._canvas)

    def close(self) -> None:
        if self._matrix is not None:
            self._matrix.Clear()
        self._matrix = self._canvas = None
        self._size = None
