"""The tracking links' secret: made whole and private from its first byte, never read through a link."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from content.service.secret import SECRET_BYTES, SecretError, load_or_create
from tests.modes import open_umask, watch_secrets


def _half_made(data: bytes) -> str | None:
    return None if len(data) == SECRET_BYTES else f"{len(data)} bytes of a secret of {SECRET_BYTES}"


def test_the_secret_appears_whole_and_private_or_not_at_all(tmp_path: Path) -> None:
    """Another service starting at the same moment reads the file as soon as it exists: never part of it."""
    path = tmp_path / "state" / "case-secret"
    with open_umask(), watch_secrets(tmp_path, "case-secret", wrong=_half_made) as watch:
        secret = load_or_create(path)
    assert watch.leaks == []
    assert path.read_bytes() == secret and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["case-secret"]
    assert load_or_create(path) == secret


def test_a_link_planted_where_the_secret_goes_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.write_bytes(b"k" * SECRET_BYTES)  # a secret someone else knows
    theirs.chmod(0o600)
    (tmp_path / "case-secret").symlink_to(theirs)
    with pytest.raises(SecretError, match=r"case-secret 是符号链接，不是普通文件"):
        load_or_create(tmp_path / "case-secret")
    (tmp_path / "fifo").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(SecretError, match=r"fifo 是命名管道（FIFO），不是普通文件"):
        load_or_create(tmp_path / "fifo")


def test_each_refusal_of_the_secret_says_what_to_do_in_the_halls_words(tmp_path: Path) -> None:
    """hall serve prints these to the installer: they were English."""
    content = tmp_path / "content"
    content.mkdir()
    with pytest.raises(SecretError) as inside:
        load_or_create(content / "case-secret", content)
    assert str(inside.value) == f"{content / 'case-secret'}：办件查询链接的密钥不能放在内容目录 {content} 中"
    short = tmp_path / "short"
    short.write_bytes(b"k" * 8)
    short.chmod(0o600)
    with pytest.raises(SecretError) as too_short:
        load_or_create(short)
    assert str(too_short.value) == f"{short}：只有 8 字节，太短，不能作为办件查询链接的密钥（应为 32 字节）"
    shared = tmp_path / "shared"
    shared.write_bytes(b"k" * SECRET_BYTES)
    shared.chmod(0o644)
    with pytest.raises(SecretError) as readable:
        load_or_create(shared)
    assert str(readable.value) == f"{shared}：其他用户可以读取办件查询链接的密钥；请执行 chmod 600 {shared}"
