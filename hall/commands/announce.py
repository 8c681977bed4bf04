"""`hall announce`: publish an announcement on the hall's displays, or take one down."""

from __future__ import annotations

import argparse
from typing import Any

from hall.options import UsageError, add_remote, parse_duration, send

HELP = "publish or clear an announcement"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", metavar="TEXT")
    parser.add_argument("--priority", choices=["normal", "high", "emergency"], default="normal")
    parser.add_argument("--expires", metavar="DURATION", help="e.g. 30m, 2h, 1d (default: until cleared)")
    parser.add_argument("--target", action="append", choices=["all", "led", "kiosk"], help="repeatable (default: all)")
    parser.add_argument("--clear", metavar="ID", help="take announcement ID down")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    if args.clear:
        if args.text:
            raise UsageError("give either TEXT or --clear ID, not both")
        result = send(args, "announce", {"clear": args.clear})
        if result is None:
            return 1
        print(f"cleared announcement {result['cleared']}")
        return 0
    if not args.text:
        raise UsageError("announce needs TEXT (or --clear ID)")
    payload: dict[str, Any] = {
        "text": args.text,
        "priority": args.priority,
        "targets": args.target or ["all"],
    }
    if args.expires:
        payload["duration_s"] = parse_duration(args.expires)
    result = send(args, "announce", payload)
    if result is None:
        return 1
    until = f" until {result['expires']}" if result.get("expires") else " until cleared"
    print(f"announcement {result['id']} ({result['priority']}, {', '.join(result['targets'])}){until}")
    if result.get("review") == "pending":  # the hall has approval on, and no account approves
        print(f"announcement {result['id']} waits for a manager's approval in the staff console before it is shown")
    return 0
