"""The kiosk's media cache, whatever else someone put in it: only regular files of a medium's size are read
back, each checked against its hash; the rest is said once and left out."""

from __future__ import annotations

import hashlib
import logging
import os
import tracemalloc
from pathlib import Path

import pytest

from content.centre.synth import SAMPLE
from content.shared import limits as cap
from kiosk.cache import KioskCache

PHOTOS = [(SAMPLE / "photos" / f"s0{n}.png").read_bytes() for n in (1, 2, 3)]
SHAS = [hashlib.sha256(photo).hexdigest() for photo in PHOTOS]


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.fixture
def cache(tmp_path: Path) -> KioskCache:
    cache = KioskCache(tmp_path / "cache")
    assert cache.store_media(SHAS[0], PHOTOS[0])
    return cache


def test_a_medium_linked_to_a_file_elsewhere_is_not_shown(
    cache: KioskCache, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = tmp_path / "elsewhere.png"
    elsewhere.write_bytes(PHOTOS[1])  # it even hashes right: still not the kiosk's own file
    (cache.media_dir / SHAS[1]).symlink_to(elsewhere)
    assert cache.load_media() == {SHAS[0]}
    assert cache.media_path(SHAS[1]) is None and cache.media_path(SHAS[0]) == cache.media_dir / SHAS[0]
    assert _refusals(caplog) == [f"已忽略缓存的媒体文件：{cache.media_dir / SHAS[1]} 是符号链接，不是普通文件"]


def test_a_fifo_and_a_huge_file_among_the_media_are_refused_unread(
    cache: KioskCache, caplog: pytest.LogCaptureFixture
) -> None:
    os.mkfifo(cache.media_dir / SHAS[1])
    with open(cache.media_dir / SHAS[2], "wb") as out:
        out.truncate(64 << 20)  # sparse: no disk, but a reader of whole files takes 64 MiB
    tracemalloc.start()
    try:
        found = cache.load_media()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {SHAS[0]}
    assert peak < 2 * cap.MEDIA_BYTES
    assert cache.media_path(SHAS[1]) is None and cache.media_path(SHAS[2]) is None
    assert sorted(_refusals(caplog)) == sorted(
        [
            f"已忽略缓存的媒体文件：{cache.media_dir / SHAS[1]} 是命名管道（FIFO），不是普通文件",
            f"已忽略缓存的媒体文件：{cache.media_dir / SHAS[2]} 大小为 {64 << 20} 字节，"
            f"超过了允许的上限 {cap.MEDIA_BYTES} 字节",
        ]
    )


def test_a_medium_arriving_replaces_a_link_planted_in_its_place(cache: KioskCache, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    (cache.media_dir / SHAS[1]).symlink_to(victim)
    assert cache.store_media(SHAS[1], PHOTOS[1])
    assert victim.read_bytes() == b"keep"
    assert not (cache.media_dir / SHAS[1]).is_symlink()
    assert cache.load_media() == {SHAS[0], SHAS[1]}
