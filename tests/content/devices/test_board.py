"""The devices board, pure: transitions, alerts exactly once, hostile payloads, availability by the clock."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from content.devices import STALE_GRACE_S, DeviceBoard, History, read_report
from content.shared import contract

TZ = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2025, 3, 10, 8, 0, tzinfo=TZ).timestamp()  # a Monday, 08:00 in the hall


class Clock:
    def __init__(self, t: float = MORNING) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def state(status: str, boot: str = "b1", revs: dict[str, str] | None = None, **extra: Any) -> bytes:
    body = contract.device_state(status, "led", boot, datetime.fromtimestamp(MORNING, TZ), revs, 42.5)  # type: ignore[arg-type]
    return contract.encode({**body, **extra})


def board(tmp_path: Path | None = None, clock: Clock | None = None) -> DeviceBoard:
    history = History(tmp_path / "devices.sqlite3" if tmp_path else None)
    return DeviceBoard(history, clock=clock or Clock(), tz=TZ)


def kinds(b: DeviceBoard) -> list[tuple[str, str]]:
    return [(a.device, a.kind) for a in reversed(b.alerts())]


def test_down_and_up_alert_exactly_once_each() -> None:
    b = board()
    assert b.receive("led-wall", state("ready"), MORNING)
    assert b.alerts() == []  # first seen: the start of its record, not news
    assert b.receive("led-wall", state("ready"), MORNING + 5)  # a latency report: no change
    b.receive("led-wall", state("lost"), MORNING + 60)
    b.receive("led-wall", state("lost"), MORNING + 61)  # the retained will again (a reconnect)
    device = b.get("led-wall")
    assert device is not None and device.status == "lost" and device.since == MORNING + 60
    b.receive("led-wall", state("ready", boot="b1"), MORNING + 120)
    b.receive("led-wall", state("ready", boot="b1"), MORNING + 121)
    b.receive("led-wall", state("disconnected"), MORNING + 180)
    b.receive("led-wall", state("disconnected"), MORNING + 181)
    b.receive("led-wall", state("ready", boot="b2"), MORNING + 240)
    assert kinds(b) == [("led-wall", "down"), ("led-wall", "up"), ("led-wall", "down"), ("led-wall", "up")]
    newest = b.alerts()[0]
    assert newest.kind == "up" and "恢复在线" in newest.text and "停止运行 1分0秒" in newest.text
    assert b.alerts()[1].status == "stopped" and "正常断开" in b.alerts()[1].text
    assert b.alerts()[3].status == "lost" and "连接中断" in b.alerts()[3].text


def test_a_retained_state_delivered_again_after_a_restart_of_the_console_does_not_alert(tmp_path: Path) -> None:
    clock = Clock()
    first = board(tmp_path, clock)
    first.receive("led-wall", state("ready"), MORNING)
    first.receive("led-wall", state("lost"), MORNING + 60)
    first.close()
    again = board(tmp_path, clock)  # the service restarted: the broker sends every retained state again
    assert len(again.alerts()) == 1  # the history is kept
    again.receive("led-wall", state("lost"), MORNING + 300)
    assert kinds(again) == [("led-wall", "down")]
    device = again.get("led-wall")
    assert device is not None and device.since == MORNING + 60  # still down since then
    again.receive("led-wall", state("ready"), MORNING + 400)
    assert kinds(again) == [("led-wall", "down"), ("led-wall", "up")]


def test_a_device_never_seen_ready_never_alerts() -> None:
    b = board()
    b.receive("kiosk-9", state("lost"), MORNING)
    b.receive("kiosk-9", state("disconnected"), MORNING + 10)
    b.receive("kiosk-9", state("lost"), MORNING + 20)
    assert b.alerts() == []
    device = b.get("kiosk-9")
    assert device is not None and device.status == "lost" and not device.seen_ready
    assert b.availability("kiosk-9", MORNING - 3600, MORNING + 3600) is None  # not counted either
    b.receive("kiosk-9", state("ready"), MORNING + 30)  # now it is seen up: its record begins, quietly
    assert b.alerts() == []
    b.receive("kiosk-9", state("lost"), MORNING + 90)
    assert kinds(b) == [("kiosk-9", "down")]


def test_a_restart_unseen_between_two_ready_states_is_said_once() -> None:
    b = board()
    b.receive("led-wall", state("ready", boot="b1"), MORNING)
    b.receive("led-wall", state("ready", boot="b2"), MORNING + 10)
    b.receive("led-wall", state("ready", boot="b2"), MORNING + 20)
    assert kinds(b) == [("led-wall", "restart")]


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"schema": 2, "status": "ready"}',
        b'{"schema": 1, "status": "exploded"}',
        b'{"schema": 1, "status": ["ready"]}',
        b'{"schema": 1}',
        b"\xff\xfe",
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"schema": 1, "status": "ready", "kind": "x" * 20_000}).encode(),
    ],
)
def test_a_payload_that_is_no_device_state_is_ignored_whole(payload: bytes) -> None:
    b = board()
    b.receive("led-wall", state("ready"), MORNING)
    assert not b.receive("led-wall", payload, MORNING + 10)
    device = b.get("led-wall")
    assert device is not None and device.status == "online" and device.last_seen == MORNING
    assert b.alerts() == []


def test_fields_of_the_wrong_type_or_size_are_read_as_missing_and_unknown_fields_ignored() -> None:
    report = read_report(
        state(
            "ready",
            boot="<script>",
            revs={"queue": "abc", "Bad Topic": "x", "staff": 7, "centre": "r" * 100},  # type: ignore[dict-item]
            kind="<b>led</b>",
            latency_ms=1e12,
            extra={"deep": [1, 2, 3]},
        )
    )
    assert report is not None
    assert report.status == "online" and report.kind is None and report.boot_id is None
    assert report.revs == {"queue": "abc"} and report.latency_ms is None
    assert read_report(state("ready", latency_ms=True)).latency_ms is None  # type: ignore[union-attr]
    assert read_report(b'{"schema":1,"status":"ready","latency_ms":NaN}').latency_ms is None  # type: ignore[union-attr]
    many = {f"t{'a' * (n % 20)}{chr(97 + n % 26)}": "r" for n in range(10_000)}
    bounded = read_report(state("ready", revs=many))
    assert bounded is not None and len(bounded.revs) <= 32


@pytest.mark.parametrize("device_id", ["", "LED", "a/b", "led wall", "x" * 65, "../etc", "led.wall", "+", "#"])
def test_a_device_with_a_bad_id_is_ignored(device_id: str) -> None:
    b = board()
    assert not b.receive(device_id, state("ready"), MORNING)
    assert b.snapshot()["devices"] == []


def test_at_most_500_devices() -> None:
    b = board()
    for n in range(600):
        b.receive(f"kiosk-{n}", state("ready"), MORNING + n)
    assert len(b.snapshot()["devices"]) == 500
    assert b.get("kiosk-499") is not None and b.get("kiosk-500") is None
    b.receive("kiosk-0", state("lost"), MORNING + 1000)  # the ones it holds still count
    assert kinds(b) == [("kiosk-0", "down")]


def test_availability_of_today_and_the_last_seven_days() -> None:
    clock = Clock()
    b = board(clock=clock)
    b.receive("led-wall", state("ready"), MORNING)  # Monday 08:00: first seen
    b.receive("led-wall", state("lost"), MORNING + 3600)  # 09:00 down
    b.receive("led-wall", state("ready"), MORNING + 5400)  # 09:30 up
    clock.t = MORNING + 4 * 3600  # 12:00: 4 hours watched, 3.5 up
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["today"] == pytest.approx(3.5 / 4)
    assert row["week"] == pytest.approx(3.5 / 4)  # nothing before Monday 08:00 counts
    # Tuesday 12:00: Monday had 16 h watched (08:00–24:00), 15.5 h up; Tuesday is up since midnight.
    clock.t = MORNING + 28 * 3600
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["today"] == pytest.approx(1.0)
    assert row["week"] == pytest.approx((15.5 + 12) / (16 + 12))
    # Stopped counts as down too; eight days later the Monday is out of the seven days.
    b.receive("led-wall", state("disconnected"), clock.t)
    clock.t += 7200
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["today"] == pytest.approx(12 / 14)
    clock.t = MORNING + 8 * 86400 + 4 * 3600  # Tuesday the next week, 12:00: stopped since last Tuesday
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["today"] == pytest.approx(0.0)
    assert row["week"] == pytest.approx(0.0)
    assert b.day_start(MORNING) == datetime(2025, 3, 10, tzinfo=TZ).timestamp()


def test_history_is_bounded(tmp_path: Path) -> None:
    clock = Clock()
    b = DeviceBoard(History(tmp_path / "d.sqlite3"), clock=clock, tz=TZ, max_spans=50, history_days=90)
    for n in range(200):
        b.receive("led-wall", state("ready" if n % 2 == 0 else "lost"), MORNING + n * 60)
    assert sum(1 for _ in b._spans["led-wall"]) <= 50
    b.close()
    reopened = DeviceBoard(History(tmp_path / "d.sqlite3"), clock=clock, tz=TZ)
    assert len(reopened._spans["led-wall"]) <= 50
    assert reopened._spans["led-wall"][-1].end is None  # the current period is kept
    assert len(reopened.alerts()) == 100  # shown: the last hundred
    # Ninety-one days later, only the period that ended now and the open one are left.
    reopened.receive("led-wall", state("ready"), MORNING + 91 * 86400)
    reopened.close()
    b2 = DeviceBoard(History(tmp_path / "d.sqlite3"), clock=clock, tz=TZ)
    assert [(s.status, s.start) for s in b2._spans["led-wall"]] == [
        ("lost", MORNING + 199 * 60),
        ("online", MORNING + 91 * 86400),
    ]


def test_revs_current_stale_and_unconfirmed() -> None:
    b = board()
    b.receive("service", contract.encode(contract.device_state("ready", "service", "s", datetime.now(TZ), {
        "queue": "q1", "catalog": "c1", "centre": "z1"})), MORNING)  # fmt: skip
    b.receive("led-wall", state("ready", revs={"queue": "q1", "catalog": "c1"}), MORNING + 1)
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["revs"]["state"] == "current"
    b.document_rev("queue", "q2", MORNING + 100)  # a newer queue: the display has not reported since
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["revs"]["state"] == "unconfirmed" and row["revs"]["unconfirmed"] == ["queue"]
    b.receive("led-wall", state("ready", revs={"queue": "q1", "catalog": "c1"}), MORNING + 100 + STALE_GRACE_S)
    row = next(d for d in b.snapshot()["devices"] if d["id"] == "led-wall")
    assert row["revs"]["state"] == "stale" and row["revs"]["stale"] == ["queue"]
    # The service's own state, delivered again, does not take the queue back to its older rev.
    b.receive("service", contract.encode(contract.device_state("ready", "service", "s", datetime.now(TZ), {
        "queue": "q1"})), MORNING + 200)  # fmt: skip
    assert b.current_revs()["queue"] == "q2"
    service = next(d for d in b.snapshot()["devices"] if d["id"] == "service")
    assert service["revs"]["state"] == "source"


def test_a_history_of_a_newer_hall_is_named_in_the_halls_words(tmp_path: Path) -> None:
    """The console logs why it keeps the devices' history in memory: the reason was English."""
    import sqlite3

    path = tmp_path / "devices.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(ValueError) as newer:
        History(path)
    assert str(newer.value) == f"{path} 由更新版本的 hall 写入（格式版本 99）：请先升级 hall"
