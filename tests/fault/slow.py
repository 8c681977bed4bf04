"""Slow senders (slowloris), for the fault suite and the benchmarks: many connections that each begin a
request and never finish it, sending one more byte of a header every `every` seconds, or nothing at all.

One thread drives them all through a selector: it sends a round of bytes when one is due and otherwise
waits for the server to close a connection (an end of file or a reset), which it records. With `reopen`,
each connection the server closes is opened again at once, as a real attacker's would be.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Self

_FIRST_LINE = b"GET /healthz HTTP/1.1\r\nHost: hall\r\n"


@dataclass
class _Conn:
    sock: socket.socket
    opened: float


@dataclass
class SlowSenders:
    host: str
    port: int
    count: int
    every: float = 4.0
    """Seconds between the bytes each connection sends; 0: it sends the first line and then nothing."""
    tls: ssl.SSLContext | None = None
    reopen: bool = False
    source: str | None = None
    """The address the connections come from (any 127.x.y.z on Linux); None: the system's choice."""
    closed_after: list[float] = field(default_factory=list)
    """For each connection the server closed, the seconds it had been open."""
    opened: int = 0
    refused: int = 0
    """Connections that could not even be opened (or whose TLS handshake failed)."""

    def __post_init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._open: dict[int, _Conn] = {}
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-senders", daemon=True)

    @property
    def open(self) -> int:
        """Connections held open now."""
        with self._lock:
            return len(self._open)

    def _connect(self) -> None:
        try:
            raw = socket.create_connection(
                (self.host, self.port), timeout=10, source_address=(self.source, 0) if self.source else None
            )
            sock: socket.socket = raw
            if self.tls is not None:
                sock = self.tls.wrap_socket(raw, server_hostname=self.host)
            sock.sendall(_FIRST_LINE)
            sock.setblocking(False)
        except OSError:
            self.refused += 1
            return
        self._selector.register(sock, selectors.EVENT_READ)
        with self._lock:
            self._open[sock.fileno()] = _Conn(sock, time.monotonic())
            self.opened += 1
            self._lock.notify_all()

    def start(self) -> Self:
        for _ in range(self.count):
            self._connect()
        self._thread.start()
        return self

    def _closed_by_server(self, conn: _Conn) -> None:
        self._selector.unregister(conn.sock)
        with self._lock:
            del self._open[conn.sock.fileno()]
            self.closed_after.append(time.monotonic() - conn.opened)
            self._lock.notify_all()
        conn.sock.close()
        if self.reopen and not self._stop.is_set():
            self._connect()

    def _run(self) -> None:
        next_round = time.monotonic() + self.every
        while not self._stop.is_set():
            wait = max(0.0, next_round - time.monotonic()) if self.every else 0.5
            for key, _ in self._selector.select(timeout=wait):
                with self._lock:
                    conn = self._open.get(key.fd)
                if conn is None:
                    continue
                try:
                    data = conn.sock.recv(4096)
                except (ssl.SSLWantReadError, BlockingIOError):
                    continue
                except OSError:  # reset
                    data = b""
                if not data:
                    self._closed_by_server(conn)
            if self.every and time.monotonic() >= next_round:
                next_round += self.every
                with self._lock:
                    conns = list(self._open.values())
                for conn in conns:
                    with contextlib.suppress(OSError):
                        conn.sock.send(b"X")  # one more byte of a header that never ends

    def wait_closed(self, how_many: int, timeout: float) -> bool:
        """Whether the server has closed `how_many` connections within `timeout` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.closed_after) >= how_many, timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(10)
        with self._lock:
            conns = list(self._open.values())
            self._open.clear()
        for conn in conns:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(conn.sock)
            conn.sock.close()
        self._selector.close()
