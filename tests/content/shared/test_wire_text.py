"""Texts people must read whole: what hall check accepts is read whole, anything longer is cut between two
characters a reader sees, with a visible mark."""

from __future__ import annotations

from content.shared import limits as cap
from content.shared.wire.text import read_whole, read_wholes


def test_a_note_or_fee_as_long_as_check_accepts_is_read_whole() -> None:
    note = "境外材料须经公证认证" * 100  # 1,000 characters
    assert len(note) == cap.NOTE and read_whole(note, cap.NOTE) == note
    assert read_wholes([note, "", 3], cap.NOTE, cap.STEPS) == (note,)


def test_a_longer_text_is_cut_between_characters_with_a_mark() -> None:
    # 𠮷 is one character; é written as e and a combining accent is one character of two code points
    text = "𠮷" * 5 + "e\u0301" * 10
    cut = read_whole(text, 9)  # nine code points at most: 𠮷 × 5, é (two) and the mark
    assert cut == "𠮷" * 5 + "e\u0301" + "…"  # not 𠮷 × 5 + é + e…, an accent cut off its letter
    assert read_whole("阿依古丽·买买提" * 3, 10).endswith("…")


def test_a_hostile_field_is_bounded() -> None:
    huge = "a" + "\u0301" * 1_000_000  # one character of a million code points
    cut = read_whole(huge, cap.NOTE)
    assert len(cut) <= cap.NOTE and cut.endswith("…")
    assert read_whole(None, cap.NOTE) == "" and read_whole(["x"], cap.NOTE) == ""
