"""`hall announce`: publish an announcement on the hall's displays, or take one down."""

from __future__ import annotations

import argparse
from typing import Any, Final

from content.shared.catalog import N_, domain
from hall.options import UsageError, add_remote, moment, parse_duration, send
from hall.parts import listed

_ = domain("hall").gettext

HELP = N_("publish or clear an announcement")
PRIORITIES: Final = {"normal": N_("normal"), "high": N_("high"), "emergency": N_("emergency")}
"""Each priority, as the announcement's line names it (catalog ids)."""
TARGETS: Final = {"all": N_("every screen"), "led": N_("the LED displays"), "kiosk": N_("the kiosks")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", metavar="TEXT", help=_("the announcement's text"))
    parser.add_argument(
        "--priority",
        choices=list(PRIORITIES),
        default="normal",
        help=_("normal (default), high, or emergency: covers every screen until it ends"),
    )
    parser.add_argument(
        "--expires", metavar="DURATION", help=_("how long it is shown, e.g. 30m, 2h, 1d (default: until cleared)")
    )
    parser.add_argument(
        "--target",
        action="append",
        choices=list(TARGETS),
        help=_("where: all, led or kiosk; repeatable (default: all)"),
    )
    parser.add_argument("--clear", metavar="ID", help=_("take announcement ID down"))
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    if args.clear:
        if args.text:
            raise UsageError(_("give either TEXT or --clear ID, not both"))
        result = send(args, "announce", {"clear": args.clear})
        if result is None:
            return 1
        print(_("cleared announcement {id}").format(id=result["cleared"]))
        return 0
    if not args.text:
        raise UsageError(_("announce needs TEXT (or --clear ID)"))
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
    priority = _(PRIORITIES.get(result["priority"], result["priority"]))
    targets = listed([_(TARGETS.get(target, target)) for target in result["targets"]])
    if result.get("expires"):
        line = _("announcement {id} ({priority}, on {targets}) until {expires}")
        print(line.format(id=result["id"], priority=priority, targets=targets, expires=moment(result["expires"])))
    else:
        line = _("announcement {id} ({priority}, on {targets}) until cleared")
        print(line.format(id=result["id"], priority=priority, targets=targets))
    if result.get("review") == "pending":  # the hall has approval on, and no account approves
        print(
            _("announcement {id} waits for a manager's approval in the staff console before it is shown").format(
                id=result["id"]
            )
        )
    return 0
