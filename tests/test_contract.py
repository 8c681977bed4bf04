from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content import contract


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff", "not UTF-8"),
        (b"{nope", "not JSON"),
        (b"[1, 2]", "must be a JSON object, got list"),
        (b'{"schema": 2}', "schema must be 1, got 2"),
        (b"{}", "schema must be 1, got None"),
    ],
)
def test_decode_names_what_is_wrong(raw: bytes, message: str) -> None:
    with pytest.raises(contract.PayloadError, match=message):
        contract.decode(raw)


def test_decode_refuses_oversized_payloads() -> None:
    with pytest.raises(contract.PayloadError, match="larger than 10"):
        contract.decode(b'{"schema": 1, "x": "0123456789"}', max_bytes=10)


def test_encode_keeps_hanzi_readable() -> None:
    assert "便民".encode() in contract.encode({"a": "便民"})


def test_topics() -> None:
    assert contract.base("weicheng") == "hall/v1/weicheng/"
    with pytest.raises(ValueError, match="lowercase"):
        contract.base("Wei/cheng")
    assert contract.reply_topic("kiosk-1") == "reply/kiosk-1"


def test_command_and_reply_envelopes() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    command = contract.command({"text": "x"}, "staff", "staff", now)
    assert command["schema"] == 1 and len(command["id"]) == 32
    assert contract.reply("id1", now, result={"a": 1}) == {
        "schema": 1,
        "ts": "2026-01-01T00:00:00+00:00",
        "id": "id1",
        "ok": True,
        "result": {"a": 1},
    }
    assert contract.reply("id1", now, error="no")["ok"] is False
