"""`hall stats`: a day's queue statistics and the cases decided on time, as a table or CSV."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import Any

from hall.options import add_remote, send

HELP = "queue statistics for a day"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    parser.add_argument("--csv", action="store_true", help="comma-separated values, one row per group")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    import csv

    from content.queue.stats import COLUMNS

    payload: dict[str, Any] = {}
    if args.date:
        payload["date"] = args.date
    result = send(args, "stats", payload)
    if result is None:
        return 1
    rows = result["rows"]
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    print(f"queue statistics for {result['day']} (minutes)")
    header = ("", "tickets", "served", "no-show", "waiting", "avg wait", "p90 wait", "avg service", "idle")
    print(_pad(header[0], 16) + "".join(f"{h:>12}" for h in header[1:]))
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {group}")
        values = [row[k] for k in COLUMNS[3:]]
        cells = "".join(f"{'-' if v is None else v:>12}" for v in values)
        print(_pad(row["name"], 16) + cells)
    cases = result.get("cases") or []
    print()
    print(f"cases decided on time (限时办结) since {result.get('cases_since', '?')}")
    if not cases:
        print("  none decided")
    group = None
    for row in cases:
        if row["group"] != group:
            group = row["group"]
            print(f"-- {group}")
        rate = "-" if row["rate"] is None else f"{row['rate']}%"
        print(_pad(str(row["name"]), 32) + f"{row['decided']:>10}{row['on_time']:>10}{rate:>10}")
    return 0


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a hanzi takes two columns."""
    shown, used = "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width:
            break
        shown, used = shown + char, used + w
    return shown + " " * (width - used)
