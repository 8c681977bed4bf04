"""Generate neutral placeholder avatars for the staff of a sample centre.

Each staff member in ``<centre>/staff.yaml`` gets ``<centre>/photos/<id>.png``: a 256×320 portrait with a
flat background colour derived from the staff id and a plain head-and-shoulders silhouette. No text and no
fonts, so the output is the same on every machine.

    python scripts/make_avatars.py                      # content/samples/weicheng
    python scripts/make_avatars.py content/samples/xyz  # another centre
"""

from __future__ import annotations

import argparse
import colorsys
import hashlib
import sys
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 256, 320
SCALE = 4  # draw large, then downsample for smooth edges
DEFAULT_CENTRE = Path(__file__).resolve().parent.parent / "content" / "centre" / "samples" / "weicheng"


def background_colour(staff_id: str) -> tuple[int, int, int]:
    """A muted, stable colour picked from the id's hash."""
    digest = hashlib.sha256(staff_id.encode("utf-8")).digest()
    hue = digest[0] / 255
    lightness = 0.72 + digest[1] / 255 * 0.08
    saturation = 0.30 + digest[2] / 255 * 0.15
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def silhouette_colour(bg: tuple[int, int, int]) -> tuple[int, int, int]:
    """A darker, desaturated shade of the background for the figure."""
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in bg))
    r, g, b = colorsys.hls_to_rgb(h, lum * 0.55, s * 0.5)
    return round(r * 255), round(g * 255), round(b * 255)


def avatar(staff_id: str) -> Image.Image:
    bg = background_colour(staff_id)
    fg = silhouette_colour(bg)
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)

    cx = w // 2
    # shoulders and chest: a wide ellipse cut off by the bottom edge
    draw.ellipse((int(w * 0.04), int(h * 0.64), int(w * 0.96), int(h * 1.45)), fill=fg)
    # neck
    draw.rounded_rectangle(
        (cx - int(w * 0.09), int(h * 0.50), cx + int(w * 0.09), int(h * 0.68)), radius=int(w * 0.04), fill=fg
    )
    # head
    draw.ellipse((cx - int(w * 0.18), int(h * 0.20), cx + int(w * 0.18), int(h * 0.56)), fill=fg)

    img = img.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    return img.quantize(colors=16, method=Image.Quantize.MEDIANCUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("centre", nargs="?", type=Path, default=DEFAULT_CENTRE, help="centre content folder")
    args = parser.parse_args(argv)
    centre: Path = args.centre

    data = yaml.safe_load((centre / "staff.yaml").read_text(encoding="utf-8"))
    out_dir = centre / "photos"
    out_dir.mkdir(exist_ok=True)
    for member in data["staff"]:
        staff_id = str(member["id"])
        target = out_dir / f"{staff_id}.png"
        expected = f"photos/{staff_id}.png"
        if member.get("photo") not in (None, expected):
            print(f"warning: {staff_id} has photo {member['photo']!r}, writing {expected}", file=sys.stderr)
        avatar(staff_id).save(target, optimize=True)
        print(f"{target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
