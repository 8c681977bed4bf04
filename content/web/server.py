"""The web servers: waitress serving the public pages and the staff console, each on a HOST:PORT of its own
with its own connections and threads, beside the service's loop.

Two listeners, so that neither can starve the other: the public pages face every phone in town, the
console only the hall's staff (README, Public pages and The staff console). Each holds a bounded number
of connections and cuts off a client that does not finish sending its request within `REQUEST_S`, sending
bytes or not (waitress alone times out only silence). Behind the hall's reverse proxy (`Proxy`), waitress
itself takes the client's address and scheme from the proxy's headers, and from that proxy only.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, cast

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from content.service.live import Snapshot
from content.shared.catalog import domain
from content.web.app import create_app
from content.web.console import MAX_STREAMS, ConsoleSetup
from content.web.tracking import CaseSource

log = logging.getLogger("hall.web")
_ = domain("pages").gettext

LIMITS: Final[dict[str, Any]] = {
    # Idle or half-open connections are closed after 10 s (waitress's default is 120 s), and up to 500
    # are held at once (default 100): 150 half-open connections from one client had stopped the pages.
    # poll(), not select(), which fails past 1,024 sockets.
    "channel_timeout": 10,
    "cleanup_interval": 2,
    "connection_limit": 500,
    "asyncore_use_poll": True,
    # The pages take no uploads: a request body past 8 KiB is refused (413) before it is read.
    "max_request_body_size": 8 * 1024,
    "max_request_header_size": 16 * 1024,
}
"""What waitress holds the public pages to; the console's listener the same but for `CONSOLE_CONNECTIONS`."""
REQUEST_S: Final = 10.0
"""A request must have arrived whole, headers and body, this many seconds after its first byte, or its
connection is closed (checked every `cleanup_interval`): a phone sends a page's request in one packet, and
510 sockets sending a byte every 4 s had held every connection for as long as they liked."""
CONSOLE_CONNECTIONS: Final = 200
"""Connections the console's listener holds at once: a hall's window PCs, each with an event stream and a
few requests, are far fewer."""
PAGE_THREADS: Final = 4
PROXY_HEADERS: Final = frozenset({"x-forwarded-for", "x-forwarded-proto"})


@dataclass(frozen=True)
class Proxy:
    """The reverse proxies in front of both listeners (the hall's nginx, `deploy/nginx-hall.conf`).

    A request from `address` (the nearest proxy) has its client taken from X-Forwarded-For, the address
    the `count`-th proxy from the server saw, and its scheme from X-Forwarded-Proto (https: the console's
    cookies are Secure). From anyone else those headers are dropped unread, since anybody can write them.
    """

    count: int = 1
    address: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 5:
            raise ValueError(
                _("--proxies {count}: give 1 to 5, the reverse proxies in front of the hall").format(count=self.count)
            )
        try:
            ipaddress.ip_address(self.address)
        except ValueError:
            raise ValueError(
                _("--proxy-address {address!r} is not an IP address: give the proxy's, e.g. 127.0.0.1").format(
                    address=self.address
                )
            ) from None

    def adjustments(self) -> dict[str, Any]:
        """waitress's own settings for it, which act before the app sees the request."""
        return {
            "trusted_proxy": self.address,
            "trusted_proxy_count": self.count,
            "trusted_proxy_headers": set(PROXY_HEADERS),
            "clear_untrusted_proxy_headers": True,
        }


class _Channel(HTTPChannel):
    """A connection that notes when the request it is receiving began."""

    began = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None:
            self.began = time.time()
        return super().received(data)


class _Server(TcpWSGIServer):
    """waitress's server, whose maintenance also closes a connection still receiving a request begun more
    than `REQUEST_S` ago. waitress closes a connection only after `channel_timeout` of silence, so a
    sender of one byte every few seconds was never closed."""

    channel_class = _Channel
    request_s = REQUEST_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().__init__(*args, **kwargs)
        except BaseException:  # e.g. the port in use: nothing it opened is left behind
            self._discard()
            raise

    def _discard(self) -> None:
        """Close what a server that failed to start had opened: its socket, its trigger, its threads."""
        if getattr(self, "socket", None) is not None:
            self.close()
        trigger = getattr(self, "trigger", None)
        if trigger is not None:
            trigger.close()
        dispatcher = getattr(self, "task_dispatcher", None)
        if dispatcher is not None:
            dispatcher.shutdown(cancel_pending=True, timeout=5)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # type: ignore[arg-type]  # the stubs say int: waitress passes time.time()
        cutoff = now - self.request_s
        for channel in _channels(self):
            # Only a request not yet whole, with none in service (an event stream is not timed).
            if not isinstance(channel, _Channel) or channel.requests or channel.request is None:
                continue
            if channel.began < cutoff:
                channel.will_close = True


def _channels(server: TcpWSGIServer) -> list[HTTPChannel]:
    """The server's open connections (its stubs mistype them as one)."""
    return list(cast("dict[int, HTTPChannel]", server.active_channels).values())


class WebServer:
    """`app` on HOST:PORT, served by waitress on `threads` threads of its own until `stop`, holding at most
    `connections` at once, each request to arrive whole within `request_s`; behind `proxy` (None: clients
    connect directly)."""

    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[..., Any],
        *,
        threads: int = PAGE_THREADS,
        connections: int = int(LIMITS["connection_limit"]),
        proxy: Proxy | None = None,
        request_s: float = REQUEST_S,
        name: str = "public pages",
    ) -> None:
        # waitress warns each time a request waits for a free thread: under a burst of phones that is
        # most requests, and nothing to act on
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        settings = {**LIMITS, "connection_limit": connections, **(proxy.adjustments() if proxy else {})}
        adjustments = Adjustments(host=host, port=port, threads=threads, ident="hall", **settings)
        if len(adjustments.listen) != 1:
            raise ValueError(
                _("{host}:{port} names {count} addresses: give one address to listen on").format(
                    host=host, port=port, count=len(adjustments.listen)
                )
            )
        self._server = _Server(app, adj=adjustments)
        self._server.request_s = request_s
        self.name = name
        self.host, self.port = host, int(self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._server.run, name=f"hall-web-{port}", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def connections(self) -> int:
        """Connections open now (the benchmarks and the fault suite watch it)."""
        return len(_channels(self._server))

    @property
    def full(self) -> bool:
        """Whether it holds all the connections it may and accepts no more until one closes."""
        return bool(self._server.in_connection_overflow)

    def start(self) -> None:
        self._thread.start()
        if self.name == "console":
            log.info(_("The staff console is at {url}").format(url=self.url))
        else:
            log.info(_("The public pages are at {url}").format(url=self.url))

    def stop(self) -> None:
        self._server.close()
        # Open connections would keep waitress's loop running until they time out.
        for channel in _channels(self._server):
            channel.will_close = True
        if self._thread.ident is not None:
            self._thread.join(timeout=5)


def pages_server(
    host: str,
    port: int,
    snapshot: Callable[[], Snapshot | None],
    cases: tuple[CaseSource, bytes] | None = None,
    proxy: Proxy | None = None,
) -> WebServer:
    """The public pages on HOST:PORT, reading `snapshot()` on every request (None while the service is
    starting). `cases`: where the case tracking page (`/t/`) reads cases and the secret its links are signed
    with; without them there is no such page."""
    return WebServer(host, port, create_app(snapshot, cases), proxy=proxy)


def console_server(
    host: str,
    port: int,
    snapshot: Callable[[], Snapshot | None],
    console: ConsoleSetup,
    proxy: Proxy | None = None,
) -> WebServer:
    """The staff console (`content.web.console`) on HOST:PORT of its own, with /healthz. Its event streams
    each hold a thread while they are open, so it has that many more."""
    app = create_app(snapshot, console=console, pages=False)
    threads = PAGE_THREADS + MAX_STREAMS
    return WebServer(host, port, app, threads=threads, connections=CONSOLE_CONNECTIONS, proxy=proxy, name="console")
