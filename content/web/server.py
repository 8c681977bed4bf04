"""The web server: waitress serving the pages on HOST:PORT, on threads of its own beside the service's loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Final

from content.service.live import Snapshot
from content.web.app import create_app
from content.web.console import MAX_STREAMS, ConsoleSetup
from content.web.tracking import CaseSource

log = logging.getLogger("hall.web")

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
"""What waitress holds the pages to. Per-client limits and slow senders are the reverse proxy's to
handle (README, Public pages): waitress cannot tell clients apart, nor time out a slow header. The
case tracking page alone counts its requests by the socket's address (`content.web.tracking`)."""


class WebServer:
    """The pages on HOST:PORT, served by waitress on threads of their own until `stop`."""

    def __init__(
        self,
        host: str,
        port: int,
        snapshot: Callable[[], Snapshot | None],
        cases: tuple[CaseSource, bytes] | None = None,
        proxies: int = 0,
        console: ConsoleSetup | None = None,
    ) -> None:
        """`cases`: where the case tracking page (`/t/`) reads cases and the secret its links are signed
        with; without them there is no such page. `proxies`: reverse proxies in front (`create_app`).
        `console`: the users file and the console's link (`content.web.console`): the staff console at
        /console, whose event streams each hold a thread, so there are that many more."""
        from waitress.server import TcpWSGIServer, create_server

        # waitress warns each time a request waits for a free thread: under a burst of phones that is
        # most requests, and nothing to act on
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        app = create_app(snapshot, cases, proxies=proxies, console=console)
        # The console's event streams each hold a thread while they are open.
        threads = 4 + (MAX_STREAMS if console is not None else 0)
        server = create_server(app, host=host, port=port, threads=threads, ident="hall", **LIMITS)
        if not isinstance(server, TcpWSGIServer):
            raise ValueError(f"{host}:{port}: give one address to listen on")
        self._server = server
        self.host, self.port = host, int(server.getsockname()[1])
        self._thread = threading.Thread(target=self._server.run, name="hall-web", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        log.info("public pages on %s", self.url)

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)
