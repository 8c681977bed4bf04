"""Output drivers: where rendered frames go. `open_output(spec)` makes one from a spec string.

    png:DIR                 numbered frames DIR/frame-000001.png, … (previews, tests)
    gif:FILE[?fps=10&seconds=10]
                            an animated GIF of the first fps × seconds frames, playing at fps (≤ 50);
                            written once that many are in, or on close
    snapshot:FILE.png[?every=1&scale=1]
                            one PNG replaced at most every `every` seconds, enlarged `scale` times:
                            what the display shows now, for people to look at
    window[?x=0&y=0&fullscreen=0]
                            a borderless window at the frame size at x, y, for walls fed over HDMI
                            (fullscreen=1: ask the window manager for full screen instead)
    ddp://HOST[:PORT]       DDP to a pixel controller, port 4048 unless given
    e131://HOST[:PORT]?universe=N[&sync=U&priority=100&name=TEXT]
                            sACN unicast, port 5568 unless given: 170 RGB pixels a universe from N
                            on; sync=U adds a synchronization packet on universe U after each frame;
                            name is the source name the controller shows
    rgbmatrix[?rows=32&cols=32&chain=1&parallel=1&brightness=100&mapping=regular&slowdown=1&…]
                            HUB75 panels through rpi-rgb-led-matrix (see `rgbmatrix.OPTIONS` for
                            all the options: pwm_bits, rgb_sequence, pixel_mapper, …)
    null                    nothing, counting frames (benchmarks)

Options are URL query parameters (`%20` for a space). A bad spec, or an output that cannot work here
(no display, no rgbmatrix module), raises `OutputError` saying what to do. `MemoryOutput` (frames
kept in a list) is for tests and has no spec. The contract of `Output` is in `base`.
"""

from led_driver.outputs.base import Output, OutputError
from led_driver.outputs.memory import MemoryOutput
from led_driver.outputs.spec import FORMS, open_output

__all__ = ["FORMS", "MemoryOutput", "Output", "OutputError", "open_output"]
