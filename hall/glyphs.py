"""Which characters of a centre's content no installed display font can draw, with file:line.

A box on a screen is found by the installer before the hall sees it: `hall check` reads every YAML
file of the content as text and asks the kiosk's font chain and the LED fonts of the shipped
profiles (Unifont for small displays, Micro Hei for walls), each with its fallbacks, about every
character outside comments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from content.shared.catalog import N_, domain
from content.shared.files import UnsafeFile, read_regular
from content.shared.yamlfile import MAX_FILE_BYTES

_words = domain("hall")
_ = _words.gettext

Covers = Callable[[str], bool]
SURFACES: Final = {
    "kiosk": N_("the kiosk"),
    "small LED displays": N_("small LED displays"),
    "LED walls": N_("LED walls"),
}
"""Each display surface by its key, and its name in a warning (catalog ids)."""


@dataclass(frozen=True)
class Uncovered:
    file: str
    line: int
    chars: str
    surfaces: tuple[str, ...]
    every: bool = False
    """No surface draws them."""

    def __str__(self) -> str:
        separator = _(", ")
        shown = separator.join(f"{ch} (U+{ord(ch):04X})" for ch in self.chars)
        values = {"file": self.file, "line": self.line, "chars": shown}
        if self.every:
            sentence = _(
                "{file}:{line}: warning: no installed font draws {chars} on any screen: it shows as a box; "
                "install fonts-hanazono and fonts-unifont, put a font that has it in a directory named in "
                "$HALL_FONT_DIRS, or write it another way"
            )
            return sentence.format(**values)
        sentence = _(
            "{file}:{line}: warning: no installed font draws {chars} on {surfaces}: it shows as a box; "
            "install fonts-hanazono and fonts-unifont, put a font that has it in a directory named in "
            "$HALL_FONT_DIRS, or write it another way"
        )
        surfaces = separator.join(_(SURFACES.get(surface, surface)) for surface in self.surfaces)
        return sentence.format(surfaces=surfaces, **values)


def display_fonts() -> dict[str, Covers]:
    """Each display surface and whether its fonts draw a character (surfaces whose fonts are missing are left out:
    the device itself refuses to start without them)."""
    from content.shared.fonts import FontError, chain
    from led_driver.fonts import FONTS, load_font
    from led_driver.fonts import FontError as LedFontError

    surfaces: dict[str, Covers] = {}
    try:
        kiosk = chain()
        surfaces["kiosk"] = lambda ch: kiosk.face_of(ch) is not None
    except FontError:
        pass
    for key, name in (("unifont", "small LED displays"), ("wqy-microhei", "LED walls")):
        try:
            font = load_font(key, FONTS[key].native_size or 32)
        except LedFontError:
            continue
        surfaces[name] = font.has_glyph
    return surfaces


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Mn", "Me", "Cs", "Co")


def _uncommented(line: str) -> str:
    """The line without a YAML comment (a # at the start or after a space, outside quotes: close enough
    for a warning)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def uncovered(directory: Path, label: str, surfaces: dict[str, Covers]) -> Iterator[Uncovered]:
    """For each line of each YAML file below `directory` with a character some surface cannot draw."""
    if not surfaces:
        return
    for path in sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")]):
        try:
            text = read_regular(path, MAX_FILE_BYTES, follow=True).decode("utf-8")
        except (UnsafeFile, OSError, UnicodeDecodeError):
            continue  # the loader reports an unreadable file itself
        name = f"{label}/{path.relative_to(directory)}"
        for number, line in enumerate(text.splitlines(), start=1):
            if line.isascii():
                continue
            missing: dict[str, set[str]] = {}
            for ch in _uncommented(line):
                if ch.isascii() or not _visible(ch) or ch in missing:
                    continue
                lacking = {surface for surface, covers in surfaces.items() if not covers(ch)}
                if lacking:
                    missing[ch] = lacking
            if missing:
                where = tuple(s for s in surfaces if any(s in lacking for lacking in missing.values()))
                yield Uncovered(name, number, "".join(missing), where, every=len(where) == len(surfaces))
