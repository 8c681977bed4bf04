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
    """Each `Refusal("code", name=...)` in the service and `CaseRefused(message, "code", name=...)` in the
    case rules: where, the code, the values given."""
    found = []
    sources = [*(REPO / "content" / "service").rglob("*.py"), REPO / "content" / "cases" / "rules.py"]
    for path in sorted(sources):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            at = {"Refusal": 0, "CaseRefused": 1}.get(node.func.id)
            if at is None:
                continue
            where = f"{Path(path).relative_to(REPO)}:{node.lineno}"
            code = node.args[at] if len(node.args) > at else None
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                assert all(k.arg for k in node.keywords), f"{where}: name each value, no **"
                found.append((where, code.value, frozenset(k.arg for k in node.keywords if k.arg)))
            else:  # only the service's translation of a case refusal passes a code on
                assert node.func.id == "Refusal", f"{where}: the code of a case refusal is written out"
    return found


def test_every_refusal_raised_has_a_sentence_naming_exactly_its_values() -> None:
    raised = _raised()
    assert len(raised) > 60
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


def test_every_refusal_of_the_queue_rules_has_its_sentence() -> None:
    source = (REPO / "content" / "queue" / "rules.py").read_text(encoding="utf-8")
    codes = {
        node.args[1].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "QueueError"
        if len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
    }
    assert len(codes) == 8 and codes <= SENTENCES.keys()
