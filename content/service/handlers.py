"""The table of command handlers, one small function a verb (see `content.service.commands`)."""

from __future__ import annotations

from content.service import queue_commands
from content.service.commands import Handler, announce, set_staff_status

HANDLERS: dict[str, Handler] = {
    "announce": announce,
    "staff": set_staff_status,
    "ticket": queue_commands.take_ticket,
    "call": queue_commands.call,
    "window": queue_commands.window,
}
