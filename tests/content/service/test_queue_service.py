"""The queue through the real service and the real Mosquitto."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from content.broker.local import Mosquitto
from content.centre.loader import load_content
from content.queue.rules import service_day
from content.service.store import Store
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, NoReply, send_command
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber, serve_argv
from tests.content.service.expect import refused


def _send(broker: Mosquitto, user: str, verb: str, args: dict[str, Any]) -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=WAIT_S)


def test_ticket_call_and_what_the_hall_sees(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    tmp_path: Path,
) -> None:
    state = tmp_path / "queue.sqlite3"
    first = start_service(sample_dir, state)
    wall = subscribe(["queue", "call"])
    ticket = _send(broker, "kiosk-1", "ticket", {"category": "shebao"})
    assert ticket["ticket"] == "A001" and ticket["ahead"] == 0
    wall.doc_where("queue", lambda d: d["categories"][0]["waiting"] == 1, "A001 waiting")

    called = _send(broker, "staff", "call", {"window": "shebao"})
    assert called["text"] == "请A001号到2号窗口办理"
    event = wall.wait_for(lambda m: m.topic == "call", "the call event")
    assert not event.retain
    body = event.json()
    assert (body["schema"], body["seq"], body["ticket"], body["window"], body["window_number"]) == (
        1,
        1,
        "A001",
        "shebao",
        2,
    )
    assert body["text"] == "请A001号到2号窗口办理" and body["recall"] is False and body["ts"]
    doc = wall.doc_where("queue", lambda d: any(w["serving"] == "A001" for w in d["windows"]), "A001 at the window")
    assert doc["last_calls"][0]["ticket"] == "A001"
    assert next(c for c in doc["categories"] if c["id"] == "shebao")["waiting"] == 0

    _send(broker, "staff", "call", {"window": "shebao", "action": "recall"})
    again = wall.wait_for(lambda m: m.topic == "call" and m.json()["recall"], "the recall")
    assert again.json()["seq"] == 2

    # A restart carries the numbers and the call sequence on.
    assert first.stop() == 0
    start_service(sample_dir, state)
    assert _send(broker, "kiosk-2", "ticket", {"category": "shebao"})["ticket"] == "A002"
    seen = wall.mark()
    _send(broker, "staff", "call", {"window": "shebao"})
    event = wall.wait_for(lambda m: m.topic == "call", "the call after the restart", seen)
    assert (event.json()["seq"], event.json()["ticket"]) == (3, "A002")
    # The call event goes out before the queue document that lists it: a newcomer may first get the
    # retained document of the moment before, then this one.
    fresh = subscribe(["queue"])
    doc = fresh.doc_where("queue", lambda d: d["last_calls"][0]["seq"] >= 3, "the call in the queue document")
    assert [c["seq"] for c in doc["last_calls"][:3]] == [3, 2, 1]


def test_queue_commands_refused_cleanly(sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]) -> None:
    start_service(sample_dir)

    with refused("no_category"):
        _send(broker, "kiosk-1", "ticket", {"category": "nope"})
    with refused("no_window"):
        _send(broker, "staff", "call", {"window": "w9"})
    _send(broker, "staff", "window", {"window": "shebao", "state": "pause", "reason": "午休"})
    with refused("window_paused") as paused:
        _send(broker, "staff", "call", {"window": "shebao"})
    assert str(paused.value) == "社会保障窗口已暂停服务（午休）：请先恢复服务"
    assert _send(broker, "staff", "call", {"window": "zonghe"}) == {
        "window": "zonghe",
        "window_name": "综合窗口",
        "ticket": None,
        "message": "综合窗口暂无等候的群众",
    }
    # A kiosk may take a number but not call one.
    with pytest.raises(CommandFailed, match="拒绝了这条命令"):
        _send(broker, "kiosk-1", "call", {"window": "zonghe"})


def test_stats_over_the_broker(sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]) -> None:
    start_service(sample_dir)
    _send(broker, "kiosk-1", "ticket", {"category": "shebao"})
    _send(broker, "staff", "call", {"window": "shebao"})
    _send(broker, "staff", "call", {"window": "shebao", "action": "done"})
    env = {**os.environ, "HALL_BROKER": broker.url("staff"), "HALL_CENTRE": CENTRE}
    result = subprocess.run([*HALL, "stats", "--csv"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("\ufeff分组,编号,名称,取号数,已办结")
    assert ",all,全天,1,1,0,0," in lines[1]
    bad = subprocess.run(
        [*HALL, "stats", "--date", "27/11/2026"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 1 and "日期应为日期（YYYY-MM-DD），收到 “27/11/2026”" in bad.stderr


def test_cli_ticket_prints_the_number_last(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    start_service(sample_dir)
    env = {**os.environ, "HALL_BROKER": broker.url("kiosk-1"), "HALL_CENTRE": CENTRE}
    result = subprocess.run(
        [*HALL, "ticket", "minzheng", "--priority", "elderly"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "C001"
    assert "民政救助（老年人优先）：前面还有 0 人" in result.stdout


@pytest.mark.fault
def test_kill_9_never_issues_a_number_twice_nor_loses_an_acknowledged_one(
    sample_dir: Path, broker: Mosquitto, tmp_path: Path
) -> None:
    """A real `hall serve` killed with SIGKILL, again and again, while three kiosks take numbers.
    A kiosk that gets no reply asks again with the same command id, as the kiosk app does."""
    state = tmp_path / "kill.sqlite3"
    categories = ["shebao", "minzheng", "jisheng"]
    centre = sample_dir / "centre.yaml"  # kiosks as fast as they go: past the sample's 10 a minute
    centre.write_text(
        centre.read_text(encoding="utf-8").replace("tickets_per_minute: 10", "tickets_per_minute: 100000")
    )
    acknowledged: list[tuple[str, str]] = []  # (command id, ticket)
    progress = threading.Condition()
    stop = threading.Event()
    errors: list[str] = []

    def serve() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            serve_argv(sample_dir, broker.url("service"), state, "--no-watch"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kiosk(user: str, seed: int) -> None:
        rng = random.Random(seed)
        url = parse_broker_url(broker.url(user))
        while not stop.is_set():
            command_id = uuid.uuid4().hex
            args = {"category": rng.choice(categories)}
            for _attempt in range(40):
                try:
                    result = send_command(url, CENTRE, "ticket", args, timeout=2, command_id=command_id)
                except CommandFailed as exc:
                    if not isinstance(exc, NoReply):
                        errors.append(str(exc))
                        return
                    continue
                with progress:
                    acknowledged.append((command_id, result["ticket"]))
                    progress.notify_all()
                break
            else:
                errors.append(f"{command_id} never answered")
                return

    process = serve()
    threads = [threading.Thread(target=kiosk, args=(user, i)) for i, user in enumerate(["kiosk-1", "kiosk-2", "staff"])]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(1, 11):
            with progress:
                reached = progress.wait_for(lambda r=round_: len(acknowledged) >= 12 * r or bool(errors), 60)
            assert reached and not errors, errors
            process.send_signal(signal.SIGKILL)
            process.wait()
            process = serve()
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert not errors, errors

    numbers = [ticket for _, ticket in acknowledged]
    assert len(numbers) == len(set(numbers)), "a number was handed out twice"
    content = load_content(sample_dir).content
    assert content is not None
    store = Store(state)
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo(content.centre.timezone))
        stored = [t.number for t in store.tickets(service_day(now, content.centre.queue))]
    finally:
        store.close()
    assert set(numbers) <= set(stored), "an acknowledged ticket is missing from the store"
    # Numbers run without gaps per prefix: nothing was issued and then lost.
    for prefix in {n[0] for n in stored}:
        mine = sorted(int(n[1:]) for n in stored if n[0] == prefix)
        assert mine == list(range(1, len(mine) + 1))
    # Every stored ticket was acknowledged to some kiosk: none was issued unseen.
    assert set(stored) == set(numbers)
    # How many asks had to be repeated depends on where each kill landed (the broker queues commands
    # for the service's session while it restarts): not asserted, only the invariants above are.
