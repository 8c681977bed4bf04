"""The kiosk's fonts: one CJK face every label names, and the fallback chain behind it
(`content.shared.fonts`).

Kivy's SDL2 text provider draws a label with one font file and has no fallback, so a character the
face lacks comes out as a box: the labels in `kiosk.widgets` draw each run of `chain().runs(text)` with
its face, and every label's `font_name` is `CJK`, the chain's first face.
"""

from __future__ import annotations

from typing import Final

from content.shared.fonts import FALLBACKS, PRIMARY, Face, FontChain, FontError, chain, find_face, font_dirs, split_runs

__all__ = [
    "CJK", "FALLBACKS", "PRIMARY", "Face", "FontChain", "FontError", "chain", "find_face", "font_dirs",
    "register_cjk_font", "split_runs",
]  # fmt: skip

CJK: Final = "HallCJK"
"""The name every label's `font_name` uses: the chain's first face."""

_registered = False


def register_cjk_font() -> None:
    """Register the chain's first face as `CJK`; raises FontError when there is none (no tofu on a kiosk)."""
    global _registered
    if _registered:
        return
    from kivy.core.text import LabelBase

    LabelBase.register(name=CJK, fn_regular=str(chain().paths[0]))
    _registered = True
