"""The web server: waitress serving the pages on HOST:PORT, on threads of its own beside the service's loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from content.service.live import Snapshot
from content.web.public import create_app

log = logging.getLogger("hall.web")


class WebServer:
    """The pages on HOST:PORT, served by waitress on threads of their own until `stop`."""

    def __init__(self, host: str, port: int, snapshot: Callable[[], Snapshot | None]) -> None:
        from waitress.server import TcpWSGIServer, create_server

        # waitress warns each time a request waits for a free thread: under a burst of phones that is
        # most requests, and nothing to act on
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server = create_server(create_app(snapshot), host=host, port=port, threads=4, ident="hall")
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
