"""Display profiles: what one physical display is and what it shows where.

A profile is YAML (`led_driver/profiles/*.yaml`): size, colour mode, fonts, colours, zones, frame
rate, scroll speed, brightness by time of day and what to show when the hall is closed. `hall check
PROFILE.yaml` reports problems as `file:line: message`, like content files.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from content.shared.catalog import domain
from content.shared.yamlfile import Problem, load_yaml, validate_model

_ = domain("led").gettext

PROFILES = Path(__file__).parent / "profiles"

Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
ZoneKind = Literal[
    "title",
    "clock",
    "call_banner",
    "windows",
    "waiting",
    "recent_calls",
    "ticker",
    "guides",
    "staff",
    "window",
    "text",
    "pickup",
]
"""`pickup`: 请以下办件人到窗口取件 and the numbers of the cases ready for collection, in pages when they do
not all fit; blank while there are none (or the centre's service publishes no `pickup` document)."""

# Colours a dual-colour (red/green) panel can show: each LED is off, red, green, or both (amber).
DUAL_COLOURS = {"#000000", "#ff0000", "#00ff00", "#ffff00"}
ColourKey = Literal["background", "text", "accent", "call", "paused", "emergency", "emergency_text"]
_FALLBACK: dict[str, ColourKey] = {"emergency_text": "background"}
"""A colour a profile leaves out is its text colour, but an emergency's text is its background colour."""
MIN_CONTRAST = 4.5
"""WCAG 2's least contrast for text (1.4.3): an emergency reaches it at every brightness of its display."""


def rgb(hex_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue


def dimmed(hex_colour: str, level: int) -> tuple[int, int, int]:
    """A colour at `level` percent brightness, as frames are drawn: every channel scaled alike."""
    red, green, blue = rgb(hex_colour)
    return red * level // 100, green * level // 100, blue * level // 100


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2's contrast ratio of two sRGB colours, from 1 (the same) to 21 (black and white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FontRef(_Model):
    font: Literal["unifont", "wqy-microhei"]
    size: int = Field(ge=8, le=400)


class Zone(_Model):
    kind: ZoneKind
    box: Annotated[list[Annotated[int, Field(ge=0, le=8000)]], Field(min_length=4, max_length=4)]
    """x, y, width, height in pixels."""
    font: FontRef | None = None
    colour: Colour | None = None
    background: Colour | None = None
    align: Literal["left", "center", "right"] = "left"
    window: str | None = None
    """For `window`: which window this screen belongs to; usually left out, so that one profile serves every
    window of every centre and the install names it (`hall led --window`, $HALL_WINDOW)."""
    text: str | None = None
    """For `text`: what to show."""
    rows: int = Field(default=6, ge=1, le=40)
    """For tables (windows, waiting, recent_calls, staff, guides): rows shown at once; for `pickup`, rows of
    case numbers under its heading (as many to a row as its width holds)."""
    page_seconds: int = Field(default=8, ge=2, le=120)
    """For tables, the guide carousel and `pickup`: how long each page stays."""

    @model_validator(mode="after")
    def _needs(self) -> Zone:
        if self.kind == "text" and not self.text:
            raise ValueError(_("A zone of kind 'text' needs the text it shows (text)"))
        if self.box[2] <= 0 or self.box[3] <= 0:
            raise ValueError(_("A zone's width and height must be above 0"))
        return self


class Brightness(_Model):
    start: ClockTime
    level: int = Field(ge=1, le=100)


class Profile(_Model):
    name: str
    size: Annotated[list[int], Field(min_length=2, max_length=2)]
    """width, height in pixels."""
    colour_mode: Literal["mono", "dual", "rgb"]
    font: FontRef
    """The default font of zones that name none."""
    colours: dict[ColourKey, Colour]
    """`emergency` and `emergency_text`: an emergency's background and its text."""
    zones: list[Zone] = Field(min_length=1)
    fps: int = Field(default=30, ge=1, le=120)
    scroll_px_per_s: int = Field(default=60, ge=1, le=2000)
    flash_seconds: int = Field(default=8, ge=0, le=60)
    brightness: list[Brightness] = []
    idle_text: str = ""
    """What the display says outside the hours when the hall does not open again today ("": the catalog's
    今日已下班，欢迎工作时间前来办理)."""
    always_open: bool = False
    """Show the hall's content outside opening hours too (a 24-hour self-service area, previews)."""

    @model_validator(mode="after")
    def _fits(self) -> Profile:
        width, height = self.size
        if not (8 <= width <= 7680 and 8 <= height <= 4320):
            raise ValueError(
                _("The size {size} is not a display's size ({widths} × {heights})").format(
                    size=f"{width}×{height}", widths="8…7680", heights="8…4320"
                )
            )
        for index, zone in enumerate(self.zones):
            x, y, w, h = zone.box
            if x < 0 or y < 0 or x + w > width or y + h > height:
                raise ValueError(
                    _("Zone {number} ({kind}) box {box} is outside the {size} display").format(
                        number=index + 1, kind=zone.kind, box=list(zone.box), size=f"{width}×{height}"
                    )
                )
        if self.colour_mode == "dual":
            used = set(self.colours.values()) | {z.colour for z in self.zones if z.colour}
            wrong = sorted(c for c in used if c and c.lower() not in DUAL_COLOURS)
            if wrong:
                raise ValueError(
                    _("A dual-colour panel shows only red, green and amber: {colours}").format(colours=", ".join(wrong))
                )
        for key in ("background", "text"):
            if key not in self.colours:
                raise ValueError(_("The colours need '{key}'").format(key=key))
        self._emergency_legible()
        return self

    def _emergency_legible(self) -> None:
        """An emergency must be read by day and at night: dimming every channel alike lowers the
        contrast (WCAG's +0.05 for flare does not dim), so it is checked at each level drawn."""
        background, ink = self.colour("emergency"), self.colour("emergency_text")
        for level in self.levels():
            ratio = contrast(dimmed(background, level), dimmed(ink, level))
            if self.colour_mode == "mono" and (rgb(background) == (0, 0, 0)) == (rgb(ink) == (0, 0, 0)):
                ratio = 1.0  # a mono panel lights every colour alike: both lit, or both dark
            if ratio < MIN_CONTRAST:
                best = contrast(dimmed("#ffffff", level), (0, 0, 0))
                raise ValueError(
                    _(
                        "emergency_text {ink} on emergency {background} has a contrast of {ratio}:1 at {level}% "
                        "brightness; at least {least}:1 is needed (white on black there: {best}:1)"
                    ).format(
                        ink=ink,
                        background=background,
                        ratio=f"{ratio:.2f}",
                        level=level,
                        least=MIN_CONTRAST,
                        best=f"{best:.2f}",
                    )
                )

    @property
    def windows_named(self) -> list[str]:
        """The windows the profile's window zones name themselves."""
        return [z.window for z in self.zones if z.kind == "window" and z.window]

    @property
    def needs_window(self) -> bool:
        """Whether a window zone leaves its window to the install."""
        return any(z.kind == "window" and not z.window for z in self.zones)

    def for_window(self, window: str) -> Profile:
        """The profile with `window` in every window zone that names none."""
        zones = [
            z.model_copy(update={"window": window}) if z.kind == "window" and not z.window else z for z in self.zones
        ]
        return self.model_copy(update={"zones": zones})

    def colour(self, key: str) -> str:
        return self.colours.get(key) or self.colours[_FALLBACK.get(key, "text")]  # type: ignore[call-overload]

    def levels(self) -> list[int]:
        """The brightness levels, in percent, that frames are drawn at over a day."""
        return sorted({b.level for b in self.brightness}) or [100]

    def brightness_at(self, now: time) -> int:
        """Percent brightness for a time of day: the last `start` at or before it (wrapping)."""
        if not self.brightness:
            return 100
        ordered = sorted(self.brightness, key=lambda b: b.start)
        clock = now.strftime("%H:%M")
        current = ordered[-1]
        for entry in ordered:
            if entry.start <= clock:
                current = entry
        return current.level


def load_profile(path: Path) -> tuple[Profile | None, list[Problem]]:
    data, located, problems = load_yaml(path)
    if problems:
        return None, problems
    return validate_model(Profile, data, located)


def find_profile(name_or_path: str) -> Path:
    """A shipped profile by name (e.g. `window-192x64`) or a path to a YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return PROFILES / f"{name_or_path}.yaml"


def shipped() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))
