"""The staff console's devices page (`/console/devices`, tab 设备): every display, kiosk and the service as
the hall's broker knows them, for the hall's manager and the district's supervisor (staff do not see it).

A table of the devices (online / lost / stopped, kind, the documents they show against the service's
current ones, last seen, call-to-frame latency, availability today and over the last 7 days) and the
alerts, newest first. The board behind it (`content.devices.DeviceBoard`) is fed by the console's
link to the broker; its history is kept in `devices.sqlite3` beside the users file.

The page polls `/console/devices.json` every `POLL_MS`: it holds no server thread (the console's event
streams have the web server's threads to themselves), and two seconds is soon enough for a display that
went dark.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

from flask import Response

from content.devices import DEVICES_FILE, DeviceBoard, History
from content.shared import contract
from content.shared.catalog import N_, domain
from content.web.console import reading
from content.web.console.base import Asked, Console, Route, roles

log = logging.getLogger("hall.console.devices")
_ = domain("console").gettext

ROLES: Final = frozenset({"manager", "supervisor"})
POLL_MS: Final = 2000


def history_path(console: Console) -> Path | None:
    """`devices.sqlite3` beside the users file, when the users file has a path."""
    path = getattr(console.users, "path", None)
    return Path(path).with_name(DEVICES_FILE) if path is not None else None


def add(console: Console) -> None:
    """The tab on a board of its own, its history kept beside the users file."""
    path = history_path(console)
    try:
        history = History(path)
    except Exception as exc:  # an unreadable file (or not one) must not stop the console
        log.error(
            _("the device history {file} cannot be used ({why}): it is kept in memory only").format(file=path, why=exc)
        )
        history = History(None)
    attach(console, DeviceBoard(history, tz=contract.zone_named(contract.DEFAULT_ZONE)))


class Devices:
    """The tab's routes on `board`."""

    def __init__(self, console: Console, board: DeviceBoard) -> None:
        self.console, self.board = console, board

    def routes(self) -> list[Route]:
        allowed = roles(*ROLES)
        return [
            Route("/console/devices", self.page, login="page", allowed=allowed, forbidden=self._refused_page),
            Route(
                "/console/devices.json",
                self.board_json,
                allowed=allowed,
                forbidden=N_("Not allowed: the devices are for the centre's manager and the supervisors"),
            ),
        ]

    def body(self) -> dict[str, Any]:
        state = self.console.link.state()[1]
        zone = reading.named_zone(state)
        if zone is not None and zone != self.board.tz:
            self.board.tz = zone
        return {"online": bool(state.get("online")), "poll_ms": POLL_MS, **self.board.snapshot()}

    @staticmethod
    def _refused_page(console: Console) -> Response:
        return console.page("console_devices.html", 403, boot=None, refused=True)

    def page(self, asked: Asked) -> Response:
        return self.console.page("console_devices.html", boot=self.body(), refused=False)

    def board_json(self, asked: Asked) -> Response:
        return self.console.json(self.body())


def attach(console: Console, board: DeviceBoard) -> None:
    """The devices tab on `board`, which the console's link feeds from now on."""
    console.link.watch_devices(board)
    console.nav.append(("/console/devices", N_("Devices"), ROLES))
    console.scripts.extend(["console_devices.js", "console_devices.css"])
    console.add(Devices(console, board).routes())
