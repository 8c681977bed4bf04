"""The table of command handlers, one small function a verb (see `content.service.commands`).

Each handler runs with `commands.ACTING` set by the loop (`content.service.loop`): whether the command
came from the staff console's account, and the person it names.
"""

from __future__ import annotations

from content.service import queue_commands
from content.service.commands import (
    Handler,
    announce,
    announce_edit,
    announce_review,
    set_staff_status,
)

HANDLERS: dict[str, Handler] = {
    "announce": announce,
    "announce_review": announce_review,
    "announce_edit": announce_edit,
    "staff": set_staff_status,
    "ticket": queue_commands.take_ticket,
    "call": queue_commands.call,
    "window": queue_commands.window,
}
