from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from content.shared import contract


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff", "不是 UTF-8 文本（第 0 个字节）"),
        (b"{nope", "不是 JSON：第 1 行第 2 列有误"),
        (b"[1, 2]", "消息应为 JSON 对象，收到的是列表"),
        (b'{"schema": 2}', "消息的协议版本是 2，本大厅读的是第 1 版"),
        (b"{}", "消息没有注明协议版本，本大厅读的是第 1 版"),
    ],
)
def test_decode_names_what_is_wrong(raw: bytes, message: str) -> None:
    with pytest.raises(contract.PayloadError, match=message):
        contract.decode(raw)


def test_decode_refuses_oversized_payloads() -> None:
    with pytest.raises(contract.PayloadError, match="消息有 32 字节，多于上限 10"):
        contract.decode(b'{"schema": 1, "x": "0123456789"}', max_bytes=10)


def test_encode_keeps_hanzi_readable() -> None:
    assert "便民".encode() in contract.encode({"a": "便民"})


def test_topics() -> None:
    assert contract.base("weicheng") == "hall/v1/weicheng/"
    with pytest.raises(ValueError, match="中心编号“Wei/cheng”应由小写拉丁字母、数字和“-”组成"):
        contract.base("Wei/cheng")
    assert contract.reply_topic("kiosk-1") == "reply/kiosk-1"
    assert contract.command_topic("ticket", "kiosk-1") == "cmd/ticket/kiosk-1"


def test_the_sender_of_a_command_is_its_topic() -> None:
    assert contract.command_sender("cmd/ticket/kiosk-1") == ("ticket", "kiosk-1")
    assert contract.command_sender("cmd/announce/staff_zonghe") == ("announce", "staff_zonghe")
    for topic in (
        "cmd/ticket",
        "cmd/ticket/",
        "cmd//kiosk-1",
        "cmd/ticket/kiosk-1/x",
        "cmd/Ticket/kiosk-1",
        "cmd/ticket/Kiosk",
        "cmd/ticket/kiosk.1",
        "cmd/ticket/+",
        "reply/kiosk-1",
        "cmd/" + "v" * 33 + "/a",
    ):
        assert contract.command_sender(topic) is None, topic


def test_command_and_reply_envelopes() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    command = contract.command({"text": "x"}, now)
    assert command["schema"] == 1 and len(command["id"]) == 32
    assert set(command) == {"schema", "ts", "id", "args"}  # who sends it is the topic's business
    assert contract.reply("id1", now, result={"a": 1}) == {
        "schema": 1,
        "ts": "2026-01-01T00:00:00+00:00",
        "id": "id1",
        "ok": True,
        "result": {"a": 1},
    }
    assert contract.reply("id1", now, error="no")["ok"] is False


def test_field_readers_take_what_fits_and_never_raise() -> None:
    from content.shared.contract import (
        read_int,
        read_object,
        read_optional,
        read_rows,
        read_strings,
        read_text,
        read_time,
    )

    assert read_text("  综合窗口 ") == "综合窗口" and read_text("𠮷" * 600, 8) == "𠮷" * 8
    assert [read_text(v) for v in (12, None, True, ["a"], {"a": 1})] == [""] * 5
    assert read_optional("   ") is None and read_optional(" A ") == "A"
    assert read_int(7) == 7 and read_int(0) == 0
    assert [read_int(v) for v in (True, 1.0, "7", -1, 10**12, None)] == [None] * 6
    assert read_int(1000, 1, 999) is None and read_int(999, 1, 999) == 999
    assert read_object({"a": 1}) == {"a": 1} and [read_object(v) for v in (None, [], "{}", 1)] == [{}] * 4
    assert read_rows([{"a": 1}, None, 1, [], {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert read_rows("rows") == [] and len(read_rows([{}] * 5000)) == 2000 and len(read_rows([{}] * 50, 10)) == 10
    assert read_strings([" a ", "", 3, None, "b"]) == ("a", "b") and read_strings("ab") == ()
    assert read_strings(["abc"] * 9, 2, 3) == ("ab", "ab", "ab")
    assert read_time("2026-11-27T09:30:00+08:00") == datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert [read_time(v) for v in ("2026-11-27T09:30:00", "tomorrow", 5, "2026-11-27T09:30:00+08:00" * 3)] == [None] * 4


def test_ids_are_taken_as_the_schema_writes_them_never_cut_or_stripped() -> None:
    from content.shared.contract import read_id

    assert read_id("shebao-yanglao-canbao") == "shebao-yanglao-canbao" and read_id("a" * 64) == "a" * 64
    hostile = ["a" * 65, " s03", "s03 ", "s03\n", "S03", "-s03", "", "社保", "a/b", "+", 3, None, ["s03"]]
    assert [read_id(v) for v in hostile] == [""] * len(hostile)


@pytest.mark.parametrize(
    "name",
    [
        "Asia",
        "Asia/",
        "../etc/passwd",
        "/etc/localtime",
        "",
        "Asia/Nowhere",
        "zone.tab",
        "tzdata.zi",
        "Asia\x00Shanghai",
        "A" * 200,
        "Asia//Shanghai",
        8,
        None,
        ["Asia/Shanghai"],
    ],
)
def test_a_name_that_is_no_time_zone_gives_none_and_never_raises(name: object) -> None:
    assert contract.zone_named(name) is None


def test_time_zones_by_name() -> None:
    for name in ("Asia/Shanghai", "Asia/Urumqi", "UTC", "Etc/GMT-8", "America/Argentina/Buenos_Aires"):
        zone = contract.zone_named(name)
        assert zone is not None and str(zone) == name


@pytest.mark.parametrize(
    "data",
    [b"[" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000, b'{"schema": 1, "n": ' + b"9" * 5000 + b"}"],
    ids=["deep array", "deep object", "a 5000-digit number"],
)
def test_a_payload_json_itself_cannot_read_is_a_payload_error(data: bytes) -> None:
    with pytest.raises(contract.PayloadError):
        contract.decode(data)


def test_a_command_too_big_for_the_service_is_refused_before_it_is_sent() -> None:
    from content.shared.broker_url import parse_broker_url
    from content.shared.client import CommandFailed, send_command

    nowhere = parse_broker_url("mqtt://staff:x@127.0.0.1:9")  # never reached: the size is checked first
    with pytest.raises(CommandFailed, match=r"命令有 \d+ 字节，多于内容服务接受的 65536 字节"):
        send_command(nowhere, "weicheng", "announce", {"text": "x" * 70_000}, timeout=1)
