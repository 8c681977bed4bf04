"""The CJK font chain of the screens and the printed slip: a primary face and the fallbacks behind it.

Names in a hall need more than one face has: WenQuanYi Micro Hei holds the common hanzi, not CJK
Extension A (㐀) nor B (𠮷, 𡋗), which are common in personal and place names. `FontChain` splits a text
into runs by coverage (each character from the first face that maps it, marks and joiners with the
character before them), and each run is drawn with its face: by the kiosk's labels (`kiosk.fonts`,
`kiosk.widgets`) and by the acceptance slip (`content.cases.slip`). Coverage is read from each face's
character map (fontTools), once per face and only when a text needs it. `hall check` asks `missing`
which characters of a centre's content no face can draw. (The LED driver has a chain of its own, of
bitmap and outline faces at the sizes its panels take: `led_driver.fonts`.)
"""

from __future__ import annotations

import functools
import logging
import os
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from content.shared.catalog import domain

log = logging.getLogger(__name__)
_ = domain("shared").gettext

ENV_FONT_DIRS: Final = "HALL_FONT_DIRS"
"""Extra font directories, searched first (the LED driver reads the same variable)."""
SYSTEM_FONT_DIRS: Final = (Path("/usr/local/share/fonts"), Path("/usr/share/fonts"))


@dataclass(frozen=True)
class Face:
    name: str
    """File name, at `subdir` below a font directory or directly in one."""
    subdir: str
    package: str
    """The Debian package that installs it."""


PRIMARY: Final = (
    Face("wqy-microhei.ttc", "truetype/wqy", "fonts-wqy-microhei"),
    Face("wqy-zenhei.ttc", "truetype/wqy", "fonts-wqy-zenhei"),
    Face("NotoSansCJK-Regular.ttc", "opentype/noto", "fonts-noto-cjk"),
)
"""The first of these that is installed draws everything it can."""
FALLBACKS: Final = (
    Face("HanaMinA.ttf", "truetype/hanazono", "fonts-hanazono"),
    Face("HanaMinB.ttf", "truetype/hanazono", "fonts-hanazono"),
    Face("unifont.otf", "opentype/unifont", "fonts-unifont"),
    Face("unifont_upper.otf", "opentype/unifont", "fonts-unifont"),
)
"""Tried in order for a character the primary face lacks (Hanazono A: CJK Extension A and rare BMP hanzi;
Hanazono B: Extensions B to F; Unifont: the rest of the BMP; Unifont Upper: emoji and other planes);
those not installed are skipped."""


def font_dirs(environ: dict[str, str] | os._Environ[str] = os.environ) -> tuple[Path, ...]:
    extra = [Path(part) for part in environ.get(ENV_FONT_DIRS, "").split(os.pathsep) if part]
    return (*extra, *SYSTEM_FONT_DIRS)


def find_face(face: Face, dirs: Sequence[Path]) -> Path | None:
    for folder in dirs:
        for candidate in (folder / face.subdir / face.name, folder / face.name):
            if candidate.is_file():
                return candidate
    return None


def joins(ch: str) -> bool:
    """Drawn with the character before it: combining marks, ZWJ, variation selectors."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == "\u200d"
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
    )


def split_runs(text: str, face_of: Callable[[str], int | None]) -> list[tuple[int, str]]:
    """`text` cut into runs of one face each, in order: (face index, run).

    `face_of(ch)` is the first face that has `ch`, or None. Spaces, line breaks, marks and joiners
    stay in the run they are in (every face has a space; a mark belongs to its base); a character no
    face has goes to face 0, which draws its box.
    """
    runs: list[tuple[int, str]] = []
    face, run = 0, ""
    for ch in text:
        if run and (ch.isspace() or joins(ch)):
            run += ch
            continue
        this = 0 if ch.isspace() else (face_of(ch) or 0)
        if run and this != face:
            runs.append((face, run))
            run = ""
        face, run = this, run + ch
    if run:
        runs.append((face, run))
    return runs


class FontChain:
    """The installed faces in chain order, with their coverage read on first need."""

    def __init__(self, paths: Sequence[Path]) -> None:
        if not paths:
            raise ValueError("a font chain needs at least one face")  # catalog: internal
        self.paths = tuple(paths)
        self._cmaps: list[frozenset[int] | None] = [None] * len(self.paths)
        self.face_of = functools.lru_cache(maxsize=8192)(self._face_of)

    @classmethod
    def installed(cls, dirs: Sequence[Path] | None = None) -> FontChain:
        """The first installed primary face and every installed fallback; FontError when no primary."""
        dirs = font_dirs() if dirs is None else dirs
        primary = next((path for face in PRIMARY if (path := find_face(face, dirs)) is not None), None)
        if primary is None:
            raise FontError(tuple(dirs), PRIMARY[0].package)
        fallbacks = [path for face in FALLBACKS if (path := find_face(face, dirs)) is not None]
        return cls([primary, *fallbacks])

    def cmap(self, index: int) -> frozenset[int]:
        found = self._cmaps[index]
        if found is None:
            found = self._cmaps[index] = read_cmap(self.paths[index])
        return found

    def _face_of(self, ch: str) -> int | None:
        cp = ord(ch)
        return next((i for i in range(len(self.paths)) if cp in self.cmap(i)), None)

    def runs(self, text: str) -> list[tuple[int, str]]:
        return split_runs(text, self.face_of)

    def missing(self, text: str) -> list[str]:
        """The distinct characters of `text` that no face draws, in order of appearance."""
        seen: dict[str, None] = {}
        for ch in text:
            if ch not in seen and not ch.isspace() and not joins(ch) and _drawable(ch) and self.face_of(ch) is None:
                seen[ch] = None
        return list(seen)


def _drawable(ch: str) -> bool:
    """Whether a glyph is expected at all: controls and invisible format characters draw nothing."""
    return unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")


def read_cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with path.open("rb") as file, TTFont(file, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # a damaged font file: the chain goes on without it
        log.warning(
            _("font {file}: cannot read its character map ({why}); it draws nothing").format(file=path, why=exc)
        )
        return frozenset()


class FontError(RuntimeError):
    """No usable CJK face in `directories`; the message says what to install (`package`)."""

    def __init__(self, directories: tuple[Path, ...], package: str) -> None:
        self.directories, self.package = directories, package
        where = _(", ").join(str(d) for d in directories)
        super().__init__(
            _("no CJK font found in {directories}: install {package}").format(directories=where, package=package)
        )


@functools.cache
def chain() -> FontChain:
    """The chain on this machine, found once."""
    return FontChain.installed()
