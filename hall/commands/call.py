"""`hall call`: a window calls its next number, or calls again, marks a no-show, transfers or finishes."""

from __future__ import annotations

import argparse
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import UsageError, add_remote, send

_ = domain("hall").gettext

HELP = N_("call the next number to a window, or recall / no-show / transfer / done")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("window", metavar="WINDOW", help=_("window id, e.g. zonghe"))
    parser.add_argument("--recall", action="store_true", help=_("call the current number again"))
    parser.add_argument("--no-show", action="store_true", help=_("the current number did not come"))
    parser.add_argument("--ticket", metavar="NUMBER", help=_("call this number, e.g. A012"))
    parser.add_argument("--transfer", metavar="CATEGORY", help=_("send the current number to another category's queue"))
    parser.add_argument(
        "--to-window", metavar="WINDOW", help=_("send the current number to another window, which alone calls it")
    )
    parser.add_argument("--done", action="store_true", help=_("finish the current number without calling another"))
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
        raise UsageError(_("give at most one of --recall, --no-show, --ticket, --transfer, --to-window, --done"))
    if chosen:
        payload["action"] = chosen[0]
    result = send(args, "call", payload)
    if result is None:
        return 1
    match payload["action"]:
        case "next" | "ticket" | "recall" if result.get("ticket") is None:
            print(_("no one waiting at {window}").format(window=result["window_name"]))
        case "next" | "ticket" | "recall" if result.get("recall"):
            print(_("{call} (called again)").format(call=result["text"]))
        case "next" | "ticket" | "recall":
            print(result["text"])
        case "transfer" if result.get("to_window_name"):
            print(
                _("{ticket} moved to {window}, which calls it next in its place").format(
                    ticket=result["ticket"], window=result["to_window_name"]
                )
            )
        case "transfer":
            print(
                _("{ticket} moved to {category}, {ahead} ahead").format(
                    ticket=result["ticket"], category=result["category_name"], ahead=result["ahead"]
                )
            )
        case _ if result.get("status") == "no_show":
            print(_("{ticket}: did not come (no-show)").format(ticket=result["ticket"]))
        case _ if result.get("status") == "done":
            print(_("{ticket}: done").format(ticket=result["ticket"]))
        case _:
            print(_("{ticket}: {status}").format(ticket=result["ticket"], status=result["status"]))
    return 0
