"""The letters of a centre's case numbers: `cases.prefix` in centre.yaml, or by default the initials of the
place its short name names; `hall check` refuses letters a case number cannot start with."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.centre import numbers
from content.centre.loader import load_content
from hall.cli import main


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("魏城", "WC"),
        ("魏城镇便民服务中心", "WC"),
        ("绵阳市游仙区魏城镇便民服务中心", "WC"),
        ("游仙区政务服务中心", "YX"),
        ("长安街道党群服务中心", "CA"),
        ("新市镇便民服务中心", "XS"),  # 市 inside the place's own name stays
        ("沙镇便民服务中心", "SZ"),  # one hanzi: its unit gives the second letter
        ("凤凰山南麓生态旅游片区服务中心", "FHSN"),  # at most four
    ],
)
def test_the_default_letters_are_the_initials_of_the_short_names_place(name: str, letters: str) -> None:
    assert numbers.initials(name) == letters


def test_the_sample_without_a_prefix_takes_its_short_names_and_an_explicit_one_is_kept(sample_dir: Path) -> None:
    centre = sample_dir / "centre.yaml"
    _edit(centre, "  prefix: WC ", "  # prefix: WC ")
    loaded = load_content(sample_dir)
    assert loaded.content is not None, loaded.problems
    assert loaded.content.centre.cases.prefix is None and numbers.case_prefix(loaded.content.centre) == "WC"
    _edit(centre, "  # prefix: WC ", "  prefix: YXWC ")
    loaded = load_content(sample_dir)
    assert loaded.content is not None, loaded.problems
    assert numbers.case_prefix(loaded.content.centre) == "YXWC"


@pytest.mark.parametrize("bad", ["W", "WEICHENG", "wc", "W1", "魏城"])
def test_hall_check_refuses_letters_a_case_number_cannot_start_with(
    sample_dir: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    centre = sample_dir / "centre.yaml"
    _edit(centre, "  prefix: WC ", f"  prefix: {bad} ")
    line = next(n for n, text in enumerate(centre.read_text(encoding="utf-8").splitlines(), 1) if "prefix:" in text)
    code = main(["check", str(sample_dir)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        f"{centre}:{line}: 办件编号的字母（cases.prefix）“{bad}”不是 2 至 4 个大写拉丁字母：请写本中心自己的字母，如 WC"
    ], out
    assert err == f"{sample_dir}：1 个问题\n"


def test_hall_check_asks_for_letters_when_the_name_gives_none(
    sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    centre = sample_dir / "centre.yaml"
    _edit(centre, "  prefix: WC ", "  # prefix: WC ")
    _edit(centre, "short_name: 魏城镇便民服务中心", "short_name: '123'")
    line = next(n for n, text in enumerate(centre.read_text(encoding="utf-8").splitlines(), 1) if "short_name" in text)
    assert main(["check", str(sample_dir)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        f"{centre}:{line}: 从中心名称“123”得不出办件编号的字母：请在 cases 下写 prefix，2 至 4 个大写拉丁字母，如 WC"
    ], out
