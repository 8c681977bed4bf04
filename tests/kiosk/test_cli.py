"""`hall kiosk`'s command line speaks the hall's language: argparse's own sentences and the kiosk's, and a
bad argument exits 2 with a message in Chinese (before any Kivy window)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.words import english

KNOWN = ("hall", "kiosk", "wxh", "var")
"""The command's own name, a metavar and a path (var/kiosk-cache), read as they are."""


def kiosk_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HALL_LANG": "zh_CN"}
    env.pop("HALL_CENTRE", None)
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *argv], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--broker", "mqtt://k:p@127.0.0.1:1"], "没有指定服务中心"),
        (["--centre", "c", "--broker", "mqtt://k:p@127.0.0.1:1", "--size", "1920"], "请按“宽x高”给出"),
        (["--centre", "c", "--idle", "9s"], "不是秒数"),
        (["--centre", "c", "--idle", "0"], "请给出大于 0、不超过 86400 的秒数"),
        (["--centre", "c", "--nonsense"], "无法识别的参数"),
    ],
)
def test_bad_arguments_exit_2_in_chinese(argv: list[str], said: str) -> None:
    done = kiosk_cli(*argv)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr
    assert "用法" in done.stderr, done.stderr  # argparse's usage: in the hall's language
    assert english(done.stderr, KNOWN) == [], done.stderr


def test_help_is_in_chinese() -> None:
    done = kiosk_cli("--help")
    assert done.returncode == 0, done.stderr
    assert "全屏显示" in done.stdout and "无人触摸 S 秒后回到首页" in done.stdout, done.stdout
    assert english(done.stdout, KNOWN) == [], done.stdout
