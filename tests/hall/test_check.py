"""`hall check` speaks to an installer who types Chinese: a full-width colon on its own line, the parser's
complaints as what to do, the sample's address kept in a copy, long texts accepted with where they will be
paged, bad arguments with exit 2, and no English word left in what it prints for a broken centre."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from content.centre import schema
from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from hall.cli import main
from tests.words import english


def _check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _line(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_full_width_colon_is_named_on_its_own_line(sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    centre = sample_dir / "centre.yaml"
    _edit(centre, "    name: 民政窗口\n", "    name：退役军人服务窗口\n")
    line = _line(centre, "    name：退役军人服务窗口")
    code, out, err = _check(capsys, str(sample_dir))
    assert code == 1
    assert out.splitlines() == [
        f"{centre}:{line}: “name”后面的冒号是中文输入法的全角冒号“：”，YAML 不认："
        "改成英文半角冒号加一个空格，写成“name: ”"
    ]
    assert err == f"{sample_dir}：1 个问题\n"


def test_a_wrong_indent_is_a_sentence_that_says_what_to_do(
    sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = sample_dir / "staff.yaml"
    text = staff.read_text(encoding="utf-8")
    match = re.search(r"\n(    post: [^\n]*)\n", text)
    assert match is not None
    _edit(staff, match.group(0), f"\n  {match.group(1)}\n")  # two spaces too many: PyYAML's "mapping values"
    line = _line(staff, f"  {match.group(1)}")
    code, out, _ = _check(capsys, str(sample_dir))
    assert code == 1
    assert out.splitlines() == [
        f"{staff}:{line}: “post:”比上面已经有值的键缩进得多：和同一层的其他键对齐（前面的空格一样多）"
    ]


def test_a_copy_that_keeps_the_samples_address_is_warned(sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    centre = sample_dir / "centre.yaml"
    code, out, _ = _check(capsys, str(sample_dir))
    assert code == 0  # a warning: the hall runs
    line = _line(centre, "public_url:")
    assert (
        f"{centre}:{line}: 警告：public_url 还是样例中心的地址（http://hall.weicheng.local:8080）："
        "本大厅的二维码和打印的链接都会打开这个地址。请改成手机能打开本大厅公共页面的地址"
    ) in out.splitlines()
    assert out.splitlines()[-1].startswith(f"{sample_dir}：检查通过：")
    # The sample itself, and a copy with its own address, are not warned.
    assert "public_url" not in _check(capsys, str(SAMPLE))[1]
    _edit(centre, "public_url: http://hall.weicheng.local:8080", "public_url: http://10.0.0.8:8080")
    assert "public_url" not in _check(capsys, str(sample_dir))[1]


def test_long_notes_fees_and_steps_are_accepted_with_where_they_are_paged(
    sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = sample_dir / "items" / "shebao.yaml"
    note, fee, step = "认" * 348, "费" * 1000, "办" * 1000
    _edit(items, "        note: 户主页和本人页\n", f"        note: {note}\n")
    _edit(items, "    fee: 不收费（个人缴费按本人选定的缴费档次缴纳）\n", f"    fee: {fee}\n")
    _edit(items, "      - 窗口审核身份信息，当场录入系统完成登记\n", f"      - {step}\n")
    code, out, _ = _check(capsys, str(sample_dir))
    assert code == 0
    lines = out.splitlines()
    item = "城乡居民基本养老保险参保登记"
    paged = "超过一屏的 200 个字：在 LED 屏上分页显示，在触摸屏上滚动显示，不会截断"
    assert (
        f"{items}:{_line(items, f'        note: {note}')}: 提示：事项“{item}”第 2 项材料的说明有 348 个字，{paged}"
        in lines
    )
    assert f"{items}:{_line(items, f'    fee: {fee}')}: 提示：事项“{item}”的收费说明有 1000 个字，{paged}" in lines
    assert f"{items}:{_line(items, f'      - {step}')}: 提示：事项“{item}”的第 2 步有 1000 个字，{paged}" in lines
    assert lines[-1].startswith(f"{sample_dir}：检查通过：")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{tmp}/nowhere"], "{tmp}/nowhere：既不是内容目录，也不是配置文件或自带配置的名称"),
        (["{tmp}/file.txt"], "{tmp}/file.txt：不是内容目录，也不是显示屏配置（配置是 .yaml 文件）"),
        (["{tmp}/nowhere.yaml"], "{tmp}/nowhere.yaml：没有这个配置文件"),
        (["window-192x64", "--content", "{tmp}/nowhere"], "--content {tmp}/nowhere：没有这个目录"),
        (["window-192x64", "--window", "zonghe"], "--window 要按中心的窗口核对：请同时给出 --content 目录"),
        ([], "PATH"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "file.txt").write_text("not a centre\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["check", *(arg.format(tmp=tmp_path) for arg in argv)])
    assert exited.value.code == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err


KEYS = {
    name
    for model in (
        schema.Centre,
        schema.Window,
        schema.Session,
        schema.Item,
        schema.Document,
        schema.Limits,
        schema.Staff,
        schema.Agent,
        schema.Category,
        schema.QueueSettings,
    )
    for name in model.model_fields
} | {"categories", "items", "staff", "agents", "holidays", "workdays", "years"}
KEYS |= {value for kind in (schema.Tier, schema.Weekday, schema.StaffStatus) for value in get_args(kind)}
KEYS |= {"on", "duty", "original", "copy", "and", "true", "false", "asia", "shanghai", "tab"}
KEYS |= {"yiliao", "nowhere", "welfare", "feee", "daiban"}  # the broken centres' own words, said back
_SAMPLE = load_content(SAMPLE).content
assert _SAMPLE is not None
KEYS |= {word for c in _SAMPLE.categories for word in c.id.split("-")} | {w.id for w in _SAMPLE.centre.windows}
"""The words of the files themselves (their keys, values and ids), which a message names as the file writes them."""

BROKEN = [
    ("centre.yaml", "    name: 民政窗口\n", "    name：民政窗口\n"),
    ("centre.yaml", "timezone: Asia/Shanghai", "timezone:\u3000Asia/Shanghai"),
    ("centre.yaml", "    categories: [shebao]\n", "    categories: 【shebao，yiliao】\n"),
    ("centre.yaml", "  - days: [sat]", "  - days: [sat，sun]"),
    ("centre.yaml", "    categories: [shebao]\n", "      categories: [shebao]\n"),
    ("centre.yaml", "  - id: shebao\n", "  - id: shebao\n\t\n"),
    ("centre.yaml", "tier: township", "tier: 乡镇"),
    ("centre.yaml", 'open: "09:00"', "open: 9:00"),
    ("centre.yaml", "timezone: Asia/Shanghai", "timezone: Asia"),
    ("centre.yaml", "hotline: 0816-2731000", "hotline: 热线"),
    ("centre.yaml", "address: 四川省", 'address: "四川省'),
    ("staff.yaml", "    status: away", "    status: off"),
    ("staff.yaml", "    window: zonghe", "    window: nowhere"),
    ("staff.yaml", "  - id: s01", "  - id: s01\n    名字: 王"),
    ("staff.yaml", "  - id: s01", "  - id: s01\n    id: s02"),
    ("staff.yaml", "  - id: s01", " - id: s01"),
    ("agents.yaml", "agents:", "agents: *daiban\nx:"),
    ("categories.yaml", "prefix: B", "prefix: A"),
    ("categories.yaml", "prefix: B", "prefix: b"),
    ("items/shebao.yaml", "    fee:", "    feee:"),
    ("items/shebao.yaml", "promised: 0", "promised: 3"),
    ("items/shebao.yaml", "    instant: true", "    instant: 是"),
    ("items/shebao.yaml", "        form: original_and_copy", "        form: 原件"),
    ("items/shebao.yaml", "    windows: [shebao, zonghe]", "    windows: []"),
    ("items/shebao.yaml", "        note: 户主页和本人页", "        note: " + "长" * 1001),
    ("items/shebao.yaml", "    category: shebao", "    category: welfare"),
    ("items/shebao.yaml", "items:", "items: [\n"),
    ("items/shebao.yaml", "items:", "x: 1\n---\nitems:"),
]


@pytest.mark.parametrize(("file", "old", "new"), BROKEN)
def test_what_hall_check_says_of_a_broken_centre_is_chinese(
    sample_dir: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, new: str
) -> None:
    path = sample_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = _check(capsys, str(sample_dir))
    assert code == 1 and out, err
    assert all(re.match(rf"{re.escape(str(sample_dir))}/[\w/.]+:\d+: \S", line) for line in out.splitlines()), out
    assert english(out + err, KEYS) == [], out


def test_a_missing_file_and_a_gbk_file_are_said_in_chinese(
    sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (sample_dir / "agents.yaml").unlink()
    staff = sample_dir / "staff.yaml"
    staff.write_bytes(staff.read_text(encoding="utf-8").encode("gbk"))
    (sample_dir / "photos" / "s03.png").write_bytes(b"not an image")
    code, out, err = _check(capsys, str(sample_dir))
    assert code == 1
    assert f"{sample_dir}/agents.yaml:1: 缺少这个文件：每个中心都要有它" in out
    assert f"{staff}:" in out and "文件不是 UTF-8 编码" in out
    assert english(out + err, KEYS) == []
