"""One hall from its options (hall/assembly.py): the refusals first, then a whole hall on a real broker."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import content.centre.loader
import content.service.loop
from content.broker.local import Mosquitto
from content.centre.synth import SAMPLE
from content.service.store import Store
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from hall.assembly import HallError, HallOptions, build_hall, centre_id
from tests.conftest import WAIT_S
from tests.words import english

NOWHERE = parse_broker_url("mqtt://127.0.0.1:9")


def test_the_console_needs_an_address_of_its_own_and_its_broker_account(tmp_path: Path) -> None:
    options = HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", http=("127.0.0.1", 0), console_broker=NOWHERE)
    with pytest.raises(HallError, match="请给出 --console-http HOST:PORT") as refused:
        build_hall(options)
    assert refused.value.code == 2
    options = HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", console_http=("127.0.0.1", 0))
    with pytest.raises(HallError, match="请给出 --console-broker URL") as refused:
        build_hall(options)
    assert refused.value.code == 2
    options = HallOptions(
        SAMPLE, NOWHERE, tmp_path / "state.sqlite3", http=("127.0.0.1", 0), proxies=1, proxy_address="nginx"
    )
    with pytest.raises(HallError, match="--proxy-address 'nginx' 不是 IP 地址：请给出反向代理的 IP 地址") as refused:
        build_hall(options)
    assert refused.value.code == 2


def test_a_state_file_in_use_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    first = Store(state)
    try:
        with pytest.raises(HallError, match=f"无法使用状态文件 {state}"):
            build_hall(HallOptions(SAMPLE, NOWHERE, state))
    finally:
        first.close()


def test_the_centre_id_comes_from_centre_yaml_alone(sample_dir: Path) -> None:
    (sample_dir / "staff.yaml").write_text("not: [the staff", encoding="utf-8")  # the rest is the service's to check
    assert centre_id(sample_dir) == "weicheng"
    (sample_dir / "centre.yaml").write_text("id: Not An Id\n", encoding="utf-8")
    with pytest.raises(HallError, match=f"{sample_dir} 的内容有误：请运行 hall check {sample_dir}"):
        centre_id(sample_dir)


@pytest.mark.broker
def test_a_hall_with_its_pages_and_console_loads_the_content_once(
    sample_dir: Path, broker: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Path] = []

    def counted(directory: Any, *args: Any, **kwargs: Any) -> Any:
        loads.append(Path(directory))
        return content.centre.loader.load_content(directory, *args, **kwargs)

    monkeypatch.setattr(content.service.loop, "load_content", counted)
    options = HallOptions(
        sample_dir,
        parse_broker_url(broker.url("service")),
        tmp_path / "state.sqlite3",
        watch=False,
        http=("127.0.0.1", 0),
        public_url_is_own=True,
        console_broker=parse_broker_url(broker.url("staff-2")),
        console_http=("127.0.0.1", 0),
    )
    hall = build_hall(options).start()
    try:
        assert hall.service.ready.wait(WAIT_S), "the service never became ready"
        assert hall.web is not None and hall.console is not None and hall.console_web is not None
        assert hall.console.link.account == "staff-2"
        with urllib.request.urlopen(f"{hall.console_web.url}/console/login", timeout=WAIT_S) as page:
            assert page.status == 200
        # The console is on its own listener only: the public pages do not serve it.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{hall.web.url}/console/login", timeout=WAIT_S)
        assert missing.value.code == 404
        missing.value.close()
        # The QR codes point at the pages' own address.
        reply = send_command(parse_broker_url(broker.url("kiosk-1")), "weicheng", "ticket", {"category": "shebao"})
        assert reply["url"].startswith(f"{hall.web.url}/q/"), json.dumps(reply, ensure_ascii=False)
    finally:
        assert hall.stop() == 0
    assert loads == [sample_dir]


@pytest.mark.parametrize(("option", "what"), [("http", "公共页面"), ("console_http", "工作台")])
def test_a_port_in_use_names_the_address_and_what_to_do(tmp_path: Path, option: str, what: str) -> None:
    """hall serve printed '[Errno 98] Address already in use'."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        address = {option: ("127.0.0.1", port)}
        console = {"console_broker": NOWHERE} if option == "console_http" else {}
        options = HallOptions(SAMPLE, NOWHERE, tmp_path / "state.sqlite3", **address, **console)  # type: ignore[arg-type]
        with pytest.raises(HallError) as refused:
            build_hall(options)
    said = str(refused.value)
    flag = "--http" if option == "http" else "--console-http"
    assert said == (
        f"无法在 127.0.0.1:{port} 提供{what}：已有别的程序在监听这个端口；"
        f"请先停止那个程序，或换一个端口（{flag} 127.0.0.1:端口）"
    )
    assert "Errno" not in said and english(said) == []
