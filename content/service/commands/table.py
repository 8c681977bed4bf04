"""The table of commands: every verb the service answers on `cmd/<verb>/<account>`, with its kind and
its handler (one small function, `Context` in, `Outcome` out, in the module of its family). The loop
(`content.service.loop`) looks a verb up here and stores, answers and publishes by its kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from content.service.commands import announcements, cases, queue, staff, statistics, windows
from content.service.commands.base import Command

COMMANDS: Final[Mapping[str, Command]] = {
    # The live state: queue, windows, staff, announcements.
    "ticket": Command("live", queue.take_ticket, "ticket"),
    "call": Command("live", queue.call, "call"),
    "window": Command("live", windows.window, "window"),
    "staff": Command("live", staff.set_staff_status, "staff"),
    "announce": Command("live", announcements.announce, "announce"),
    "announce_edit": Command("live", announcements.announce_edit, "announce"),
    "announce_review": Command("live", announcements.announce_review, "announce"),
    # Cases.
    "case_open": Command("cases", cases.case_open, "case"),
    "case_advance": Command("cases", cases.case_advance, "case"),
    # Questions: answered to the asker, not recorded.
    "case": Command("asks", cases.case_lookup, "ask"),
    "case_show": Command("asks", cases.case_show, "ask"),
    "case_list": Command("asks", cases.case_list, "ask"),
    "case_trip": Command("asks", cases.case_trip, "ask"),
    "case_slip": Command("asks", cases.case_slip, "ask"),
    "announce_list": Command("asks", announcements.announce_list, "ask"),
    "stats": Command("asks", statistics.stats, "ask"),
}
