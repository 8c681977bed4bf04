"""One wrong-digit count per case, whoever asks: the tracking page (the real Flask app over the state file)
and a kiosk's lookup (the service's `case` handler over the same file) add to one count, kept across a
restart, and one kiosk account cannot lock case after case. Time is the service's clock, driven here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from content.cases import rules
from content.cases.calendar import calendar_for
from content.centre.loader import Content
from content.service.case_store import CaseReader
from content.service.commands.base import Context, Refusal
from content.service.commands.cases import Desk, case_lookup, case_open
from content.service.live import Live, Snapshot
from content.service.store import Store
from content.web.app import create_app
from tests.conftest import Clock

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=CST)
SECRET = b"wrong-digits-test-secret-0123456789"
PHONE = "13812345678"


@dataclass
class Hall:
    """The state file, the service's desk on it, the page on it, and the service's clock."""

    content: Content
    state: Path
    clock: Clock
    store: Store
    desk: Desk
    page: FlaskClient

    def open_case(self, phone: str = PHONE) -> str:
        args = {"item": "minzheng-dibao", "at": "township", "window": "zonghe", "applicant": "张三", "phone": phone}
        outcome = case_open(Context(Live(), self.content, args, "staff", self.clock(), self.desk))
        changes = list(outcome.cases)
        self.store.commit_cases(
            f"open-{outcome.result['number']}", "case_open", "staff", {}, {}, changes, self.desk.calendar, self.clock()
        )
        return str(outcome.result["number"])

    def kiosk(self, number: str, digits: str, account: str = "kiosk-1") -> str:
        """What a kiosk's lookup gets: "ok", or the refusal's code."""
        cx = Context(Live(), self.content, {"case": number, "digits": digits}, account, self.clock(), self.desk)
        try:
            case_lookup(cx)
        except Refusal as refused:
            return refused.code
        return "ok"

    def post(self, number: str, digits: str) -> str:
        """The tracking page's answer to the form."""
        key = rules.token(SECRET, number)
        response = self.page.post(f"/t/{number}?k={key}", data={"k": key, "digits": digits})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def later(self, seconds: float) -> None:
        self.clock.set(self.clock() + timedelta(seconds=seconds))

    def restart(self) -> None:
        """The service and its pages start again on the same state file."""
        self.store.close()
        self.store = Store(self.state)
        self.desk = Desk(self.content, calendar_for(self.content), self.store, SECRET)
        self.page = _page(self.content, self.state, self.clock)


def _page(content: Content, state: Path, clock: Clock) -> FlaskClient:
    app = create_app(lambda: Snapshot(content, Live(), clock()), cases=(CaseReader(state), SECRET))
    return app.test_client()


@pytest.fixture
def hall(content: Content, tmp_path: Path) -> Iterator[Hall]:
    state, clock = tmp_path / "state.sqlite3", Clock(NOW)
    store = Store(state)
    made = Hall(
        content, state, clock, store, Desk(content, calendar_for(content), store, SECRET), _page(content, state, clock)
    )
    yield made
    made.store.close()


def test_a_case_the_page_locked_is_locked_at_the_kiosk(hall: Hall) -> None:
    number = hall.open_case()
    for _ in range(5):
        hall.post(number, "0000")
    assert "已锁定 15 分钟" in hall.post(number, "5678")
    # The kiosk used to keep its own count: five more tries there, and the right digits opened it.
    assert hall.kiosk(number, "5678") == "locked"
    assert [hall.kiosk(number, "0000", account="kiosk-2") for _ in range(3)] == ["locked"] * 3
    hall.later(15 * 60)
    assert hall.kiosk(number, "5678") == "ok"


def test_a_case_a_kiosk_locked_is_locked_on_the_page(hall: Hall) -> None:
    number = hall.open_case()
    assert [hall.kiosk(number, "0000") for _ in range(6)] == ["not_found"] * 5 + ["locked"]
    page = hall.post(number, "5678")
    assert "已锁定" in page and 'name="digits"' not in page


def test_tries_at_the_page_and_at_a_kiosk_add_up(hall: Hall) -> None:
    number = hall.open_case()
    for left in (4, 3):
        assert f"还可以再试 {left} 次" in hall.post(number, "1111")
    assert hall.kiosk(number, "2222") == "not_found"
    assert "还可以再试 1 次" in hall.post(number, "3333")
    assert hall.kiosk(number, "4444") == "not_found"
    assert hall.kiosk(number, "5678") == "locked"
    # The right digits, before the lock, clear the count for both.
    other = hall.open_case("13900001111")
    hall.post(other, "0000")
    assert hall.kiosk(other, "1111") == "ok"
    assert "还可以再试 4 次" in hall.post(other, "0000")


def test_a_restart_forgets_no_wrong_digits(hall: Hall) -> None:
    number = hall.open_case()
    for _ in range(4):
        hall.post(number, "0000")
    hall.restart()
    assert hall.kiosk(number, "0000") == "not_found"  # the fifth
    hall.restart()
    assert hall.kiosk(number, "5678") == "locked"
    assert "已锁定" in hall.post(number, "5678")


def test_one_kiosk_account_cannot_lock_case_after_case(hall: Hall) -> None:
    """Case numbers are sequential: wrong digits for five different cases in a quarter of an hour hold the
    account's lookups before the sixth case is tried, so its count is left alone."""
    numbers = [hall.open_case() for _ in range(7)]
    for number in numbers[:5]:
        assert hall.kiosk(number, "0000") == "not_found"
        hall.later(5)
    assert hall.kiosk(numbers[5], "0000") == "lookups_held"
    assert hall.kiosk(numbers[5], "5678") == "lookups_held"  # whatever the digits: nothing is tried
    assert "还可以再试 4 次" in hall.post(numbers[5], "0000")  # the held try did not count against it
    assert hall.kiosk(numbers[6], "5678", account="kiosk-2") == "ok"  # another kiosk is not held
    hall.later(15 * 60)
    assert hall.kiosk(numbers[6], "5678") == "ok"


def test_a_kiosk_account_keeps_at_most_a_few_cases_locked_at_once(hall: Hall) -> None:
    """Five wrong tries at each of 40 sequential numbers, at a pace the per-minute limit allows: at no moment
    are more than `WRONG_CASES` of them locked (seen as another kiosk sees them, with the right digits)."""
    from content.service.commands.cases import WRONG_CASES

    numbers = [hall.open_case() for _ in range(40)]
    most = 0
    for number in numbers:
        for _ in range(5):
            hall.kiosk(number, "0000")
            hall.later(5)
        locked = sum(hall.desk.wrong_digits().locked_for(n, hall.clock().timestamp()) > 0 for n in numbers)
        most = max(most, locked)
    assert 0 < most <= WRONG_CASES
    assert sum(hall.kiosk(n, "5678", account="kiosk-2") == "locked" for n in numbers[-WRONG_CASES * 2 :]) <= WRONG_CASES


def test_tries_from_many_threads_at_once_are_counted_once_each(hall: Hall) -> None:
    number, tries, now = hall.open_case(), CaseReader(hall.state).tries, hall.clock().timestamp()
    start, results = threading.Barrier(8), []
    lock = threading.Lock()

    def one() -> None:
        start.wait()
        tried = tries.attempt(number, False, now)
        with lock:
            results.append(tried)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.left for r in results if not r.locked_s) == [1, 2, 3, 4]
    assert sum(r.locked_s == 15 * 60 for r in results) == 4  # the fifth locked it; three more found it locked
    assert hall.kiosk(number, "5678") == "locked"
