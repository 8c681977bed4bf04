"""The kiosk's labels draw every run with a face that has it, under a real X server (Xvfb)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kiosk.probes import command
from tests.kiosk.test_app import _kiosk, xvfb  # noqa: F401  (the fixture)


def test_a_rare_hanzi_is_drawn_from_its_fallback_face_not_as_a_box(xvfb: str, tmp_path: Path) -> None:  # noqa: F811
    done = _kiosk(xvfb, command("fonts"), tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    # 𠮷 (Extension B): the primary face draws its box; the chain draws it exactly as Hanazono does
    assert result["𠮷"] == {"same_as_primary": False, "same_as_its_face": True}
    # common hanzi: the chain changes nothing
    assert result["张三"] == {"same_as_primary": True, "same_as_its_face": True}
    wide, narrow = result["widths"]
    assert wide > narrow * 1.3, result["widths"]  # the fallback run is measured and placed, not dropped
