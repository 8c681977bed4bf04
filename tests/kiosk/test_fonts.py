"""The kiosk's font chain: runs split by coverage, and what the installed faces draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.fonts import FALLBACKS, PRIMARY, FontChain, FontError, find_face, split_runs

# One character of each block a hall's names may use, and the punctuation of Chinese text.
HANZI = {
    "URO": "张",
    "URO, late additions": "鿏",
    "Extension A": "㐀䶵",
    "Extension B": "𠮷𡋗𠀀",
    "Extension C": "𪜀",
    "Extension D": "𫝀",
    "Extension E": "𫠠",
    "Extension F": "𬺰",
    "punctuation and symbols": "·—①，。、（）《》“”…Ａ１％",
}
EXT_G = "\U00031350"  # CJK Extension G (Unicode 13): no Debian font in the chain has it yet


def test_runs_follow_coverage_and_keep_spaces_and_marks_in_their_run() -> None:
    covered = {"张": 0, "三": 0, "𠮷": 1, "e": 0, "①": 2}
    runs = split_runs("张𠮷𠮷 三e\u0301①", covered.get)
    assert runs == [(0, "张"), (1, "𠮷𠮷 "), (0, "三e\u0301"), (2, "①")]
    assert "".join(run for _, run in runs) == "张𠮷𠮷 三e\u0301①"


def test_a_character_no_face_has_goes_to_the_primary_face() -> None:
    assert split_runs("a\U00031350b", {"a": 0, "b": 0}.get) == [(0, "a\U00031350b")]
    assert split_runs("", {}.get) == []
    assert split_runs("  ", {}.get) == [(0, "  ")]


@pytest.fixture(scope="module")
def installed() -> FontChain:
    return FontChain.installed()


def test_the_installed_chain_is_primary_then_every_fallback(installed: FontChain) -> None:
    dirs = [Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    assert installed.paths[0] == next(p for f in PRIMARY if (p := find_face(f, dirs)))
    assert [p.name for p in installed.paths[1:]] == [f.name for f in FALLBACKS if find_face(f, dirs)]
    # scripts/dev installs every fallback: the chain is whole on a machine it set up
    assert len(installed.paths) == 1 + len(FALLBACKS)


@pytest.mark.parametrize("block", list(HANZI))
def test_every_cjk_block_a_hall_uses_is_drawn(installed: FontChain, block: str) -> None:
    assert installed.missing(HANZI[block]) == []


def test_rare_hanzi_come_from_a_fallback_and_common_ones_from_the_primary(installed: FontChain) -> None:
    assert installed.face_of("张") == 0
    assert installed.face_of("𠮷") not in (0, None)
    runs = installed.runs("王𠮷祥")
    assert [run for _, run in runs] == ["王", "𠮷", "祥"] and runs[0][0] == runs[2][0] == 0


def test_missing_names_what_no_face_draws_once(installed: FontChain) -> None:
    assert installed.missing(f"张{EXT_G}三{EXT_G}\u200b\n") == [EXT_G]


def test_no_primary_face_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="请安装 fonts-wqy-microhei"):
        FontChain.installed([tmp_path])


def test_a_damaged_fallback_draws_nothing_rather_than_stopping_the_kiosk(tmp_path: Path) -> None:
    broken = tmp_path / "HanaMinB.ttf"
    broken.write_bytes(b"not a font")
    chain = FontChain([broken])
    assert chain.face_of("张") is None and chain.missing("张") == ["张"]
