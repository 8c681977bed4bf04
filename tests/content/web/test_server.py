"""The pages' server (waitress) under clients that misbehave: real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import pytest

from content.centre.loader import Content
from content.service.live import Live, Snapshot
from content.web.server import WebServer
from tests.conftest import WAIT_S


@pytest.fixture
def server(content: Content) -> Iterator[WebServer]:
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    web = WebServer("127.0.0.1", 0, lambda: Snapshot(content, Live(), now))
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
