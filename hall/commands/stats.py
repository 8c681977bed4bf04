"""`hall stats`: a day's queue statistics and the cases decided on time, as a table or CSV."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import Any

from content.shared.catalog import N_, domain
from hall.options import add_remote, send

_words = domain("hall")
_ = _words.gettext

HELP = N_("queue statistics for a day")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", metavar="YYYY-MM-DD", help=_("the day (default: today)"))
    parser.add_argument(
        "--csv",
        action="store_true",
        help=_("comma-separated values, one row per group, as a spreadsheet opens them (UTF-8 with a BOM)"),
    )
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    from content.queue.stats import COLUMNS, csv_text, group_names

    payload: dict[str, Any] = {}
    if args.date:
        payload["date"] = args.date
    result = send(args, "stats", payload)
    if result is None:
        return 1
    rows = result["rows"]
    if args.csv:
        text = csv_text(rows)
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):  # the bytes as they are, whatever the terminal's encoding
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
        return 0
    groups = group_names()
    print(_("queue statistics for {day} (minutes)").format(day=result["day"]))
    header = (
        _("tickets"),
        _("served"),
        _("no-show"),
        _("waiting"),
        _("avg wait"),
        _("p90 wait"),
        _("avg service"),
        _("idle"),
    )
    print(_pad("", 16) + "".join(_right(h, 12) for h in header))
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {groups.get(group, group)}")
        values = [row[k] for k in COLUMNS[3:]]
        cells = "".join(_right("-" if v is None else str(v), 12) for v in values)
        print(_pad(row["name"], 16) + cells)
    _cases(result)
    return 0


def _cases(result: dict[str, Any]) -> None:
    from content.cases.rules import TIER_SHORT

    cases = result.get("cases") or []
    print()
    print(_("cases decided on time since {since}").format(since=result.get("cases_since", "?")))
    if not cases:
        print("  " + _("none decided"))
        return
    kinds = {
        "item": _("Item"),
        "window": _("Window"),
        "tier": _("Tier handed in at"),
    }
    header = (
        _("decided"),
        _("on time"),
        _("rate"),
    )
    print(_pad("", 32) + "".join(_right(h, 10) for h in header))
    group = None
    for row in cases:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {kinds.get(group, group)}")
        name = str(row["name"])
        if group == "tier":
            name = TIER_SHORT.get(name, name)
        rate = "-" if row["rate"] is None else f"{row['rate']}%"
        print(_pad(name, 32) + _right(str(row["decided"]), 10) + _right(str(row["on_time"]), 10) + _right(rate, 10))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a hanzi takes two columns."""
    shown, used = "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width:
            break
        shown, used = shown + char, used + w
    return shown + " " * (width - used)


def _right(text: str, width: int) -> str:
    """Right-align in a terminal, where a hanzi takes two columns."""
    return " " * max(0, width - _width(text)) + text
