"""`hall staff`: set a staff member's on-duty status (在岗情况), and who covers while they are away."""

from __future__ import annotations

import argparse
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import add_remote, moment, send

_ = domain("hall").gettext

HELP = N_("set a staff member's on-duty status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help=_("the staff member's id, e.g. s03"))
    parser.add_argument(
        "status",
        choices=["on_duty", "away", "off", "leave"],
        metavar="STATUS",
        help=_("on_duty (on duty), away, off (off duty) or leave (on leave)"),
    )
    parser.add_argument("--substitute", metavar="ID", help=_("who covers while away, off or on leave"))
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    from content.shared.wording import STATUS_NAMES

    payload: dict[str, Any] = {"staff": args.id, "status": args.status}
    if args.substitute:
        payload["substitute"] = args.substitute
    result = send(args, "staff", payload)
    if result is None:
        return 1
    values = {
        "name": result["name"],
        "id": result["staff"],
        "status": STATUS_NAMES.get(result["status"], result["status"]),
        "since": moment(result["since"]),
        "substitute": result.get("substitute"),
    }
    if result.get("substitute"):
        print(_("{name} ({id}): {status} since {since}, {substitute} covers").format(**values))
    else:
        print(_("{name} ({id}): {status} since {since}").format(**values))
    return 0
