"""The queue's command handlers: argument checks and replies, without a broker."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from content.centre.loader import Content
from content.service.commands.base import Context, Refusal
from content.service.commands.queue import call, take_ticket
from content.service.commands.staff import set_staff_status
from content.service.commands.windows import window
from content.service.documents import queue as queue_doc
from content.service.live import Live

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def test_ticket_reply(content: Content) -> None:
    out = take_ticket(Context(Live(), content, {"category": "shebao"}, "kiosk-1", NOW))
    assert out.result["ticket"] == "A001"
    assert out.result["category_name"] == "社会保障"
    assert out.result["ahead"] == 0
    assert out.result["url"] == "http://hall.weicheng.local:8080/q/2026-11-27/A001"
    out = take_ticket(Context(out.live, content, {"category": "shebao", "priority": "elderly"}, "kiosk-1", NOW))
    assert (out.result["ticket"], out.result["priority_name"]) == ("A002", "老年人")
    out = take_ticket(Context(out.live, content, {"category": "shebao"}, "kiosk-1", NOW))
    # Two before it; two windows (社会保障 and, on an ordinary day, 综合) at 8 minutes each.
    assert (out.result["ahead"], out.result["estimated_wait_min"]) == (2, 8)


@pytest.mark.parametrize(
    ("handler", "args", "code", "said"),
    [
        (take_ticket, {}, "bad_args", "缺少类别"),
        (take_ticket, {"category": "nope"}, "no_category", "没有类别“nope”；类别有：shebao (社会保障)"),
        (
            take_ticket,
            {"category": "shebao", "priority": "vip"},
            "bad_args",
            "优先级应为 “elderly”、“disabled”、“pregnant”、“military”、“appointment” 之一",
        ),
        (take_ticket, {"category": 3}, "bad_args", "类别应为文本，收到 3"),
        (call, {"window": "w9"}, "no_window", "没有窗口“w9”；窗口有：zonghe (综合窗口)"),
        (
            call,
            {"window": "shebao", "action": "skip"},
            "bad_args",
            "操作应为 “next”、“recall”、“no_show”、“ticket”、“transfer”、“done” 之一",
        ),
        (call, {"window": "shebao", "action": "ticket"}, "ticket_needs_number", "需要给出号码（ticket）"),
        (
            call,
            {"window": "shebao", "action": "ticket", "ticket": "a1"},
            "bad_args",
            "票号“a1”的格式不对：应为一到两个大写字母加三位数字，例如 A012",
        ),
        (call, {"window": "shebao", "action": "transfer"}, "transfer_needs_target", "二选一"),
        (call, {"window": "shebao", "action": "transfer", "category": "x"}, "no_category", "没有类别“x”"),
        (call, {"window": "shebao", "action": "recall"}, "nobody_served", "社会保障窗口当前没有正在办理的号码"),
        (call, {"window": "shebao", "action": "ticket", "ticket": "Z999"}, "no_ticket", "今天没有 Z999 号"),
        (
            window,
            {"window": "shebao", "state": "closed"},
            "bad_args",
            "窗口状态应为 “open”、“pause” 之一，收到 “closed”",
        ),
        (window, {"window": "shebao", "state": "open", "reason": "x"}, "reason_only_pausing", "暂停窗口时"),
        (
            window,
            {"window": "shebao", "state": "pause", "reason": "x" * 61},
            "bad_args",
            "原因有 61 个字符，多于上限 60",
        ),
    ],
)
def test_bad_queue_commands(content: Content, handler, args: dict, code: str, said: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as error:
        handler(Context(Live(), content, args, "staff", NOW))
    assert error.value.code == code and said in str(error.value)


def test_call_names_the_staff_on_duty_and_emits_one_call(content: Content) -> None:
    live = take_ticket(Context(Live(), content, {"category": "shebao"}, "kiosk-1", NOW)).live
    out = call(Context(live, content, {"window": "shebao"}, "staff", NOW))
    assert out.result["text"] == "请A001号到2号窗口办理"
    assert len(out.calls) == 1 and out.calls[0].ticket == "A001"
    serving = out.live.queue.tickets["A001"]
    assert serving.staff == next(m.id for m in content.staff if m.window == "shebao" and m.status == "on_duty")
    empty = call(Context(out.live, content, {"window": "shebao"}, "staff", NOW))
    assert empty.result["ticket"] is None and empty.result["message"] == "社会保障窗口暂无等候的群众"
    assert empty.calls == ()


def test_queue_document(content: Content) -> None:
    live = take_ticket(Context(Live(), content, {"category": "shebao"}, "kiosk-1", NOW)).live
    live = take_ticket(Context(live, content, {"category": "shebao", "priority": "elderly"}, "kiosk-1", NOW)).live
    live = call(Context(live, content, {"window": "shebao"}, "staff", NOW)).live
    live = window(
        Context(live, content, {"window": "guotu", "state": "pause", "reason": "下村办件"}, "staff", NOW)
    ).live
    # The staff member at 国土村建 goes on leave: no one is named there.
    guotu_staff = next(m.id for m in content.staff if m.window == "guotu")
    live = set_staff_status(Context(live, content, {"staff": guotu_staff, "status": "leave"}, "staff", NOW)).live
    doc = queue_doc(content, live)
    windows = {w["id"]: w for w in doc["windows"]}
    assert windows["shebao"]["serving"] == "A002"  # priority first
    assert windows["shebao"]["number"] == 2 and windows["shebao"]["staff"]["name"]
    assert (windows["guotu"]["open"], windows["guotu"]["reason"], windows["guotu"]["staff"]) == (
        False,
        "下村办件",
        None,
    )
    shebao = next(c for c in doc["categories"] if c["id"] == "shebao")
    assert (shebao["waiting"], shebao["priority_waiting"]) == (1, 0)
    assert doc["last_calls"][0]["text"] == "请A002号到2号窗口办理"
    assert doc["day"] == "2026-11-27" and doc["market_day"] is False
    assert len(windows["zonghe"]["categories"]) == 11


def test_recent_calls_are_capped(content: Content) -> None:
    live = Live()
    for k in range(12):  # ten seconds apart: within what one account may take in a minute
        live = take_ticket(Context(live, content, {"category": "shebao"}, "k", NOW + timedelta(seconds=10 * k))).live
    for _ in range(12):
        live = call(Context(live, content, {"window": "shebao"}, "staff", NOW)).live
    assert len(live.queue.recent) == content.centre.queue.recent_calls == 10
    assert live.queue.recent[0].seq == 12
    assert replace(live.queue, recent=()).seq == 12


def test_an_account_takes_at_most_tickets_per_minute_then_is_told_to_wait(content: Content) -> None:
    most = content.centre.queue.tickets_per_minute
    live = Live()
    for k in range(most):
        live = take_ticket(Context(live, content, {"category": "shebao"}, "kiosk-1", NOW + timedelta(seconds=k))).live
    with pytest.raises(Refusal, match="kiosk-1 一分钟内已有 10 次") as refused:
        take_ticket(Context(live, content, {"category": "minzheng"}, "kiosk-1", NOW + timedelta(seconds=30)))
    assert refused.value.code == "rate_limited"
    # Another account is not held back, and a minute after its first number this one may take again.
    assert take_ticket(Context(live, content, {"category": "shebao"}, "kiosk-2", NOW + timedelta(seconds=30))).result
    later = take_ticket(Context(live, content, {"category": "shebao"}, "kiosk-1", NOW + timedelta(seconds=60.5)))
    assert later.live.queue.tickets[later.result["ticket"]].issued_by == "kiosk-1"


def test_when_a_category_runs_out_of_numbers_the_refusal_says_so(content: Content) -> None:
    live = Live()
    queue = replace(live.queue, day=NOW.date(), counters={"A": 999})
    with pytest.raises(Refusal, match="A 类今天的 999 个号已经取完") as refused:
        take_ticket(Context(replace(live, queue=queue), content, {"category": "shebao"}, "kiosk-1", NOW))
    assert refused.value.code == "numbers_exhausted"
