"""The staff console's devices page (`/console/devices`, tab 设备): every display, kiosk and the service as
the hall's broker knows them, for the hall's manager and the district's supervisor (staff do not see it).

A table of the devices (online / lost / stopped, kind, the documents they show against the service's
current ones, last seen, call-to-frame latency, availability today and over the last 7 days) and the
alerts, newest first. The board behind it (`content.web.devices.DeviceBoard`) is fed by the console's
link to the broker; its history is kept in `devices.sqlite3` beside the users file.

The page polls `/console/devices.json` every `POLL_MS`: it holds no server thread (the console's event
streams have the web server's threads to themselves), and two seconds is soon enough for a display that
went dark.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

from flask import Response, redirect

from content.shared import contract
from content.web.console import Console
from content.web.devices import DEVICES_FILE, DeviceBoard, History

log = logging.getLogger("hall.console.devices")

ROLES: Final = frozenset({"manager", "supervisor"})
POLL_MS: Final = 2000


def history_path(console: Console) -> Path | None:
    """`devices.sqlite3` beside the users file, when the users file has a path."""
    path = getattr(console.users, "path", None)
    return Path(path).with_name(DEVICES_FILE) if path is not None else None


def add(console: Console) -> None:
    """Adds this part's routes to `console.bp` and its tab to `console.nav`."""
    path = history_path(console)
    try:
        history = History(path)
    except Exception as exc:  # an unreadable file (or not one) must not stop the console
        log.error("device history %s cannot be used (%s): kept in memory only", path, exc)
        history = History(None)
    attach(console, DeviceBoard(history, tz=contract.zone_named(contract.DEFAULT_ZONE)))


def attach(console: Console, board: DeviceBoard) -> None:
    """The devices page on `board`, which the console's link feeds from now on."""
    console.link.watch_devices(board)
    console.nav.append(("/console/devices", "设备", ROLES))
    console.scripts.extend(["console_devices.js", "console_devices.css"])
    bp = console.bp

    def body() -> dict[str, Any]:
        _version, state = console.link.state()
        centre = state.get("centre")
        zone = contract.zone_named(centre.get("timezone")) if isinstance(centre, dict) else None
        if zone is not None and zone != board.tz:
            board.tz = zone
        return {"online": bool(state.get("online")), "poll_ms": POLL_MS, **board.snapshot()}

    @bp.get("/console/devices")
    def devices_page() -> Response:
        found = console.current()
        if found is None:
            return console.secured(redirect("/console/login", 303))  # type: ignore[arg-type]
        if found[1].role not in ROLES:
            return console.page("console_devices.html", 403, boot=None, refused=True)
        return console.page("console_devices.html", boot=body(), refused=False)

    @bp.get("/console/devices.json")
    def devices_json() -> Response:
        found = console.current()
        if found is None:
            return console.refuse(401, "登录已过期，请重新登录")
        if found[1].role not in ROLES:
            return console.refuse(403, "没有权限：设备状态仅供中心负责人和电子监察查看")
        return console.json(body())
