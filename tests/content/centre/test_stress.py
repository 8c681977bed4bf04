"""The stress centre loads clean: every edge it stands at is one the schema admits."""

from __future__ import annotations

from pathlib import Path

from content.centre.loader import load_content
from content.centre.stress import CATEGORIES, EMPTY_CATEGORY, RARE, STAFF, WINDOWS, write_stress_centre
from content.queue import rules as q


def test_the_stress_centre_is_valid_content_at_the_edges(tmp_path: Path) -> None:
    write_stress_centre(tmp_path / "c")
    result = load_content(tmp_path / "c")
    assert result.problems == [] and result.content is not None
    content = result.content
    assert (len(content.centre.windows), len(content.categories), len(content.staff)) == (WINDOWS, CATEGORIES, STAFF)
    assert not [i for i in content.items if i.category == EMPTY_CATEGORY]
    assert {a.tier for a in content.agents} == {"village", "township", "district"}
    assert max(len(s) for i in content.items for s in i.steps) == 1000
    assert max(len(i.documents) for i in content.items) == 25
    assert all(ch in content.centre.name for ch in RARE)
    assert [c.prefix for c in content.categories][25:28] == ["Z", "AA", "AB"]


def test_two_letter_prefixes_number_tickets() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    state = q.issue(q.QueueState(day=now.date()), "c27", "AA", None, now)
    assert "AA001" in state.tickets


def test_the_stress_centre_carries_long_notes_and_a_full_fee_which_check_says_are_paged(tmp_path: Path) -> None:
    from content.centre.stress import LEGALISATION, MANY_DOCUMENTS
    from content.shared import limits as cap

    write_stress_centre(tmp_path / "c")
    result = load_content(tmp_path / "c")
    assert result.content is not None
    first = result.content.items[0]
    notes = [d.note for d in first.documents if d.note]
    assert len(first.documents) == MANY_DOCUMENTS and len(first.fee) == cap.NOTE
    assert len(notes[0]) == LEGALISATION == 348 and len(notes[-1]) == cap.NOTE
    paged = [n.message for n in result.notices]
    assert any("第 4 项材料的说明有 348 个字" in m for m in paged)
    assert any("的收费说明有 1000 个字" in m for m in paged) and any("的第 1 步有 1000 个字" in m for m in paged)
