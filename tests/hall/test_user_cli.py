from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from content.accounts import users as accounts
from content.accounts.users import UserStore
from content.centre.synth import SAMPLE
from hall.commands import user as user_cli
from hall.commands.user import main as run
from tests.conftest import REPO
from tests.words import english

PASSWORD = "correct horse battery"


def _cheap(path: Path | str) -> UserStore:
    return UserStore(path, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default hasher takes 64 MiB and tens of milliseconds a hash: the tests use a cheap one."""
    monkeypatch.setattr(accounts, "UserStore", _cheap)
    monkeypatch.delenv(user_cli.USERS_ENV, raising=False)


@pytest.fixture
def users(tmp_path: Path) -> Path:
    return tmp_path / "users.sqlite3"


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def prompts(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """getpass answering `answers` in turn; returns the prompts it was asked."""
    asked: list[str] = []
    given: Iterator[str] = iter(answers)

    def getpass(prompt: str = "") -> str:
        asked.append(prompt)
        try:
            return next(given)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("getpass.getpass", getpass)
    return asked


def add(users: Path, *args: str) -> int:
    return run(["add", *args, "--users", str(users), "--password-stdin"])


def test_add_from_stdin_then_list(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "wang", "--role", "manager") == 0
    stdin(monkeypatch, "another long one\r\n")
    assert add(users, "li.ming", "--role", "staff", "--window", "zonghe", "--staff", "s01") == 0
    out = capsys.readouterr().out
    assert "已添加管理员 wang 到" in out and "已添加窗口工作人员 li.ming（窗口 zonghe）到" in out
    assert run(["list", "--users", str(users)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["登录名", "角色", "窗口", "已停用", "创建时间"]
    assert lines[1].split()[:4] == ["li.ming", "窗口工作人员", "zonghe", "否"]
    assert lines[2].split()[:4] == ["wang", "管理员", "-", "否"]
    assert lines[3] == "共 2 个账号"
    store = _cheap(users)
    assert store.verify("wang", PASSWORD) is not None
    assert store.verify("li.ming", "another long one") is not None  # the line's end is not the password's


def test_add_asks_twice(users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    asked = prompts(monkeypatch, PASSWORD, PASSWORD)
    assert run(["add", "wang", "--role", "manager", "--users", str(users)]) == 0
    assert len(asked) == 2 and "wang" in asked[0]
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert _cheap(users).verify("wang", PASSWORD) is not None


def test_add_passwords_differ(users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    prompts(monkeypatch, PASSWORD, PASSWORD + "!")
    assert run(["add", "wang", "--role", "manager", "--users", str(users)]) == 1
    out, err = capsys.readouterr()
    assert err == "hall user：两次输入的密码不一致：没有修改\n"
    assert PASSWORD not in out + err
    assert _cheap(users).get("wang") is None


def test_a_short_password_is_refused_at_once(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = prompts(monkeypatch, "short")
    assert run(["add", "wang", "--role", "manager", "--users", str(users)]) == 1
    assert len(asked) == 1  # not asked again for a password that cannot be used
    said = capsys.readouterr().err
    assert said.startswith("hall user：") and "10" in said, said


def test_no_password(users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, "")
    assert add(users, "wang", "--role", "manager") == 1
    assert "标准输入中没有密码" in capsys.readouterr().err
    prompts(monkeypatch)
    assert run(["add", "wang", "--role", "manager", "--users", str(users)]) == 1
    assert capsys.readouterr().err == "hall user：没有输入密码\n"


def test_staff_without_a_window(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = prompts(monkeypatch, PASSWORD, PASSWORD)
    assert run(["add", "li", "--role", "staff", "--users", str(users)]) == 1
    said = capsys.readouterr().err
    assert said == "hall user：窗口工作人员的账号需要指定窗口（--window）：窗口工作人员只能操作自己的窗口\n"
    assert asked == []  # refused before asking for the password
    assert not users.exists()
    assert run(["add", "wang", "--role", "manager", "--window", "zonghe", "--users", str(users)]) == 1
    said = capsys.readouterr().err
    assert said == "hall user：管理员账号不设窗口：只有窗口工作人员的账号对应一个窗口\n"


def test_bad_name(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["add", "王芳", "--role", "manager", "--users", str(users), "--password-stdin"]) == 1
    said = capsys.readouterr().err
    assert (
        said.startswith("hall user：登录名 '王芳' 不对：应为 1 到 32 个字符，只用 a-z、0-9") and "wang.fang" in said
    ), said
    assert english(said, ["hall", "user", "wang", "fang"]) == [], said


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["add", "wang", "--role", "manager", "--password-stdin"], "密码至少要有 10 个字符"),
        (["add", "wang", "--role", "staff", "--window", "Zong He", "--password-stdin"], "窗口 'Zong He' 不对"),
        (["add", "li", "--role", "staff", "--window", "zonghe", "--staff", "s 01"], "工作人员编号 's 01' 不对"),
        (["passwd", "zhao", "--password-stdin"], "没有账号 'zhao'"),
        (["disable", "zhao"], "没有账号 'zhao'"),
        (["remove", "zhao"], "没有账号 'zhao'"),
    ],
)
def test_every_refusal_of_the_users_file_speaks_chinese(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "an", "--role", "supervisor") == 0
    capsys.readouterr()
    stdin(monkeypatch, "short\n")
    assert run([*argv, "--users", str(users)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hall user：{said}"), err
    assert english(err.replace("'", " "), ["hall", "user", "zhao", "Zong"]) == [], err  # what was typed, quoted


def test_a_users_file_of_a_newer_hall_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newer = tmp_path / "users.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    assert run(["list", "--users", str(newer)]) == 1
    err = capsys.readouterr().err
    assert err == f"hall user：{newer} 由更新版本的 hall 写入（格式版本 99）：请先升级 hall\n"


def test_usage_errors_exit_2(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["add", "wang", "--role", "admin", "--users", str(users)]) == 2
    assert "无效的选择：'admin'" in capsys.readouterr().err
    assert run(["add", "wang", "--users", str(users)]) == 2
    assert run(["frobnicate"]) == 2
    assert run([]) == 2
    assert not users.exists()


def test_duplicate_refused_before_asking(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "wang", "--role", "manager") == 0
    asked = prompts(monkeypatch, "other password", "other password")
    assert run(["add", "wang", "--role", "supervisor", "--users", str(users)]) == 1
    assert "账号 'wang' 已经存在" in capsys.readouterr().err
    assert asked == []


def test_window_checked_against_the_centre(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "li", "--role", "staff", "--window", "nowhere", "--content", str(SAMPLE)) == 1
    err = capsys.readouterr().err
    assert f"hall user：窗口 'nowhere' 不是 {SAMPLE} 的窗口（窗口有：zonghe, shebao, minzheng" in err
    assert add(users, "li", "--role", "staff", "--window", "shebao", "--staff", "s99", "--content", str(SAMPLE)) == 1
    assert "工作人员编号 's99' 不是" in capsys.readouterr().err
    assert add(users, "li", "--role", "staff", "--window", "shebao", "--staff", "s01", "--content", str(SAMPLE)) == 0
    user = _cheap(users).get("li")
    assert user is not None and user.window == "shebao" and user.staff_id == "s01"


def test_a_broken_centre_is_not_checked_against(
    users: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (sample_dir / "staff.yaml").write_text("staff:\n  - id: s01\n", encoding="utf-8")
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "li", "--role", "staff", "--window", "zonghe", "--content", str(sample_dir)) == 1
    err = capsys.readouterr().err
    assert "staff.yaml:2: " in err and "请先改正其中的问题" in err


def test_passwd(users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "wang", "--role", "manager") == 0
    stdin(monkeypatch, "a new password\n")
    assert run(["passwd", "wang", "--password-stdin", "--users", str(users)]) == 0
    prompts(monkeypatch, "the third one", "the third one")
    assert run(["passwd", "wang", "--users", str(users)]) == 0
    out, err = capsys.readouterr()
    assert "已修改 wang 的密码" in out and "the third one" not in out + err
    store = _cheap(users)
    assert store.verify("wang", PASSWORD) is None and store.verify("wang", "the third one") is not None
    asked = prompts(monkeypatch, "the third one", "the third one")
    assert run(["passwd", "zhao", "--users", str(users)]) == 1
    assert capsys.readouterr().err == "hall user：没有账号 'zhao'\n"
    assert asked == []


def test_disable_enable_remove(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    assert add(users, "wang", "--role", "manager") == 0
    assert run(["disable", "wang", "--users", str(users)]) == 0
    assert _cheap(users).verify("wang", PASSWORD) is None
    capsys.readouterr()
    assert run(["list", "--users", str(users)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:4] == ["wang", "管理员", "-", "是"]
    assert run(["enable", "wang", "--users", str(users)]) == 0
    assert _cheap(users).verify("wang", PASSWORD) is not None
    assert run(["remove", "wang", "--users", str(users)]) == 0
    assert _cheap(users).get("wang") is None
    capsys.readouterr()
    for command in ("remove", "disable", "enable"):
        assert run([command, "wang", "--users", str(users)]) == 1
        said = capsys.readouterr().err  # the users file's own sentence
        assert said.startswith("hall user：") and "'wang'" in said and said.count("\n") == 1, said
    assert run(["list", "--users", str(users)]) == 0
    assert "中还没有账号" in capsys.readouterr().out


def test_no_users_file_yet(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["list", "--users", str(users)]) == 1
    assert f"hall user：{users} 没有账号文件：用 hall user add 创建" in capsys.readouterr().err
    assert not users.exists()


def test_where_the_file_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    stdin(monkeypatch, PASSWORD + "\n")
    assert run(["add", "wang", "--role", "manager", "--password-stdin"]) == 0
    assert _cheap(tmp_path / "var" / "users.sqlite3").get("wang") is not None  # beside var/hall-state.sqlite3
    monkeypatch.setenv(user_cli.USERS_ENV, str(tmp_path / "elsewhere.sqlite3"))
    stdin(monkeypatch, PASSWORD + "\n")
    assert run(["add", "zhao", "--role", "supervisor", "--password-stdin"]) == 0
    assert _cheap(tmp_path / "elsewhere.sqlite3").get("zhao") is not None
    stdin(monkeypatch, PASSWORD + "\n")
    assert run(["add", "an", "--role", "supervisor", "--password-stdin", "--users", "third.sqlite3"]) == 0
    assert _cheap(tmp_path / "third.sqlite3").get("an") is not None


def test_not_a_users_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"garbage" * 1000)
    assert run(["list", "--users", str(junk)]) == 1
    assert capsys.readouterr().err.startswith(f"hall user：{junk}")


def test_in_a_process_of_its_own(tmp_path: Path) -> None:
    """The real hasher, the real stdin: the password piped in, never printed."""
    users = tmp_path / "users.sqlite3"
    script = "import sys; from hall.commands.user import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script, "add", "wang", "--role", "manager", "--password-stdin", "--users", str(users)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert UserStore(users).verify("wang", PASSWORD) is not None


def _wired() -> bool:
    from hall.cli import build_parser

    try:
        build_parser().parse_args(["user", "list"])
    except SystemExit:
        return False
    return True


@pytest.mark.skipif(not _wired(), reason="hall/cli.py does not wire `hall user` yet")
def test_hall_user_command(tmp_path: Path) -> None:
    users = tmp_path / "users.sqlite3"
    hall = [sys.executable, "-m", "hall", "user"]
    done = subprocess.run(
        [*hall, "add", "wang", "--role", "manager", "--password-stdin", "--users", str(users)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*hall, "list", "--users", str(users)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines()[1].split()[:2] == ["wang", "管理员"]
    done = subprocess.run(
        [*hall, "remove", "zhao", "--users", str(users)], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 1 and done.stderr.startswith("hall user：") and "'zhao'" in done.stderr
    done = subprocess.run([*hall, "add", "x", "--role", "admin"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2
