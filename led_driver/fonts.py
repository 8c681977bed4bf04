"""Fonts for LED text: the fonts profiles name by key, and `Font`, a primary face with fallbacks.

A `Font` lays text out in clusters (a character with its combining marks, joiners and selectors, so
that nothing ever splits one) and draws each cluster from the first face that has all of its
characters, or as a hollow replacement box when none has. Every cluster is rendered once into a
cached mask; drawing a line is then one `paste` a cluster.

Whether a face has a character is decided by rendering it and comparing with the face's .notdef
glyph (drawn for U+10FFFF, which no font maps). That answers the question that matters on a sign,
"would this come out as tofu?", with Pillow alone; a glyph drawn exactly like .notdef (Unifont's
U+FFFD is one) counts as missing and gets the replacement box.
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from content.shared.catalog import domain

_ = domain("led").gettext

ENV_FONT_DIRS = "HALL_FONT_DIRS"
"""Extra font directories, searched first, separated by os.pathsep."""
SYSTEM_FONT_DIRS = (Path("/usr/local/share/fonts"), Path("/usr/share/fonts"))


class FontError(Exception):
    """A font cannot be loaded; the message names the key, where we looked and what to install."""


@dataclass(frozen=True)
class FontFile:
    name: str
    """File name, found in a search directory or anywhere below one."""
    subdir: str = ""
    """Where the Debian package puts it below /usr/share/fonts; tried first."""
    index: int = 0
    """Face index in a collection (.ttc)."""


@dataclass(frozen=True)
class FontSpec:
    primary: FontFile
    package: str
    """The Debian package that provides the primary file."""
    fallbacks: tuple[FontFile, ...] = ()
    """Faces for characters the primary lacks; used when installed, skipped when not."""
    bitmap: bool = False
    """A pixel font: drawn without anti-aliasing, at multiples of `native_size` only."""
    native_size: int = 0


_UNIFONT = FontFile("unifont.otf", "opentype/unifont")
_UNIFONT_UPPER = FontFile("unifont_upper.otf", "opentype/unifont")
# Hanazono Mincho (fonts-hanazono): A has CJK Extension A and the rare BMP hanzi, B Extensions B to F
# (plane 2: 𠮷, 𡋗, common in names), which neither Unifont 15.0 nor Micro Hei has.
_HANAZONO_A = FontFile("HanaMinA.ttf", "truetype/hanazono")
_HANAZONO_B = FontFile("HanaMinB.ttf", "truetype/hanazono")

FONTS: Mapping[str, FontSpec] = {
    # GNU Unifont: 16×16 dot-matrix hanzi, the whole BMP; unifont_upper adds emoji and other planes;
    # Hanazono draws the plane-2 hanzi, without anti-aliasing like the rest of a bitmap font.
    "unifont": FontSpec(
        _UNIFONT, "fonts-unifont", fallbacks=(_UNIFONT_UPPER, _HANAZONO_B), bitmap=True, native_size=16
    ),
    # WenQuanYi Micro Hei: outline CJK for big walls; Hanazono (outline too) covers the CJK extensions,
    # Unifont the symbols and emoji both lack.
    "wqy-microhei": FontSpec(
        FontFile("wqy-microhei.ttc", "truetype/wqy"),
        "fonts-wqy-microhei",
        fallbacks=(_HANAZONO_A, _HANAZONO_B, _UNIFONT, _UNIFONT_UPPER),
    ),
}


def default_font_dirs(environ: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    """$HALL_FONT_DIRS first, then the system font directories."""
    extra = [Path(part) for part in environ.get(ENV_FONT_DIRS, "").split(os.pathsep) if part]
    return (*extra, *SYSTEM_FONT_DIRS)


def find_font_file(file: FontFile, dirs: Sequence[Path]) -> Path | None:
    """The file at its Debian place or directly in a directory, else anywhere below one."""
    for folder in dirs:
        for candidate in (folder / file.subdir / file.name, folder / file.name):
            if candidate.is_file():
                return candidate
    for folder in dirs:
        found = sorted(path for path in folder.rglob(file.name) if path.is_file()) if folder.is_dir() else []
        if found:
            return found[0]
    return None


def load_font(
    key: str, size: int, *, search_dirs: Sequence[str | Path] | None = None, registry: Mapping[str, FontSpec] = FONTS
) -> Font:
    """The font a profile names, at `size` pixels; loaded once per file set and size."""
    spec = registry.get(key)
    if spec is None:
        raise FontError(
            _("Unknown font {font}: the fonts are {fonts}").format(font=repr(key), fonts=", ".join(sorted(registry)))
        )
    if size < 1 or (spec.bitmap and size % spec.native_size):
        native = spec.native_size
        raise FontError(
            _("Font {font} is a {native} px bitmap font: use {native}, {double}, … px, not {size}").format(
                font=repr(key), native=native, double=2 * native, size=size
            )
        )
    dirs = tuple(Path(d) for d in search_dirs) if search_dirs is not None else default_font_dirs()
    primary = find_font_file(spec.primary, dirs)
    if primary is None:
        raise FontError(
            _(
                "Font {font}: {file} is not in {directories}; install it with `apt-get install {package}`, or put "
                "the file in a directory named in ${variable}"
            ).format(
                font=repr(key),
                file=spec.primary.name,
                directories=", ".join(str(d) for d in dirs),
                package=spec.package,
                variable=ENV_FONT_DIRS,
            )
        )
    files = [(str(primary), spec.primary.index)]
    for fallback in spec.fallbacks:
        path = find_font_file(fallback, dirs)
        if path is not None and str(path) != str(primary):
            files.append((str(path), fallback.index))
    return _open(key, tuple(files), size, spec.bitmap)


@functools.lru_cache(maxsize=32)
def _open(key: str, files: tuple[tuple[str, int], ...], size: int, bitmap: bool) -> Font:
    faces = []
    for path, index in files:
        try:
            # BASIC layout: the same pixels with or without libraqm; clusters are drawn one by one anyway.
            faces.append(ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC))
        except OSError as exc:
            raise FontError(
                _("Font {font}: cannot open {path}: {error}").format(font=repr(key), path=path, error=exc)
            ) from exc
    return Font(faces, key=key, bitmap=bitmap)


# -- clusters -------------------------------------------------------------------------------------

ZWJ = "\u200d"
_PROBE = "\U0010ffff"  # a noncharacter: every face draws .notdef for it
_MAX_CLUSTER = 16  # marks beyond this are dropped: "Zalgo" payloads stay cheap


def _invisible(ch: str) -> bool:
    """Joiners, variation selectors and skin-tone modifiers: kept in a cluster's text, never drawn."""
    cp = ord(ch)
    return ch == ZWJ or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x1F3FB <= cp <= 0x1F3FF


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def wide(text: str) -> bool:
    """East Asian wide or fullwidth (hanzi, fullwidth punctuation, most emoji): a full em."""
    return bool(text) and unicodedata.east_asian_width(text[0]) in ("W", "F")


def clusters(text: str) -> Iterator[str]:
    """Grapheme-ish clusters, as displayed: controls and line breaks become spaces, lone surrogates
    U+FFFD, invisible format characters (ZWSP, bidi marks, BOM, tags) are dropped."""
    cluster = ""
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            ch, category = " ", "Zs"
        elif category == "Cs":
            ch, category = "\ufffd", "So"
        elif category == "Cf" and ch != ZWJ:
            continue
        joins = category in ("Mn", "Mc", "Me") or _invisible(ch)
        joins = joins or (cluster.endswith(ZWJ) and not ch.isspace())
        joins = joins or (_regional(ch) and len(cluster) == 1 and _regional(cluster))
        if cluster and joins:
            if len(cluster) < _MAX_CLUSTER:
                cluster += ch
            continue
        if cluster:
            yield cluster
        cluster = ch
    if cluster:
        yield cluster


@dataclass(frozen=True, slots=True)
class Glyph:
    """One cluster laid out: what it reads as, how far it moves the pen, which face draws it."""

    text: str
    advance: int
    face: int | None
    """Index into `Font.faces`; None: drawn as the replacement box."""
    drawn: str
    """The characters actually drawn ("" for blanks)."""

    @property
    def replaced(self) -> bool:
        return self.face is None


# An ink is a cluster's mask ("L", 0/255 when not anti-aliased, line_height tall) and its x offset from the pen.
Ink = tuple[Image.Image, int]


class Font:
    """A primary face and fallbacks at one pixel size, with glyph coverage and cached cluster masks."""

    def __init__(
        self, faces: Sequence[ImageFont.FreeTypeFont], *, key: str = "", bitmap: bool = False, cache_size: int = 4096
    ) -> None:
        if not faces:
            raise ValueError("a Font needs at least one face")  # catalog: internal
        self.faces = tuple(faces)
        self.key = key
        self.bitmap = bitmap
        primary = self.faces[0]
        self.size = round(primary.size)
        ascent, descent = primary.getmetrics()
        self.ascent = ascent
        self.line_height = ascent + descent
        self._space = round(primary.getlength(" ")) or max(1, self.size // 2)
        self._notdef = tuple(
            (self._outline(i, _PROBE), _draw(face, _PROBE, ascent, self.line_height, antialias=False))
            for i, face in enumerate(self.faces)
        )
        # Per instance, bounded: a hostile stream of distinct characters cannot grow them without end.
        self._covers = functools.lru_cache(maxsize=cache_size)(self._face_covers)
        self._glyph = functools.lru_cache(maxsize=cache_size)(self._make_glyph)
        self._ink = functools.lru_cache(maxsize=cache_size)(self._make_ink)

    def __repr__(self) -> str:
        return f"Font({self.key!r}, {self.size}px, {len(self.faces)} faces, bitmap={self.bitmap})"

    def has_glyph(self, ch: str) -> bool:
        """Whether a face (primary or fallback) draws the character `ch` with a real glyph."""
        if len(ch) != 1:
            raise ValueError(f"has_glyph takes one character, not {len(ch)}")  # catalog: internal
        return any(self._covers(i, ch) for i in range(len(self.faces)))

    def glyphs(self, text: str) -> list[Glyph]:
        return [self._glyph(cluster) for cluster in clusters(text)]

    def text_width(self, text: str) -> int:
        return sum(glyph.advance for glyph in self.glyphs(text))

    def ink(self, glyph: Glyph, antialias: bool = True) -> Ink | None:
        """The glyph's mask; None for blanks. Bitmap fonts are never anti-aliased."""
        return self._ink(glyph, antialias and not self.bitmap)

    # -- cached work ------------------------------------------------------------------------------

    def _outline(self, face: int, ch: str) -> tuple[float, tuple[float, float, float, float]]:
        return self.faces[face].getlength(ch), self.faces[face].getbbox(ch)

    def _face_covers(self, face: int, ch: str) -> bool:
        if ch.isspace():
            return True  # blank either way; a face whose .notdef is empty would otherwise lose its spaces
        if self._outline(face, ch) != self._notdef[face][0]:
            return True  # cheap: most glyphs differ from .notdef in advance or box already
        ink = _draw(self.faces[face], ch, self.ascent, self.line_height, antialias=False)
        notdef = self._notdef[face][1]
        if ink is None or notdef is None:
            return (ink is None) != (notdef is None)
        return ink[1] != notdef[1] or ink[0].size != notdef[0].size or ink[0].tobytes() != notdef[0].tobytes()

    def _make_glyph(self, cluster: str) -> Glyph:
        if cluster.isspace():
            return Glyph(cluster, self.size if wide(cluster) else self._space, 0, "")
        drawn = "".join(ch for ch in cluster if not _invisible(ch))
        if not drawn:
            return Glyph(cluster, 0, 0, "")
        for i, face in enumerate(self.faces):
            if all(self._covers(i, ch) for ch in drawn):
                return Glyph(cluster, round(face.getlength(drawn)), i, drawn)
        return Glyph(cluster, self.size if wide(drawn) else max(3, self.size // 2), None, drawn)

    def _make_ink(self, glyph: Glyph, antialias: bool) -> Ink | None:
        if glyph.face is None:
            return self._box(glyph.advance), 0
        if not glyph.drawn:
            return None
        return _draw(self.faces[glyph.face], glyph.drawn, self.ascent, self.line_height, antialias)

    def _box(self, width: int) -> Image.Image:
        """The replacement: a hollow box one pixel inside the cell, an em tall, centred on the line."""
        mask = Image.new("L", (width, self.line_height), 0)
        top = max(0, (self.line_height - self.size) // 2)
        bottom = min(self.line_height, top + self.size) - 2
        ImageDraw.Draw(mask).rectangle((1, top + 1, width - 2, bottom), outline=255, width=max(1, self.size // 16))
        return mask


def _draw(face: ImageFont.FreeTypeFont, text: str, baseline: int, height: int, antialias: bool) -> Ink | None:
    left, _top, right, _bottom = face.getbbox(text, anchor="ls")
    pad = max(0, -math.floor(left))
    width = max(math.ceil(face.getlength(text)), math.ceil(right)) + pad
    if width <= 0:
        return None
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "L" if antialias else "1"
    draw.text((pad, baseline), text, font=face, fill=255, anchor="ls")
    if mask.getbbox() is None:
        return None
    return mask, -pad
