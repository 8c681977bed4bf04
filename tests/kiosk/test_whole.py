"""What a kiosk screen lists is shown whole, on the stress centre (content.centre.stress: 40 categories,
rare hanzi, names and texts at their longest), in landscape large text and portrait normal text: home's
category tiles and duty cards, the search results, the 取号 step's categories, a guide's 1,000-character
steps (tests/kiosk/tours/whole.py measures them in a real Kivy window under Xvfb).

The PNGs stay in var/shots/kiosk for a person to look at."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import REPO
from tests.kiosk.test_app import RunningKiosk, run_kiosk, xvfb  # noqa: F401  (fixtures)
from tests.kiosk.tours import command
from tests.words import english

SHOTS = REPO / "var" / "shots" / "kiosk"
_REPORTS: dict[tuple[tuple[int, int], bool], dict[str, Any]] = {}
"""One kiosk run for each view, whose report every test of that view reads."""


@pytest.fixture(
    params=[((1920, 1080), True), ((1080, 1920), False)], ids=["landscape-large", "portrait-normal"], scope="module"
)
def view(request: pytest.FixtureRequest) -> tuple[tuple[int, int], bool]:
    size: tuple[int, int] = request.param[0]
    return size, bool(request.param[1])


@pytest.fixture
def report(
    run_kiosk: Callable[[list[str]], RunningKiosk],  # noqa: F811
    view: tuple[tuple[int, int], bool],
) -> dict[str, Any]:
    if view in _REPORTS:
        return _REPORTS[view]
    (width, height), large = view
    tag = ("landscape" if width > height else "portrait") + ("-large" if large else "-normal")
    args = ["whole", "--stress", "--size", f"{width}x{height}", "--out", str(SHOTS), "--tag", tag]
    kiosk = run_kiosk(command(*args, *(["--large"] if large else [])))
    line = kiosk.wait_line("WHOLE")
    assert kiosk.wait_exit() == 0, kiosk.seen
    found: dict[str, Any] = json.loads(line.removeprefix("WHOLE "))
    _REPORTS[view] = found
    return found


def assert_whole(listing: dict[str, Any], least: int) -> None:
    """No row sliced by the view's edge, none taller than the view, at least `least` on view whole."""
    assert listing["part"] == [], listing
    assert listing["taller"] == [], listing
    assert listing["whole"] >= least, listing
    assert listing["whole"] + listing["hidden"] == listing["count"], listing


def test_home_shows_whole_rows_of_tiles_and_duty_cards_text_at_their_top(
    report: dict[str, Any], view: tuple[tuple[int, int], bool]
) -> None:
    home = report["home"]
    tiles = home["tiles"]
    assert tiles["count"] == 40
    assert_whole(tiles, 2 * tiles["first_row"])  # two rows at least: before, one row and a sliver
    assert tiles["first_row"] == (4 if view[0][0] > view[0][1] else 3)
    assert home["duty"]["part"] == [], home["duty"]
    assert home["duty_low"] == []  # before: the text at the bottom, a card cut by the panel showed an empty box
    assert home["overlap"] == [] and home["cut"] == []


def test_every_search_result_can_be_seen_whole(report: dict[str, Any]) -> None:
    search = report["search"]
    results = search["results"]
    assert results["count"] == search["found"] == 2
    assert results["taller"] == [], results  # before: a view 110 px tall in landscape large text
    assert results["whole"] >= 1 and results["whole"] + len(results["part"]) + results["hidden"] == 2
    assert search["overlap"] == [] and search["cut"] == []


def test_the_ticket_step_lays_the_categories_in_a_grid_as_home(
    report: dict[str, Any], view: tuple[tuple[int, int], bool]
) -> None:
    ticket = report["ticket"]
    tiles = ticket["tiles"]
    assert tiles["first_row"] == (4 if view[0][0] > view[0][1] else 3)  # before: one 1,900 px button a row
    assert_whole(tiles, 2 * tiles["first_row"])
    assert ticket["overlap"] == [] and ticket["cut"] == []


def test_a_guide_shows_its_1000_character_steps_whole(report: dict[str, Any]) -> None:
    guide = report["guide"]
    assert guide["longest"] == 1000
    assert guide["shown"] >= 1 and guide["missing"] == []
    assert guide["overlap"] == [] and guide["cut"] == []


def test_every_word_on_these_screens_is_chinese(report: dict[str, Any]) -> None:
    for screen, seen in report.items():
        assert english("\n".join(seen["texts"]), ["shebao"]) == [], screen  # shebao: what was typed
