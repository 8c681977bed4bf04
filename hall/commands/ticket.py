"""`hall ticket`: take a queue number, as a kiosk does; the number is the last line printed."""

from __future__ import annotations

import argparse
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import add_remote, send

_ = domain("hall").gettext

HELP = N_("take a queue number (prints it as the last line)")
PRIORITIES = ("elderly", "disabled", "pregnant", "military", "appointment")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("category", metavar="CATEGORY", help=_("category id, e.g. shebao"))
    parser.add_argument(
        "--priority",
        choices=PRIORITIES,
        metavar="KIND",
        help=_("a priority number: elderly, disabled, pregnant, military or appointment"),
    )
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    from content.shared.wording import PRIORITY_NAMES

    payload: dict[str, Any] = {"category": args.category}
    if args.priority:
        payload["priority"] = args.priority
    result = send(args, "ticket", payload)
    if result is None:
        return 1
    wait = result.get("estimated_wait_min")
    values = {"category": result["category_name"], "ahead": result["ahead"], "wait": wait}
    if result.get("priority"):
        values["priority"] = PRIORITY_NAMES.get(result["priority"], result["priority"])
        if wait is not None:
            line = _("{category} ({priority} priority): {ahead} ahead, about {wait} min")
        else:
            line = _("{category} ({priority} priority): {ahead} ahead, no window serving it is open now")
    elif wait is not None:
        line = _("{category}: {ahead} ahead, about {wait} min")
    else:
        line = _("{category}: {ahead} ahead, no window serving it is open now")
    print(line.format(**values))
    if result.get("url"):
        print(result["url"])
    print(result["ticket"])
    return 0
