from __future__ import annotations

from pathlib import Path

import pytest

from content.centre.loader import load_content
from content.centre.synth import MARKER, write_synthetic_centre


def test_writes_a_centre_that_loads_and_marks_it_as_its_own(tmp_path: Path) -> None:
    out = tmp_path / "new" / "centre"
    write_synthetic_centre(out, 3)
    result = load_content(out)
    assert result.problems == [] and result.content is not None and len(result.content.items) == 3
    assert "hall synth" in (out / MARKER).read_text(encoding="utf-8")


def test_an_empty_directory_is_used(tmp_path: Path) -> None:
    write_synthetic_centre(tmp_path, 3)
    assert (tmp_path / MARKER).is_file() and (tmp_path / "items" / "part-000.yaml").is_file()


def test_a_directory_it_wrote_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "centre"
    write_synthetic_centre(out, 300)
    (out / "stale.txt").write_text("left from before", encoding="utf-8")
    write_synthetic_centre(out, 3)
    assert not (out / "stale.txt").exists() and not (out / "items" / "part-001.yaml").exists()
    assert (out / MARKER).is_file()


def test_a_directory_it_did_not_write_is_refused_and_left_alone(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "centre.yaml").write_text("id: real\n", encoding="utf-8")
    with pytest.raises(FileExistsError) as refused:
        write_synthetic_centre(content, 3)
    message = str(refused.value)
    assert message.startswith(f"{content} 不是空目录，也不是 hall synth 生成的")
    assert "请选一个新的或空的目录" in message
    assert [p.name for p in content.iterdir()] == ["centre.yaml"]
    assert (content / "centre.yaml").read_text(encoding="utf-8") == "id: real\n"


def test_a_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("keep me", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="是文件，不是目录：请选一个新的或空的目录"):
        write_synthetic_centre(file, 3)
    assert file.read_text(encoding="utf-8") == "keep me"
