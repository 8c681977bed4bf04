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
    assert [str(p) for p in problems] == [
        "c.yaml:3: 键“id”在同一层里写了两次（第 1 行已经写过）：保留一个，或者把另一个改名"
    ]


def test_syntax_error_is_reported_with_its_line() -> None:
    data, _, problems = parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "s.yaml")
    assert data is None
    assert len(problems) == 1
    assert problems[0].file == "s.yaml"
    assert problems[0].line == 2
    assert problems[0].message == "第 2 行的“[”没有闭合：补上“]”"


def test_unhashable_key_is_a_problem() -> None:
    _, _, problems = parse_yaml("? [a, b]\n: 1\n", "k.yaml")
    assert [p.message for p in problems] == ["键必须是普通文字，不能是列表或映射：写成 name: 值 的形式"]


def test_aliases_that_expand_past_the_budget_are_refused_at_their_line() -> None:
    from content.shared.yamlfile import MAX_VALUES, parse_yaml

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    data, _, problems = parse_yaml("\n".join(lines) + "\nagents: *a8\n", "agents.yaml")
    (problem,) = problems
    assert data is None and problem.line == 7  # a6: 9**7 values, the first past the budget
    assert f"展开后超过 {MAX_VALUES:,} 个值" in problem.message


def test_an_anchor_shared_a_few_times_is_content_like_any_other() -> None:
    from content.shared.yamlfile import parse_yaml

    text = "common: &docs [{name: 居民身份证}]\nitems:\n  - documents: *docs\n  - documents: *docs\n"
    data, _, problems = parse_yaml(text, "items.yaml")
    assert problems == [] and data["items"][1]["documents"] == [{"name": "居民身份证"}]


def test_nesting_past_the_bound_is_refused_at_its_line_not_by_a_recursion_error() -> None:
    from content.shared.yamlfile import MAX_DEPTH, parse_yaml

    data, _, problems = parse_yaml("items:\n  - " + "[" * 900 + "x" + "]" * 900 + "\n", "items/deep.yaml")
    (problem,) = problems
    assert data is None and problem.line == 2 and f"嵌套超过 {MAX_DEPTH} 层" in problem.message
    data, _, problems = parse_yaml("items:\n  - " + "[" * 5000 + "x" + "]" * 5000 + "\n", "items/deep.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [
        (2, f"嵌套超过 {MAX_DEPTH} 层（内容通常只有几层）：检查没有闭合的括号")
    ]
    # The same depth built from aliases, each a shallow line of its own.
    chain = ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 1))]
    data, _, problems = parse_yaml("\n".join(chain) + "\n", "staff.yaml")
    assert data is None and f"嵌套超过 {MAX_DEPTH} 层" in problems[0].message
    just = parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", "agents.yaml")
    assert just[2] == []


def test_an_alias_that_refers_to_itself_is_refused() -> None:
    from content.shared.yamlfile import parse_yaml

    data, _, problems = parse_yaml("staff: &s [1, *s]\n", "staff.yaml")
    assert data is None and "这里的引用指向它自己" in problems[0].message


def test_a_file_too_large_or_not_text_is_refused_unread(tmp_path: Path) -> None:
    from content.shared.yamlfile import MAX_FILE_BYTES, load_yaml

    huge = tmp_path / "items" / "huge.yaml"
    huge.parent.mkdir()
    with huge.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    _, _, problems = load_yaml(huge)
    assert problems[0].message == "文件有 16.0 MB，超过内容文件最多 16 MB 的上限"
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 10)
    _, _, problems = load_yaml(binary)
    assert problems and problems[0].message.startswith("文件不是 UTF-8 编码（第 128 个字节）")


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
            "第 3 行的“[”没有闭合：补上“]”",
        ),
        (
            "staff:\n  - id: s01\n    name: {a: 王志强\n    post: 主任\n",
            3,
            "第 3 行的“{”没有闭合：补上“}”",
        ),
        ("agents: [a01, a02", 1, "第 1 行的“[”没有闭合：补上“]”"),
        ("a: 1\nb: [1, 2\n", 2, "第 2 行的“[”没有闭合：补上“]”"),
        ("agents: [\n", 1, "第 1 行的“[”没有闭合：补上“]”"),
        (
            "days: [mon,\n  tue,\n  wed\nclose: x\n",
            1,
            "第 1 行的“[”没有闭合：补上“]”（或者在第 4 行之前的各项之间补上英文逗号“,”）",
        ),
        ('a: 1\ndays: ["mon" tue]\n', 2, "这里的“[”里各项之间要用英文逗号“,”分隔"),
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
        (line, "缩进里有制表符（Tab 键）：YAML 不允许用 Tab 缩进，请改用空格")
    ]


def test_a_reserved_character_at_the_start_of_a_value_says_to_quote_it() -> None:
    _, _, problems = parse_yaml("a: 1\n@b: 2\n", "x.yaml")
    assert [(p.line, p.message) for p in problems] == [(2, "在 YAML 里值不能以“@”开头：把整个值放进英文双引号")]


def test_a_fifo_or_a_link_to_a_device_is_refused_unread_and_a_link_to_a_file_is_read(tmp_path: Path) -> None:
    from content.shared.yamlfile import load_yaml

    os.mkfifo(tmp_path / "centre.yaml")  # no writer: a plain open would wait for one for ever
    (tmp_path / "roster.yaml").symlink_to("/dev/zero")  # says it is empty, and never ends
    (tmp_path / "real.yaml").write_text("name: 魏城\n", encoding="utf-8")
    (tmp_path / "profile.yaml").symlink_to(tmp_path / "real.yaml")  # an operator's link to a kept file
    assert [str(p) for p in load_yaml(tmp_path / "centre.yaml", "c/centre.yaml")[2]] == [
        "c/centre.yaml:1: 这是一个命名管道，不是普通文件"
    ]
    assert [str(p) for p in load_yaml(tmp_path / "roster.yaml", "roster.yaml")[2]] == [
        "roster.yaml:1: 这是一个设备，不是普通文件"
    ]
    assert load_yaml(tmp_path / "profile.yaml")[0] == {"name": "魏城"}


# -- a Chinese input method's slips, on the line where they are ------------------------------------------

ASCII_WORDS = ("tab", "yaml", "name", "address", "true", "false", "close", "open", "key")
"""Words the messages use as the file writes them: the Tab key, and keys of the examples."""


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (  # PyYAML: "could not find expected ':'", on line 4
            "windows:\n  - id: tuiyi\n    name：退役军人服务窗口\n    categories: [tuiyi]\n",
            3,
            "“name”后面的冒号是中文输入法的全角冒号“：”，YAML 不认：改成英文半角冒号加一个空格，写成“name: ”",
        ),
        (  # the file's last line: the parser notices it on the line after, which does not exist
            "id: tuiyi\nname：退役军人服务窗口\n",
            2,
            "“name”后面的冒号是中文输入法的全角冒号“：”，YAML 不认：改成英文半角冒号加一个空格，写成“name: ”",
        ),
        (  # the first line: PyYAML says "mapping values are not allowed" on line 2
            "name：退役军人服务窗口\nid: tuiyi\n",
            1,
            "“name”后面的冒号是中文输入法的全角冒号“：”，YAML 不认：改成英文半角冒号加一个空格，写成“name: ”",
        ),
        (  # a list item, which YAML reads as the text "name：…" without a word
            "windows:\n  - name：退役军人服务窗口\n    id: tuiyi\n",
            2,
            "“name”后面的冒号是中文输入法的全角冒号“：”，YAML 不认：改成英文半角冒号加一个空格，写成“name: ”",
        ),
        (  # YAML reads a key "　　name" at the top level, without a word
            "staff:\n  - id: s01\n\u3000\u3000name: 王志强\n",
            3,
            "这一行的缩进里有全角空格“\u3000”，YAML 不把它算作缩进：只用英文半角空格缩进（先切换到英文输入法）",
        ),
        (
            "id: s01\nname:\u3000王志强\npost: 主任\n",
            2,
            "“name:”后面是全角空格“\u3000”，YAML 不认：改成英文半角空格（先切换到英文输入法）",
        ),
        ("staff:\n  － id: s01\n", 2, "列表项前的横线是全角的“－”：改成英文半角“-”加一个空格"),
        (
            "id: tuiyi\ncategories: 【shebao，yiliao】\n",
            2,
            "“【”和“】”是中文括号，YAML 会把它当成文字：列表要用英文半角方括号和逗号，写成 [shebao, yiliao]",
        ),
        (
            "- days: （mon, tue）\n",
            1,
            "“（”和“）”是中文括号，YAML 会把它当成文字：列表要用英文半角方括号和逗号，写成 [mon, tue]",
        ),
        (
            "days: [mon，tue、wed]\n",
            1,
            "列表里的“，”是中文标点，YAML 会把它当成某一项的一部分：各项之间用英文半角逗号分隔，写成 [mon, tue, wed]",
        ),
    ],
)
def test_a_chinese_input_methods_slip_is_named_on_its_own_line(text: str, line: int, message: str) -> None:
    data, _, problems = parse_yaml(text, "c/centre.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [(line, message)]


def test_every_slip_of_a_file_is_named_and_a_later_syntax_error_too() -> None:
    text = "id: tuiyi\nname：退役\nhours:\n  - days: [mon，tue]\naddress: 魏城: 正街\n"
    _, _, problems = parse_yaml(text, "c/centre.yaml")
    assert [p.line for p in problems] == [2, 4]  # the syntax error on line 5 follows from line 2's slip
    _, _, problems = parse_yaml("hours:\n  - days: [mon，tue]\naddress: 魏城: 正街\n", "c/centre.yaml")
    assert [p.line for p in problems] == [2, 3]
    assert problems[1].message.startswith("这一行的值里有“: ”（冒号加空格）")


@pytest.mark.usefixtures("either_parser")
def test_chinese_punctuation_in_text_is_text() -> None:
    text = (
        "name: 材料1：身份证（复印件）\n"
        "note: 【重要】请带原件，复印件一份\n"
        "steps:\n"
        "  - |\n"
        "    \u3000\u3000注意：材料须齐全\n"
        "    note：此行是文字\n"
        "  - 第二步：审核  # 备注：name：x\n"
        "keywords: [社保，养老]\n"
    )
    data, _, problems = parse_yaml(text, "items/a.yaml")
    assert problems == [] and data["steps"][0].startswith("\u3000\u3000注意")
    assert data["keywords"] == ["社保，养老"]


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (  # PyYAML: "mapping values are not allowed in this context"
            "staff:\n  - id: s01\n    name: 王志强\n      post: 主任\n",
            4,
            "“post:”比上面已经有值的键缩进得多：和同一层的其他键对齐（前面的空格一样多）",
        ),
        (
            "address: 魏城镇: 正街88号\n",
            1,
            '这一行的值里有“: ”（冒号加空格），YAML 会把它当成又一个键：把整个值放进英文双引号，如 address: "…"',
        ),
        (
            "name: 「退役: 军人」\n",
            1,
            "中文引号（「」 “”）在 YAML 里不起引号的作用，文字里的“: ”会被当成键的结尾：把整个值放进英文双引号，"
            '如 name: "…"',
        ),
        (  # "did not find expected key" / "expected <block end>, but found '<block sequence start>'"
            "staff:\n  - id: s01\n - id: s02\n",
            3,
            "这一行没有和第 1 行开始的键对齐：同一层的键从同一列开始，键下面的列表要比这个键多缩进",
        ),
        (  # "did not find expected '-' indicator" / "expected <block end>, but found '?'"
            "staff:\n  - id: s01\n    name: 王\n  post: 主任\n",
            4,
            "这一行没有和第 2 行开始的列表对齐：每一项都以“- ”开头且缩进相同，一项里的各个键要和它的第一个键对齐",
        ),
        (
            "a: *nope\n",
            1,
            "“*nope”引用的锚点“&nope”在前面没有定义：先定义它；如果“*”是文字的一部分，把整个值放进英文双引号",
        ),
        ('a: "魏城\nb: 1\n', 1, "这一行开始的引号一直没有闭合：在值的末尾补上同样的引号"),
        ("a: 1\n---\nb: 2\n", 2, "这里的“---”开始了第二份内容，一个文件只能有一份：删掉这一行，或者删掉它后面的内容"),
        ("a: *\n", 1, "以“*”开头的值会被当成锚点或引用：把它放进英文双引号"),
        ("a: `x\n", 1, "在 YAML 里值不能以“`”开头：把整个值放进英文双引号"),
        (
            "a: [a, , b]\n",
            1,
            "这里缺少值（逗号之间是空的，或者括号前面没有内容）：补上值；如果这是文字，把它放进英文双引号",
        ),
        ('a: "c:\\d"\n', 1, "双引号里的“\\”后面跟了 YAML 不认识的字符：写成两个反斜杠“\\\\”，或者改用单引号"),
        ("a: |x\n  b\n", 1, "“|”或“>”后面不能再写文字：从下一行开始写，并且缩进"),
        ("a: 1\nb: \x00\n", 2, "这一行有 YAML 不接受的控制字符（编码 U+0000）：把它删掉"),
    ],
)
def test_the_parsers_complaints_become_what_to_do_at_the_right_line(text: str, line: int, message: str) -> None:
    from tests.words import english

    data, _, problems = parse_yaml(text, "staff.yaml")
    assert data is None and [(p.line, p.message) for p in problems] == [(line, message)]
    assert english(message, (*ASCII_WORDS, "post", "nope")) == []


def test_a_duplicate_key_names_both_lines() -> None:
    _, _, problems = parse_yaml("staff:\n  - id: s01\n    name: 王\n    id: s02\n", "staff.yaml")
    assert [(p.line, p.message) for p in problems] == [
        (4, "键“id”在同一层里写了两次（第 2 行已经写过）：保留一个，或者把另一个改名")
    ]


def test_a_file_saved_as_gbk_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    from content.shared.yamlfile import load_yaml

    path = tmp_path / "staff.yaml"
    path.write_bytes("staff:\n  - id: s01\n    name: 王志强\n".encode("gbk"))
    (problem,) = load_yaml(path, "c/staff.yaml")[2]
    assert problem.line == 3 and problem.message.startswith("文件不是 UTF-8 编码（第 29 个字节）：请用 UTF-8 编码另存")
