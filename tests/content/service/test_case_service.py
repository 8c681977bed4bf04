"""Cases (办件) through the real service and the real Mosquitto: opened, handed up and back, looked up by a
kiosk, shown on the wall when ready, kept in the audit log without the applicant's personal data."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from content.broker.local import Mosquitto
from content.service.store import Store
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, send_command
from tests.conftest import CENTRE, HALL, WAIT_S, Subscriber
from tests.content.service.expect import refused

DIBAO = "minzheng-dibao"
DIBAO_DOCS = (
    "申请人及共同生活家庭成员的居民身份证、户口簿",
    "《最低生活保障申请书》",
    "家庭收入、财产情况说明",
    "残疾人证、病历或诊断证明",
    "《家庭经济状况核对授权书》",
)


def _send(broker: Mosquitto, user: str, verb: str, args: dict[str, Any]) -> dict[str, Any]:
    return send_command(parse_broker_url(broker.url(user)), CENTRE, verb, args, timeout=WAIT_S)


def _advance(broker: Mosquitto, number: str, stage: str, **extra: Any) -> dict[str, Any]:
    return _send(broker, "staff", "case_advance", {"case": number, "stage": stage, **extra})


def test_a_village_case_through_the_tiers(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    subscribe: Callable[..., Subscriber],
) -> None:
    running = start_service(sample_dir)
    wall = subscribe(["pickup"])
    assert wall.doc_where("pickup", lambda d: True, "the pickup document")["cases"] == []
    opened = _send(
        broker,
        "staff",
        "case_open",
        {
            "item": DIBAO,
            "at": "village",
            "agent": "邓国平",  # by name: the service finds the agent's id
            "applicant": "张三丰",
            "phone": "138 1234 5678",
            "received": list(DIBAO_DOCS[:4]),
            "notify": True,
        },
    )
    number = opened["number"]
    assert re.fullmatch(r"WC-[0-9]{6}-0001", number)
    assert opened["stage"] == "received" and opened["holder"] == "village" and opened["agent"] == "a01"
    assert opened["missing"] == [DIBAO_DOCS[4]]
    assert opened["due_text"].endswith("（承诺 17 个工作日）")  # carried up: the proxy limit
    assert opened["url"].startswith(f"http://hall.weicheng.local:8080/t/{number}?k=")
    assert opened["next"] == ["prereview", "refused", "supplement", "sent"]

    with refused("not_next") as said:
        _advance(broker, number, "collected")
    assert str(said.value) == (
        f"{number} 现在是“已收件”；下一步可以是：网上预审（prereview）、不予受理（refused）、补正（supplement）、"
        "转报（sent --to 层级）"
    )
    with refused("no_item"):
        _send(broker, "staff", "case_open", {"item": "nope", "at": "village", "agent": "a01"})
    with refused("tier_above_centre") as said:
        _send(broker, "staff", "case_open", {"item": DIBAO, "at": "district", "window": "zonghe"})
    assert str(said.value) == "这里是乡镇(街道)便民服务中心：办件在本级或下级收件，不在区政务服务中心收件"

    _advance(broker, number, "sent", to="township", note="村代办员送交镇便民服务中心")
    _advance(broker, number, "prereview", note="网上预审通过")
    _advance(broker, number, "accepted", received=[DIBAO_DOCS[4]])
    trip = _send(broker, "staff", "case_trip", {})
    assert [c["number"] for c in trip["up"]] == [number] and trip["back"] == []
    _advance(broker, number, "sent", to="district", note="每周集中转报")
    _advance(broker, number, "decided")
    assert [c["number"] for c in _send(broker, "staff", "case_trip", {})["back"]] == [number]
    _advance(broker, number, "returned", to="township", note="代为取件")
    ready = _advance(broker, number, "ready")
    assert ready["stage_name"] == "待取件" and ready["missing"] == []
    wall.doc_where("pickup", lambda d: d["cases"] == [number], "the number on the wall")

    # A kiosk looks it up with the digits as typed on its keypad: its reply comes on its own topic only.
    digits_only = number.replace("WC-", "").replace("-", "")
    seen = _send(broker, "kiosk-1", "case", {"case": digits_only, "digits": "5678"})
    assert seen["number"] == number and seen["details"] is True and seen["applicant"] == "张**"
    assert seen["phone"] == "138****5678" and "13812345678" not in json.dumps(seen)
    assert [s["kind"] for s in seen["timeline"]] == [
        "received", "sent", "prereview", "accepted", "sent", "decided", "returned", "ready",
    ]  # fmt: skip
    assert seen["url"] == opened["url"]
    with pytest.raises(CommandFailed) as wrong:
        _send(broker, "kiosk-1", "case", {"case": number, "digits": "0000"})
    with pytest.raises(CommandFailed) as missing:
        _send(broker, "kiosk-1", "case", {"case": "WC-991231-0001", "digits": "5678"})
    assert wrong.value.code == missing.value.code == "not_found" and str(wrong.value) == str(missing.value)

    _advance(broker, number, "collected")
    wall.doc_where("pickup", lambda d: d["cases"] == [], "the number gone from the wall")
    listed = _send(broker, "staff", "case_list", {"closed": True})
    assert [c["number"] for c in listed["cases"]] == [number]
    assert _send(broker, "staff", "case_list", {"overdue": True})["cases"] == []
    stats = _send(broker, "staff", "stats", {})
    assert any(r["name"] == "最低生活保障申请" and r["on_time"] == 1 for r in stats["cases"])

    # The audit log has every step with its account, and no personal data beyond the masked forms.
    audit = running.store.audit(100)
    steps = [r for r in audit if r["verb"] in ("case_open", "case_advance")]
    assert len(steps) >= 10 and all(r["by"] == "staff" for r in steps)
    assert "13812345678" not in json.dumps(audit, ensure_ascii=False)
    assert "张三丰" not in json.dumps(audit, ensure_ascii=False)


def test_personal_data_goes_after_the_set_days_and_the_masked_record_stays(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    state = tmp_path / "cases.sqlite3"
    running = start_service(sample_dir, state)
    number = _send(
        broker, "staff", "case_open",
        {"item": DIBAO, "at": "township", "window": "zonghe", "applicant": "李四", "phone": "13900001111"},
    )["number"]  # fmt: skip
    _advance(broker, number, "sent", to="district")
    _advance(broker, number, "accepted")
    _advance(broker, number, "decided")
    _advance(broker, number, "returned", to="township")
    _advance(broker, number, "ready")
    _advance(broker, number, "collected")
    assert running.stop() == 0
    store = Store(state)
    try:
        now = datetime.now().astimezone()
        assert store.purge_cases(now - timedelta(days=90), now) == []  # collected today: kept
        assert store.purge_cases(now + timedelta(minutes=1), now) == [number]
        case = store.case(number)
        assert case is not None and case.applicant is None and case.phone is None
        assert (case.masked_name, case.masked_phone, case.stage) == ("李*", "139****1111", "collected")
        assert store.audit(1)[0]["verb"] == "case_purge" and store.audit(1)[0]["by"] == "service"
    finally:
        store.close()


def test_the_cli_opens_advances_shows_and_lists(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    env = {"HALL_BROKER": broker.url("staff"), "HALL_CENTRE": CENTRE, "PATH": "/usr/bin:/bin"}

    def hall(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*HALL, "case", *argv], capture_output=True, text=True, env=env, timeout=60)

    opened = hall("open", "--item", DIBAO, "--at", "township", "--window", "zonghe",
                  "--applicant", "王五", "--phone", "13700002222", "--received", DIBAO_DOCS[0])  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    number = opened.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"WC-[0-9]{6}-0001", number)
    assert "《最低生活保障申请书》" in opened.stdout  # the missing documents are told at once

    refused = hall("advance", number, "refused", "--note", "收入超过标准")
    assert refused.returncode != 0 and "不予受理需要写明理由（--note）和法律依据（--basis）" in refused.stderr
    moved = hall("advance", number, "sent", "--to", "district")
    assert moved.returncode == 0, moved.stderr
    shown = hall("show", number)  # the office's account: the applicant's name and phone are the window's
    assert shown.returncode == 0 and "转报至区" in shown.stdout and "王*" in shown.stdout and "王五" not in shown.stdout
    env["HALL_BROKER"] = broker.url("clerk-zonghe")  # the window that received it
    shown = hall("show", number)
    assert shown.returncode == 0 and "王五" in shown.stdout and "13700002222" in shown.stdout
    env["HALL_BROKER"] = broker.url("staff")
    listed = hall("list", "--tier", "district")
    assert listed.returncode == 0 and number in listed.stdout
    bad = hall("show", "not-a-number")
    assert bad.returncode != 0 and "“not-a-number”不是办件编号" in bad.stderr
    trip = hall("trip")
    assert trip.returncode == 0, trip.stderr
