"""The output driver interface: `open`, `show(frame)`, `close`, and the output's own frame-rate limit.

The contract every driver keeps:

- `open(size, mode)` once, before the first `show`; `size` is the frame size in pixels, `mode` the
  PIL mode of the frames ("1" for single-colour strips, "RGB" otherwise).
- `show(frame)` with a frame of exactly that size. The caller may draw into the same image again as
  soon as `show` returns (double buffering), so a driver that keeps frames keeps copies.
- `close()` releases what `open` took; it may be called more than once, and without `open`.
- All three from one thread (the window driver's toolkit insists on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PIL import Image

from content.shared.catalog import domain

_ = domain("led").gettext


class OutputError(Exception):
    """A bad output spec or an output that cannot work here; the message says what to do about it, in the
    hall's language: `hall led` prints it to the installer."""


def out_of_range(form: str, option: str, value: object, low: object, high: object) -> str:
    """An option's value outside its bounds, as `hall led` says it."""
    return _("{form}: {option} {value} must be between {low} and {high}").format(
        form=form, option=option, value=value, low=low, high=high
    )


def unknown_option(form: str, option: str, allowed: Iterable[str]) -> str:
    """An option the output does not take, and the ones it does."""
    return _("{form}: unknown option {option}: use {options}").format(
        form=form, option=option, options=", ".join(allowed)
    )


class Output(Protocol):
    max_fps: float | None
    """The output's own limit (a GIF preview's frame rate), None if it has none."""

    def open(self, size: tuple[int, int], mode: str) -> None: ...

    def show(self, frame: Image.Image) -> None: ...

    def close(self) -> None: ...


def check_size(size: tuple[int, int], what: str) -> None:
    """Refuse an empty or negative frame size at `open`."""
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"{what}: frame size {width}×{height} is empty")  # catalog: internal


def check_frame(frame: Image.Image, size: tuple[int, int] | None, what: str) -> None:
    """Refuse a frame before `open` or of another size than the one opened."""
    if size is None:
        raise RuntimeError(f"{what}: show() before open()")  # catalog: internal
    if frame.size != size:
        # A frame of another size is the caller's mistake, never the installer's.
        shape, opened = f"{frame.width}×{frame.height}", f"{size[0]}×{size[1]}"
        raise ValueError(f"{what}: frame is {shape}, the output was opened at {opened}")  # catalog: internal


def rgb_bytes(frame: Image.Image) -> bytes:
    """The frame as R, G, B bytes row by row; single-colour frames light up white."""
    return (frame if frame.mode == "RGB" else frame.convert("RGB")).tobytes()
