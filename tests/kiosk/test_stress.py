"""The screenshot tour on the stress centre (content.centre.stress): 20 windows, 40 categories, 60
staff, names at their longest, rare hanzi of every CJK extension, a 1,000-character step.

The tour fails by itself on cut text, overlapping widgets, glyphs no face draws, small touch targets
and disclosure text missing from the guide (kiosk.checks), in portrait and landscape, normal and large
text; this test only runs it against the real broker and service.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from content.broker.config import Account, Roster
from content.broker.local import Mosquitto, mosquitto_available
from content.centre.stress import write_stress_centre
from tests.kiosk.test_app import LANDSCAPE, SCREENS, SIZE, _kiosk, hall_kiosk, xvfb  # noqa: F401  (xvfb: the fixture)

STRESS = "stress"
"""The stress centre's id (its centre.yaml)."""
SHOTS = Path(os.environ.get("HALL_STRESS_SHOTS", "/tmp/stress-shots"))
"""Where the PNGs are copied for a person to look at."""


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """The broker of the stress centre: the accounts the service and the kiosk need, under its id
    (this module's `start_service` uses it)."""
    if not mosquitto_available():
        pytest.fail("Mosquitto is not installed: run the tests through scripts/dev test")
    roster = Roster(
        centre=STRESS, accounts=[Account(user="service", role="service"), Account(user="kiosk-1", role="kiosk")]
    )
    instance = Mosquitto(tmp_path / "broker", roster).start()
    yield instance
    instance.stop()


@pytest.mark.broker
@pytest.mark.parametrize("size", [SIZE, LANDSCAPE], ids=["portrait", "landscape"])
def test_the_stress_centre_on_every_screen(
    xvfb: str,  # noqa: F811
    broker: Mosquitto,
    start_service: Callable[..., Any],
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    content = tmp_path / "stress"
    write_stress_centre(content)
    start_service(content)
    out = tmp_path / "shots"
    argv = ["--broker", broker.url("kiosk-1"), "--centre", STRESS, "--cache", str(tmp_path / "cache")]
    argv += ["--screenshots", str(out), "--size", f"{size[0]}x{size[1]}"]
    done = _kiosk(xvfb, hall_kiosk(argv), tmp_path)
    if out.is_dir():
        view = SHOTS / ("portrait" if size == SIZE else "landscape")
        shutil.rmtree(view, ignore_errors=True)
        shutil.copytree(out, view)
    assert done.returncode == 0, done.stderr[-4000:]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in SCREENS)
