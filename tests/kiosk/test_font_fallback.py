"""The kiosk's labels draw every run with a face that has it, under a real X server (Xvfb)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kiosk.test_app import _kiosk, xvfb  # noqa: F401  (the fixture)

CODE = """
import json
from kiosk.cli import configure_kivy
configure_kivy((800, 400), False)
from kivy.core.window import Window
from kivy.uix.label import Label
from kiosk.fonts import CJK, chain, register_cjk_font
register_cjk_font()
from kiosk.widgets import HallLabel, KLabel

def drawn(label):
    label.texture_update()
    return label.texture.size, label.texture.pixels

out = {}
fonts = chain()
for text in ("𠮷", "张三"):
    plain = drawn(Label(text=text, font_name=CJK, font_size=64))
    chained = drawn(HallLabel(text=text, font_name=CJK, font_size=64))
    face = fonts.paths[fonts.face_of(text[0])]
    direct = drawn(Label(text=text, font_name=str(face), font_size=64))
    out[text] = {"same_as_primary": plain == chained, "same_as_its_face": direct == chained}
mixed = HallLabel(text="王𠮷祥", font_name=CJK, font_size=64)
mixed.texture_update()
alone = HallLabel(text="王祥", font_name=CJK, font_size=64)
alone.texture_update()
out["widths"] = [mixed.texture.size[0], alone.texture.size[0]]
print("RESULT " + json.dumps(out))
"""


def test_a_rare_hanzi_is_drawn_from_its_fallback_face_not_as_a_box(xvfb: str, tmp_path: Path) -> None:  # noqa: F811
    done = _kiosk(xvfb, CODE, tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    # 𠮷 (Extension B): the primary face draws its box; the chain draws it exactly as Hanazono does
    assert result["𠮷"] == {"same_as_primary": False, "same_as_its_face": True}
    # common hanzi: the chain changes nothing
    assert result["张三"] == {"same_as_primary": True, "same_as_its_face": True}
    wide, narrow = result["widths"]
    assert wide > narrow * 1.3, result["widths"]  # the fallback run is measured and placed, not dropped
