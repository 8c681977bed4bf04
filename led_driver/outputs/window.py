"""A borderless window at the frame size, for walls fed over HDMI/DVI through a sending card.

The sending card (Novastar, Colorlight) takes a region of the PC's video output, usually from the top
left corner, so the window sits at x, y (0, 0 unless told), the frame's size, without decorations
or mouse cursor. With `fullscreen` it asks the window manager for full screen instead (above panels;
black around the frame); without a window manager that request does nothing and the window stays
borderless at x, y.

Tk draws it: it comes with Python on Windows and macOS (Debian: `apt-get install python3-tk`), it
can be driven from our own render loop (`show` paints, then runs Tk's pending events), and it
works under Xvfb. A 1920×1080 frame costs about 4 ms of CPU in `show`. Kivy is not used here: its
single window is configured before import and drawn by its own event loop. Tk has no vsync: on a PC
without a compositing desktop a fast scroll may tear, and an SDL2 window with vsync is then the
way up. Only the thread that called `open` may call `show` and `close`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PIL import Image

from content.shared.catalog import domain
from led_driver.outputs.base import OutputError, check_frame, check_size

_ = domain("led").gettext

if TYPE_CHECKING:
    import tkinter

    from PIL import ImageTk

_X11_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")


class WindowOutput:
    max_fps: float | None = None

    def __init__(
        self, x: int = 0, y: int = 0, fullscreen: bool = False, environ: Mapping[str, str] | None = None
    ) -> None:
        self.x, self.y, self.fullscreen = x, y, fullscreen
        self._environ = os.environ if environ is None else environ
        self._size: tuple[int, int] | None = None
        self._root: tkinter.Tk | None = None
        self._photo: ImageTk.PhotoImage | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "window")
        display = self._environ.get("DISPLAY")
        if sys.platform.startswith(_X11_PLATFORMS) and not display:
            raise OutputError(
                _(
                    "{output}: no display (DISPLAY is not set): start it from the hall PC's desktop session, "
                    "or set DISPLAY=:0 for the screen the sending card is connected to"
                ).format(output="window")
            )
        try:
            import tkinter

            from PIL import ImageTk
        except ImportError as exc:
            raise OutputError(
                _("{output}: Tk is not available ({error}): on Debian/Ubuntu, apt-get install python3-tk").format(
                    output="window", error=exc
                )
            ) from exc
        try:
            root = tkinter.Tk(screenName=display, className="hall-led-wall")
        except tkinter.TclError as exc:
            raise OutputError(
                _("{output}: cannot open the display {display}: {error}").format(
                    output="window", display=repr(display), error=exc
                )
            ) from exc
        width, height = size
        root.configure(background="black", cursor="none")
        if self.fullscreen:
            root.geometry(f"+{self.x}+{self.y}")
            root.attributes("-fullscreen", True)
        else:
            root.overrideredirect(True)
            root.geometry(f"{width}x{height}+{self.x}+{self.y}")
        photo = ImageTk.PhotoImage("RGB", size, master=root)
        label = tkinter.Label(root, image=photo, borderwidth=0, highlightthickness=0, background="black")
        label.place(x=0, y=0)
        root.update()
        self._root, self._photo, self._size = root, photo, size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "window")
        assert self._root is not None and self._photo is not None
        self._photo.paste(frame if frame.mode == "RGB" else frame.convert("RGB"))
        # Paints the photo and handles the window's pending events: this loop is the Tk main loop.
        self._root.update()

    def close(self) -> None:
        # The photo goes first: deleting a Tk image after its interpreter is gone raises in __del__.
        self._photo = None
        if self._root is not None:
            self._root.destroy()
            self._root = None
        self._size = None
