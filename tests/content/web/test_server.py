"""The web servers (waitress) under clients that misbehave, and behind a proxy: real sockets on 127.0.0.1.
The attacks at full size, and the hall's real nginx in front, are in tests/fault/test_web_attacks.py."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from content.accounts.users import UserStore
from content.centre.loader import Content
from content.service.live import Live, Snapshot
from content.web.console import ConsoleSetup
from content.web.server import Proxy, WebServer, console_server, pages_server
from tests.conftest import WAIT_S
from tests.content.web.test_console_routes import FakeLink
from tests.words import english

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def server(content: Content) -> Iterator[WebServer]:
    web = pages_server("127.0.0.1", 0, lambda: Snapshot(content, Live(), NOW))
    web.start()
    yield web
    web.stop()


def _raw(server: WebServer, request: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=WAIT_S) as sock:
        sock.sendall(request)
        return sock.recv(4096)


def test_half_open_connections_do_not_starve_the_pages(server: WebServer) -> None:
    idle = [socket.create_connection((server.host, server.port), timeout=WAIT_S) for _ in range(150)]
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=WAIT_S) as response:
            assert response.status == 200
    finally:
        for sock in idle:
            sock.close()


def test_a_large_body_is_refused_without_being_read(server: WebServer) -> None:
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\nContent-Type: text/plain\r\n\r\n"
    answer = _raw(server, head)  # no body sent: the answer must not wait for one
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_request_for_another_method_says_which_are_allowed(server: WebServer) -> None:
    answer = _raw(server, b"DELETE /g/shebao-yanglao-canbao HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 405")
    allow = [line for line in rest.split(b"\r\n") if line.lower().startswith(b"allow:")]
    assert allow and b"GET" in allow[0] and b"DELETE" not in allow[0]


# -- a request must arrive whole in time ------------------------------------------------------------


def _closed_by_server(sock: socket.socket, deadline_s: float, trickle: bool) -> bool:
    """Whether the server closes `sock` within `deadline_s`, reading with a timeout (and sending one more
    byte of the header after each timeout when `trickle`)."""
    sock.settimeout(0.5)
    waited = 0.0
    while waited < deadline_s:
        try:
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            waited += 0.5
            if trickle:
                sock.sendall(b"X")
        except ConnectionResetError:
            return True
    return False


def _streaming(chunks: int, every_s: float) -> Callable[..., Iterable[bytes]]:
    """A WSGI app that answers each request with `chunks` chunks, one every `every_s`: a long response."""
    pause = threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        for n in range(chunks):
            pause.wait(every_s)  # how long the response lasts, not a wait for anything
            yield f"{n}\n".encode()

    return app


def test_a_request_that_does_not_arrive_whole_in_time_is_cut_off_sending_or_not() -> None:
    web = WebServer("127.0.0.1", 0, _streaming(5, 1.0), request_s=1)
    web.start()
    try:
        trickling = socket.create_connection((web.host, web.port), timeout=WAIT_S)
        silent = socket.create_connection((web.host, web.port), timeout=WAIT_S)
        for sock in (trickling, silent):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        # Maintenance runs every 2 s: cut within the request's 1 s and two rounds, with room to spare.
        assert _closed_by_server(trickling, WAIT_S, trickle=True)
        assert _closed_by_server(silent, WAIT_S, trickle=False)
        trickling.close()
        silent.close()
        # A response longer than the request's time is not cut: only receiving a request is timed.
        conn = http.client.HTTPConnection(web.host, web.port, timeout=WAIT_S)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"0\n1\n2\n3\n4\n"
        conn.close()
    finally:
        web.stop()


# -- behind a proxy --------------------------------------------------------------------------------


def _echo(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
    forwarded = environ.get("HTTP_X_FORWARDED_FOR", "-")
    body = f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']} {forwarded}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _seen(web: WebServer, source: str, headers: dict[str, str]) -> str:
    conn = http.client.HTTPConnection(web.host, web.port, timeout=WAIT_S, source_address=(source, 0))
    try:
        conn.request("GET", "/", headers=headers)
        return conn.getresponse().read().decode()
    finally:
        conn.close()


def test_behind_a_proxy_the_client_and_scheme_come_from_it_and_from_no_one_else() -> None:
    proxied = WebServer("127.0.0.1", 0, _echo, proxy=Proxy())
    direct = WebServer("127.0.0.1", 0, _echo)
    proxied.start()
    direct.start()
    sent = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    try:
        assert _seen(proxied, "127.0.0.1", sent) == "198.51.100.7 https 198.51.100.7"
        # What the phone wrote before the proxy's own entry is not its address.
        chain = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        assert _seen(proxied, "127.0.0.1", chain).startswith("198.51.100.7 http ")
        # From anywhere but the proxy, the headers are dropped unread.
        assert _seen(proxied, "127.0.0.2", sent) == "127.0.0.2 http -"
        assert _seen(direct, "127.0.0.1", sent) == "127.0.0.1 http -"
    finally:
        proxied.stop()
        direct.stop()


def test_a_proxy_is_an_address_and_one_to_five_of_them() -> None:
    assert Proxy().adjustments()["trusted_proxy"] == "127.0.0.1"
    with pytest.raises(ValueError, match="--proxies 0 不对：应为 1 到 5"):
        Proxy(count=0)
    with pytest.raises(ValueError, match="--proxies 9 不对：应为 1 到 5"):
        Proxy(count=9)
    with pytest.raises(ValueError, match="--proxy-address 'localhost' 不是 IP 地址") as named:
        Proxy(address="localhost")
    assert english(str(named.value).replace("'", " "), ["localhost"]) == [], str(named.value)


# -- two listeners -------------------------------------------------------------------------------------


def test_the_console_has_a_listener_of_its_own_and_the_pages_do_not_serve_it(
    content: Content, tmp_path: Path, server: WebServer
) -> None:
    setup = ConsoleSetup(UserStore(tmp_path / "users.sqlite3"), FakeLink())  # type: ignore[arg-type]
    console = console_server("127.0.0.1", 0, lambda: Snapshot(content, Live(), NOW), setup)
    console.start()
    try:
        with urllib.request.urlopen(f"{console.url}/", timeout=WAIT_S) as page:  # / leads to the console
            assert page.url.endswith("/console/login") and "登录" in page.read().decode()
        with urllib.request.urlopen(f"{console.url}/healthz", timeout=WAIT_S) as health:
            assert health.read() == b"ok"
        for missing in (f"{console.url}/g/shebao-yanglao-canbao", f"{server.url}/console/login"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(missing, timeout=WAIT_S)
            assert refused.value.code == 404 and "没有找到" in refused.value.read().decode()
            refused.value.close()
    finally:
        console.stop()
