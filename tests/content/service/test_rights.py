"""What each command's handler lets whom do (`Context.require`, by `content.accounts.acting`): a window's
account and window staff on their own window only, the office on every window but never approving nor
reading applicants, the console's people by their role, devices and unknown accounts nothing that needs a
right; and whom the service finds a command acting for (`Senders`). Handlers called alone, no broker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from content.accounts.acting import Acting, acting
from content.accounts.users import User
from content.cases.calendar import calendar_for
from content.centre.loader import Content
from content.service.commands.announcements import announce, announce_list, announce_review
from content.service.commands.base import Context, Handler, Outcome, Refusal
from content.service.commands.cases import Desk, case_list, case_open, case_show, case_slip
from content.service.commands.queue import call, take_ticket
from content.service.commands.senders import Senders
from content.service.commands.staff import set_staff_status
from content.service.commands.statistics import stats
from content.service.commands.windows import window
from content.service.live import Live
from content.service.store import Store
from tests.conftest import CENTRE, ROSTER

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))
CLERK = User("li.na", "staff", window="shebao", staff_id="s05")
MANAGER = User("boss", "manager")
SUPERVISOR = User("jiancha", "supervisor")
OFFICE = acting("staff", ROSTER, CENTRE)
ZONGHE = acting("clerk-zonghe", ROSTER, CENTRE)
WATCH = acting("staff-2", ROSTER, CENTRE)
KIOSK = acting("kiosk-1", ROSTER, CENTRE)
UNKNOWN = acting("somebody", ROSTER, CENTRE)


def person(user: User) -> Acting:
    return acting("staff-2", ROSTER, CENTRE, person=user)


def run(handler: Handler, content: Content, args: dict[str, Any], who: Acting, live: Live | None = None) -> Outcome:
    console = who.account == "staff-2"
    cx = Context(live or Live(), content, args, who.account, NOW, None, console, who.person, who)
    return handler(cx)


def refused(handler: Handler, content: Content, args: dict[str, Any], who: Acting, live: Live | None = None) -> str:
    """The refusal's code and sentence."""
    with pytest.raises(Refusal) as caught:
        run(handler, content, args, who, live)
    return f"{caught.value.code}: {caught.value}"


def with_approval(content: Content) -> Content:
    settings = content.centre.announcements.model_copy(update={"approval": True})
    return replace(content, centre=content.centre.model_copy(update={"announcements": settings}))


# -- the queue, the windows, the staff --------------------------------------------------------------


@pytest.mark.parametrize("handler", [call, window])
def test_a_windows_account_and_window_staff_act_on_their_own_window_only(handler: Handler, content: Content) -> None:
    args = {"window": "zonghe", "state": "open"} if handler is window else {"window": "zonghe"}
    elsewhere = {**args, "window": "shebao"}
    for who in (ZONGHE, OFFICE, person(MANAGER)):
        run(handler, content, args, who)
    run(handler, content, elsewhere, person(CLERK))
    assert refused(handler, content, elsewhere, ZONGHE) == (
        "not_own_window: clerk-zonghe 只能操作本窗口（zonghe），不能操作窗口“shebao”"
    )
    assert refused(handler, content, args, person(CLERK)).startswith("not_own_window: li.na 只能操作本窗口（shebao）")
    what = "叫号" if handler is call else "暂停或恢复窗口"
    assert refused(handler, content, args, WATCH) == f"not_permitted: staff-2 没有权限{what}"
    assert refused(handler, content, args, person(SUPERVISOR)) == f"not_permitted: jiancha 没有权限{what}"
    assert refused(handler, content, args, KIOSK) == f"not_permitted: kiosk-1 没有权限{what}"
    assert refused(handler, content, args, UNKNOWN).startswith("not_in_roster: 账号 somebody 不在服务的账号名单")


def test_a_status_is_set_by_its_window_and_window_staff_set_their_own(content: Content) -> None:
    on = {"status": "away"}
    run(set_staff_status, content, {"staff": "s03", **on}, ZONGHE)  # any staff member of its window
    run(set_staff_status, content, {"staff": "s04", **on}, ZONGHE)
    run(set_staff_status, content, {"staff": "s01", **on}, OFFICE)  # the office: anyone, the director too
    assert refused(set_staff_status, content, {"staff": "s05", **on}, ZONGHE).startswith("not_own_window")
    assert refused(set_staff_status, content, {"staff": "s01", **on}, ZONGHE).startswith("not_permitted")
    run(set_staff_status, content, {"staff": "s05", **on}, person(CLERK))
    assert refused(set_staff_status, content, {"staff": "s06", **on}, person(CLERK)).startswith("not_own_window")
    other = User("wang", "staff", window="shebao", staff_id="s99")  # the same window, another person's status
    assert refused(set_staff_status, content, {"staff": "s05", **on}, person(other)).startswith("not_permitted")


def test_anyone_takes_a_number(content: Content) -> None:
    for who in (KIOSK, UNKNOWN, WATCH, OFFICE, ZONGHE):
        assert run(take_ticket, content, {"category": "shebao"}, who).result["ticket"] == "A001"


# -- announcements ----------------------------------------------------------------------------------


def test_with_approval_on_only_a_manager_puts_one_up_at_once(content: Content) -> None:
    approving = with_approval(content)
    for who in (OFFICE, ZONGHE, person(CLERK)):
        made = run(announce, approving, {"text": "下午停电", "duration_s": 600}, who)
        assert made.result["review"] == "pending" and made.live.announcements["a1"].review == "pending"
    assert run(announce, approving, {"text": "今天逢场"}, person(MANAGER)).result["review"] == "approved"
    # The emergency of the issue: from the office's account it waits for a manager like any other.
    emergency = {"text": "紧急疏散", "priority": "emergency", "duration_s": 600}
    assert run(announce, approving, emergency, OFFICE).live.announcements["a1"].review == "pending"
    # Without approval, everyone who may announce puts it up at once.
    assert run(announce, content, {"text": "今天逢场"}, OFFICE).live.announcements["a1"].review == "approved"
    for who in (WATCH, person(SUPERVISOR), KIOSK):
        assert refused(announce, content, {"text": "x"}, who).startswith("not_permitted")
    assert refused(announce, content, {"text": "x"}, UNKNOWN).startswith("not_in_roster")


def test_one_takes_down_ones_own_announcement_and_a_manager_any(content: Content) -> None:
    live = run(announce, content, {"text": "经理的"}, person(MANAGER)).live
    live = run(announce, content, {"text": "综合窗口的"}, ZONGHE, live).live
    live = run(announce, content, {"text": "办公室的"}, OFFICE, live).live
    live = run(announce, content, {"text": "李娜的"}, person(CLERK), live).live
    assert refused(announce, content, {"clear": "a1"}, OFFICE, live) == (
        "not_own_announcement: staff 只能撤下或修改自己发布的公告；公告“a1”是 boss 发布的"
    )
    assert refused(announce, content, {"clear": "a3"}, ZONGHE, live).endswith("公告“a3”是 staff 发布的")
    assert refused(announce, content, {"clear": "a2"}, person(CLERK), live).startswith("not_own_announcement")
    other = User("wang", "staff", window="shebao")  # the console's account, another person
    assert refused(announce, content, {"clear": "a4"}, person(other), live).endswith("公告“a4”是 li.na 发布的")
    assert refused(announce, content, {"clear": "a1"}, WATCH, live).startswith("not_permitted")
    assert run(announce, content, {"clear": "a2"}, ZONGHE, live).result == {"cleared": "a2"}
    assert run(announce, content, {"clear": "a4"}, person(CLERK), live).result == {"cleared": "a4"}
    for wanted in ("a1", "a2", "a3", "a4"):
        assert run(announce, content, {"clear": wanted}, person(MANAGER), live).result == {"cleared": wanted}


def test_a_manager_approves_and_everyone_of_the_console_reads_the_list(content: Content) -> None:
    approving = with_approval(content)
    live = run(announce, approving, {"text": "窗口通知"}, person(CLERK)).live
    decision = {"id": "a1", "decision": "approve"}
    for who in (person(CLERK), person(SUPERVISOR)):
        assert refused(announce_review, approving, decision, who).startswith("not_permitted")
    assert refused(announce_review, approving, decision, OFFICE, live).startswith("console_only")
    assert run(announce_review, approving, decision, person(MANAGER), live).result["reviewed_by"] == "boss"
    assert run(announce_list, approving, {}, person(SUPERVISOR), live).result["approval"] is True


# -- cases ------------------------------------------------------------------------------------------


@pytest.fixture
def desk(content: Content, tmp_path: Path) -> Iterator[Desk]:
    store = Store(tmp_path / "state.sqlite3")
    yield Desk(content, calendar_for(content), store, b"secret-0123456789abcdef0123456789")
    store.close()


def case(desk: Desk, handler: Handler, args: dict[str, Any], who: Acting) -> Outcome:
    cx = Context(Live(), desk.content, args, who.account, NOW, desk, who.account == "staff-2", who.person, who)
    outcome = handler(cx)
    if outcome.cases:
        desk.store.commit_cases(f"c{id(outcome)}", "case", who.account, {}, {}, list(outcome.cases), desk.calendar, NOW)
    return outcome


def case_refused(desk: Desk, handler: Handler, args: dict[str, Any], who: Acting) -> str:
    with pytest.raises(Refusal) as caught:
        case(desk, handler, args, who)
    return f"{caught.value.code}: {caught.value}"


OPENED = {"item": "minzheng-dibao", "at": "township", "applicant": "王五", "phone": "13700002222"}


def test_the_applicants_name_and_phone_are_read_at_the_window_that_received_the_case(desk: Desk) -> None:
    at_zonghe = case(desk, case_open, {**OPENED, "window": "zonghe"}, ZONGHE).result
    assert (at_zonghe["applicant"], at_zonghe["phone"]) == ("王五", "13700002222")
    at_shebao = case(desk, case_open, {**OPENED, "window": "shebao"}, OFFICE).result
    assert (at_shebao["applicant"], at_shebao["phone"]) == ("王*", "137****2222")  # the office opens, unseen
    for number, readers in ((at_zonghe["number"], (ZONGHE,)), (at_shebao["number"], (person(CLERK),))):
        for who in (*readers, person(MANAGER)):
            assert case(desk, case_show, {"case": number}, who).result["applicant"] == "王五", who
        for who in (OFFICE, WATCH, person(SUPERVISOR), *({ZONGHE, person(CLERK)} - set(readers))):
            shown = case(desk, case_show, {"case": number}, who).result
            assert (shown["applicant"], shown["phone"]) == ("王*", "137****2222"), who
    listed = case(desk, case_list, {}, WATCH).result["cases"]  # a list names the applicants masked, for all
    assert sorted(c["applicant"] for c in listed) == ["王*", "王*"]


def test_cases_are_worked_by_staff_and_opened_at_ones_own_window(desk: Desk) -> None:
    assert case_refused(desk, case_open, {**OPENED, "window": "shebao"}, ZONGHE).startswith("not_own_window")
    assert case_refused(desk, case_open, {**OPENED, "window": "zonghe"}, person(CLERK)).startswith("not_own_window")
    for who in (WATCH, person(SUPERVISOR), KIOSK):
        assert case_refused(desk, case_open, {**OPENED, "window": "zonghe"}, who).startswith("not_permitted")
    number = case(desk, case_open, {**OPENED, "window": "zonghe"}, ZONGHE).result["number"]
    assert case_refused(desk, case_slip, {"case": number}, WATCH).startswith("not_permitted")
    for who in (KIOSK, UNKNOWN):
        assert case_refused(desk, case_show, {"case": number}, who).split(":")[0] in ("not_permitted", "not_in_roster")
        assert case_refused(desk, stats, {}, who).split(":")[0] in ("not_permitted", "not_in_roster")


# -- whom a command acts for ------------------------------------------------------------------------


def test_the_console_names_an_enabled_user_of_its_users_file() -> None:
    users = {"li.na": CLERK, "gone": User("gone", "manager", disabled=True)}
    senders = Senders(ROSTER, users, frozenset({"staff-2"}), accounts=True)
    senders.check_person("staff-2", "li.na")
    assert senders.acting("staff-2", "li.na", CENTRE) == Acting("staff-2", "person", CLERK)
    for sender, named, code in (
        ("staff", "li.na", "person_not_console"),
        ("staff-2", "<b>", "bad_person"),
        ("staff-2", "wang.wu", "unknown_person"),
        ("staff-2", "gone", "unknown_person"),
    ):
        with pytest.raises(Refusal) as caught:
            senders.check_person(sender, named)
        assert caught.value.code == code
        assert senders.acting(sender, named, CENTRE).desk == "unknown"  # never believed unchecked
    assert senders.acting("staff-2", None, CENTRE).desk == "watch"
    assert Senders(ROSTER, None, frozenset({"staff-2"}), accounts=True).acting("staff", None, CENTRE) == OFFICE


def test_without_a_roster_no_account_is_given_everything() -> None:
    unknown = Senders(None, None, frozenset(), accounts=True).acting("staff", None, CENTRE)
    assert unknown.desk == "unknown"
    anonymous = Senders(None, None, frozenset(), accounts=False).acting("anon-1", None, CENTRE)
    assert anonymous.desk == "open"  # a broker without accounts: no one can be told apart
