"""Text is cut by what a reader sees as one character, never inside a name joined by a middle dot."""

from __future__ import annotations

import pytest

from content.shared.graphemes import cut, graphemes, length


def test_a_rare_hanzi_beyond_the_basic_plane_is_one_character() -> None:
    assert graphemes("𠮷𡋗") == ["𠮷", "𡋗"]
    assert cut("农业农村（𠮷𡋗）服务窗口", 7) == "农业农村（𠮷…"


def test_combining_marks_and_joined_emoji_stay_with_their_letter() -> None:
    assert length("e\u0301👨\u200d👩\u200d👧") == 2
    assert cut("e\u0301e\u0301e\u0301", 2) == "e\u0301…"


@pytest.mark.parametrize(
    ("text", "limit", "want"),
    [
        ("阿依古丽·买买提", 8, "阿依古丽·买买提"),
        ("阿依古丽·买买提", 7, "阿依古丽…"),
        ("陈静、阿依古丽·买买提", 9, "陈静、…"),
    ],
)
def test_a_name_joined_by_a_middle_dot_is_kept_whole_or_left_out(text: str, limit: int, want: str) -> None:
    assert cut(text, limit) == want


def test_short_text_is_not_marked() -> None:
    assert cut("综合窗口", 4) == "综合窗口"
