"""`hall case …`: cases (办件) from the command line, through the content service's commands.

The service holds the cases and the secret the tracking links are signed with, so every subcommand is
a command to it (`case_open`, `case_advance`, …) answered on this account's reply topic; the slip is
laid out here from what the service answers.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hall.options import UsageError, add_remote
from hall.options import send as send_to_service
from hall.parts import require

HELP = "cases (办件) through the three tiers: open, advance, show, list, trip, slip"
TIERS = ("village", "township", "district")
STAGES = (
    "received", "prereview", "accepted", "refused", "reviewing", "supplement", "special", "decided", "ready",
    "collected", "sent", "returned",
)  # fmt: skip


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str | None, width: int) -> str:
    """`text` in `width` terminal columns (a hanzi takes two), cut with … if longer."""
    text = "-" if text in (None, "") else str(text)
    if _width(text) > width:
        out = ""
        for ch in text:
            if _width(out + ch) > width - 1:
                break
            out += ch
        text = out + "…"
    return text + " " * (width - _width(text))


def print_case(case: dict[str, Any]) -> None:
    flag = f"  [{case['flag_text']}]" if case.get("flag_text") else ""
    print(f"{case['number']}  {case['item']}")
    print(f"  stage      {case['stage_name']} ({case['stage']}) at {case['holder_name']}{flag}")
    print(f"  due        {case['due_text']}")
    print(f"  applicant  {case.get('applicant') or '-'}  {case.get('phone') or ''}".rstrip())
    print(f"  handed in  {case['opened']}")
    if case.get("received"):
        print(f"  received   {'; '.join(case['received'])}")
    print(f"  missing    {'; '.join(case.get('missing') or []) or '材料齐全'}")
    for contact in case.get("contacts", []):
        print(f"  call       {contact['label']} {contact['phone']}")
    print("  steps")
    for step in case["timeline"]:
        note = f"  {step['note']}" if step.get("note") else ""
        basis = f"  (依据: {step['basis']})" if step.get("basis") else ""
        name, tier = _cell(step["name"], 20), _cell(step["tier_name"], 10)
        print(f"    {step['when']}  {name} {tier} {step.get('by', '')}{note}{basis}")
    if case.get("next"):
        print(f"  next       {', '.join(case['next'])}")
    if case.get("url"):
        print(f"  tracking   {case['url']}")


def cmd_open(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    if (args.applicant is None) != (args.phone is None):
        raise UsageError(
            "give --applicant and --phone together (the tracking page asks for the phone's last four digits)"
        )
    payload: dict[str, Any] = {"item": args.item, "at": args.at, "received": args.received or []}
    for key in ("agent", "window", "applicant", "phone", "note"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    if args.notify:
        payload["notify"] = True
    result = send("case_open", payload)
    if result is None:
        return 1
    print_case(result)
    print(result["number"])
    return 0


def cmd_advance(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    payload: dict[str, Any] = {"case": args.case, "stage": args.stage}
    for key in ("to", "note", "basis"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    if args.received:
        payload["received"] = args.received
    result = send("case_advance", payload)
    if result is None:
        return 1
    print_case(result)
    return 0


def cmd_show(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    result = send("case_show", {"case": args.case})
    if result is None:
        return 1
    print_case(result)
    return 0


def _table(rows: list[dict[str, Any]], today: str) -> None:
    print(f"{_cell('case', 16)} {_cell('item', 30)} {_cell('stage', 10)} {_cell('at', 9)} {_cell('due', 11)} late")
    for r in rows:
        late = f"{r['late_days']}d" if r.get("late_days") else ""
        print(
            f"{_cell(r['number'], 16)} {_cell(r['item_name'], 30)} {_cell(r['stage_name'], 10)} "
            f"{_cell(r['holder'], 9)} {_cell(r['due'], 11)} {late}".rstrip()
        )


def cmd_list(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    payload: dict[str, Any] = {}
    for key in ("overdue", "due_soon", "closed"):
        if getattr(args, key):
            payload[key] = True
    for key in ("tier", "agent", "stage"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    result = send("case_list", payload)
    if result is None:
        return 1
    rows = result["cases"]
    _table(rows, result["today"])
    more = result["total"] - len(rows)
    print(
        f"{result['total']} case{'s' if result['total'] != 1 else ''}"
        + (f" ({more} more not shown)" if more > 0 else "")
    )
    return 0


def cmd_trip(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    result = send("case_trip", {})
    if result is None:
        return 1
    print(f"{result['centre']}  每周集中转报  {result['date']}")
    print()
    print(f"送往区政务服务中心（{len(result['up'])} 件）")
    _trip_rows(result["up"])
    print()
    print(f"从区政务服务中心带回（{len(result['back'])} 件）")
    _trip_rows(result["back"])
    print()
    print("代办员签字：____________    区中心接收人签字：____________    日期：____________")
    return 0


def _trip_rows(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("  （无）")
        return
    for n, r in enumerate(rows, start=1):
        print(
            f"  [ ] {n:>3}. {_cell(r['number'], 16)} {_cell(r['item_name'], 30)} {_cell(r['stage_name'], 10)} "
            f"{_cell(r['applicant'], 8)} due {r['due'] or '-'}"
        )


def cmd_slip(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".png"):
        raise UsageError(f"--out {args.out}: give a .pdf or .png file")
    require("service")  # the slip is laid out with Pillow, fontTools and qrcode
    from content.cases.slip import SlipView, write_slip

    result = send("case_slip", {"case": args.case})
    if result is None:
        return 1
    view = SlipView(
        centre=result["centre"],
        number=result["number"],
        item=result["item"],
        opened=result["opened"],
        received_at=result["received_at"],
        applicant=result["applicant"],
        promised=result["promised"],
        received_docs=tuple(result["received_docs"]),
        missing_docs=tuple(result["missing_docs"]),
        phones=tuple((label, phone) for label, phone in result["phones"]),
        url=result["url"],
        notes=tuple(result["notes"]),
    )
    try:
        write_slip(view, out, args.layout)
    except (OSError, ValueError) as exc:
        print(f"hall case slip: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the {args.layout} slip of {result['number']} to {out}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the parsed `hall case` subcommand, its commands sent to the service."""
    code: int = args.case_func(args, lambda verb, payload: send_to_service(args, verb, payload))
    return code


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="case_command", required=True, metavar="SUBCOMMAND", parser_class=type(parser))

    p = sub.add_parser("open", help="open a case handed in at a tier (prints its number as the last line)")
    p.add_argument("--item", required=True, metavar="ID", help="the service item's id")
    p.add_argument("--at", required=True, choices=TIERS, help="the tier it was handed in at")
    p.add_argument("--agent", metavar="NAME", help="the proxy agent carrying it (id or name in agents.yaml)")
    p.add_argument("--window", metavar="ID", help="the window that received it")
    p.add_argument("--applicant", metavar="NAME")
    p.add_argument("--phone", metavar="N", help="the applicant's phone; its last four digits open the details")
    p.add_argument("--received", nargs="+", action="extend", metavar="DOC", help="required documents handed in")
    p.add_argument(
        "--notify", action="store_true", help="the applicant agrees to see the number on the wall when ready"
    )
    p.add_argument("--note", metavar="TEXT")
    add_remote(p)
    p.set_defaults(case_func=cmd_open)

    p = sub.add_parser("advance", help="move a case to its next stage, or hand it over between tiers")
    p.add_argument("case", metavar="CASE")
    p.add_argument("stage", choices=STAGES, metavar="STAGE", help=", ".join(STAGES))
    p.add_argument("--to", choices=TIERS, help="for sent / returned: the tier the papers go to")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--basis", metavar="TEXT", help="for refused: the legal basis")
    p.add_argument("--received", nargs="+", action="extend", metavar="DOC", help="documents handed in now")
    add_remote(p)
    p.set_defaults(case_func=cmd_advance)

    p = sub.add_parser("show", help="a case with every step")
    p.add_argument("case", metavar="CASE")
    add_remote(p)
    p.set_defaults(case_func=cmd_show)

    p = sub.add_parser("list", help="open cases, the most urgent first")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--overdue", action="store_true", help="past their due date")
    group.add_argument("--due-soon", action="store_true", help="due within the centre's due_soon_days")
    p.add_argument("--tier", choices=TIERS, help="held at this tier")
    p.add_argument("--agent", metavar="NAME")
    p.add_argument("--stage", choices=STAGES[:10])
    p.add_argument("--closed", action="store_true", help="finished cases too")
    add_remote(p)
    p.set_defaults(case_func=cmd_list)

    p = sub.add_parser("trip", help="the weekly trip to the district: what goes up, what comes back (printable)")
    add_remote(p)
    p.set_defaults(case_func=cmd_trip)

    p = sub.add_parser("slip", help="write the acceptance slip (受理回执) with its QR code")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--out", required=True, metavar="FILE", help=".pdf, or .png")
    p.add_argument("--layout", choices=["a4", "receipt"], default="a4", help="A4 page, or 80 mm thermal receipt")
    add_remote(p)
    p.set_defaults(case_func=cmd_slip)
