from __future__ import annotations

import os
import re
import tracemalloc
from pathlib import Path

import pytest

from content.centre.loader import load_content, summary
from content.centre.synth import SAMPLE


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    result = load_content(directory, label="c")
    assert result.content is None
    return [str(p) for p in result.problems]


def test_the_sample_centre_follows_the_seed() -> None:
    result = load_content(SAMPLE)
    assert result.problems == []
    content = result.content
    assert content is not None
    assert len(content.categories) == 11
    assert len(content.items) == 30
    assert sum(item.instant for item in content.items) == 14
    promised = [item for item in content.items if not item.instant]
    assert len(promised) == 16
    assert all(0 < item.limits.promised < item.limits.legal for item in promised)
    assert any(window.comprehensive for window in content.centre.windows)
    assert all(member.photo in content.media for member in content.staff if member.photo)
    assert "30 个事项（其中即办件 14 个）" in summary(content)


def test_unknown_key_missing_field_and_wrong_type_name_file_and_line(sample_dir: Path) -> None:
    items = sample_dir / "items" / "shebao.yaml"
    lines = items.read_text(encoding="utf-8").splitlines()
    fee_line = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("fee:"))
    _edit(items, "    fee:", "    feee:")
    _edit(items, "    instant: true", "    instant: yes please")
    problems = _problems(sample_dir)
    assert f"c/items/shebao.yaml:{fee_line}: 没有“feee”这个键：对照样例检查拼写，或者删掉它" in problems
    assert any(re.match(r"c/items/shebao\.yaml:\d+: 缺少“fee”：请补上这一项", p) for p in problems)
    assert any("“instant”应是 true 或 false，现在是 'yes please'" in p for p in problems)


def test_all_problems_are_reported_at_once_across_files(sample_dir: Path) -> None:
    _edit(sample_dir / "staff.yaml", "window: zonghe", "window: nowhere")
    _edit(sample_dir / "items" / "minzheng.yaml", "category: minzheng", "category: welfare")
    _edit(sample_dir / "categories.yaml", "prefix: B", "prefix: A")
    problems = _problems(sample_dir)
    assert any(re.match(r"c/staff\.yaml:\d+: centre\.yaml 里没有窗口“nowhere”", p) for p in problems)
    assert any(re.match(r"c/items/minzheng\.yaml:\d+: categories\.yaml 里没有类别“welfare”", p) for p in problems)
    assert any(
        re.match(r"c/categories\.yaml:\d+: 取号字母 A 重复了（第一次在 c/categories\.yaml:\d+）", p) for p in problems
    )


def test_promised_limit_longer_than_legal_is_an_error(sample_dir: Path) -> None:
    path = sample_dir / "items" / "extra.yaml"
    path.write_text(
        (SAMPLE / "items" / "minzheng.yaml").read_text(encoding="utf-8").replace("id: ", "id: x-"),
        encoding="utf-8",
    )
    text = path.read_text(encoding="utf-8")
    match = re.search(r"promised: (\d+)", text)
    assert match and match.group(1) != "0"
    path.write_text(text.replace(match.group(0), "promised: 200", 1), encoding="utf-8")
    problems = _problems(sample_dir)
    assert any(re.match(r"c/items/extra\.yaml:\d+: 承诺时限（200 个工作日）长于法定时限", p) for p in problems), (
        problems
    )


def test_duplicate_item_ids_across_files(sample_dir: Path) -> None:
    (sample_dir / "items" / "copy.yaml").write_text(
        (SAMPLE / "items" / "linye.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    problems = _problems(sample_dir)
    assert any(
        re.match(r"c/items/linye\.yaml:\d+: 事项编号“.+”重复了（第一次在 c/items/copy\.yaml:\d+）", p) for p in problems
    ), problems


def test_unquoted_time_gets_a_hint(sample_dir: Path) -> None:
    _edit(sample_dir / "centre.yaml", 'open: "09:00"', "open: 9:00")
    problems = _problems(sample_dir)
    assert any('应是加引号的时间，如 "09:00"' in p and "数字 540" in p for p in problems)


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        ("agents.yaml", "agents: [\n", r"c/agents\.yaml:1: 第 1 行的“\[”没有闭合"),
        ("agents.yaml", "- just\n- a list\n", r"c/agents\.yaml:1: “整个文件”应是“键: 值”的映射"),
        ("agents.yaml", b"\xff\xfe".decode("latin-1"), r"c/agents\.yaml:1: "),
    ],
)
def test_broken_files(sample_dir: Path, file: str, text: str, expected: str) -> None:
    (sample_dir / file).write_text(text, encoding="utf-8")
    problems = _problems(sample_dir)
    assert any(re.match(expected, p) for p in problems), problems


def test_non_utf8_file(sample_dir: Path) -> None:
    (sample_dir / "agents.yaml").write_bytes(b"agents:\n  - name: \xff\n")
    assert "c/agents.yaml:2: 文件不是 UTF-8 编码（第 18 个字节）" in "".join(_problems(sample_dir))


def test_missing_files_and_photos(sample_dir: Path) -> None:
    (sample_dir / "agents.yaml").unlink()
    (sample_dir / "photos" / "s03.png").unlink()
    problems = _problems(sample_dir)
    assert "c/agents.yaml:1: 缺少这个文件：每个中心都要有它" in problems
    assert any(re.match(r"c/staff\.yaml:\d+: 内容目录里没有照片“photos/s03\.png”", p) for p in problems)


def test_photo_outside_the_directory_is_refused(sample_dir: Path) -> None:
    _edit(sample_dir / "staff.yaml", "photos/s03.png", "../../etc/passwd")
    assert any("照片“../../etc/passwd”在内容目录之外" in p for p in _problems(sample_dir))


def test_instant_item_with_a_promised_limit(sample_dir: Path) -> None:
    path = sample_dir / "items" / "shebao.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("promised: 0", "promised: 3", 1), encoding="utf-8")
    assert any("即办件（instant: true）的承诺时限应为 0" in p for p in _problems(sample_dir))


def test_not_a_directory(tmp_path: Path) -> None:
    result = load_content(tmp_path / "nope", label="nope")
    assert [str(p) for p in result.problems] == ["nope:1: 不是目录"]


_FIRST_STEP = (
    "      - 年满16周岁（不含在校学生）、未参加职工养老保险的城乡居民，到村（社区）代办点或镇社会保障窗口申请\n"
)


def test_a_step_longer_than_a_screen_shows_is_refused_briefly(sample_dir: Path) -> None:
    path = sample_dir / "items" / "shebao.yaml"
    _edit(path, _FIRST_STEP, "      - " + "步" * 2001 + "\n")
    (problem,) = _problems(sample_dir)
    assert problem.startswith("c/items/shebao.yaml:22: “steps”有 2001 个字，超过上限 2000 个字")
    assert len(problem) < 200  # the step is not repeated back whole


def test_more_steps_than_a_guide_shows_are_refused(sample_dir: Path) -> None:
    path = sample_dir / "items" / "shebao.yaml"
    _edit(path, _FIRST_STEP, "".join(f"      - 第{i}步\n" for i in range(51)))
    (problem,) = _problems(sample_dir)
    assert "c/items/shebao.yaml:" in problem and "“steps”有 54 项，超过上限 50 项" in problem  # 51 and the 3 others


def test_a_thousand_character_step_is_content_like_any_other(sample_dir: Path) -> None:
    _edit(sample_dir / "items" / "shebao.yaml", _FIRST_STEP, "      - " + "办" * 1000 + "\n")
    result = load_content(sample_dir)
    assert result.content is not None
    item = next(i for i in result.content.items if i.id == "shebao-yanglao-canbao")
    assert item.steps[0] == "办" * 1000


def _line(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def test_an_unquoted_off_read_as_false_says_to_quote_it(sample_dir: Path) -> None:
    staff = sample_dir / "staff.yaml"
    _edit(staff, "    status: away", "    status: off")
    line = _line(staff, "    status: off")
    assert _problems(sample_dir) == [
        f"c/staff.yaml:{line}: “status”只能是 on_duty, away, off, leave 之一，"
        '但没加引号的 off 被 YAML 读成了真假值 false：加上引号，写成 "off"'
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    phone: 0816-2731008",
            "    phone: 010",
            "“phone”应是文字，但没加引号的 010 被 YAML 读成了数字 8",
        ),
        (
            "    name: 王志强",
            "    name: 1.10",
            "“name”应是文字，但没加引号的 1.10 被 YAML 读成了数字 1.1",
        ),
        (
            "    post: 中心主任（镇长兼）",
            "    post: yes",
            "“post”应是文字，但没加引号的 yes 被 YAML 读成了真假值 true",
        ),
    ],
)
def test_an_unquoted_number_or_yes_where_text_belongs_says_to_quote_it(
    sample_dir: Path, old: str, new: str, message: str
) -> None:
    staff = sample_dir / "staff.yaml"
    _edit(staff, old, new)
    token = new.split(": ")[1]
    assert _problems(sample_dir) == [f'c/staff.yaml:{_line(staff, new)}: {message}：加上引号，写成 "{token}"']


def test_an_unquoted_word_in_a_list_of_text_says_to_quote_it(sample_dir: Path) -> None:
    path = sample_dir / "items" / "shebao.yaml"
    _edit(path, "    keywords: [", "    keywords: [no, ")
    (problem,) = _problems(sample_dir)
    assert problem.startswith(f"c/items/shebao.yaml:{_line(path, '    keywords: [no, ')}: “keywords”应是文字")
    assert problem.endswith('但没加引号的 no 被 YAML 读成了真假值 false：加上引号，写成 "no"')


@pytest.mark.parametrize(
    ("file", "holds"),
    [
        ("agents.yaml", "“agents:”及其下面的代办员列表"),
        ("staff.yaml", "“staff:”及其下面的工作人员列表"),
        ("categories.yaml", "“categories:”及其下面的类别列表（各带取号字母）"),
        ("centre.yaml", "中心的编号、名称、层级、地址、办公时间、电话和窗口"),
        ("items/shebao.yaml", "“items:”及其下面的事项列表（办事指南）"),
    ],
)
@pytest.mark.parametrize("text", ["", "# 代办员名单\n\n"])
def test_an_empty_file_says_what_it_should_hold(sample_dir: Path, file: str, holds: str, text: str) -> None:
    (sample_dir / file).write_text(text, encoding="utf-8")
    assert f"c/{file}:1: 文件是空的（或者只有注释）：应当写有{holds}" in _problems(sample_dir)


def test_a_huge_photo_is_refused_unread_and_a_fifo_without_waiting(sample_dir: Path) -> None:
    with open(sample_dir / "photos" / "s03.png", "r+b") as out:
        out.truncate(64 << 20)  # sparse: no disk, but a reader of whole files takes 64 MiB
    (sample_dir / "photos" / "s04.png").unlink()
    os.mkfifo(sample_dir / "photos" / "s04.png")
    tracemalloc.start()
    try:
        problems = _problems(sample_dir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20
    assert any(re.match(r"c/staff\.yaml:\d+: 照片“photos/s03\.png”超过 512 KB：请压缩后再用$", p) for p in problems)
    assert any(re.match(r"c/staff\.yaml:\d+: 照片“photos/s04\.png”不是普通文件$", p) for p in problems)
