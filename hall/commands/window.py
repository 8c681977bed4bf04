"""`hall window`: open a window or pause it, with the reason the public is shown."""

from __future__ import annotations

import argparse
from typing import Any

from hall.options import add_remote, send

HELP = "open or pause a window"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID")
    parser.add_argument("state", choices=["open", "pause"])
    parser.add_argument("--reason", help="shown to the public while paused (default 暂停服务)")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"window": args.id, "state": args.state}
    if args.reason:
        payload["reason"] = args.reason
    result = send(args, "window", payload)
    if result is None:
        return 1
    print(f"{result['window_name']}: {'open' if result['open'] else 'paused (' + result['reason'] + ')'}")
    return 0
