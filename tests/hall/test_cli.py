from __future__ import annotations

import importlib.util
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from content.accounts.users import ROLES, users_path
from content.centre.synth import SAMPLE
from hall.cli import main
from hall.commands import user as user_command
from hall.options import UsageError, parse_duration
from tests.conftest import REPO
from tests.modes import open_umask, watch_secrets


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("45s", 45), ("1d", 86400)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "m", "-5m", "0m", "1.5h", "30 minutes"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageError, match="时长"):
        parse_duration(text)


def test_check_ok_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    *warnings, summary = out.splitlines()
    assert "：检查通过：" in summary and "30 个事项（其中即办件 14 个）" in summary
    # The only warning the sample may get: a year its calendar does not know yet (which depends on today).
    assert all("holidays.yaml: 警告：" in w for w in warnings)


def test_check_bad_exits_1_with_file_line(sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sample_dir / "staff.yaml").write_text("staff:\n  - id: s01\n", encoding="utf-8")
    assert main(["check", str(sample_dir)]) == 1
    out = capsys.readouterr().out
    assert f"{sample_dir}/staff.yaml:2: 缺少“name”：请补上这一项" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["announce", "hi", "--broker", "ftp://x", "--centre", "weicheng"], "应以 mqtt:// 或 mqtts:// 开头"),
        (["announce", "hi", "--broker", "mqtt://127.0.0.1:1", "--centre", "Bad/Id"], "中心编号 'Bad/Id'"),
        (["announce", "--broker", "mqtt://127.0.0.1:1", "--centre", "weicheng"], "需要给出公告内容 TEXT"),
        (["announce", "hi", "--clear", "a1", "--broker", "mqtt://127.0.0.1:1", "--centre", "w"], "只能给出一个"),
        (["announce", "hi", "--expires", "soon", "--broker", "mqtt://127.0.0.1:1", "--centre", "w"], "时长 'soon'"),
        (["kiosk", "--idle", "0", "--centre", "w"], "hall kiosk：错误：参数 --idle：'0'"),
        (["serve", "--content", "x", "--http", "8080"], "'8080'：请给出 主机:端口"),
        (["serve", "--content", "x", "--http", "127.0.0.1:99999"], "请给出 主机:端口"),
        (["serve", "--content", "x", "--public-url", "ftp://hall"], "请给出 http:// 或 https:// 开头的地址"),
        (["kiosk", "--attract-after", "soon", "--centre", "w"], "'soon' 不是秒数"),
        (["kiosk", "--size", "big", "--broker", "mqtt://127.0.0.1:1", "--centre", "w"], "请按“宽x高”给出"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALL_BROKER", raising=False)
    monkeypatch.delenv("HALL_CENTRE", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_unreachable_broker_is_a_clear_failure(capsys: pytest.CaptureFixture[str]) -> None:
    # Nothing listens on port 1 of the loopback.
    code = main(["staff", "s03", "away", "--broker", "mqtt://127.0.0.1:1", "--centre", "weicheng", "--timeout", "1"])
    assert code == 1
    said = capsys.readouterr().err
    assert said.startswith("hall staff：") and "mqtt://127.0.0.1:1" in said, said


def test_broker_config_writes_the_plugin_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = REPO / "broker_config" / "roster.example.yaml"
    plugin = tmp_path / "hall_clientid.so"
    plugin.write_bytes(b"")
    argv = ["broker-config", "--roster", str(roster), "--out", str(tmp_path / "b"), "--clientid-plugin", str(plugin)]
    assert main(argv) == 0
    assert f"plugin {plugin.resolve()}" in (tmp_path / "b" / "mosquitto.conf").read_text(encoding="utf-8")
    assert "WARNING" not in capsys.readouterr().err


def test_broker_config_refuses_to_go_without_the_plugin_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = REPO / "broker_config" / "roster.example.yaml"
    argv = ["broker-config", "--roster", str(roster), "--out", str(tmp_path / "b")]
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--clientid-plugin", str(tmp_path / "none.so")])
    assert exit_.value.code == 2
    assert f"{tmp_path / 'none.so'} 没有 hall_clientid.so" in capsys.readouterr().err
    assert main([*argv, "--no-clientid-plugin"]) == 0
    assert "任何账号都可以顶替其他账号的连接" in capsys.readouterr().err


@pytest.mark.parametrize("zone", ["Asia", "Asia/Nowhere", "../../etc/passwd"])
def test_check_refuses_a_time_zone_that_is_none_with_file_line(
    sample_dir: Path, capsys: pytest.CaptureFixture[str], zone: str
) -> None:
    centre = sample_dir / "centre.yaml"
    lines = centre.read_text(encoding="utf-8").splitlines()
    (number,) = [i for i, line in enumerate(lines, 1) if line.startswith("timezone:")]
    lines[number - 1] = f"timezone: {zone}"
    centre.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(sample_dir)]) == 1
    out = capsys.readouterr().out
    assert f"{centre}:{number}: 没有“{zone}”这个时区：请写 Asia/Shanghai" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--broker", "mqtt://staff:SECRET-PW@127.0.0.1:1", "announce", "hi"],  # the option before the command
        ["announce", "hi", "--centre", "weicheng", "--broker", "mqtt://staff:SECRET-PW@127.0.0.1:port"],
        ["announce", "hi", "--centre", "weicheng", "--broker", "mqtt://staff:SECRET-PW@127.0.0.1:1883?ca=/x"],
        ["announce", "hi", "--centre", "weicheng", "--broker", "mqtt://staff:SECRET@PW@127.0.0.1:1883/path"],
    ],
)
def test_no_error_shows_a_password(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "SECRET" not in err and "PW" not in err and "mqtt://staff:***@127.0.0.1" in err


def test_a_log_line_is_bounded_and_shows_no_password() -> None:
    import logging

    from hall.cli import MAX_LOG_CHARS, BoundedLog

    record = logging.LogRecord("hall", logging.INFO, __file__, 1, "%s via %s", ("x" * 10_000, "mqtt://s:PW@h:1"), None)
    assert BoundedLog().filter(record)
    message = record.getMessage()
    assert "PW" not in message and len(message) < MAX_LOG_CHARS + 40 and message.endswith("（共 10021 个字符）")


def test_synth_refuses_a_directory_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "centre"
    assert main(["synth", "--items", "3", "--out", str(out)]) == 0
    assert main(["synth", "--items", "3", "--out", str(out)]) == 0  # its own: replaced
    assert capsys.readouterr().out.count(f"已在 {out} 生成有 3 个事项的模拟中心") == 2
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    for target, words in [
        (tmp_path, "不是空目录，也不是 hall synth 生成的"),
        (tmp_path / "mine.txt", "是文件，不是目录"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            main(["synth", "--items", "3", "--out", str(target)])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(f"hall：错误：--out：{target} {words}") and err.count("\n") == 1
        assert "请选一个新的或空的目录" in err
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_check_a_profile_against_a_centre(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped_window = "window-192x64"
    assert main(["check", shipped_window, "--content", str(SAMPLE), "--window", "shebao"]) == 0
    assert capsys.readouterr().out.endswith("，全彩，2 个区域，显示窗口 shebao\n")

    assert main(["check", shipped_window, "--content", str(SAMPLE), "--window", "window-9"]) == 1
    out = capsys.readouterr().out
    assert "window-192x64：窗口“window-9”不是 " in out and "（zonghe, shebao," in out

    # a profile of the hall's own that names a window in a zone: checked against the centre too
    own = tmp_path / "own.yaml"
    text = (REPO / "led_driver/profiles/window-192x64.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace("{kind: window, box:", "{kind: window, window: caizheng, box:"), encoding="utf-8")
    assert main(["check", str(own)]) == 0  # without a centre there is nothing to check it against
    capsys.readouterr()
    assert main(["check", str(own), "--content", str(SAMPLE)]) == 1
    assert f"{own}：窗口“caizheng”不是 " in capsys.readouterr().out


def test_check_window_needs_a_centre(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "window-192x64", "--window", "zonghe"])
    assert exited.value.code == 2
    assert "--window 要按中心的窗口核对：请同时给出 --content 目录" in capsys.readouterr().err


HEAVY = (
    "kivy",
    "flask",
    "waitress",
    "werkzeug",
    "watchfiles",
    "argon2",
    "chinese_calendar",
    "PIL",
    "qrcode",
    "fontTools",
)
"""What only a part imports: the web stack, Kivy, argon2, Pillow …"""


@pytest.mark.parametrize("argv", [["--help"], ["led", "--help"], ["kiosk", "--help"], ["serve", "--help"]])
def test_the_parser_imports_no_part(argv: list[str]) -> None:
    """Every part is installed here: `hall … --help` still imports none of them, as on a display without them."""
    script = (
        "import sys, contextlib, io\n"
        "from hall.cli import main\n"
        f"with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()): main({argv!r})\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_a_missing_part_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "kivy" else real(name, *a))
    assert main(["kiosk", "--broker", "mqtt://127.0.0.1:9", "--centre", "weicheng"]) == 1
    said = capsys.readouterr().err
    assert said.startswith("hall kiosk：本机没有安装自助终端部分") and "缺少 kivy。" in said
    assert "pip install 'hall[kiosk]'" in said


def test_the_user_command_offers_the_roles_the_users_file_knows() -> None:
    assert user_command.ROLES == ROLES
    assert users_path(user_command.DEFAULT_STATE) == user_command.DEFAULT_USERS


def test_broker_config_writes_the_passwords_readable_by_its_user_only_from_the_first_byte(tmp_path: Path) -> None:
    roster = REPO / "broker_config" / "roster.example.yaml"
    out = tmp_path / "b"
    with open_umask(), watch_secrets(out, "accounts.yaml", "passwd") as watch:
        assert main(["broker-config", "--roster", str(roster), "--out", str(out), "--no-clientid-plugin"]) == 0
    assert watch.leaks == []
    assert watch.seen >= {"accounts.yaml", "passwd"}
    for name in ("accounts.yaml", "passwd"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
