from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from content.accounts.sessions import LoginLimiter, Session, Sessions, csrf_ok, still_valid
from content.accounts.users import User

WHEN = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
LI = User("li", "staff", window="zonghe", updated=WHEN)
WANG = User("wang", "manager", updated=WHEN)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_create_and_get(clock: Clock) -> None:
    sessions = Sessions(clock=clock)
    session = sessions.create(LI)
    assert session.user == "li" and session.created == session.last_seen == 1000.0
    assert len(session.id) >= 43 and len(session.csrf) >= 43 and session.id != session.csrf
    clock.now += 60
    seen = sessions.get(session.id)
    assert seen is not None and seen.id == session.id and seen.last_seen == 1060.0 and seen.created == 1000.0
    assert sessions.get("no such session") is None
    assert sessions.get("") is None and sessions.get(None) is None and sessions.get("x" * 10_000) is None


def test_tokens_never_show_in_a_repr(clock: Clock) -> None:
    session = Sessions(clock=clock).create(LI)
    assert session.id not in repr(session) and session.csrf not in repr(session)


def test_idle_expiry_and_touch(clock: Clock) -> None:
    sessions = Sessions(ttl_s=8 * 3600, idle_s=30 * 60, clock=clock)
    session = sessions.create(LI)
    for _ in range(10):  # used every 29 minutes: stays
        clock.now += 29 * 60
        assert sessions.get(session.id) is not None
    clock.now += 30 * 60
    assert sessions.get(session.id) is None
    assert len(sessions) == 0
    clock.now -= 30 * 60  # gone for good, even if asked again in time
    assert sessions.get(session.id) is None


def test_ttl_expiry_even_when_used(clock: Clock) -> None:
    sessions = Sessions(ttl_s=3600, idle_s=30 * 60, clock=clock)
    session = sessions.create(LI)
    for step in (1700, 1700, 199):
        clock.now += step
        assert sessions.get(session.id) is not None
    clock.now += 1  # 3600 s after the login
    assert sessions.get(session.id) is None


def test_end_and_end_all(clock: Clock) -> None:
    sessions = Sessions(clock=clock)
    li1, li2, wang = sessions.create(LI), sessions.create(LI), sessions.create(WANG)
    assert sessions.end(li1.id) and not sessions.end(li1.id) and not sessions.end(None)
    assert sessions.get(li1.id) is None
    li3 = sessions.create(LI)
    assert sessions.end_all("li") == 2
    assert sessions.get(li2.id) is None and sessions.get(li3.id) is None
    assert sessions.get(wang.id) is not None
    assert sessions.end_all("li") == 0


def test_bounded_the_oldest_goes(clock: Clock) -> None:
    sessions = Sessions(max_sessions=3, clock=clock)
    first, second, third = (sessions.create(LI) for _ in range(3))
    clock.now += 1
    assert sessions.get(first.id) is not None  # first is now the most recently seen
    fourth = sessions.create(WANG)
    assert len(sessions) == 3
    assert sessions.get(second.id) is None
    assert all(sessions.get(s.id) is not None for s in (first, third, fourth))
    for _ in range(100):
        sessions.create(WANG)
    assert len(sessions) == 3


def test_when_full_expired_sessions_go_first(clock: Clock) -> None:
    sessions = Sessions(idle_s=60, max_sessions=3, clock=clock)
    a = sessions.create(LI)
    clock.now += 50
    b, c = sessions.create(LI), sessions.create(LI)
    clock.now += 20  # a is idle past 60 s; b and c are not
    assert sessions.get(b.id) is not None
    d = sessions.create(WANG)
    assert sessions.get(a.id) is None
    assert all(sessions.get(s.id) is not None for s in (b, c, d))


def test_still_valid_after_changes_elsewhere(clock: Clock) -> None:
    session = Sessions(clock=clock).create(LI)
    assert still_valid(session, LI)
    later = WHEN + timedelta(minutes=1)
    assert not still_valid(session, User("li", "staff", window="zonghe", updated=later))  # password changed
    assert not still_valid(session, User("li", "staff", window="zonghe", disabled=True, updated=WHEN))
    assert not still_valid(session, None)  # removed
    assert not still_valid(session, WANG)


def test_csrf_ok(clock: Clock) -> None:
    session = Sessions(clock=clock).create(LI)
    assert csrf_ok(session, session.csrf)
    assert not csrf_ok(session, session.csrf[:-1])
    assert not csrf_ok(session, session.csrf + "x")
    assert not csrf_ok(session, "")
    assert not csrf_ok(session, None)
    assert not csrf_ok(session, "令牌" * 20)  # not ASCII: refused, not an exception
    assert not csrf_ok(session, "\udcff")
    other = Session(id="a", csrf="b", user="li", created=0, last_seen=0)
    assert not csrf_ok(other, session.csrf)


def test_sessions_from_many_threads(clock: Clock) -> None:
    sessions = Sessions(max_sessions=50, clock=clock)

    def work() -> None:
        for _ in range(200):
            s = sessions.create(LI)
            sessions.get(s.id)
            sessions.end(s.id)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sessions) == 0


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        Sessions(max_sessions=0)
    with pytest.raises(ValueError):
        LoginLimiter(per_name=0)


# -- the limit on wrong passwords ---------------------------------------------------------------------


def test_five_tries_lock_the_name(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=5, per_client=20, window_s=900, clock=clock)
    for _ in range(4):
        assert limiter.attempt("li", "10.0.0.5") == 0
        clock.now += 10
    assert limiter.attempt("li", "10.0.0.5") == 0  # the fifth is tried, and counted before its password
    assert limiter.attempt("li", "10.0.0.5") == pytest.approx(900 - 40)
    assert limiter.attempt("li", "10.0.0.9") == pytest.approx(860)  # the name is locked from anywhere
    assert limiter.attempt(" LI ", "10.0.0.9") > 0  # however it is typed
    assert limiter.attempt("wang", "10.0.0.5") == 0  # another name from the same client still may
    clock.now += 860
    assert limiter.attempt("li", "10.0.0.5") == 0  # the oldest try is 15 minutes old


def test_a_refused_try_is_not_counted(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=2, per_client=20, window_s=100, clock=clock)
    assert limiter.attempt("li", "c") == 0 and limiter.attempt("li", "c") == 0
    for _ in range(50):
        assert limiter.attempt("li", "c") > 0
    clock.now += 100
    assert limiter.attempt("li", "c") == 0  # the refusals did not extend the lock


def test_the_client_is_locked_after_per_client(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=5, per_client=20, window_s=900, clock=clock)
    for n in range(20):
        assert limiter.attempt(f"user{n}", "10.0.0.5") == 0
    assert limiter.attempt("wang", "10.0.0.5") == pytest.approx(900)
    assert limiter.attempt("wang", "10.0.0.6") == 0


def test_success_forgets_the_name_not_the_client(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=5, per_client=6, window_s=900, clock=clock)
    for _ in range(5):
        assert limiter.attempt("li", "10.0.0.5") == 0
    limiter.succeeded("li", "10.0.0.5")  # the fifth had the right password
    for _ in range(4):
        assert limiter.attempt("li", "10.0.0.6") == 0
    assert limiter.attempt("li", "10.0.0.6") == 0  # 5 since the success, not 9
    assert limiter.attempt("wang", "10.0.0.5") == 0  # the client's fifth and sixth: the right one came back
    assert limiter.attempt("wang", "10.0.0.5") == 0
    assert limiter.attempt("zhao", "10.0.0.5") > 0  # the client's 6 count across the success


def test_old_tries_slide_out(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=3, window_s=100, clock=clock)
    for _ in range(10):
        assert limiter.attempt("li", "c") == 0
        clock.now += 50
    # tries at 0, 50, ..., 450 (now 500): one in the last 100 s
    assert limiter.attempt("li", "c") == 0
    assert limiter.attempt("li", "c") == 0
    assert limiter.attempt("li", "c") == pytest.approx(50)  # until the one at 450 is 100 s old


def test_parallel_tries_pass_only_up_to_the_limit(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=5, per_client=20, clock=clock)
    start = threading.Barrier(40)
    passed: list[bool] = []

    def one() -> None:
        start.wait()
        passed.append(limiter.attempt("li", "10.0.0.5") == 0)

    threads = [threading.Thread(target=one) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert passed.count(True) == 5


def test_memory_is_bounded(clock: Clock) -> None:
    limiter = LoginLimiter(per_name=5, per_client=20, max_keys=100, clock=clock)
    for n in range(10_000):
        limiter.attempt(f"name{n}" + "x" * 1000, f"10.{n // 256 % 256}.{n % 256}.1")
    assert len(limiter) <= 100
    # the most recent are remembered
    for _ in range(5):
        limiter.attempt("li", "10.0.0.5")
    assert limiter.attempt("li", "10.0.0.5") > 0
    assert len(limiter) <= 100
