"""The CJK font, registered once under one name that every label uses."""

from __future__ import annotations

from pathlib import Path
from typing import Final

CJK: Final = "HallCJK"
FONT_CANDIDATES: Final = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)

_registered = False


def register_cjk_font() -> None:
    """Register the first CJK font found as `CJK`; raises when there is none (no tofu on a kiosk)."""
    global _registered
    if _registered:
        return
    from kivy.core.text import LabelBase

    path = next((p for p in FONT_CANDIDATES if p.is_file()), None)
    if path is None:
        raise RuntimeError("no CJK font found: install fonts-wqy-microhei")
    LabelBase.register(name=CJK, fn_regular=str(path))
    _registered = True
