"""`hall staff`: set a staff member's on-duty status (在岗情况), and who covers while they are away."""

from __future__ import annotations

import argparse
from typing import Any

from hall.options import add_remote, send

HELP = "set a staff member's on-duty status"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID")
    parser.add_argument("status", choices=["on_duty", "away", "off", "leave"])
    parser.add_argument("--substitute", metavar="ID", help="who covers while away, off or on leave")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"staff": args.id, "status": args.status}
    if args.substitute:
        payload["substitute"] = args.substitute
    result = send(args, "staff", payload)
    if result is None:
        return 1
    substitute = f", substitute {result['substitute']}" if result.get("substitute") else ""
    print(f"{result['name']} ({result['staff']}): {result['status']} since {result['since']}{substitute}")
    return 0
