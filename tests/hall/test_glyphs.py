"""`hall check` warns, with file:line, about characters no display font draws."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from content.centre.synth import SAMPLE
from hall.cli import main
from hall.glyphs import display_fonts, uncovered

EXT_G = "\U00031350"  # CJK Extension G: no Debian font of the chain has it


def test_the_sample_centre_needs_no_warning() -> None:
    assert list(uncovered(SAMPLE, "s", display_fonts())) == []


def test_every_surface_is_asked() -> None:
    assert set(display_fonts()) == {"kiosk", "small LED displays", "LED walls"}


def test_a_character_no_font_draws_is_named_with_its_line(sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    staff = sample_dir / "staff.yaml"
    lines = staff.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("name:"))
    lines[number] += f"𠮷{EXT_G}"  # Extension B is drawn (Hanazono); G is not
    lines.insert(0, f"# {EXT_G} in a comment is never shown")
    staff.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert main(["check", str(sample_dir)]) == 0  # a warning: the hall still runs
    out = capsys.readouterr().out.splitlines()
    warnings = [line for line in out if "警告" in line and "字体" in line]  # the others: the sample's, by date
    assert warnings == [
        f"{sample_dir}/staff.yaml:{number + 2}：警告：已安装的字体都不能在任何屏幕上显示 {EXT_G} (U+31350)，"
        "会显示成方框；请安装 fonts-hanazono 和 fonts-unifont，"
        "或把含有这个字的字体放到 $HALL_FONT_DIRS 列出的目录中，或换一种写法"
    ]
    assert out[-1].endswith("10 名工作人员，15 名代办员")


def test_a_character_only_some_surfaces_lack_names_them(tmp_path: Path) -> None:
    (tmp_path / "centre.yaml").write_text("name: 张三①\n", encoding="utf-8")
    surfaces = {"kiosk": lambda ch: True, "LED walls": lambda ch: ch != "①"}
    (found,) = uncovered(tmp_path, "c", surfaces)
    assert (found.file, found.line, found.chars, found.surfaces, found.every) == (
        "c/centre.yaml",
        1,
        "①",
        ("LED walls",),
        False,
    )
    assert "不能在LED 大屏上显示 ①" in str(found)


def test_a_fifo_among_the_content_files_is_passed_over_without_waiting(sample_dir: Path) -> None:
    os.mkfifo(sample_dir / "items" / "planted.yaml")  # no writer: a plain open would wait for one for ever
    (sample_dir / "link.yaml").symlink_to("/dev/zero")
    assert list(uncovered(sample_dir, "s", display_fonts())) == []
