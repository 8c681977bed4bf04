"""A link that can be cut: a TCP proxy on 127.0.0.1 in front of the broker, for the fault suite.

`cut()` is a pulled cable, not a closed connection: the proxy stops reading and forwarding in both
directions and closes nothing, so neither end hears a FIN or a reset; only MQTT's keepalive can tell
that the other side is gone. Connections opened while the link is cut are accepted and then hear
nothing. `mend()` puts the cable back: connections that lived through the cut are closed (their TCP
would long have given up) and new ones are forwarded again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Self

from content.broker.local import LOOPBACK

_POLL_S = 0.05  # how often an idle pump looks at the link's state


class CuttableLink:
    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._cut = False
        self._generation = 0
        self._closed = False
        self._whole = threading.Event()
        self._whole.set()
        self._sockets: list[tuple[int, socket.socket]] = []  # (generation, socket) of every open connection
        self.connections = 0
        self._acceptor = threading.Thread(target=self._accept, name="link-accept", daemon=True)

    def start(self) -> Self:
        self._acceptor.start()
        return self

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            self._whole.clear()

    def mend(self) -> None:
        with self._lock:
            self._cut = False
            self._whole.set()
            self._generation += 1
            old = [s for generation, s in self._sockets if generation < self._generation]
            self._sockets = [(g, s) for g, s in self._sockets if g == self._generation]
        for sock in old:
            _close(sock)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._whole.set()
            self._generation += 1
            old = [s for _, s in self._sockets]
            self._sockets = []
        _close(self._listener)
        for sock in old:
            _close(sock)
        self._acceptor.join(5)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._closed:
                    _close(client)
                    return
                self.connections += 1
                generation, cut = self._generation, self._cut
                self._sockets.append((generation, client))
            if cut:
                continue  # held, unread, until mended (then closed)
            try:
                upstream = socket.create_connection((LOOPBACK, self._target), timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append((generation, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst, generation), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, generation: int) -> None:
        try:
            while True:
                with self._lock:
                    if generation != self._generation or self._closed:
                        return
                    cut = self._cut
                if cut:  # read nothing: the bytes wait in the kernel, unseen by the other end
                    self._whole.wait(_POLL_S)
                    continue
                readable, _, _ = select.select([src], [], [], _POLL_S)
                if not readable:
                    continue
                data = src.recv(65536)
                if not data:
                    return
                dst.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            _close(src)
            _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()
