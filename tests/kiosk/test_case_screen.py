"""查询办件 on the kiosk: a real case opened by staff, looked up through the real window (taps on the
keypad), the real Mosquitto and the real content service; and the reply read as hostile input.

The screenshots go to /tmp/kiosk-case (portrait-*.png, landscape-*.png) to look at.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.broker.local import Mosquitto
from content.shared.broker_url import parse_broker_url
from content.shared.client import CommandFailed, NoReply, send_command
from kiosk.device import (
    CASE_NO_ANSWER,
    CASE_NOT_FOUND,
    CASE_REFUSED_BECAUSE,
    CASE_UNREADABLE,
    CaseView,
    KioskLink,
    read_case,
)
from tests.conftest import CENTRE, WAIT_S
from tests.kiosk import test_app
from tests.kiosk.test_app import LANDSCAPE, SIZE, RunningKiosk, _qr_text
from tests.kiosk.tours import command

xvfb = test_app.xvfb  # the fixtures: a real X server, the kiosk in a subprocess on it
run_kiosk = test_app.run_kiosk

SHOTS = Path("/tmp/kiosk-case")
DIBAO_FORM = "《最低生活保障申请书》"


def _open_case(broker: Mosquitto) -> dict[str, Any]:
    args = {
        "item": "minzheng-dibao",
        "at": "village",
        "agent": "a01",
        "applicant": "张三丰",
        "phone": "13812345678",
        "received": [DIBAO_FORM],
    }
    return send_command(parse_broker_url(broker.url("staff")), CENTRE, "case_open", args, timeout=WAIT_S)


def _marked(line: str, marker: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(line.removeprefix(marker).strip())
    return value


@pytest.mark.broker
@pytest.mark.parametrize("size", [SIZE, LANDSCAPE], ids=["portrait", "landscape"])
def test_a_citizen_looks_a_case_up_with_the_phone_digits(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., Any],
    run_kiosk: Callable[[list[str]], RunningKiosk],
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    start_service(sample_dir)
    opened = _open_case(broker)
    number = opened["number"]  # WC-261204-0001
    typed = number.split("-", 1)[1].replace("-", "")  # the digits, as on the keypad
    tag = "portrait" if size == SIZE else "landscape"
    argv = ["--broker", broker.url("kiosk-1"), "--centre", CENTRE, "--cache", str(tmp_path / "cache")]
    argv += ["--size", f"{size[0]}x{size[1]}", "--idle", "60"]
    kiosk = run_kiosk(command("case", *argv, "--number", typed, "--out", str(SHOTS), "--tag", tag))
    kiosk.wait_line("KIOSK READY")

    shown = _marked(kiosk.wait_line("CASE SHOWN"), "CASE SHOWN")
    keypad, digits = shown["keypad"], shown["digits_step"]
    assert keypad["step"] == "number" and keypad["number"] == typed
    assert f"{typed[:6]}-{typed[6:]}" in keypad["texts"], keypad["texts"]  # grouped as the slip prints it
    assert digits["step"] == "digits" and "● ● ● ●" in digits["texts"] and "5678" not in digits["texts"]
    texts = "\n".join(shown["texts"])
    assert shown["step"] == "result" and shown["digits"] == ""
    assert "已收件" in shown["texts"], texts  # the stage, big
    assert f"受理编号　{number}" in shown["texts"] and "最低生活保障申请" in texts
    assert "申请人：张**　138****5678" in shown["texts"], texts  # masked: never the name or the number
    assert "张三丰" not in texts and "13812345678" not in texts
    assert "需补交材料" in shown["texts"] and f"· {DIBAO_FORM}" in shown["texts"]  # received, not missing
    assert "· 《家庭经济状况核对授权书》" in shown["texts"], texts
    assert "办理进度" in shown["texts"] and "联系电话" in shown["texts"]
    assert any(t.startswith("咨询电话：") for t in shown["texts"]), texts
    assert shown["qr"] == 1 and "手机扫码随时查看进度" in shown["texts"]
    for faults in (keypad["faults"], digits["faults"], shown["faults"], shown["bottom"], shown["large"]):
        assert faults == [], faults
    assert _qr_text(SHOTS / f"{tag}-result.png") == opened["url"]  # the phone opens this case's page

    refused = _marked(kiosk.wait_line("CASE REFUSED"), "CASE REFUSED")
    assert refused["step"] == "refused" and CASE_NOT_FOUND in refused["texts"], refused
    assert not any("张**" in t for t in refused["texts"]) and refused["qr"] == 0
    assert refused["faults"] == [], refused["faults"]

    cleared = _marked(kiosk.wait_line("CASE CLEARED"), "CASE CLEARED")
    assert cleared["step"] == "number" and cleared["number"] == cleared["digits"] == "" and not cleared["result"]
    assert not any(number in t or "张**" in t or t == "已收件" for t in cleared["texts"]), cleared["texts"]
    assert kiosk.wait_exit() == 0, kiosk.seen
    for name in ("number", "digits", "result", "result-bottom", "result-large", "not-found"):
        with Image.open(SHOTS / f"{tag}-{name}.png") as image:
            assert image.size == size, name


# -- the reply, read as hostile input ---------------------------------------------------------------

GOOD: dict[str, Any] = {
    "number": "WC-261204-0001",
    "item": "最低生活保障申请",
    "stage": "received",
    "stage_name": "已收件",
    "holder": "village",
    "holder_name": "村(社区)代办点",
    "deciding_name": "区政务服务中心",
    "opened": "2026年12月4日 09:30",
    "due": "2026-12-29",
    "due_text": "2026年12月29日前办结（承诺 17 个工作日）",
    "flag": "",
    "flag_text": "",
    "applicant": "张**",
    "phone": "138****5678",
    "contacts": [{"label": "咨询电话", "phone": "0816-2731000"}],
    "timeline": [
        {
            "at": "2026-12-04T09:30:00+08:00",
            "when": "2026年12月4日 09:30",
            "name": "已收件",
            "tier_name": "村(社区)",
            "note": "",
        }
    ],
    "details": True,
    "missing": ["《家庭经济状况核对授权书》"],
    "received": [DIBAO_FORM],
    "url": "http://hall.weicheng.local:8080/t/WC-261204-0001?k=abc",
}


def test_a_good_reply_reads_whole() -> None:
    view = read_case(GOOD)
    assert view is not None
    assert (view.number, view.stage_name, view.holder_name, view.applicant) == (
        "WC-261204-0001", "已收件", "村(社区)代办点", "张**",
    )  # fmt: skip
    assert view.timeline[0].name == "已收件" and view.timeline[0].tier_name == "村(社区)"
    assert view.missing == ("《家庭经济状况核对授权书》",) and view.received == (DIBAO_FORM,)
    assert view.contacts[0].phone == "0816-2731000" and view.url == GOOD["url"]


HOSTILE_REPLIES: list[Any] = [
    None,
    [],
    "case",
    42,
    {},
    {"number": "WC-261204-0001"},  # no stage
    {"stage_name": "已收件"},  # no number
    {"number": 7, "stage_name": "已收件"},
    {"number": "WC-1", "stage_name": ["已收件"]},
    {"number": "   ", "stage_name": "已收件"},
    {"number": "\x00\x1b\u202e", "stage_name": "已收件"},
]


@pytest.mark.parametrize("reply", HOSTILE_REPLIES, ids=range(len(HOSTILE_REPLIES)))
def test_a_reply_that_is_no_case_reads_as_none(reply: Any) -> None:
    assert read_case(reply) is None


def test_wrong_types_and_sizes_are_dropped_or_cut() -> None:
    huge = "长" * 100_000
    view = read_case(
        GOOD
        | {
            "item": huge,
            "stage_name": "已收件\x00\u202e" + huge,
            "holder_name": {"x": 1},
            "due_text": 12,
            "flag": "<script>",
            "flag_text": huge,
            "applicant": ["张"],
            "contacts": [{"label": "咨询电话", "phone": 5}, "x", None, *[{"label": "a", "phone": "1"}] * 1000],
            "timeline": [
                "x",
                1,
                None,
                {"name": 5},
                *[{"when": 1, "name": "审批中", "note": huge, "basis": [1]}] * 10_000,
            ],
            "missing": [1, None, {"a": 1}, "", "  ", *["材料"] * 10_000],
            "received": "《最低生活保障申请书》",
            "url": "javascript:alert(1)",
        }
    )
    assert view is not None
    assert len(view.item) == 120 and view.stage_name.startswith("已收件长") and len(view.stage_name) == 20
    assert "\x00" not in view.stage_name and "\u202e" not in view.stage_name
    assert view.holder_name == view.due_text == view.applicant == "" and view.flag == ""
    assert len(view.flag_text) == 20
    assert len(view.contacts) == 5 and all(isinstance(c.phone, str) and c.phone for c in view.contacts)
    assert len(view.timeline) == 60 and all(s.name == "审批中" and len(s.note) == 500 for s in view.timeline)
    assert all(s.when == "" and s.basis == "" for s in view.timeline)
    assert len(view.missing) == 59 and view.received == () and view.url is None  # 64 read, 5 of them no texts


@pytest.mark.parametrize(
    "url", ["ftp://x/y", "http://a b/", "http://x/\n", "https://" + "a" * 600, "", 5, ["http://x"], "HTTP:/x"]
)
def test_only_plain_web_addresses_become_a_qr_code(url: Any) -> None:
    view = read_case(GOOD | {"url": url})
    assert view is not None and view.url is None


def test_a_note_keeps_its_lines_and_loses_control_characters() -> None:
    step = {
        "when": "今天",
        "name": "补正",
        "note": "请补交：\r\n\x1b[31m户口簿\n\n\u200b复印件 ",
        "basis": "\t《办法》\x7f",
    }
    view = read_case(GOOD | {"timeline": [step]})
    assert view is not None
    assert view.timeline[0].note == "请补交：\n[31m户口簿\n复印件" and view.timeline[0].basis == "《办法》"


def _link(tmp_path: Path, sender: Callable[..., dict[str, Any]]) -> KioskLink:
    broker = parse_broker_url("mqtt://kiosk-1:x@127.0.0.1:9")
    return KioskLink(broker, CENTRE, device_id="kiosk-1", cache_dir=tmp_path / "cache", sender=sender)


@pytest.mark.parametrize("reply", HOSTILE_REPLIES[:6])
def test_a_hostile_reply_gives_the_screen_a_message_not_a_crash(tmp_path: Path, reply: Any) -> None:
    sent: list[dict[str, Any]] = []

    def sender(broker: Any, centre: str, verb: str, args: dict[str, Any], **_: Any) -> Any:
        sent.append({"verb": verb, **args})
        return reply

    link = _link(tmp_path, sender)
    called = threading.Event()
    try:
        result = link.lookup_case("2612040001", "5678", callback=lambda _r: called.set()).result(WAIT_S)
    finally:
        link.stop()
    assert not result.ok and result.case is None and result.message == CASE_UNREADABLE
    assert called.is_set() and sent == [{"verb": "case", "case": "2612040001", "digits": "5678"}]


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (CommandFailed("no case with that number and those phone digits", "not_found"), CASE_NOT_FOUND),
        (CommandFailed("too many wrong attempts", "locked"), CASE_REFUSED_BECAUSE["locked"]),
        (CommandFailed("more than 20 lookups", "rate_limited"), CASE_REFUSED_BECAUSE["rate_limited"]),
        (CommandFailed("five cases wrong lately", "lookups_held"), CASE_REFUSED_BECAUSE["lookups_held"]),
        (CommandFailed("past its budget", "too_fast"), CASE_REFUSED_BECAUSE["too_fast"]),
        (CommandFailed("past the broker's rate", "broker_refused"), CASE_REFUSED_BECAUSE["broker_refused"]),
        (CommandFailed("its line full", "busy"), "服务繁忙，请稍候再试"),
        (CommandFailed("unknown command 'case'"), CASE_UNREADABLE),
        (CommandFailed("something new", "brand_new_code"), CASE_UNREADABLE),
        (NoReply("no reply within 8 s"), CASE_NO_ANSWER),
        (TypeError("a bug"), CASE_NO_ANSWER),
    ],
)
def test_refusals_have_their_own_words(tmp_path: Path, raised: Exception, message: str) -> None:
    def sender(*_: Any, **__: Any) -> dict[str, Any]:
        raise raised

    link = _link(tmp_path, sender)
    try:
        result = link.lookup_case("2612040001", "0000").result(WAIT_S)
    finally:
        link.stop()
    assert not result.ok and result.message == message
    assert "请到窗口查询" in CASE_REFUSED_BECAUSE["locked"]


@pytest.mark.parametrize(
    ("number", "digits"), [("", "5678"), ("26x1", "5678"), ("1" * 21, "5678"), ("1", "567"), ("1", "56789")]
)
def test_what_the_keypad_cannot_type_is_never_sent(tmp_path: Path, number: str, digits: str) -> None:
    def sender(*_: Any, **__: Any) -> dict[str, Any]:
        raise AssertionError("sent")

    link = _link(tmp_path, sender)
    try:
        result = link.lookup_case(number, digits).result(WAIT_S)
    finally:
        link.stop()
    assert not result.ok and result.message == CASE_NOT_FOUND


def test_the_view_is_immutable() -> None:
    view = read_case(GOOD)
    assert isinstance(view, CaseView)
    with pytest.raises(AttributeError):
        view.number = "x"  # type: ignore[misc]
