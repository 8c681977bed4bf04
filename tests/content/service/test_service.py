"""The content service against the real Mosquitto with the project's broker configuration."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from content.accounts.users import User
from content.broker.local import Mosquitto
from content.shared import contract
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, send_command
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber, serve_argv
from tests.content.service.expect import refused
from tests.words import english

STATE = ("centre", "catalog", "staff", "agents", "queue", "announcements")


def _command(url: str, verb: str, args: dict[str, Any]) -> dict[str, Any]:
    return send_command(parse_broker_url(url), CENTRE, verb, args, timeout=WAIT_S)


class LogWatch(logging.Handler):
    """Lets a test wait for the service to log something, instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[str] = []
        self._cond = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self._cond:
            self.records.append(record.getMessage())
            self._cond.notify_all()

    def wait_for(self, fragment: str) -> str:
        with self._cond:
            found = self._cond.wait_for(lambda: any(fragment in r for r in self.records), WAIT_S)
            assert found, f"no log line with {fragment!r}: {self.records}"
            return next(r for r in self.records if fragment in r)


@pytest.fixture
def service_log() -> Iterator[LogWatch]:
    watch = LogWatch()
    logger = logging.getLogger("hall.service")
    logger.addHandler(watch)
    logger.setLevel(logging.INFO)
    yield watch
    logger.removeHandler(watch)


def test_a_fresh_subscriber_receives_every_retained_topic(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    sub = subscribe(["#"])
    for topic in STATE:
        message = sub.wait_for(lambda m, t=topic: m.topic == t, topic)  # type: ignore[misc]
        assert message.retain
        doc = message.json()
        assert doc["schema"] == 1
        assert datetime.fromisoformat(doc["ts"]).utcoffset() is not None
        assert doc["rev"] == contract.rev_of(doc)
    centre = sub.latest("centre")
    assert centre["name"] == "绵阳市游仙区魏城镇便民服务中心"
    assert centre["tier"] == "township" and centre["parent"] == "youxian"
    catalog = sub.latest("catalog")
    assert len(catalog["items"]) == 30 and len(catalog["categories"]) == 11
    assert "办理要件" not in catalog  # fields are keys, not labels
    staff = sub.latest("staff")["staff"]
    photos = {member["photo"] for member in staff if member["photo"]}
    assert photos
    for sha in photos:
        media = sub.wait_for(lambda m, s=sha: m.topic == f"media/{s}", f"media/{sha}")  # type: ignore[misc]
        assert media.retain and hashlib.sha256(media.payload).hexdigest() == sha
    state = sub.latest("device/service/state")
    assert state["status"] == "ready" and state["kind"] == "service"
    assert state["revs"]["catalog"] == catalog["rev"]
    assert json.loads(json.dumps(catalog, ensure_ascii=False)) == catalog


def test_commands_change_state_and_survive_a_restart(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    tmp_path: Path,
) -> None:
    state = tmp_path / "live.sqlite3"
    first = start_service(sample_dir, state)
    staff_url = broker.url("staff")
    result = _command(staff_url, "announce", {"text": "今天逢场，各窗口全员在岗", "duration_s": 3600})
    assert result["id"] == "a1"
    result = _command(staff_url, "staff", {"staff": "s03", "status": "away", "substitute": "s04"})
    assert result["status"] == "away"
    sub = subscribe(["announcements", "staff"])
    sub.doc_where("announcements", lambda d: [a["id"] for a in d["announcements"]] == ["a1"], "a1 announced")
    assert first.stop() == 0

    start_service(sample_dir, state)
    fresh = subscribe(["announcements", "staff"])
    doc = fresh.doc_where("announcements", lambda d: bool(d["announcements"]), "announcements after restart")
    assert doc["announcements"][0]["text"] == "今天逢场，各窗口全员在岗"
    staff = fresh.latest("staff")["staff"]
    s03 = next(member for member in staff if member["id"] == "s03")
    assert (s03["status"], s03["substitute"]) == ("away", "s04")
    # Numbering carries on after the restart.
    assert _command(staff_url, "announce", {"text": "第二条"})["id"] == "a2"


def test_expired_announcements_leave_the_retained_topic(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    sub = subscribe(["announcements"])
    _command(broker.url("staff"), "announce", {"text": "短时通知", "duration_s": 1})
    sub.doc_where("announcements", lambda d: len(d["announcements"]) == 1, "the announcement")
    seen = sub.mark()
    sub.doc_where("announcements", lambda d: d["announcements"] == [], "the announcement gone", after=seen)
    # And a fresh subscriber, reading only the retained copy, does not see it either.
    fresh = subscribe(["announcements"])
    assert fresh.latest("announcements")["announcements"] == []


def test_bad_commands_get_clear_errors_and_change_nothing(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    service_log: LogWatch,
) -> None:
    start_service(sample_dir)
    staff = subscribe(["reply/staff", "announcements"], user="staff")
    before = staff.latest("announcements")

    def raw(verb: str, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        staff.publish(f"cmd/{verb}/staff", data)

    def reply_to(command_id: str) -> dict[str, Any]:
        return staff.wait_for(
            lambda m: m.topic == "reply/staff" and m.json().get("id") == command_id, f"reply {command_id}"
        ).json()

    base = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00"}
    raw("announce", b"{not json")
    service_log.wait_for("cmd/announce/staff 已忽略：消息不是 JSON")
    raw("announce", b"\xff\xfe")
    service_log.wait_for("消息不是 UTF-8 文本")
    raw("announce", {**base, "id": "c1", "args": {"text": 12}})
    assert reply_to("c1") == {
        **reply_to("c1"),
        "ok": False,
        "code": "bad_args",
        "error": "参数有误：文字应为文本，收到 12",
    }
    raw("announce", {**base, "id": "c2", "args": "hello"})
    assert reply_to("c2")["code"] == "args_not_object"
    raw("shout", {**base, "id": "c3", "args": {}})
    assert (reply_to("c3")["code"], reply_to("c3")["error"][:14]) == ("unknown_command", "没有“shout”这个命令；")
    raw("announce", {**base, "id": ["x"] * 10_000, "args": {}})
    assert staff.wait_for(lambda m: m.topic == "reply/staff" and m.json().get("code") == "bad_id", "id")
    raw("announce", {**base, "id": "c5", "args": {"text": "x" * 2000}})
    assert reply_to("c5")["code"] == "bad_args" and "文字有 2000 个字符" in reply_to("c5")["error"]
    raw("announce", {"schema": 1, "id": "c6", "args": {"text": "x" * 66_000}})
    service_log.wait_for("多于上限 65536")
    raw("announce", {"schema": 1, "id": "c7", "args": {"text": "x" * 1_000_000}})  # the broker keeps it away

    # Nothing changed: the retained announcements are as before, and the service still answers.
    assert _command(broker.url("staff"), "announce", {"text": "正常通知"})["id"] == "a1"
    after = staff.doc_where("announcements", lambda d: len(d["announcements"]) == 1, "the good announcement")
    assert before["announcements"] == []
    assert after["announcements"][0]["text"] == "正常通知"


def test_a_repeated_command_id_is_answered_again_not_applied_twice(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    staff = subscribe(["reply/staff", "announcements"], user="staff")
    command = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": "same", "args": {"text": "只发一次"}}
    staff.publish("cmd/announce/staff", json.dumps(command).encode())
    staff.publish("cmd/announce/staff", json.dumps(command).encode())
    first = staff.wait_for(lambda m: m.topic == "reply/staff", "the first reply")
    second = staff.wait_for(lambda m: m.topic == "reply/staff" and m is not first, "the second reply")
    answers = [first.json(), second.json()]
    assert len(answers) == 2 and answers[0] == answers[1] and answers[0]["result"]["id"] == "a1"
    # One more command, then the announcements document holds exactly two: a1 and the new a2.
    command2 = {**command, "id": "other", "args": {"text": "第二条"}}
    staff.publish("cmd/announce/staff", json.dumps(command2).encode())
    doc = staff.doc_where("announcements", lambda d: len(d["announcements"]) >= 2, "two announcements")
    assert sorted(a["id"] for a in doc["announcements"]) == ["a1", "a2"]


def test_nothing_in_a_command_is_believed_about_its_sender(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    staff = subscribe(["reply/staff"], user="staff")
    kiosk = subscribe(["reply/kiosk-1", "announcements"], user="kiosk-1")
    claims = {"by": "主任 张伟", "reply_to": "kiosk-1", "sender": "service"}
    command = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": "c1", "args": {"text": "以谁的名义"}, **claims}
    staff.publish("cmd/announce/staff", json.dumps(command).encode())
    reply = staff.wait_for(lambda m: m.topic == "reply/staff", "the reply to the account that sent it").json()
    doc = kiosk.doc_where("announcements", lambda d: len(d["announcements"]) == 1, "the announcement")
    assert reply["ok"] and doc["announcements"][0]["by"] == "staff"  # the account, not the claim
    # The reply went out before the new document, so a copy for kiosk-1 would have arrived by now.
    assert not [m for m in kiosk.messages if m.topic == "reply/kiosk-1"]


def test_a_command_id_is_its_senders_own(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    """Another account sending the same id gets its own command applied, never the first's stored reply."""
    start_service(sample_dir)
    first = subscribe(["reply/staff"], user="staff")
    second = subscribe(["reply/clerk-zonghe", "announcements"], user="clerk-zonghe")
    command = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": "same-id", "args": {"text": "第一位"}}
    first.publish("cmd/announce/staff", json.dumps(command).encode())
    assert first.wait_for(lambda m: m.topic == "reply/staff", "staff's reply").json()["result"]["id"] == "a1"
    second.publish("cmd/announce/clerk-zonghe", json.dumps({**command, "args": {"text": "第二位"}}).encode())
    reply = second.wait_for(lambda m: m.topic == "reply/clerk-zonghe", "clerk-zonghe's reply").json()
    result = reply["result"]
    assert result["id"] == "a2" and result["text"] == "第二位" and result["by"] == "clerk-zonghe"
    doc = second.doc_where("announcements", lambda d: len(d["announcements"]) == 2, "both announcements")
    assert {a["by"] for a in doc["announcements"]} == {"staff", "clerk-zonghe"}


def test_a_saved_edit_reaches_subscribers(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    sub = subscribe(["centre", "catalog"])
    old = sub.latest("centre")
    path = sample_dir / "centre.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("0816-2731000", "0816-2731999"), encoding="utf-8")
    new = sub.doc_where("centre", lambda d: d["hotline"] == "0816-2731999", "the edited hotline")
    assert new["rev"] != old["rev"]


def test_a_bad_edit_keeps_the_last_good_content(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber], service_log: LogWatch
) -> None:
    start_service(sample_dir)
    sub = subscribe(["catalog"])
    good = sub.latest("catalog")
    path = sample_dir / "items" / "shebao.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    fee:", "    feee:", 1), encoding="utf-8")
    service_log.wait_for("内容的修改没有生效")
    line = service_log.wait_for("“feee”")
    assert "items/shebao.yaml:" in line
    fresh = subscribe(["catalog"])
    assert fresh.latest("catalog")["rev"] == good["rev"]
    # Mending the file publishes again.
    path.write_text(path.read_text(encoding="utf-8").replace("    feee:", "    fee:", 1), encoding="utf-8")
    service_log.wait_for("内容已重新载入")


def test_a_copy_of_the_sample_that_keeps_its_address_is_warned(
    sample_dir: Path, start_service: Callable[..., Any], service_log: LogWatch
) -> None:
    """hall serve said nothing of a copy of the sample that keeps the sample's public_url (every QR code
    of the hall would open the sample's address); hall check warned, the service did not."""
    start_service(sample_dir)
    line = service_log.wait_for("public_url 还是样例中心的地址")
    assert "centre.yaml:" in line and "请改成手机能打开本大厅公共页面的地址" in line, line
    assert english(line, ["public"]) == [], line
    # A reload that keeps it says nothing more: the warning was logged again on every edit of the hall.
    path = sample_dir / "staff.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# 修改\n", encoding="utf-8")
    service_log.wait_for("内容已重新载入")
    assert sum("public_url 还是样例中心的地址" in r for r in service_log.records) == 1, service_log.records


def test_a_service_told_its_own_address_is_not_warned_of_the_samples(
    sample_dir: Path, start_service: Callable[..., Any], service_log: LogWatch
) -> None:
    running = start_service(sample_dir, public_url="http://hall.weicheng.example")
    assert running.service.content.centre.public_url == "http://hall.weicheng.example"
    assert not any("public_url" in line for line in service_log.records), service_log.records


def test_a_time_zone_typo_is_refused_and_the_service_goes_on(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    service_log: LogWatch,
) -> None:
    start_service(sample_dir)
    sub = subscribe(["centre"])
    good = sub.latest("centre")
    path = sample_dir / "centre.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai", "timezone: Asia"), encoding="utf-8"
    )
    assert "centre.yaml:" in service_log.wait_for("“Asia”")
    assert _command(broker.url("staff"), "announce", {"text": "服务仍在"})["id"] == "a1"
    assert subscribe(["centre"]).latest("centre")["rev"] == good["rev"]


def test_the_service_republishes_when_the_broker_lost_everything(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
    service_log: LogWatch,
) -> None:
    start_service(sample_dir)
    broker.stop()
    service_log.wait_for("与代理服务器的连接断开")
    shutil.rmtree(broker.directory / "data")
    (broker.directory / "data").mkdir()
    broker.start()
    fresh = subscribe(["catalog", "device/service/state"])
    assert len(fresh.latest("catalog")["items"]) == 30
    assert fresh.latest("device/service/state")["status"] == "ready"


@pytest.mark.fault
def test_hall_serve_process_presence_and_signals(
    sample_dir: Path, broker: Mosquitto, subscribe: Callable[..., Subscriber], tmp_path: Path
) -> None:
    sub = subscribe(["device/service/state"])

    def serve() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            serve_argv(sample_dir, broker.url("service"), tmp_path / "s.sqlite3"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def status_after(seen: int, status: str) -> None:
        sub.wait_for(lambda m: m.topic == "device/service/state" and m.json()["status"] == status, status, seen)

    process = serve()
    status_after(0, "ready")
    seen = sub.mark()
    process.kill()  # no goodbye: the broker publishes the last will
    process.wait(WAIT_S)
    assert process.stderr is not None
    process.stderr.close()
    status_after(seen, "lost")

    seen = sub.mark()
    process = serve()
    status_after(seen, "ready")
    seen = sub.mark()
    process.send_signal(signal.SIGTERM)
    assert process.wait(WAIT_S) == 0
    assert process.stderr is not None
    assert "已停止".encode() in process.stderr.read()
    process.stderr.close()
    status_after(seen, "disconnected")


def test_a_refused_service_account_is_an_error(sample_dir: Path, broker: Mosquitto, tmp_path: Path) -> None:
    bad = broker.url("service").replace(broker.passwords["service"], "wrong")
    result = subprocess.run(
        serve_argv(sample_dir, bad, tmp_path / "s.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "拒绝了内容服务的连接：未获授权" in result.stderr


def test_cli_commands_end_to_end(sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]) -> None:
    start_service(sample_dir)
    env = {**os.environ, "HALL_BROKER": broker.url("staff"), "HALL_CENTRE": CENTRE}

    def hall(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*HALL, *args], capture_output=True, text=True, env=env, timeout=60)

    done = hall(
        "announce", "系统维护，暂停办理社保业务", "--priority", "emergency", "--expires", "10m", "--target", "led"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("公告 a1（紧急，")
    refused = hall("staff", "s99", "away")
    assert refused.returncode == 1
    assert refused.stderr == "hall staff：没有工作人员“s99”\n"  # the refusal's sentence, as the service words it
    cleared = hall("announce", "--clear", "a1")
    assert (cleared.returncode, cleared.stdout.strip()) == (0, "已撤下公告 a1")
    status = hall("staff", "s03", "leave", "--substitute", "s04")
    assert status.returncode == 0 and "陈静（s03）：自 " in status.stdout and "起请假，由 s04 代岗" in status.stdout


def test_no_service_means_a_clear_timeout(broker: Mosquitto) -> None:
    with pytest.raises(CommandFailed, match="1 秒内没有答复"):
        send_command(parse_broker_url(broker.url("staff")), CENTRE, "announce", {"text": "x"}, timeout=1)


def test_reply_timestamps_carry_the_centre_offset(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    start_service(sample_dir)
    result = _command(broker.url("staff"), "staff", {"staff": "s05", "status": "on_duty"})
    # The sample centre is in Asia/Shanghai, whatever the machine's own zone is.
    assert result["since"].endswith("+08:00")


def test_a_second_service_on_the_same_state_file_is_refused(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir, tmp_path / "one.sqlite3")
    result = subprocess.run(
        serve_argv(sample_dir, broker.url("service"), tmp_path / "one.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"正由另一个运行中的服务使用（进程号 {os.getpid()}）：请先停止那个服务" in result.stderr


def test_an_unusable_state_file_is_a_clear_error(sample_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = subprocess.run(
        serve_argv(sample_dir, "mqtt://127.0.0.1:1", tmp_path / "file" / "state.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "无法使用状态文件" in result.stderr


def test_a_command_that_cannot_be_stored_is_refused_not_left_unanswered(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    running = start_service(sample_dir)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    running.store.commit = broken  # the disk fills up under the service
    with refused("not_stored"):
        _command(broker.url("staff"), "announce", {"text": "不会保存"})
    assert running.service.live.announcements == {}
    with refused("args_not_object"):
        send_command(parse_broker_url(broker.url("staff")), CENTRE, "stats", [1], timeout=WAIT_S)  # type: ignore[arg-type]


def test_junk_from_a_stolen_account_is_answered_but_cannot_fill_the_disk(
    sample_dir: Path, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber], tmp_path: Path
) -> None:
    import sqlite3

    from content.service.loop import KEPT_ARGS_BYTES, REFUSALS_RECORDED_PER_MINUTE

    start_service(sample_dir, state=tmp_path / "junk.sqlite3")
    staff = subscribe(["reply/staff"], user="staff")
    junk = {"text": "垃" * 20_000, "targets": ["everyone"] * 100}  # about 60 KB, refused
    for k in range(60):
        command = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": f"junk-{k}", "args": junk}
        staff.publish("cmd/announce/staff", json.dumps(command, ensure_ascii=False).encode())
    replies = [staff.wait_for(lambda m, k=k: m.json().get("id") == f"junk-{k}", f"reply {k}").json() for k in range(60)]
    assert all(not r["ok"] and len(json.dumps(r)) < 1000 for r in replies)
    db = sqlite3.connect(tmp_path / "junk.sqlite3")
    rows = db.execute("SELECT args FROM commands WHERE by = 'staff' AND id LIKE 'junk-%'").fetchall()
    assert 1 <= len(rows) <= REFUSALS_RECORDED_PER_MINUTE * 2  # the run may straddle a minute
    assert all(len(args.encode()) <= KEPT_ARGS_BYTES + 100 for (args,) in rows)


def test_the_console_account_names_the_person_acting_and_no_other_account_may(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any]
) -> None:
    users = {"li.na": User("li.na", "staff", window="guotu"), "gone": User("gone", "manager", disabled=True)}
    running = start_service(sample_dir, console_accounts=frozenset({"staff"}), users=users)
    staff = parse_broker_url(broker.url("staff"))
    send_command(staff, CENTRE, "window", {"window": "guotu", "state": "pause", "reason": "下村办件"}, person="li.na")
    with refused("person_not_console"):
        send_command(parse_broker_url(broker.url("kiosk-1")), CENTRE, "ticket", {"category": "shebao"}, person="li.na")
    with refused("bad_person"):
        send_command(staff, CENTRE, "window", {"window": "guotu", "state": "open"}, person="<b>x</b>")
    for nobody in ("wang.wu", "gone"):  # not a user of the console, or one disabled: not believed
        with refused("unknown_person"):
            send_command(staff, CENTRE, "window", {"window": "guotu", "state": "open"}, person=nobody)
    with refused("not_own_window") as said:  # what a person may do is their role's: li.na's window only
        send_command(staff, CENTRE, "window", {"window": "zonghe", "state": "open"}, person="li.na")
    assert str(said.value) == "li.na 只能操作本窗口（guotu），不能操作窗口“zonghe”"
    send_command(staff, CENTRE, "window", {"window": "guotu", "state": "open"})
    audit = running.store.audit(10)
    assert [(r["verb"], r["by"], r["person"], r["reply"].get("code")) for r in audit[:3]] == [
        ("window", "staff", None, None),
        ("window", "staff", "li.na", "not_own_window"),  # refused, and recorded like any refusal
        ("window", "staff", "li.na", None),
    ]
