"""`hall serve --roster`: the service learns from the roster what each account acts for; a roster that is
not one is refused at start, and without one, on a broker with accounts, no account is given everything."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from content.broker.local import Mosquitto
from content.centre.synth import SAMPLE
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from hall.assembly import HallError, HallOptions, build_hall
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber, roster_file, serve_argv
from tests.content.service.expect import refused

NOWHERE = parse_broker_url("mqtt://127.0.0.1:9")


def test_a_roster_that_is_not_one_is_refused_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "roster.yaml"
    bad.write_text("centre: weicheng\naccounts:\n  - {user: kiosk-1, role: kiosk, window: zonghe}\n", "utf-8")
    with pytest.raises(HallError, match=r"roster.yaml:3: kiosk-1：只有角色为 staff 的账号才能对应一个窗口（window）"):
        build_hall(HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", roster=bad))
    other = tmp_path / "other.yaml"
    other.write_text("centre: dongguan\naccounts:\n  - {user: staff, role: staff, office: true}\n", "utf-8")
    with pytest.raises(HallError, match="中没有中心 weicheng 的账号"):
        build_hall(HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", roster=other))
    with pytest.raises(HallError, match="账号清单有误"):
        build_hall(HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", roster=tmp_path / "missing.yaml"))


def test_without_a_roster_a_staff_account_may_only_take_numbers(
    sample_dir: Path, broker: Mosquitto, tmp_path: Path
) -> None:
    argv = [*HALL, "serve", "--content", str(sample_dir), "--broker", broker.url("service")]
    argv += ["--state", str(tmp_path / "state.sqlite3"), "--no-watch"]
    ready = Subscriber(broker.url("staff"), ["device/service/state"]).wait_subscribed()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(argv, stdout=out, stderr=out, env={"PATH": "/usr/bin:/bin"})
    try:
        ready.doc_where("device/service/state", lambda d: d["status"] == "ready", "the service ready")
        staff = parse_broker_url(broker.url("staff"))
        with refused("not_in_roster") as said:
            send_command(staff, CENTRE, "announce", {"text": "谁都可以？"}, timeout=WAIT_S)
        assert str(said.value) == "账号 staff 不在服务的账号名单（hall serve --roster）里：它只能取号和查询办件"
        assert send_command(staff, CENTRE, "ticket", {"category": "shebao"}, timeout=WAIT_S)["ticket"] == "A001"
    finally:
        ready.close()
        serve.terminate()
        assert serve.wait(WAIT_S) == 0
    assert "没有账号清单（hall serve --roster 文件，或 $HALL_ROSTER）：不知道各账号的权限" in log.read_text(
        encoding="utf-8"
    )


def test_with_the_roster_the_office_acts_for_every_window(sample_dir: Path, broker: Mosquitto, tmp_path: Path) -> None:
    assert roster_file().read_text(encoding="utf-8").count("office: true") == 1
    ready = Subscriber(broker.url("staff"), ["device/service/state"]).wait_subscribed()
    serve = subprocess.Popen(
        serve_argv(sample_dir, broker.url("service"), tmp_path / "state.sqlite3", "--no-watch"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready.doc_where("device/service/state", lambda d: d["status"] == "ready", "the service ready")
        staff, clerk = (parse_broker_url(broker.url(user)) for user in ("staff", "clerk-zonghe"))
        assert send_command(staff, CENTRE, "call", {"window": "shebao"}, timeout=WAIT_S)["window"] == "shebao"
        with refused("not_own_window"):
            send_command(clerk, CENTRE, "call", {"window": "shebao"}, timeout=WAIT_S)
    finally:
        ready.close()
        serve.terminate()
        assert serve.wait(WAIT_S) == 0
