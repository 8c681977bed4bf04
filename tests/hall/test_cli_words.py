"""The `hall` command speaks the hall's language: every sentence it prints, its help, its errors and
argparse's own, in Chinese in a Chinese hall (the tests' HALL_LANG=zh_CN), and in English with HALL_LANG=en.

Each subcommand is run as a clerk runs it, against the service on a real Mosquitto: its normal output and
its error paths (bad arguments, no broker, unknown ids, a centre the broker does not have). What is left
of English is only what a clerk types: the program's and its commands' names, options, ids, URLs and paths.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from content.accounts import users as accounts
from content.accounts.users import UserStore
from content.broker.local import Mosquitto
from content.centre.loader import load_content
from content.centre.synth import SAMPLE
from content.queue.stats import COLUMNS
from hall.cli import COMMANDS, build_parser, main
from tests.conftest import CENTRE, REPO, RunningService
from tests.words import english

HANZI = re.compile(r"[\u4e00-\u9fff]")
COMMAND_WORDS = {
    "hall",
    *COMMANDS,
    *["open", "advance", "show", "list", "trip", "slip", "add", "passwd", "disable", "enable", "remove"],
}
"""What a clerk types, which the usage lines and the sentences that say how to do something repeat."""
CHOICES = {
    *[
        "normal",
        "high",
        "emergency",
        "all",
        "led",
        "kiosk",
        "on_duty",
        "away",
        "off",
        "leave",
        "elderly",
        "disabled",
        "pregnant",
        "military",
        "appointment",
    ],
    *[
        "open",
        "pause",
        "village",
        "township",
        "district",
        "received",
        "prereview",
        "accepted",
        "refused",
        "reviewing",
        "supplement",
        "special",
    ],
    *["decided", "ready", "collected", "sent", "returned", "receipt", "staff", "manager", "supervisor"],
}
"""The values of options with choices, which the help and argparse's errors list as they are typed."""


def _sample_ids() -> set[str]:
    loaded = load_content(SAMPLE)
    assert loaded.content is not None
    content = loaded.content
    ids = [c.id for c in content.categories] + [w.id for w in content.centre.windows] + [s.id for s in content.staff]
    ids += [a.id for a in content.agents] + [part for i in content.items for part in i.id.split("-")]
    return {*ids, CENTRE}


QUOTED = re.compile(r"'[^'\s]*'|[\w-]+\.sqlite3|\b[\w.-]+/[\w./-]+|\b\w+_\w+\b|\bX-[\w-]+")
"""A value as it was typed, quoted back in an error (argparse's invalid choice, a duration it cannot read); a
relative path (var/users.sqlite3); a setting's key (due_soon_days); a header's name (X-Forwarded-For)."""
NAMES = {"mosquitto", "kivy", "sqlite", "nginx", "websocket"}
"""Software the hall runs on, by its name."""


TYPED = COMMAND_WORDS | CHOICES | _sample_ids() | NAMES | {"broker", "config", "http", "https", "png"}


def chinese(text: str, *also: str) -> list[str]:
    """The English words left in `text` beyond what is typed (commands, choices, the sample's ids, values quoted
    back as they were given)."""
    text = re.sub("|".join(NAMES), " ", QUOTED.sub(" ", re.sub(r"\S+://\S+", " ", text)), flags=re.IGNORECASE)
    return english(text, TYPED | set(also))


@dataclass
class Said:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def hall(capsys: pytest.CaptureFixture[str]) -> Callable[..., Said]:
    """`hall ARGS…` run in this process: its exit code (2 for bad arguments, as argparse exits), stdout, stderr."""

    def run(*argv: str) -> Said:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        said = capsys.readouterr()
        return Said(code, said.out, said.err)

    return run


@pytest.fixture
def service(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., RunningService],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Mosquitto]:
    """The sample centre served on the tests' broker; HALL_BROKER and HALL_CENTRE as the demo's env file sets them."""
    start_service(sample_dir)
    monkeypatch.setenv("HALL_BROKER", broker.url("staff"))
    monkeypatch.setenv("HALL_CENTRE", CENTRE)
    yield broker


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default hasher takes 64 MiB a hash: the tests use a cheap one."""
    monkeypatch.setattr(
        accounts,
        "UserStore",
        lambda path: UserStore(path, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)),
    )
    monkeypatch.delenv("HALL_USERS", raising=False)


def test_the_queue_commands_speak_chinese(service: Mosquitto, hall: Callable[..., Said]) -> None:
    runs = [
        ("announce", "今天逢场，各窗口全员在岗", "--expires", "2h"),
        ("announce", "下午停电", "--priority", "high", "--target", "led", "--target", "kiosk"),
        ("announce", "--clear", "a1"),
        ("staff", "s03", "away", "--substitute", "s04"),
        ("staff", "s03", "on_duty"),
        ("call", "shebao"),  # nobody waits yet
        ("ticket", "shebao"),
        ("ticket", "shebao", "--priority", "elderly"),
        ("call", "shebao"),
        ("call", "shebao", "--recall"),
        ("call", "shebao", "--transfer", "minzheng"),
        ("call", "shebao"),
        ("call", "shebao", "--no-show"),
        ("ticket", "shebao"),
        ("call", "shebao"),
        ("call", "shebao", "--done"),
        ("window", "guotu", "pause", "--reason", "下村办件"),
        ("window", "guotu", "open"),
        ("stats",),
    ]
    for argv in runs:
        said = hall(*argv)
        assert said.code == 0, (argv, said)
        assert HANZI.search(said.out), (argv, said.out)
        assert chinese(said.text) == [], (argv, said.text)
    out = hall("staff", "s03", "away", "--substitute", "s04").out
    assert re.fullmatch(r"陈静（s03）：自 \d{4}-\d\d-\d\d \d\d:\d\d 起暂离，由 s04 代岗\n", out), out
    lines = hall("ticket", "shebao").out.splitlines()
    assert lines[0].startswith("社会保障：前面还有 ") and lines[-1].startswith("A"), lines
    assert hall("announce", "--clear", "a2").out == "已撤下公告 a2\n"


def test_the_statistics_table_and_csv(service: Mosquitto, hall: Callable[..., Said]) -> None:
    hall("ticket", "shebao")
    hall("call", "shebao")
    table = hall("stats")
    assert table.code == 0 and chinese(table.out) == [], table.out
    assert "排队统计（时间单位：分钟）" in table.out and "-- 业务类别" in table.out and "限时办结" in table.out

    said = hall("stats", "--csv")
    assert said.code == 0, said
    assert said.out.startswith("\ufeff分组,编号,名称,取号数,已办结,过号,等候中,"), said.out[:80]
    rows = list(csv.reader(io.StringIO(said.out.removeprefix("\ufeff"))))
    assert len(rows[0]) == len(COLUMNS) and all(HANZI.search(heading) for heading in rows[0] if heading != "90%")
    assert rows[1][:3] == ["全天", "all", "全天"]
    assert {row[0] for row in rows[1:]} == {"全天", "业务类别", "窗口", "工作人员"}
    assert chinese("\n".join(",".join(row[:1] + row[3:]) for row in rows)) == []


def test_the_csv_is_bytes_excel_reads_as_utf_8(service: Mosquitto) -> None:
    """Through a pipe, as `hall stats --csv > day.csv` writes it: the byte order mark is the file's first bytes."""
    env = {**os.environ, "HALL_LANG": "zh_CN", "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "hall", "stats", "--csv"], cwd=REPO, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"\xef\xbb\xbf" + "分组,编号,名称".encode()), done.stdout[:40]
    assert b"\r\n" in done.stdout


def test_the_case_commands_speak_chinese(service: Mosquitto, hall: Callable[..., Said], tmp_path: Path) -> None:
    opened = hall(
        "case", "open", "--item", "minzheng-dibao", "--at", "village", "--agent", "a01",
        "--applicant", "张三丰", "--phone", "13812345678", "--received", "《最低生活保障申请书》",
    )  # fmt: skip
    assert opened.code == 0 and chinese(opened.text) == [], opened
    number = opened.out.splitlines()[-1]
    shown = hall("case", "show", number)
    assert shown.code == 0 and chinese(shown.text) == [], shown.text
    assert "当前环节  已收件，材料在" in shown.out and "(received)" not in shown.out
    (follows,) = [line for line in shown.out.splitlines() if line.startswith("  下一步")]
    assert "网上预审" in follows and "prereview" not in follows, follows
    # What `show` lists as what may follow is what `advance` takes: the stage by its name.
    advanced = hall("case", "advance", number, "转报", "--to", "township", "--note", "村代办员送交")
    assert advanced.code == 0 and chinese(advanced.text) == [], advanced.text
    for argv in (
        ("case", "list"),
        ("case", "list", "--due-soon"),
        ("case", "list", "--stage", "已收件"),
        ("case", "trip"),
        ("case", "slip", number, "--out", str(tmp_path / "slip.pdf")),
        ("case", "slip", number, "--out", str(tmp_path / "slip.png"), "--layout", "receipt"),
    ):
        said = hall(*argv)
        assert said.code == 0 and chinese(said.text) == [], (argv, said.text)
    listed = hall("case", "list").out
    assert listed.splitlines()[0].split()[:3] == ["办件编号", "事项", "环节"], listed
    assert listed.rstrip().endswith("共 2 件") or re.search(r"共 \d+ 件$", listed.rstrip()), listed
    assert not re.search(r"\b\d+ cases?\b", listed)


def test_refusals_and_unknown_ids_speak_chinese(service: Mosquitto, hall: Callable[..., Said]) -> None:
    for argv in (
        ("ticket", "x9"),
        ("call", "x9"),
        ("call", "shebao", "--ticket", "Z999"),
        ("staff", "s99", "away"),
        ("window", "x9", "pause"),
        ("announce", "--clear", "a99"),
        ("case", "show", "WC-000101-0001"),
        ("case", "advance", "WC-000101-0001", "accepted"),
        ("stats", "--date", "2020-13-45"),
    ):
        said = hall(*argv)
        assert said.code == 1, (argv, said)
        assert said.err.startswith(f"hall {argv[0]}") and "：" in said.err, (argv, said.err)
        assert chinese(said.text) == [], (argv, said.text)


def test_no_broker_and_no_centre_speak_chinese(hall: Callable[..., Said], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALL_BROKER", raising=False)
    monkeypatch.delenv("HALL_CENTRE", raising=False)
    said = hall("ticket", "shebao", "--broker", "mqtt://127.0.0.1:1")
    assert said.code == 2 and "--centre" in said.err and chinese(said.text) == [], said
    said = hall("ticket", "shebao", "--centre", "weicheng")
    assert said.code == 2 and "--broker" in said.err and "HALL_BROKER" in said.err, said
    # Nothing listens on port 1: a failure, said by the command that failed (the reason is the client's).
    said = hall("ticket", "shebao", "--centre", "weicheng", "--broker", "mqtt://127.0.0.1:1", "--timeout", "1")
    assert said.code == 1 and said.err.startswith("hall ticket："), said


def test_a_centre_the_broker_does_not_have_is_named(service: Mosquitto, hall: Callable[..., Said]) -> None:
    said = hall("ticket", "shebao", "--centre", "nosuch")
    assert said.code == 1 and "nosuch" in said.err and "HALL_CENTRE" in said.err, said
    assert "Not authorized" not in said.err and chinese(said.text, "nosuch") == [], said.text


BAD_ARGUMENTS = [
    ["nonsense"],
    ["--no-such-option"],
    ["announce", "--priority", "urgent", "hi"],
    ["announce", "--expires", "soon", "hi", "--centre", "w", "--broker", "mqtt://127.0.0.1:1"],
    ["announce", "--centre", "w", "--broker", "mqtt://127.0.0.1:1"],
    ["announce", "hi", "--clear", "a1", "--centre", "w", "--broker", "mqtt://127.0.0.1:1"],
    ["announce", "hi", "--timeout", "1x"],
    ["staff", "s03"],
    ["staff", "s03", "sleeping"],
    ["ticket"],
    ["ticket", "shebao", "--priority", "vip"],
    ["call"],
    ["call", "shebao", "--recall", "--done", "--centre", "w", "--broker", "mqtt://127.0.0.1:1"],
    ["window", "guotu", "shut"],
    ["stats", "--csv", "x1"],
    ["case"],
    ["case", "open", "--item", "x"],
    ["case", "open", "--item", "x", "--at", "moon"],
    ["case", "open", "--item", "x", "--at", "village", "--phone", "1", "--centre", "w", "--broker", "mqtt://h:1"],
    ["case", "advance", "WC-000101-0001", "flying"],
    ["case", "list", "--overdue", "--due-soon"],
    ["case", "slip", "WC-000101-0001", "--out", "slip.txt", "--centre", "w", "--broker", "mqtt://127.0.0.1:1"],
    ["user"],
    ["user", "add", "wang"],
    ["user", "add", "wang", "--role", "boss"],
    ["broker-config", "--roster", "r.yaml"],
    ["broker-config", "--roster", "r.yaml", "--out", "d", "--port", "x1"],
    ["synth", "--out", "d", "--items", "0"],
    ["synth", "--items", "many", "--out", "d"],
    ["serve"],
    ["serve", "--content", "x", "--http", "8080"],
    ["serve", "--content", "x", "--proxies", "9"],
    ["serve", "--content", "x", "--public-url", "ftp://hall"],
    ["demo", "--no-such-option"],
    ["check"],
    ["led", "--no-such-option"],
    ["kiosk", "--no-such-option"],
]
"""Bad arguments of every subcommand: unknown options, missing and invalid values, combinations refused."""


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=lambda argv: " ".join(argv))
def test_bad_arguments_exit_2_in_chinese(
    argv: list[str], hall: Callable[..., Said], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALL_BROKER", raising=False)
    monkeypatch.delenv("HALL_CENTRE", raising=False)
    said = hall(*argv)
    assert said.code == 2, said
    assert said.out == "" and "错误：" in said.err, said
    assert chinese(said.err) == [], said.err


def test_every_subcommand_has_bad_arguments_that_exit_2() -> None:
    """The list above tries each subcommand (and each of `case` and `user`)."""
    assert set(COMMANDS) <= {argv[0] for argv in BAD_ARGUMENTS}


def _helps() -> list[list[str]]:
    out: list[list[str]] = [["--help"]]
    for name in COMMANDS:
        out.append([name, "--help"])
    out += [["case", sub, "--help"] for sub in ["open", "advance", "show", "list", "trip", "slip"]]
    out += [["user", sub, "--help"] for sub in ["add", "list", "passwd", "disable", "enable", "remove"]]
    return out


MINE = {name for name in COMMANDS if name not in ("check", "led", "kiosk")}
"""The subcommands whose options this package words (check's, the LED driver's and the kiosk's are theirs)."""


@pytest.mark.parametrize("argv", _helps(), ids=lambda argv: " ".join(argv))
def test_every_help_speaks_chinese_and_says_the_exit_codes(argv: list[str], hall: Callable[..., Said]) -> None:
    said = hall(*argv)
    assert said.code == 0, said
    assert said.out.startswith("用法：hall"), said.out
    assert "显示本帮助并退出" in said.out and "选项" in said.out
    assert argv[0] == "check" or ("退出码" in said.out and "2 参数有误" in said.out), said.out
    if argv[0] in MINE or argv == ["--help"]:
        assert chinese(said.out) == [], said.out


def test_english_when_asked(tmp_path: Path) -> None:
    env = {**os.environ, "HALL_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "hall", "--help"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: hall") and "show this help message and exit" in done.stdout
    assert "exit codes: 0 done; 1 refused, failed or no answer; 2 bad arguments" in done.stdout
    assert not HANZI.search(done.stdout), done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "hall", "staff", "s03", "sleeping"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "hall staff: error: argument STATUS: invalid choice: 'sleeping'" in done.stderr, done.stderr


def test_the_user_commands_speak_chinese(
    cheap_hashes: None, hall: Callable[..., Said], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = str(tmp_path / "users.sqlite3")
    said = hall("user", "list", "--users", users)
    assert said.code == 1 and chinese(said.text) == [], said
    for argv, password in (
        (("user", "add", "wang", "--role", "manager"), "correct horse battery\n"),
        (("user", "add", "li.na", "--role", "staff", "--window", "shebao"), "correct horse battery\n"),
        (("user", "list"), ""),
        (("user", "passwd", "wang"), "another good passphrase\n"),
        (("user", "disable", "li.na"), ""),
        (("user", "enable", "li.na"), ""),
        (("user", "remove", "li.na"), ""),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO(password))
        stdin = ["--password-stdin"] if password else []
        said = hall(*argv, "--users", users, *stdin)
        assert said.code == 0 and HANZI.search(said.out), (argv, said)
        assert chinese(said.text, "wang", "li.na", "na") == [], (argv, said.text)
    listed = hall("user", "list", "--users", users).out.splitlines()
    assert listed[0].split() == ["登录名", "角色", "窗口", "已停用", "创建时间"] and listed[-1] == "共 1 个账号", listed
    for refused in (
        ("user", "add", "wang", "--role", "manager", "--password-stdin"),
        ("user", "passwd", "nobody", "--password-stdin"),
        ("user", "remove", "x9"),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
        said = hall(*refused, "--users", users)
        assert said.code == 1 and said.err.startswith("hall user："), (refused, said)
        assert chinese(said.text, "wang", "nobody") == [], (refused, said.text)


def test_the_installers_commands_speak_chinese(hall: Callable[..., Said], tmp_path: Path) -> None:
    said = hall("synth", "--items", "3", "--out", str(tmp_path / "centre"))
    assert said.code == 0 and said.out.startswith("已在 ") and chinese(said.text) == [], said
    roster = REPO / "broker_config" / "roster.example.yaml"
    argv = ["broker-config", "--roster", str(roster), "--out", str(tmp_path / "b"), "--no-clientid-plugin"]
    said = hall(*argv, "--tls-port", "8883")
    assert said.code == 0 and said.err.startswith("警告："), said
    assert chinese(said.text, "mosquitto", "conf", "acl", "passwd", "ca", "crt", "server", "key", "certs") == []


def test_what_the_parser_is_built_with_is_the_hall_language() -> None:
    """The parser's own words come from the catalog, its group titles from argparse's."""
    parser = build_parser()
    help_text = parser.format_help()
    assert help_text.startswith("用法：hall") and "位置参数" in help_text and "便民服务中心显示系统" in help_text
