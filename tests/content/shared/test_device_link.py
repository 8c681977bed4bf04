"""A device's document cache read back at start and written as documents arrive, whatever else is in its
directory: each file not a regular one of a document's size is refused, said once, and left out."""

from __future__ import annotations

import logging
import os
import tracemalloc
from pathlib import Path

import pytest
from paho.mqtt.client import ConnectFlags, DisconnectFlags
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from content.shared import contract
from content.shared import limits as cap
from content.shared.broker_url import parse_broker_url
from content.shared.device_link import DeviceLink, DocumentCache
from content.shared.transport import REASONS, Disconnected, Event, Message, MqttTransport, reason_words
from tests.words import english

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
    assert _refusals(caplog) == [f"已忽略缓存的文档 queue：{tmp_path / 'queue.json'} 是符号链接，不是普通文件"]


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
        f"已忽略缓存的文档 catalog：{tmp_path / 'catalog.json'} 大小为 {64 << 20} 字节，"
        f"超过了允许的上限 {cap.DOCUMENT_BYTES} 字节"
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
        f"已忽略缓存的文档 announcements：{tmp_path / 'announcements.json'} 是符号链接，不是普通文件",
        f"已忽略缓存的文档 queue：{tmp_path / 'queue.json'} 是目录，不是普通文件",
        f"已忽略缓存的文档 staff：{tmp_path / 'staff.json'} 是命名管道（FIFO），不是普通文件",
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


class _Client:
    """paho's client as the transport's callbacks see it: a refused device is disconnected."""

    def disconnect(self) -> None:
        pass


def test_what_a_device_logs_of_its_link_is_in_the_halls_words(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The installer reads a kiosk's or a display's journal: connected, the broker refusing it, the link
    cut, a publish refused, a message it cannot read. Those lines were English, and so were paho's reasons
    in them where the table had no words for a code (原因码 139 for a broker shutting down) or where paho
    noticed itself that the link was gone (未说明的错误); 'connected to mqtt://…' was English."""
    caplog.set_level(logging.INFO)
    broker = parse_broker_url("mqtt://led-wall:secret@127.0.0.1:1883")
    events: list[Event] = []
    transport = MqttTransport(broker, "led-wall", contract.base("weicheng"), events.append)
    client = _Client()
    transport._on_connect(client, None, ConnectFlags(False), ReasonCode(PacketTypes.CONNACK, "Not authorized"), None)
    transport._on_connect(
        client, None, ConnectFlags(False), ReasonCode(PacketTypes.CONNACK, "Server unavailable"), None
    )
    transport._on_connect(client, None, ConnectFlags(False), ReasonCode(PacketTypes.CONNACK, "Success"), None)
    for from_broker, name in (
        (False, "Unspecified error"),
        (True, "Server shutting down"),
        (False, "Keep alive timeout"),
    ):
        transport._on_disconnect(
            client, None, DisconnectFlags(from_broker), ReasonCode(PacketTypes.DISCONNECT, name), None
        )
    transport._on_publish(client, None, 1, ReasonCode(PacketTypes.PUBACK, "Quota exceeded"), None)
    transport.stop()
    events += [Disconnected("", requested=True), Message("centre", b"{}", 1, 1, True)]

    link = _Link(broker, "weicheng", _Revs(), device_id="led-wall", cache=DocumentCache(tmp_path, (), log), log=log)
    for event in events:
        link._handle(_Revs(), event, 0.0)
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "消息服务器拒绝了本设备（led）的连接：未获授权",
        "消息服务器拒绝了本设备（led）的连接：代理服务器不可用；正在重试",
        "已连接到 mqtt://led-wall:***@127.0.0.1:1883",
        "连接已断开（网络连接中断）：重新连接期间显示最后收到的内容",
        "连接已断开（代理服务器正在关闭）：重新连接期间显示最后收到的内容",
        "连接已断开（心跳超时）：重新连接期间显示最后收到的内容",
        "消息服务器拒绝了本设备发布的一条消息：超出配额",
        "已断开连接",
        "已忽略 centre：中心信息文档中的名称应为非空文本",
    ]
    assert [line for line in said if english(line, allowed=["centre"])] == []


def test_every_reason_paho_names_has_the_halls_words() -> None:
    """No MQTT 5 reason code paho can hand a device reaches a person as paho's English or as a bare code."""
    names = ReasonCode(PacketTypes.CONNACK).names
    named = {
        value: ReasonCode(next(iter(by_name.values()))[0], identifier=value)
        for value, by_name in names.items()
        if value >= 128 or value in (0, 4)
    }
    said = {value: reason_words(code) for value, code in named.items()}
    assert set(REASONS) >= set(named)
    assert [f"{value}: {words}" for value, words in said.items() if english(words) or "原因码" in words] == []
