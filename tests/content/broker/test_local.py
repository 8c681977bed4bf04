"""The local broker's failures (hall demo and the tests start one): told in the hall's words."""

from __future__ import annotations

import subprocess

import pytest

from content.broker.config import BUILD_COMMAND, build_plugin
from content.broker.local import free_port, wait_for_port


def test_a_broker_that_exits_before_listening_is_said_in_chinese() -> None:
    process = subprocess.Popen(["true"])
    process.wait()
    with pytest.raises(RuntimeError) as exited:
        wait_for_port(free_port(), 5.0, process)
    assert str(exited.value) == "消息服务器还没开始监听就退出了（退出码 0）"


def test_nothing_listening_is_said_in_chinese() -> None:
    port = free_port()
    with pytest.raises(TimeoutError) as silent:
        wait_for_port(port, 0.0)
    assert str(silent.value) == f"等了 0 秒，127.0.0.1:{port} 上仍然没有服务在监听"


def test_how_to_build_the_plugin_is_said_in_chinese() -> None:
    assert build_plugin() == f"{BUILD_COMMAND}（需要 gcc、make 和 mosquitto-dev）"
