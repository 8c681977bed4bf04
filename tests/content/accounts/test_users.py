from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher

from content.accounts.users import (
    ACTIONS,
    ROLES,
    Action,
    User,
    UserError,
    UserStore,
    announce_as,
    may,
    users_path,
)

PASSWORD = "correct horse battery"


def cheap(time_cost: int = 1, memory_cost: int = 8) -> PasswordHasher:
    """A fast hasher for the tests: the default one takes 64 MiB and tens of milliseconds a hash."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1, hash_len=16, salt_len=8)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> UserStore:
    return UserStore(tmp_path / "users.sqlite3", hasher=cheap(), now=clock)


class CountingHasher(PasswordHasher):
    """Counts the hashes checked: an unknown user costs one too."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=8)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def _hash(path: Path, name: str) -> str:
    with sqlite3.connect(path) as db:
        value: str = db.execute("SELECT hash FROM users WHERE name = ?", (name,)).fetchone()[0]
    return value


def test_add_and_verify(store: UserStore, clock: Clock) -> None:
    added = store.add("li.ming", "staff", PASSWORD, window="zonghe", staff_id="s01")
    assert added == User("li.ming", "staff", "zonghe", "s01", disabled=False, created=clock.now, updated=clock.now)
    assert store.verify("li.ming", PASSWORD) == added
    assert store.verify("li.ming", PASSWORD + "x") is None
    assert store.verify("li.ming", "") is None
    assert store.verify("li.ming", "x" * 10_000) is None
    assert store.get("li.ming") == added


def test_the_file_holds_a_hash_not_the_password(store: UserStore) -> None:
    store.add("li.ming", "manager", PASSWORD)
    digest = _hash(store.path, "li.ming")
    assert digest.startswith("$argon2id$") and PASSWORD not in digest
    assert PASSWORD.encode() not in store.path.read_bytes()


def test_the_file_is_wal_and_private(store: UserStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_unknown_user_checks_a_made_up_hash(tmp_path: Path) -> None:
    hasher = CountingHasher()
    store = UserStore(tmp_path / "users.sqlite3", hasher=hasher)
    store.add("wang", "manager", PASSWORD)
    assert store.verify("nobody", PASSWORD) is None
    assert store.verify("NOT A NAME!", PASSWORD) is None
    assert hasher.verified == 2
    assert store.verify("wang", PASSWORD) is not None
    assert hasher.verified == 3


def test_disabled_user_cannot_log_in_until_enabled(store: UserStore, clock: Clock) -> None:
    store.add("wang", "manager", PASSWORD)
    clock.now += timedelta(hours=1)
    store.set_disabled("wang", True)
    user = store.get("wang")
    assert user is not None and user.disabled and user.updated == clock.now
    assert store.verify("wang", PASSWORD) is None
    store.set_disabled("wang", False)
    assert store.verify("wang", PASSWORD) is not None


def test_set_password(store: UserStore, clock: Clock) -> None:
    store.add("wang", "manager", PASSWORD)
    clock.now += timedelta(minutes=5)
    store.set_password("wang", "another long one")
    assert store.verify("wang", PASSWORD) is None
    user = store.verify("wang", "another long one")
    assert user is not None and user.updated == clock.now and user.created == clock.now - timedelta(minutes=5)
    with pytest.raises(UserError, match="密码至少要有 10 个字符"):
        store.set_password("wang", "short")
    with pytest.raises(UserError, match="没有账号 'zhao'"):
        store.set_password("zhao", PASSWORD)


def test_remove_and_list(store: UserStore) -> None:
    store.add("zhao", "supervisor", PASSWORD)
    store.add("an", "staff", PASSWORD, window="shebao")
    store.add("wang", "manager", PASSWORD)
    assert [u.name for u in store.list()] == ["an", "wang", "zhao"]
    store.remove("wang")
    assert [u.name for u in store.list()] == ["an", "zhao"]
    assert store.get("wang") is None and store.verify("wang", PASSWORD) is None
    with pytest.raises(UserError, match="没有账号 'wang'"):
        store.remove("wang")
    with pytest.raises(UserError, match="没有账号 'wang'"):
        store.set_disabled("wang", True)


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short", "至少要有 10 个字符"),
        ("123456789", "至少要有 10 个字符"),
        ("x" * 257, "最多 256 个字符"),
        ("wang.fang1", "不能与登录名相同"),
        ("WANG.FANG1", "不能与登录名相同"),
    ],
)
def test_password_policy(store: UserStore, password: str, error: str) -> None:
    with pytest.raises(UserError, match=error) as raised:
        store.add("wang.fang1", "manager", password)
    assert password not in str(raised.value)
    assert store.get("wang.fang1") is None


def test_password_limits_are_inclusive(store: UserStore) -> None:
    store.add("a", "manager", "x" * 10)
    store.add("b", "manager", "y" * 256)
    assert store.verify("a", "x" * 10) is not None and store.verify("b", "y" * 256) is not None
    store.add("c", "manager", "密码" * 5)  # characters, not bytes
    assert store.verify("c", "密码" * 5) is not None


@pytest.mark.parametrize(
    "name", ["", "Wang", "王芳", ".wang", "-wang", "_wang", "wang fang", "a" * 33, "wang\n", "wang/x"]
)
def test_bad_names_are_refused_naming_the_rule(store: UserStore, name: str) -> None:
    with pytest.raises(UserError, match=r"应为 1 到 32 个字符，只用 a-z、0-9、“\.”、“_”和“-”"):
        store.add(name, "manager", PASSWORD)


@pytest.mark.parametrize("name", ["a", "0", "wang.fang", "li_ming-2", "a" * 32])
def test_good_names(store: UserStore, name: str) -> None:
    store.add(name, "manager", PASSWORD)
    assert store.verify(name, PASSWORD) is not None


def test_duplicate_refused(store: UserStore) -> None:
    store.add("wang", "manager", PASSWORD)
    with pytest.raises(UserError, match="账号 'wang' 已经存在"):
        store.add("wang", "supervisor", "something else entirely")
    user = store.verify("wang", PASSWORD)
    assert user is not None and user.role == "manager"


def test_staff_need_a_window_and_others_have_none(store: UserStore) -> None:
    with pytest.raises(UserError, match=r"窗口工作人员的账号需要指定窗口（--window）"):
        store.add("li", "staff", PASSWORD)
    with pytest.raises(UserError, match="管理员账号不设窗口"):
        store.add("wang", "manager", PASSWORD, window="zonghe")
    with pytest.raises(UserError, match="电子监察账号不设窗口"):
        store.add("zhao", "supervisor", PASSWORD, window="zonghe")
    with pytest.raises(
        UserError, match="角色 'admin' 不对：应为 staff（窗口工作人员）、manager（管理员）、supervisor（电子监察）之一"
    ):
        store.add("root", "admin", PASSWORD)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="窗口 'Zong He' 不对"):
        store.add("li", "staff", PASSWORD, window="Zong He")
    with pytest.raises(UserError, match="工作人员编号 's 01' 不对"):
        store.add("li", "staff", PASSWORD, window="zonghe", staff_id="s 01")
    assert store.list() == []


def test_rehash_when_the_parameters_change(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite3"
    UserStore(path, hasher=cheap()).add("wang", "manager", PASSWORD)
    old = _hash(path, "wang")
    stronger = cheap(time_cost=2, memory_cost=16)
    assert stronger.check_needs_rehash(old)
    store = UserStore(path, hasher=stronger)
    before = store.get("wang")
    assert store.verify("wang", PASSWORD) == before  # `updated` is kept: no session ends for a rehash
    new = _hash(path, "wang")
    assert new != old and not stronger.check_needs_rehash(new)
    assert store.verify("wang", PASSWORD) is not None
    assert _hash(path, "wang") == new  # nothing to do the second time
    assert store.verify("wang", "wrong password") is None


def test_a_failed_rehash_still_logs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "users.sqlite3"
    UserStore(path, hasher=cheap()).add("wang", "manager", PASSWORD)
    old = _hash(path, "wang")
    store = UserStore(path, hasher=cheap(time_cost=2))
    monkeypatch.setattr("content.accounts.users.BUSY_S", 0.01)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process is writing: readers go on, the rehash cannot
        assert store.verify("wang", PASSWORD) is not None
    finally:
        writer.rollback()
        writer.close()
    assert "无法按新参数重新散列 wang 的密码" in caplog.text and PASSWORD not in caplog.text
    assert _hash(path, "wang") == old


def test_two_stores_on_one_file(tmp_path: Path) -> None:
    """The service reads while `hall user` writes: each sees the other's changes."""
    path = tmp_path / "users.sqlite3"
    reader, writer = UserStore(path, hasher=cheap()), UserStore(path, hasher=cheap())
    writer.add("wang", "manager", PASSWORD)
    assert reader.verify("wang", PASSWORD) is not None
    writer.set_disabled("wang", True)
    assert reader.verify("wang", PASSWORD) is None


def test_refuses_a_file_that_is_not_a_users_file(tmp_path: Path) -> None:
    state = tmp_path / "hall-state.sqlite3"
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE tickets (id)")
    with pytest.raises(UserError, match="不是账号文件：其中有数据表 tickets"):
        UserStore(state)
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="不是账号文件"):
        UserStore(junk)


def test_users_path_is_beside_the_state_file() -> None:
    assert users_path(Path("var") / "hall-state.sqlite3") == Path("var") / "users.sqlite3"


# -- what each role may do --------------------------------------------------------------------------

STAFF = User("li", "staff", window="zonghe", staff_id="s01")
MANAGER = User("wang", "manager")
SUPERVISOR = User("zhao", "supervisor")

_TABLE: dict[Action, tuple[bool, bool, bool]] = {
    # action: staff on own window, manager, supervisor
    "view": (True, True, True),
    "call": (True, True, False),
    "window": (True, True, False),
    "status": (True, True, False),
    "announce": (True, True, False),
    "approve": (False, True, False),
    "cases": (True, True, False),
    "personal": (True, True, False),
    "users": (False, True, False),
    "audit": (False, True, True),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_may_table(action: Action) -> None:
    staff, manager, supervisor = _TABLE[action]
    assert may(STAFF, action, "zonghe") is staff
    assert may(MANAGER, action, "zonghe") is manager
    assert may(SUPERVISOR, action, "zonghe") is supervisor


def test_the_table_covers_every_action_and_role() -> None:
    assert set(_TABLE) == set(ACTIONS)
    assert ROLES == ("staff", "manager", "supervisor")


@pytest.mark.parametrize("action", ["call", "window", "status", "personal"])
def test_staff_act_on_their_own_window_only(action: Action) -> None:
    assert may(STAFF, action, "zonghe")
    assert not may(STAFF, action, "shebao")
    assert not may(STAFF, action)
    assert may(MANAGER, action, "shebao") and may(MANAGER, action)
    assert not may(User("odd", "staff"), action, "zonghe")  # a staff user without a window: nothing


def test_staff_set_their_own_status_only() -> None:
    assert may(STAFF, "status", "zonghe", staff="s01")
    assert not may(STAFF, "status", "zonghe", staff="s02")
    assert not may(User("li", "staff", window="zonghe"), "status", "zonghe", staff="s01")
    assert may(MANAGER, "status", staff="s02")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_disabled_user_may_nothing(action: Action) -> None:
    for user in (STAFF, MANAGER, SUPERVISOR):
        assert not may(User(user.name, user.role, user.window, user.staff_id, disabled=True), action, user.window)


def test_unknown_action_is_a_mistake() -> None:
    bad: Any = "delete"
    with pytest.raises(ValueError, match="unknown action 'delete'"):
        may(MANAGER, bad)


def test_announce_as() -> None:
    assert announce_as(STAFF) == "pending"
    assert announce_as(MANAGER) == "approved"
    assert announce_as(SUPERVISOR) is None
    assert announce_as(User("wang", "manager", disabled=True)) is None


def test_a_users_file_left_readable_by_others_is_tightened_and_a_link_in_its_place_refused(tmp_path: Path) -> None:
    """It holds the staff's password hashes: the owner's only, whatever made it; never created through a link."""
    UserStore(tmp_path / "users.sqlite3", hasher=cheap()).add("wang", "manager", PASSWORD)
    (tmp_path / "users.sqlite3").chmod(0o644)
    UserStore(tmp_path / "users.sqlite3", hasher=cheap())
    assert stat.S_IMODE(os.stat(tmp_path / "users.sqlite3").st_mode) == 0o600
    (tmp_path / "planted.sqlite3").symlink_to(tmp_path / "elsewhere.sqlite3")
    with pytest.raises(UserError, match=r"无法打开 .*planted\.sqlite3：是符号链接，不是普通文件"):
        UserStore(tmp_path / "planted.sqlite3", hasher=cheap())
    assert not (tmp_path / "elsewhere.sqlite3").exists()
