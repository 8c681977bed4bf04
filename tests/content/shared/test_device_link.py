"""A device's document cache read back at start and written as documents arrive, whatever else is in its
directory: each file not a regular one of a document's size is refused, said once, and left out."""

from __future__ import annotations

import logging
import os
import tracemalloc
from pathlib import Path

import pytest

from content.shared import contract
from content.shared import limits as cap
from content.shared.device_link import DeviceLink, DocumentCache
from content.shared.transport import Disconnected, Message, PublishRefused, Refused

log = logging.getLogger("hall.test-cache")
TOPICS = ("centre", "queue", "staff", "catalog", "announcements", "agents")
GOOD = b'{"schema": 1, "rev": "r1"}'


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_link_to_another_file_is_not_read_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "centre.json").write_bytes(GOOD)
    (tmp_path / "elsewhere.json").write_bytes(b'{"schema": 1, "rev": "planted"}')
    (tmp_path / "queue.json").symlink_to(tmp_path / "elsewhere.json")
    assert DocumentCache(tmp_path, TOPICS, log).load() == {"centre": GOOD}
    assert _refusals(caplog) == [f"cached queue ignored: {tmp_path / 'queue.json'}: is a symbolic link"]


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "centre.json").write_bytes(GOOD)
    with open(tmp_path / "catalog.json", "wb") as out:
        out.truncate(64 << 20)  # sparse: no disk, but a reader of whole files takes 64 MiB
    tracemalloc.start()
    try:
        found = DocumentCache(tmp_path, TOPICS, log).load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {"centre": GOOD}
    assert peak < 1 << 20
    assert _refusals(caplog) == [
        f"cached catalog ignored: {tmp_path / 'catalog.json'}: is {64 << 20} bytes, "
        f"more than the {cap.DOCUMENT_BYTES} it may be"
    ]


def test_a_fifo_a_device_and_a_directory_are_refused_and_the_rest_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "centre.json").write_bytes(GOOD)
    (tmp_path / "agents.json").write_bytes(GOOD)
    os.mkfifo(tmp_path / "staff.json")  # no writer: a plain open would wait for one for ever
    (tmp_path / "announcements.json").symlink_to("/dev/zero")
    (tmp_path / "queue.json").mkdir()
    assert DocumentCache(tmp_path, TOPICS, log).load() == {"centre": GOOD, "agents": GOOD}
    assert sorted(_refusals(caplog)) == [
        f"cached announcements ignored: {tmp_path / 'announcements.json'}: is a symbolic link",
        f"cached queue ignored: {tmp_path / 'queue.json'}: is a directory, not a regular file",
        f"cached staff ignored: {tmp_path / 'staff.json'}: is a FIFO, not a regular file",
    ]


def test_storing_writes_through_no_link_planted_beside_or_at_the_document(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    # The temporary name a writer might pick, and the document itself.
    (cache_dir / f".queue.json.{os.getpid()}.tmp").symlink_to(victim)
    (cache_dir / "centre.json").symlink_to(victim)
    cache = DocumentCache(cache_dir, TOPICS, log)
    assert cache.store("queue", GOOD) and cache.store("centre", GOOD)
    assert victim.read_bytes() == b"keep"
    assert cache.load() == {"queue": GOOD, "centre": GOOD}


class _Revs:
    def __init__(self) -> None:
        self.revs: dict[str, str] = {}


class _Link(DeviceLink[_Revs]):
    KIND = "led"
    TOPICS = ("centre",)
    CACHED = ()

    def apply(self, state: _Revs, topic: str, payload: bytes) -> _Revs:
        raise contract.PayloadError("中心信息文档中的名称应为非空文本")


def test_what_a_device_logs_of_its_link_is_in_the_halls_words(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The installer reads a kiosk's or a display's journal: the broker refusing it, the link cut, a
    publish refused, a message it cannot read. Those lines were English."""
    caplog.set_level(logging.INFO)
    link = _Link(None, "weicheng", _Revs(), device_id="led-wall", cache=DocumentCache(tmp_path, (), log), log=log)
    state = _Revs()
    for event in (
        Refused("not authorised", permanent=True),
        Refused("server unavailable", permanent=False),
        Disconnected("keepalive timeout"),
        Disconnected("", requested=True),
        PublishRefused(1, "quota exceeded"),
        Message("centre", b"{}", 1, 1, True),
    ):
        link._handle(state, event, 0.0)
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "消息服务器拒绝了本设备（led）的连接：not authorised",
        "消息服务器拒绝了本设备（led）的连接：server unavailable；正在重试",
        "连接已断开（keepalive timeout）：重新连接期间显示最后收到的内容",
        "已断开连接",
        "消息服务器拒绝了本设备发布的一条消息：quota exceeded",
        "已忽略 centre：中心信息文档中的名称应为非空文本",
    ]
