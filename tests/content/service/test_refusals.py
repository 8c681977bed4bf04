"""Every refusal the service raises has its code and sentence in `content.shared.refusals`, and fills in
exactly the values its sentence names: a typo would otherwise surface as a command left unanswered."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from content.centre.loader import Content
from content.service.commands.base import Context, Refusal
from content.service.commands.queue import call, take_ticket
from content.service.commands.windows import window
from content.service.live import Live
from content.shared.refusals import SENTENCES, placeholders, sentence
from tests.conftest import REPO

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _raised() -> list[tuple[str, str, frozenset[str]]]:
    """Each `Refusal("code", name=...)` in the service's source: where, the code, the values given."""
    found = []
    for path in sorted((REPO / "content" / "service").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Refusal":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    where = f"{Path(path).relative_to(REPO)}:{node.lineno}"
                    found.append((where, first.value, frozenset(k.arg for k in node.keywords if k.arg)))
    return found


def test_every_refusal_raised_has_a_sentence_naming_exactly_its_values() -> None:
    raised = _raised()
    assert len(raised) > 40
    for where, code, values in raised:
        assert code in SENTENCES, where
        assert placeholders(code) == values, where


def test_every_sentence_reads_with_its_values_filled_in() -> None:
    for code in SENTENCES:
        said = sentence(code, **{name: "X" for name in placeholders(code)})
        assert said and "{" not in said and "}" not in said, code
    with pytest.raises(KeyError):
        sentence("no_ticket")


def test_a_refusal_of_the_queue_rules_names_what_it_is_about(content: Content) -> None:
    def refused(live: Live, handler, args: dict) -> Refusal:  # type: ignore[no-untyped-def]
        with pytest.raises(Refusal) as caught:
            handler(Context(live, content, args, "staff", NOW))
        return caught.value

    live = take_ticket(Context(Live(), content, {"category": "shebao"}, "kiosk-1", NOW)).live
    live = call(Context(live, content, {"window": "shebao"}, "staff", NOW)).live
    paused = refused(live, window, {"window": "shebao", "state": "pause", "reason": "午休"})
    assert (paused.code, str(paused)) == (
        "still_serving",
        "社会保障窗口正在办理 A001 号：请先办结、转办或标记过号，再暂停服务",
    )
    again = refused(live, call, {"window": "zonghe", "action": "ticket", "ticket": "A001"})
    assert (again.code, str(again)) == ("ticket_taken", "A001 号已经叫过（正在办理或已办结）")
    same = refused(live, call, {"window": "shebao", "action": "transfer", "to_window": "shebao"})
    assert (same.code, str(same)) == ("same_window", "A001 号已经在社会保障窗口")
    category = refused(live, call, {"window": "shebao", "action": "transfer", "category": "shebao"})
    assert (category.code, str(category)) == ("same_category", "A001 号已经在“社会保障”类")
