"""Probes of the kiosk's widgets under a real X server, each run in a process of its own (Kivy's window is
one a process) by the tests that read what it prints:

    python -m tests.kiosk.probes fonts            RESULT {...}: how the font chain draws rare hanzi
    python -m tests.kiosk.probes linebreak TEXT   PROBE {...}: how KLabel and KButton break TEXT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def fonts() -> None:
    """Whether a label draws 𠮷 with the face of the chain that has it, and common hanzi as before."""
    from kiosk.cli import configure_kivy

    configure_kivy((800, 400), False)
    from kivy.uix.label import Label

    from kiosk.fonts import CJK, chain, register_cjk_font

    register_cjk_font()
    from kiosk.widgets import HallLabel

    def drawn(label: Any) -> tuple[Any, Any]:
        label.texture_update()
        return label.texture.size, label.texture.pixels

    out: dict[str, Any] = {}
    faces = chain()
    for text in ("𠮷", "张三"):
        plain = drawn(Label(text=text, font_name=CJK, font_size=64))
        chained = drawn(HallLabel(text=text, font_name=CJK, font_size=64))
        index = faces.face_of(text[0])
        assert index is not None, f"no face of the chain draws {text[0]}"
        face = faces.paths[index]
        direct = drawn(Label(text=text, font_name=str(face), font_size=64))
        out[text] = {"same_as_primary": plain == chained, "same_as_its_face": direct == chained}
    mixed = HallLabel(text="王𠮷祥", font_name=CJK, font_size=64)
    mixed.texture_update()
    alone = HallLabel(text="王祥", font_name=CJK, font_size=64)
    alone.texture_update()
    out["widths"] = [mixed.texture.size[0], alone.texture.size[0]]
    print("RESULT " + json.dumps(out), flush=True)


def linebreak(text: str) -> None:
    """How Kivy alone, a KLabel and a KButton lay out `text` one character narrower than it needs."""
    from kiosk.cli import configure_kivy

    configure_kivy((900, 600), False)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.text import Label as CoreLabel
    from kivy.properties import NumericProperty
    from kivy.uix.boxlayout import BoxLayout

    from kiosk import widgets
    from kiosk.fonts import CJK, register_cjk_font
    from kiosk.widgets import KButton, KLabel

    def laid_out(core: Any) -> list[str]:
        return ["".join(word.text for word in line.words) for line in core._cached_lines]

    class Probe(App):  # type: ignore[misc]
        scale = NumericProperty(1.0)

        def load_kv(self, filename: str | None = None) -> None:
            pass  # no kv file of its own (and no source file to look beside)

        def build(self) -> Any:
            register_cjk_font()
            widgets.load_kv(str(Path(widgets.__file__).with_name("widgets.kv")))
            root = BoxLayout(orientation="vertical")
            self.label = KLabel(text=text, base=64, size_hint_x=None)
            self.button = KButton(text=text, base=64, size_hint_x=None)
            root.add_widget(self.label)
            root.add_widget(self.button)
            Clock.schedule_once(self.probe)
            return root

        def probe(self, _dt: float) -> None:
            # as wide as everything but the last character: Kivy alone puts that character on a line of its own
            naive = CoreLabel(text=text, font_name=CJK, font_size=64)
            width = naive.get_extents(text[:-1])[0] + 2
            naive.usersize = (width, None)
            naive.refresh()
            self.label.width = width
            self.button.width = width + 24
            out: dict[str, Any] = {"naive": laid_out(naive)}
            for name, widget in (("label", self.label), ("button", self.button)):
                widget.texture_update()
                out[name] = {"text": widget.text, "lines": laid_out(widget._label), "size": widget.texture_size[0]}
            print("PROBE " + json.dumps(out, ensure_ascii=False), flush=True)
            self.stop()

    Probe().run()


def command(*args: str) -> list[str]:
    """The command line that runs a probe in a process of its own (from the repository)."""
    return [sys.executable, "-m", "tests.kiosk.probes", *args]


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["fonts"]:
            fonts()
        case ["linebreak", text]:
            linebreak(text)
        case _:
            sys.exit(__doc__)
