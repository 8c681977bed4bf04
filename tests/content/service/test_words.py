"""The service's words are the hall's: every refusal and every problem a field reader names reads as Chinese
in zh_CN (a field by the name a clerk knows it by, what was wrong, what it should be), the same sentences
read as English under HALL_LANG=en, and a value a problem repeats is cut between graphemes."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from content.centre.loader import Content
from content.queue import rules as q
from content.service.commands import announcements, base, cases, queue, staff, statistics, windows
from content.service.commands.base import Args, Context, Refusal, parse_args, problem
from content.service.commands.table import COMMANDS
from content.service.live import Live
from content.shared import contract
from content.shared.refusals import SENTENCES, placeholders, sentence
from tests.conftest import REPO
from tests.words import english

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))
MODELS: list[type[Args]] = [
    model
    for module in (announcements, cases, queue, staff, statistics, windows)
    for model in vars(module).values()
    if isinstance(model, type) and issubclass(model, Args) and model is not Args
]


def _literals(annotation: Any) -> set[str]:
    found = set()
    for arg in typing.get_args(annotation):
        if isinstance(arg, str):
            found.add(arg)
        else:
            found |= _literals(arg)
    return found


def _typed() -> set[str]:
    """What a person types and a sentence names as typed: the commands' argument names and the values
    they take (`sent`, `village`), the verbs, and the commands of `hall` the sentences point to."""
    tokens = {"hall", "serve", "announce", "public_url", "args", "person", *COMMANDS}
    for model in MODELS:
        for name, field in model.model_fields.items():
            tokens |= {name, *_literals(field.annotation)}
    return {part for token in tokens for part in re.findall(r"[A-Za-z']+", token)} | {"ticket'", "transfer'"}


TYPED = _typed()


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_every_refusal_reads_as_chinese(code: str) -> None:
    said = sentence(code, **{name: "甲" for name in placeholders(code)})
    assert re.search(r"[\u4e00-\u9fff]", said), said
    assert english(said, TYPED) == [], said


def _errors() -> list[tuple[type[Args], dict[str, Any]]]:
    """For each argument of each command, arguments that get each kind of problem it can have."""
    cases_: list[tuple[type[Args], dict[str, Any]]] = []
    for model in MODELS:
        for name in model.model_fields:
            for wrong in (None, 3.5, [], {}, "", "甲" * 3000, "乙乙", -1, 10**12, True, ["甲"] * 200):
                cases_.append((model, {name: wrong}))
        cases_.append((model, {"颜色": "红"}))
    return cases_


def test_every_problem_of_a_command_s_arguments_reads_as_chinese() -> None:
    """Each pydantic error every command's arguments can give, through `problem`: the argument by its
    Chinese name, no English word but the values a person types."""
    kinds: set[str] = set()
    for model, args in _errors():
        try:
            model.model_validate(args)
        except ValidationError as exc:
            for error in exc.errors():
                kinds.add(error["type"])
                said = problem(error)
                assert re.search(r"[\u4e00-\u9fff]", said), said
                assert english(said, TYPED) == [], (error["type"], said)
    assert {"missing", "extra_forbidden", "string_type", "string_too_long", "literal_error"} <= kinds


def test_every_argument_has_its_chinese_name() -> None:
    names = {name for model in MODELS for name in model.model_fields}
    assert names - base.ARGUMENT_NAMES.keys() == set()


def test_a_ticket_of_the_wrong_form_is_named_as_the_clerk_knows_it(content: Content) -> None:
    """The console showed `未完成：'ticket' has the wrong form; got 'C00'`."""
    with pytest.raises(Refusal) as refused:
        queue.call(Context(Live(), content, {"window": "shebao", "action": "ticket", "ticket": "C00"}, "staff", NOW))
    assert str(refused.value) == "参数有误：票号“C00”的格式不对：应为一到两个大写字母加三位数字，例如 A012"


def test_a_value_a_problem_repeats_is_cut_between_graphemes() -> None:
    family = "👨‍👩‍👧‍👦"
    with pytest.raises(Refusal) as refused:
        parse_args(queue.CallArgs, {"window": "shebao", "action": "ticket", "ticket": "甲" * 59 + family + "乙"})
    said = str(refused.value)
    assert "甲" * 59 + "…" in said and "\u200d" not in said


@pytest.mark.parametrize(
    "raw",
    [b"\xff", b"{nope", b"[1, 2]", b'{"schema": 2}', b"{}", b"1" * 5000, b"[" * 100_000, b'{"schema": 1}' * 3],
)
def test_every_problem_of_a_message_reads_as_chinese(raw: bytes) -> None:
    with pytest.raises(contract.PayloadError) as problem_:
        contract.decode(raw, 10_000 if len(raw) < 10_000 else 50)
    assert english(str(problem_.value)) == [], str(problem_.value)


@pytest.mark.parametrize("value", [None, "items", 3, {}, True])
def test_a_document_without_its_list_says_so_in_chinese(value: Any) -> None:
    with pytest.raises(contract.PayloadError) as problem_:
        contract.read_main_rows({"items": value}, "items", "catalog")
    said = str(problem_.value)
    assert said.startswith("事项目录文档中的事项应为列表") and english(said) == [], said


def test_a_zone_that_is_none_is_named_in_chinese() -> None:
    with pytest.raises(contract.PayloadError, match="没有“Asia”这个时区"):
        contract.read_zone("Asia")


def test_a_field_reader_cuts_between_graphemes() -> None:
    """read_text cut code points: a surrogate pair or a family emoji came out broken."""
    assert contract.read_text("甲" * 4 + "👨‍👩‍👧‍👦", 6) == "甲" * 4
    assert contract.read_text("阿依古丽·买买提 你好", 7) == "阿依古丽·买买"  # a name alone longer than the cut
    assert contract.read_text("去 阿依古丽·买买提", 8) == "去"
    assert contract.read_text("  甲乙  ", 2) == "甲乙"


def test_every_refusal_of_the_queue_rules_is_worded(content: Content) -> None:
    """The audit log showed `拒绝：no ticket Z999 today`: a rule's own English passed on as `queue_rule`."""
    codes = {"window_paused", "no_ticket", "ticket_taken", "nobody_served", "same_window", "same_category"}
    live = queue.take_ticket(Context(Live(), content, {"category": "shebao"}, "kiosk-1", NOW)).live
    live = queue.call(Context(live, content, {"window": "shebao"}, "staff", NOW)).live
    for code in codes | {"still_serving"}:
        refused = queue.queue_refused(q.QueueError("in English", code), content, live.queue, "shebao", "Z999")
        said = str(refused)
        assert refused.code == code and "English" not in said and english(said) == [], said


def test_the_words_are_english_under_hall_lang_en() -> None:
    probe = (
        "from content.shared.refusals import sentence\n"
        "from content.shared import wording, contract\n"
        "from content.service.commands.base import problem\n"
        "print(sentence('no_ticket', ticket='Z999'))\n"
        "print(wording.TIER_NAMES['village'], '|', wording.format_days(('mon', 'tue', 'wed')))\n"
        "print(problem({'type': 'string_pattern_mismatch', 'loc': ('ticket',), 'input': 'C00'}))\n"
        "try:\n    contract.decode(b'[1]')\nexcept contract.PayloadError as e:\n    print(e)\n"
    )
    lines = {}
    for lang in ("en", "zh_CN"):
        lines[lang] = subprocess.run(
            [sys.executable, "-c", probe],
            env={"HALL_LANG": lang, "PATH": "/usr/bin:/bin"},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    assert lines["en"] == [
        "There is no number Z999 today",
        "village (community) service point | Mon to Wed",
        "The number “C00” has the wrong form: it should be one or two capital letters and three digits, e.g. A012",
        "The message should be a JSON object, not a list",
    ]
    assert lines["zh_CN"] == [
        "今天没有 Z999 号",
        "村(社区)代办点 | 周一至周三",
        "票号“C00”的格式不对：应为一到两个大写字母加三位数字，例如 A012",
        "消息应为 JSON 对象，收到的是列表",
    ]


def test_a_model_list_is_found() -> None:
    assert len(MODELS) >= 10 and all(issubclass(m, BaseModel) for m in MODELS)
