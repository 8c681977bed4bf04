from __future__ import annotations

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
