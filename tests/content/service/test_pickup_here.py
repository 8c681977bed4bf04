"""The wall's 取件 list names only the cases ready at this hall: one ready at a village agent point is
collected there, and its applicant would wait at the township's window for nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from content.broker.local import Mosquitto
from content.service import case_store
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from tests.conftest import CENTRE, WAIT_S, Subscriber

DIBAO = "minzheng-dibao"


def _row(db: sqlite3.Connection, number: str, stage: str, holder: str, notify: int = 1) -> None:
    values: dict[str, Any] = {
        "number": number, "item": DIBAO, "item_name": "最低生活保障申请", "opened_tier": "village",
        "deciding_tier": "district", "limit_days": 17, "required": "[]", "received": "[]", "masked_name": "张*",
        "masked_phone": "138****5678", "phone_tail": "5678", "notify": notify, "opened_at": "2026-12-01T09:00:00+08:00",
        "stage": stage, "holder": holder, "open": 0, "updated_at": f"2026-12-03T09:00:0{number[-1]}+08:00",
    }  # fmt: skip
    columns = ", ".join(values)
    db.execute(f"INSERT INTO cases ({columns}) VALUES ({', '.join('?' * len(values))})", tuple(values.values()))


def test_the_pickup_list_holds_the_cases_ready_at_this_tier_only() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(case_store.SCHEMA)
    _row(db, "WC-261203-0001", "ready", "township")
    _row(db, "WC-261203-0002", "ready", "village")  # at the agent point: collected there
    _row(db, "WC-261203-0003", "ready", "district")
    _row(db, "WC-261203-0004", "ready", "township", notify=0)  # not agreed to be shown
    _row(db, "WC-261203-0005", "decided", "township")
    assert case_store.ready_to_collect(db, 10, "township") == ("WC-261203-0001",)
    assert case_store.ready_to_collect(db, 10, "village") == ("WC-261203-0002",)
    assert case_store.ready_to_collect(db, 10, "district") == ("WC-261203-0003",)


def test_the_wall_of_the_township_hall_leaves_out_a_case_ready_at_a_village(
    sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    start_service(sample_dir)
    wall = subscribe(["pickup"])

    def send(verb: str, args: dict[str, Any]) -> dict[str, Any]:
        return send_command(parse_broker_url(broker.url("staff")), CENTRE, verb, args, timeout=WAIT_S)

    def ready_at(tier: str) -> str:
        number: str = send(
            "case_open",
            {
                "item": DIBAO,
                "at": "village",
                "agent": "a01",
                "applicant": "张三",
                "phone": "13812345678",
                "notify": True,
            },
        )["number"]
        steps: list[dict[str, Any]] = [
            {"stage": "sent", "to": "township"},
            {"stage": "prereview"},
            {"stage": "accepted"},
            {"stage": "sent", "to": "district"},
            {"stage": "decided"},
            {"stage": "returned", "to": "township"},
        ]
        if tier == "village":
            steps.append({"stage": "returned", "to": "village"})
        for step in [*steps, {"stage": "ready"}]:
            send("case_advance", {"case": number, **step})
        return number

    at_village = ready_at("village")
    at_township = ready_at("township")
    shown = wall.doc_where("pickup", lambda d: d["cases"] == [at_township], "the township's case on its wall")
    assert at_village not in shown["cases"]
