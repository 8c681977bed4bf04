"""A stolen account floods the service: every other account is still answered, nothing waits without
bound, a command its sender gave up on is never applied, and what one account changes is bounded."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from content.broker.local import Mosquitto
from content.service.intake import PER_ACCOUNT
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, NoReply, send_command
from tests.conftest import CENTRE, PREFIX, WAIT_S, Clock, Subscriber, serve_argv

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _send(broker: Mosquitto, user: str, verb: str, args: dict[str, Any], timeout: float = WAIT_S) -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=timeout)


def _audit(state: Path) -> list[tuple[str, str, str]]:
    """(verb, by, refusal code or '') of every command the audit log holds."""
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT verb, by, reply FROM commands ORDER BY ts").fetchall()
    return [(verb, by, json.loads(reply).get("code") or "") for verb, by, reply in rows]


class GatedClock(Clock):
    """A clock that stops the service's loop where it next reads the time, until `release`."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.open = threading.Event()
        self.open.set()

    def __call__(self) -> datetime:
        self.open.wait(WAIT_S)
        return super().__call__()


def test_a_command_its_sender_gave_up_on_is_never_applied(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    clock = GatedClock(MONDAY)
    state = tmp_path / "state.sqlite3"
    start_service(sample_dir, state, clock=clock)
    _send(broker, "kiosk-1", "ticket", {"category": "shebao"})
    _send(broker, "kiosk-1", "ticket", {"category": "shebao"})

    clock.open.clear()  # the service is busy (a flood, a slow disk) ...
    for _ in range(2):  # ... and the clerk's two calls give up waiting
        with pytest.raises(NoReply):
            _send(broker, "staff", "call", {"window": "shebao"}, timeout=3)
    clock.open.set()

    # A001 was never called, so the next call is A001's, and nobody was called and finished unseen.
    assert _send(broker, "staff", "call", {"window": "shebao"})["ticket"] == "A001"
    # A kiosk's retry of a ticket that expired unanswered, under the same id, is taken then, once.
    clock.open.clear()
    with pytest.raises(NoReply):
        send_command(
            parse_broker_url(broker.url("kiosk-1")),
            CENTRE,
            "ticket",
            {"category": "shebao"},
            timeout=3,
            command_id="kiosk-try-1",
        )
    clock.open.set()
    again = send_command(
        parse_broker_url(broker.url("kiosk-1")),
        CENTRE,
        "ticket",
        {"category": "shebao"},
        timeout=WAIT_S,
        command_id="kiosk-try-1",
    )
    assert again["ticket"] == "A003"
    audit = _audit(state)
    assert [row for row in audit if row[0] == "call"] == [
        ("call", "staff", "expired"),
        ("call", "staff", "expired"),
        ("call", "staff", ""),
    ]


def test_a_flood_from_one_account_does_not_starve_the_others(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite3"
    running = start_service(sample_dir, state)
    thief = Subscriber(broker.url("kiosk-1"), [])
    thief.wait_connected()
    stop = threading.Event()
    sent = [0]
    deepest = [0]

    def flood() -> None:
        while not stop.is_set():
            for qos in (0, 1):
                payload = contract.encode(contract.command({"category": "shebao"}, MONDAY))
                thief.client.publish(f"{PREFIX}cmd/ticket/kiosk-1", payload, qos=qos)
                sent[0] += 1
            deepest[0] = max(deepest[0], running.service._events.waiting().get("kiosk-1", 0))

    flooding = threading.Thread(target=flood, daemon=True)
    flooding.start()
    try:
        answered = []
        for n in range(10):
            answered.append(_send(broker, "staff", "staff", {"staff": "s02", "status": "away" if n % 2 else "on_duty"}))
            with pytest.raises(CommandFailed) as lookup:  # answered, though there is no such case
                _send(broker, "kiosk-2", "case", {"number": f"BJ-261207-{n:04d}", "digits": "1234"})
            assert not isinstance(lookup.value, NoReply)
            answered.append({})
    finally:
        stop.set()
        flooding.join(WAIT_S)
        thief.close()
    assert len(answered) == 20 and sent[0] > 100
    assert deepest[0] <= PER_ACCOUNT
    # The flood spent kiosk-1's own budgets (the broker's and the service's) and no one else's: kiosk-2
    # takes a number at once.
    assert _send(broker, "kiosk-2", "ticket", {"category": "shebao"})["ticket"]
    with pytest.raises(CommandFailed) as told:
        _send(broker, "kiosk-1", "ticket", {"category": "shebao"})
    assert told.value.code in ("broker_refused", "too_fast", "rate_limited", "busy")
    # And its stop is prompt whatever waits.
    assert running.stop() == 0


def test_what_one_account_changes_in_a_minute_is_bounded(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite3"
    start_service(sample_dir, state, clock=Clock(MONDAY))
    codes: list[str] = []
    for n in range(60):
        try:
            _send(broker, "staff", "staff", {"staff": "s02", "status": "away" if n % 2 else "on_duty"})
            codes.append("")
        except CommandFailed as exc:
            codes.append(exc.code or "?")
    assert codes[:30] == [""] * 30 and set(codes[30:]) == {"too_fast"}
    refused = _audit(state)
    # 30 applied, and of the 30 refused only the minute's share of 10 is recorded
    assert [code for verb, _, code in refused if verb == "staff"] == [""] * 30 + ["too_fast"] * 10
    with pytest.raises(CommandFailed, match="每分钟最多 30 次状态变更"):
        _send(broker, "staff", "staff", {"staff": "s02", "status": "away"})


def test_what_the_log_says_of_one_account_is_a_share_a_minute(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    start_service(sample_dir, clock=Clock(MONDAY))
    thief = Subscriber(broker.url("kiosk-1"), [])
    thief.wait_connected()
    caplog.set_level("INFO", logger="hall.service")
    try:
        for n in range(200):  # refused lookups, as fast as they go
            payload = contract.encode(contract.command({"number": f"nonsense-{n}"}, MONDAY))
            thief.client.publish(f"{PREFIX}cmd/case/kiosk-1", payload, qos=1).wait_for_publish(WAIT_S)
    finally:
        thief.close()
    # Its commands are taken in order: once this one is answered, all before it were handled or shed.
    with pytest.raises(CommandFailed):
        _send(broker, "kiosk-1", "case", {"number": "nonsense"})
    about = [r for r in caplog.records if r.name == "hall.service" and "kiosk-1" in r.getMessage()]
    assert 0 < len(about) <= 62


def test_a_command_that_lay_unread_while_the_service_stood_still_is_never_applied(
    sample_dir: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path
) -> None:
    """The service's whole process stops (a frozen VM, swapping) while the clerk's call waits in its socket:
    read afterwards, the call still has what the broker left of its expiry, but its deadline is past."""
    state = tmp_path / "state.sqlite3"
    ready = subscribe(["device/service/state"])
    process = subprocess.Popen(serve_argv(sample_dir, broker.url("service"), state), stderr=subprocess.DEVNULL)
    try:
        ready.wait_for(lambda m: m.json()["status"] == "ready", "the service ready")
        for _ in range(2):
            _send(broker, "kiosk-1", "ticket", {"category": "shebao"})
        process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(NoReply):
                _send(broker, "staff", "call", {"window": "shebao"}, timeout=3)
        finally:
            process.send_signal(signal.SIGCONT)
        assert _send(broker, "staff", "call", {"window": "shebao"})["ticket"] == "A001"
    finally:
        process.terminate()
        process.wait(WAIT_S)
    assert [row for row in _audit(state) if row[0] == "call"] == [("call", "staff", "expired"), ("call", "staff", "")]
