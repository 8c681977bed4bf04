from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from content.shared import yamlfile
from content.shared.yamlfile import parse_yaml


def test_line_of_follows_the_path_to_the_deepest_value() -> None:
    text = "items:\n  - id: a\n    limits:\n      legal: 20\n      promised: 8\n  - id: b\n"
    data, located, problems = parse_yaml(text, "x.yaml")
    assert problems == []
    assert located.line_of(data, ("items", 0, "limits", "promised")) == 5
    assert located.line_of(data, ("items", 1, "id")) == 6
    # A missing key reports the line of the nearest existing parent.
    assert located.line_of(data, ("items", 1, "name")) == 6
    assert located.line_of(data, ("nothing",)) == 1


def test_duplicate_keys_are_problems_not_silent_overrides() -> None:
    _, _, problems = parse_yaml("id: a\nname: x\nid: b\n", "c.yaml")
    assert [str(p) for p in problems] == ["c.yaml:3: duplicate key 'id'"]


def test_syntax_error_is_reported_with_its_line() -> None:
    data, _, problems = parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "s.yaml")
    assert data is None
    assert len(problems) == 1
    assert problems[0].file == "s.yaml"
    assert problems[0].line in (2, 3)
    assert problems[0].message.startswith("YAML syntax:")


def test_unhashable_key_is_a_problem() -> None:
    _, _, problems = parse_yaml("? [a, b]\n: 1\n", "k.yaml")
    assert [p.message for p in problems] == ["a key must be plain text"]


def test_aliases_that_expand_past_the_budget_are_refused_at_their_line() -> None:
    from content.shared.yamlfile import MAX_VALUES, parse_yaml

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    data, _, problems = parse_yaml("\n".join(lines) + "\nagents: *a8\n", "agents.yaml")
    (problem,) = problems
    assert data is None and problem.line == 7  # a6: 9**7 values, the first past the budget
    assert f"expand to more than {MAX_VALUES:,} values" in problem.message


def test_an_anchor_shared_a_few_times_is_content_like_any_other() -> None:
    from content.shared.yamlfile import parse_yaml

    text = "common: &docs [{name: 居民身份证}]\nitems:\n  - documents: *docs\n  - documents: *docs\n"
    data, _, problems = parse_yaml(text, "items.yaml")
    assert problems == [] and data["items"][1]["documents"] == [{"name": "居民身份证"}]


def test_nesting_past_the_bound_is_refused_at_its_line_not_by_a_recursion_error() -> None:
    from content.shared.yamlfile import MAX_DEPTH, parse_yaml

    data, _, problems = parse_yaml("items:\n  - " + "[" * 900 + "x" + "]" * 900 + "\n", "items/deep.yaml")
    (problem,) = problems
    assert data is None and problem.line == 2 and f"more than {MAX_DEPTH} levels" in problem.message
    data, _, problems = parse_yaml("items:\n  - " + "[" * 5000 + "x" + "]" * 5000 + "\n", "items/deep.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [
        (2, "YAML syntax: exceeded maximum nesting depth")
    ]
    # The same depth built from aliases, each a shallow line of its own.
    chain = ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 1))]
    data, _, problems = parse_yaml("\n".join(chain) + "\n", "staff.yaml")
    assert data is None and f"more than {MAX_DEPTH} levels" in problems[0].message
    just = parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", "agents.yaml")
    assert just[2] == []


def test_an_alias_that_refers_to_itself_is_refused() -> None:
    from content.shared.yamlfile import parse_yaml

    data, _, problems = parse_yaml("staff: &s [1, *s]\n", "staff.yaml")
    assert data is None and "refers to itself" in problems[0].message


def test_a_file_too_large_or_not_text_is_refused_unread(tmp_path: Path) -> None:
    from content.shared.yamlfile import MAX_FILE_BYTES, load_yaml

    huge = tmp_path / "items" / "huge.yaml"
    huge.parent.mkdir()
    with huge.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    _, _, problems = load_yaml(huge)
    assert "is 16.0 MB, more than the 16 MB a content file may be" in problems[0].message
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 10)
    _, _, problems = load_yaml(binary)
    assert problems and ("not UTF-8" in problems[0].message or "YAML" in problems[0].message)


class _PurePythonLoader(yaml.SafeLoader):
    located: yamlfile.Located
    problems: list[yamlfile.Problem]


_PurePythonLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, yamlfile._construct_mapping)
_PurePythonLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, yamlfile._construct_sequence)


@pytest.fixture(params=["libyaml", "pure-python"])
def either_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml and the pure-Python parser (used where libyaml is missing) word their errors differently."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlfile, "_Loader", _PurePythonLoader)


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "staff:\n  - id: s01\n    name: [王志强\n    post: 主任\n",
            3,
            "YAML syntax: the '[' opened on line 3 is never closed: add the ']'",
        ),
        (
            "staff:\n  - id: s01\n    name: {a: 王志强\n    post: 主任\n",
            3,
            "YAML syntax: the '{' opened on line 3 is never closed: add the '}'",
        ),
        ("agents: [a01, a02", 1, "YAML syntax: the '[' opened on line 1 is never closed: add the ']'"),
        ("a: 1\nb: [1, 2\n", 2, "YAML syntax: the '[' opened on line 2 is never closed: add the ']'"),
        (
            "days: [mon,\n  tue,\n  wed\nclose: x\n",
            1,
            "YAML syntax: the '[' opened on line 1 is never closed: add the ']'"
            " (or a ',' between its items before line 4)",
        ),
        ('a: 1\ndays: ["mon" tue]\n', 2, "YAML syntax: the '[' here needs a ',' between its items"),
    ],
)
def test_an_unclosed_bracket_is_reported_at_the_line_it_opened(text: str, line: int, message: str) -> None:
    data, _, problems = parse_yaml(text, "s.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [(line, message)]


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("staff:\n  - id: s01\n\tname: 王志强\n", 3),
        ("staff:\n\t- id: s01\n", 2),
        ("staff:\n  - id: s01\n  \tname: 王志强\n", 3),
        ("\tstaff: []\n", 1),
    ],
)
def test_a_tab_in_the_indentation_says_to_use_spaces(text: str, line: int) -> None:
    data, _, problems = parse_yaml(text, "staff.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [
        (line, "YAML syntax: a tab in the indentation: YAML does not allow tabs for indentation, use spaces")
    ]


def test_other_syntax_errors_keep_the_parsers_words() -> None:
    _, _, problems = parse_yaml("a: 1\n@b: 2\n", "x.yaml")
    assert [p.line for p in problems] == [2] and problems[0].message.startswith("YAML syntax: ")
    assert "tab" not in problems[0].message and "bracket" not in problems[0].message


def test_a_fifo_or_a_link_to_a_device_is_refused_unread_and_a_link_to_a_file_is_read(tmp_path: Path) -> None:
    from content.shared.yamlfile import load_yaml

    os.mkfifo(tmp_path / "centre.yaml")  # no writer: a plain open would wait for one for ever
    (tmp_path / "roster.yaml").symlink_to("/dev/zero")  # says it is empty, and never ends
    (tmp_path / "real.yaml").write_text("name: 魏城\n", encoding="utf-8")
    (tmp_path / "profile.yaml").symlink_to(tmp_path / "real.yaml")  # an operator's link to a kept file
    assert [str(p) for p in load_yaml(tmp_path / "centre.yaml", "c/centre.yaml")[2]] == [
        "c/centre.yaml:1: is a FIFO, not a regular file"
    ]
    assert [str(p) for p in load_yaml(tmp_path / "roster.yaml", "roster.yaml")[2]] == [
        "roster.yaml:1: is a character device, not a regular file"
    ]
    assert load_yaml(tmp_path / "profile.yaml")[0] == {"name": "魏城"}
