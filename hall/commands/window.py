"""`hall window`: open a window or pause it, with the reason the public is shown."""

from __future__ import annotations

import argparse
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import add_remote, send

_ = domain("hall").gettext

HELP = N_("open or pause a window")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help=_("window id, e.g. zonghe"))
    parser.add_argument("state", choices=["open", "pause"], metavar="STATE", help=_("open, or pause"))
    parser.add_argument(
        "--reason", metavar="TEXT", help=_("shown to the public while paused (default: Service paused)")
    )
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"window": args.id, "state": args.state}
    if args.reason:
        payload["reason"] = args.reason
    result = send(args, "window", payload)
    if result is None:
        return 1
    if result["open"]:
        print(_("{window}: open").format(window=result["window_name"]))
    else:
        print(_("{window}: paused ({reason})").format(window=result["window_name"], reason=result["reason"]))
    return 0
