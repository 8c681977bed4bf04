"""Opening a file someone else may have put in place, and writing one with its mode from the first byte."""

from __future__ import annotations

import os
import socket
import stat
import tracemalloc
from pathlib import Path

import pytest

from content.shared import catalog, files
from content.shared.files import PRIVATE, TooLarge, UnsafeFile, private_file, read_regular, staged, write_file
from tests.modes import open_umask
from tests.words import english


def test_a_regular_file_is_read_up_to_its_bound(tmp_path: Path) -> None:
    (tmp_path / "doc").write_bytes(b"x" * 100)
    assert read_regular(tmp_path / "doc", 100) == b"x" * 100
    with pytest.raises(UnsafeFile, match=r"doc 大小为 101 字节，超过了允许的上限 100 字节"):
        (tmp_path / "doc").write_bytes(b"x" * 101)
        read_regular(tmp_path / "doc", 100)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "absent", 100)


def test_a_huge_sparse_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge"
    with open(huge, "wb") as out:
        out.truncate(1 << 30)  # a GiB that costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeFile, match="大小为 1073741824 字节，超过了允许的上限 4096 字节"):
            read_regular(huge, 4096)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafeFile, match=r"fifo 是命名管道（FIFO），不是普通文件"):
        read_regular(tmp_path / "fifo", 4096)
    with pytest.raises(UnsafeFile, match="是目录，不是普通文件"):
        read_regular(tmp_path, 4096)


def test_a_refusal_is_said_in_the_halls_words_with_the_file_and_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal is read inside the hall's sentences: whole, naming the file (已忽略缓存的媒体文件：…), or
    as an OS error's reason after the file (无法打开 X：…). Both were English: 'X: is a FIFO, not a regular
    file' in a Chinese line."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "doc").write_bytes(b"x" * 11)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "sock"))
        refusals = []
        for name in ("fifo", "doc", "sock"):
            with pytest.raises(UnsafeFile) as refused:
                read_regular(tmp_path / name, 10)
            refusals.append(refused.value)
    fifo, doc, sock = refusals
    assert str(fifo) == f"{tmp_path / 'fifo'} 是命名管道（FIFO），不是普通文件"
    assert fifo.problem == fifo.strerror == "是命名管道（FIFO），不是普通文件"
    assert isinstance(doc, TooLarge) and (doc.size, doc.limit) == (11, 10)
    assert str(doc) == f"{tmp_path / 'doc'} 大小为 11 字节，超过了允许的上限 10 字节"
    assert doc.strerror == "大小为 11 字节，超过了允许的上限 10 字节"
    assert str(sock) == f"{tmp_path / 'sock'} 不是普通文件" and sock.strerror == "不是普通文件"
    for refusal in refusals:
        assert refusal.path.parent == tmp_path
        assert english(str(refusal)) == [] and english(refusal.problem) == [], refusal

    monkeypatch.setattr(catalog, "_language", "en")
    with pytest.raises(UnsafeFile) as refused:
        read_regular(tmp_path / "fifo", 10)
    assert str(refused.value) == f"{tmp_path / 'fifo'} is a FIFO, not a regular file"
    assert refused.value.strerror == "is a FIFO, not a regular file"


def test_a_symbolic_link_is_refused_unless_allowed_and_then_only_to_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"real")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "zero").symlink_to("/dev/zero")
    for link in ("link", "zero"):
        with pytest.raises(UnsafeFile, match=f"{link} 是符号链接，不是普通文件"):
            read_regular(tmp_path / link, 4096)
    assert read_regular(tmp_path / "link", 4096, follow=True) == b"real"
    with pytest.raises(UnsafeFile, match="zero 是字符设备，不是普通文件"):
        read_regular(tmp_path / "zero", 4096, follow=True)


def test_a_file_that_reads_longer_than_its_size_says_is_cut_at_the_bound(tmp_path: Path) -> None:
    # /proc files say they are empty and then hold bytes: the bound is on what is read, not on the size.
    (tmp_path / "status").symlink_to(f"/proc/{os.getpid()}/status")
    assert os.stat(tmp_path / "status").st_size == 0
    with pytest.raises(UnsafeFile, match="status 的内容超过了允许的上限 10 字节"):
        read_regular(tmp_path / "status", 10, follow=True)


def test_a_file_is_private_before_its_first_byte_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []

    def write_and_fail(fd: int, data: bytes) -> None:
        st = os.fstat(fd)
        seen.append((stat.S_IMODE(st.st_mode), st.st_size))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write_all", write_and_fail)
    with open_umask(), pytest.raises(OSError, match="No space"):
        write_file(tmp_path / "secret", b"password", mode=PRIVATE)
    assert seen == [(0o600, 0)]
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary one is left


def test_a_written_file_has_its_mode_and_replaces_a_link_rather_than_following_it(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_bytes(b"theirs")
    (tmp_path / "secret").symlink_to(tmp_path / "elsewhere")
    with open_umask():
        write_file(tmp_path / "secret", b"ours", mode=PRIVATE)
        write_file(tmp_path / "public", b"for all")
    assert (tmp_path / "elsewhere").read_bytes() == b"theirs"
    assert not (tmp_path / "secret").is_symlink() and (tmp_path / "secret").read_bytes() == b"ours"
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "public").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "public", "secret"]


def test_an_exclusive_write_leaves_what_is_there(tmp_path: Path) -> None:
    write_file(tmp_path / "secret", b"first", mode=PRIVATE, exclusive=True)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("secret", "dangling"):
        with pytest.raises(FileExistsError):
            write_file(tmp_path / name, b"second", mode=PRIVATE, exclusive=True)
    assert (tmp_path / "secret").read_bytes() == b"first" and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "secret"]


def test_a_staged_file_can_be_worked_on_before_it_takes_its_place(tmp_path: Path) -> None:
    with staged(tmp_path / "passwd", b"plain", mode=PRIVATE) as temporary:
        assert not (tmp_path / "passwd").exists()
        temporary.write_bytes(b"hashed")
    assert (tmp_path / "passwd").read_bytes() == b"hashed"
    with pytest.raises(RuntimeError), staged(tmp_path / "passwd", b"plain", mode=PRIVATE):
        raise RuntimeError("the tool failed")
    assert [p.name for p in tmp_path.iterdir()] == ["passwd"] and (tmp_path / "passwd").read_bytes() == b"hashed"


def test_private_file_makes_or_tightens_a_file_and_refuses_a_link(tmp_path: Path) -> None:
    with open_umask():
        private_file(tmp_path / "users.db")
        (tmp_path / "old.db").write_bytes(b"rows")
        private_file(tmp_path / "old.db")
    assert stat.S_IMODE((tmp_path / "users.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "old.db").stat().st_mode) == 0o600
    assert (tmp_path / "old.db").read_bytes() == b"rows"
    (tmp_path / "link.db").symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(UnsafeFile, match="是符号链接，不是普通文件"):
        private_file(tmp_path / "link.db")
    assert not (tmp_path / "elsewhere.db").exists()
    with pytest.raises(FileNotFoundError):
        private_file(tmp_path / "absent.db", create=False)
