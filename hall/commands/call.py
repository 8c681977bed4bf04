"""`hall call`: a window calls its next number, or calls again, marks a no-show, transfers or finishes."""

from __future__ import annotations

import argparse
from typing import Any

from hall.options import UsageError, add_remote, send

HELP = "call the next number to a window, or recall / no-show / transfer / done"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("window", metavar="WINDOW", help="window id, e.g. zonghe")
    parser.add_argument("--recall", action="store_true", help="call the current number again")
    parser.add_argument("--no-show", action="store_true", help="the current number did not come")
    parser.add_argument("--ticket", metavar="NUMBER", help="call this number, e.g. A012")
    parser.add_argument("--transfer", metavar="CATEGORY", help="send the current number to another category's queue")
    parser.add_argument(
        "--to-window", metavar="WINDOW", help="send the current number to another window, which alone calls it"
    )
    parser.add_argument("--done", action="store_true", help="finish the current number without calling another")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"window": args.window, "action": "next"}
    chosen = [flag for flag in ("recall", "no_show", "done") if getattr(args, flag)]
    if args.ticket:
        chosen.append("ticket")
        payload["ticket"] = args.ticket.upper()
    if args.transfer:
        chosen.append("transfer")
        payload["category"] = args.transfer
    if args.to_window:
        chosen.append("transfer")
        payload["to_window"] = args.to_window
    if len(chosen) > 1:
        raise UsageError("give at most one of --recall, --no-show, --ticket, --transfer, --to-window, --done")
    if chosen:
        payload["action"] = chosen[0]
    result = send(args, "call", payload)
    if result is None:
        return 1
    match payload["action"]:
        case "next" | "ticket" | "recall" if result.get("ticket") is None:
            print(f"no one waiting at {result['window_name']}")
        case "next" | "ticket" | "recall":
            again = "（重呼）" if result.get("recall") else ""
            print(f"{result['text']}{again}")
        case "transfer" if result.get("to_window_name"):
            print(f"{result['ticket']} moved to {result['to_window_name']}, which calls it next in its place")
        case "transfer":
            print(f"{result['ticket']} moved to {result['category_name']}, {result['ahead']} ahead")
        case _:
            print(f"{result['ticket']}: {result['status']}")
    return 0
