"""`hall ticket`: take a queue number, as a kiosk does; the number is the last line printed."""

from __future__ import annotations

import argparse
from typing import Any

from hall.options import add_remote, send

HELP = "take a queue number (prints it as the last line)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("category", metavar="CATEGORY", help="category id, e.g. shebao")
    parser.add_argument("--priority", choices=["elderly", "disabled", "pregnant", "military", "appointment"])
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"category": args.category}
    if args.priority:
        payload["priority"] = args.priority
    result = send(args, "ticket", payload)
    if result is None:
        return 1
    kind = f" ({result['priority']} priority)" if result.get("priority") else ""
    wait = result.get("estimated_wait_min")
    estimate = f"about {wait} min" if wait is not None else "no window serving it is open now"
    print(f"{result['category_name']}{kind}: {result['ahead']} ahead, {estimate}")
    if result.get("url"):
        print(result["url"])
    print(result["ticket"])
    return 0
