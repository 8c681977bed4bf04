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

from content.shared.catalog import N_, domain
from hall.options import UsageError, add_remote, exit_codes
from hall.options import send as send_to_service
from hall.parts import listed, require

_words = domain("hall")
_ = _words.gettext

HELP = N_("cases through the three tiers: open, advance, show, list, trip, slip")
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


def stage_name(stage: str) -> str:
    """A stage (or hand-over) by its name in the hall's language: 已收件, 转报 …"""
    from content.cases.rules import STAGE_NAMES

    return str(STAGE_NAMES.get(stage, stage))


def tier_name(tier: str) -> str:
    """A tier as a sentence names it: 村(社区), 乡镇(街道), 区."""
    from content.cases.rules import TIER_SHORT

    return str(TIER_SHORT.get(tier, tier))


def print_case(case: dict[str, Any]) -> None:
    print(f"{case['number']}  {case['item']}")
    values = {"stage": case["stage_name"], "holder": case["holder_name"], "flag": case.get("flag_text")}
    if case.get("flag_text"):
        print(_("  stage      {stage}, papers at the {holder}  [{flag}]").format(**values))
    else:
        print(_("  stage      {stage}, papers at the {holder}").format(**values))
    print(_("  due        {due}").format(due=case["due_text"]))
    applicant = f"{case.get('applicant') or '-'}  {case.get('phone') or ''}".rstrip()
    print(_("  applicant  {applicant}").format(applicant=applicant))
    print(_("  handed in  {when}").format(when=case["opened"]))
    if case.get("received"):
        print(_("  received   {documents}").format(documents=listed(case["received"])))
    if case.get("missing"):
        print(_("  missing    {documents}").format(documents=listed(case["missing"])))
    elif case.get("details", True):
        print(_("  missing    none: every document is in"))
    for contact in case.get("contacts", []):
        print(_("  call       {label} {phone}").format(label=contact["label"], phone=contact["phone"]))
    print(_("  steps"))
    for step in case["timeline"]:
        name, tier = _cell(step["name"], 20), _cell(step["tier_name"], 10)
        line = f"    {step['when']}  {name} {tier} {step.get('by', '')}"
        if step.get("note"):
            line += "  " + step["note"]
        if step.get("basis"):
            line += "  " + _("(legal basis: {basis})").format(basis=step["basis"])
        print(line.rstrip())
    if case.get("next"):
        print(_("  next       {stages}").format(stages=listed([stage_name(s) for s in case["next"]])))
    if case.get("url"):
        print(_("  tracking   {url}").format(url=case["url"]))


def cmd_open(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    if (args.applicant is None) != (args.phone is None):
        raise UsageError(
            _("give --applicant and --phone together (the tracking page asks for the phone's last four digits)")
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
    heading = [
        _cell(_("case"), 16),
        _cell(_("item"), 30),
        _cell(_("stage"), 10),
        _cell(_("papers at"), 9),
        _cell(_("due"), 11),
        _("late"),
    ]
    print(" ".join(heading))
    for r in rows:
        late = _("{days} working days").format(days=r["late_days"]) if r.get("late_days") else ""
        print(
            f"{_cell(r['number'], 16)} {_cell(r['item_name'], 30)} {_cell(r['stage_name'], 10)} "
            f"{_cell(tier_name(r['holder']), 9)} {_cell(r['due'], 11)} {late}".rstrip()
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
    total = result["total"]
    _table(rows, result["today"])
    more = total - len(rows)
    if more > 0:
        line = _words.ngettext("{total} case ({more} not shown)", "{total} cases ({more} not shown)", total)
    else:
        line = _words.ngettext("{total} case", "{total} cases", total)
    print(line.format(total=total, more=more))
    return 0


def cmd_trip(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    result = send("case_trip", {})
    if result is None:
        return 1
    up, back = len(result["up"]), len(result["back"])
    print(_("{centre}  weekly trip to the district  {date}").format(centre=result["centre"], date=result["date"]))
    print()
    print(
        _words.ngettext(
            "To the district government service centre ({count} case)",
            "To the district government service centre ({count} cases)",
            up,
        ).format(count=up)
    )
    _trip_rows(result["up"])
    print()
    print(
        _words.ngettext(
            "Back from the district government service centre ({count} case)",
            "Back from the district government service centre ({count} cases)",
            back,
        ).format(count=back)
    )
    _trip_rows(result["back"])
    print()
    print(_("Agent's signature: ____________    District receiver's signature: ____________    Date: ____________"))
    return 0


def _trip_rows(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("  " + _("(none)"))
        return
    for n, r in enumerate(rows, start=1):
        print(
            f"  [ ] {n:>3}. {_cell(r['number'], 16)} {_cell(r['item_name'], 30)} {_cell(r['stage_name'], 10)} "
            f"{_cell(r['applicant'], 8)} " + _("due {date}").format(date=r["due"] or "-")
        )


def cmd_slip(args: argparse.Namespace, send: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".png"):
        raise UsageError(_("--out {file}: give a .pdf or .png file").format(file=args.out))
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
        print(_("hall case slip: cannot write {out}: {why}").format(out=out, why=exc), file=sys.stderr)
        return 1
    if args.layout == "receipt":
        print(_("wrote the receipt slip of {case} to {out}").format(case=result["number"], out=out))
    else:
        print(_("wrote the A4 slip of {case} to {out}").format(case=result["number"], out=out))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the parsed `hall case` subcommand, its commands sent to the service."""
    code: int = args.case_func(args, lambda verb, payload: send_to_service(args, verb, payload))
    return code


def _stage(text: str) -> str:
    """An argparse type: a stage by its key (accepted) or by its name (已受理), as `show` lists what may follow."""
    names = {stage_name(stage): stage for stage in STAGES}
    return names.get(text.strip(), text.strip())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="case_command", required=True, metavar="SUBCOMMAND", parser_class=type(parser))
    tiers = _("village, township or district")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=exit_codes())

    p = command("open", _("open a case handed in at a tier (prints its number as the last line)"))
    p.add_argument("--item", required=True, metavar="ID", help=_("the service item's id"))
    p.add_argument(
        "--at",
        required=True,
        choices=TIERS,
        metavar="TIER",
        help=_("the tier it was handed in at: {tiers}").format(tiers=tiers),
    )
    p.add_argument("--agent", metavar="NAME", help=_("the proxy agent carrying it (id or name in agents.yaml)"))
    p.add_argument("--window", metavar="ID", help=_("the window that received it"))
    p.add_argument("--applicant", metavar="NAME", help=_("the applicant's name"))
    p.add_argument("--phone", metavar="N", help=_("the applicant's phone; its last four digits open the details"))
    p.add_argument("--received", nargs="+", action="extend", metavar="DOC", help=_("required documents handed in"))
    p.add_argument(
        "--notify", action="store_true", help=_("the applicant agrees to see the number on the wall when ready")
    )
    p.add_argument("--note", metavar="TEXT", help=_("a note kept with the step"))
    add_remote(p)
    p.set_defaults(case_func=cmd_open)

    p = command("advance", _("move a case to its next stage, or hand it over between tiers"))
    p.add_argument("case", metavar="CASE", help=_("the case number, e.g. WC-261204-0001"))
    stages = listed([f"{stage} ({stage_name(stage)})" for stage in STAGES])
    p.add_argument(
        "stage",
        type=_stage,
        choices=STAGES,
        metavar="STAGE",
        help=_("the stage, by its key or its name: {stages}").format(stages=stages),
    )
    p.add_argument(
        "--to",
        choices=TIERS,
        metavar="TIER",
        help=_("for sent / returned: the tier the papers go to: {tiers}").format(tiers=tiers),
    )
    p.add_argument("--note", metavar="TEXT", help=_("a note kept with the step (for refused: the reason)"))
    p.add_argument("--basis", metavar="TEXT", help=_("for refused: the legal basis"))
    p.add_argument("--received", nargs="+", action="extend", metavar="DOC", help=_("documents handed in now"))
    add_remote(p)
    p.set_defaults(case_func=cmd_advance)

    p = command("show", _("a case with every step"))
    p.add_argument("case", metavar="CASE", help=_("the case number, e.g. WC-261204-0001"))
    add_remote(p)
    p.set_defaults(case_func=cmd_show)

    p = command("list", _("open cases, the most urgent first"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--overdue", action="store_true", help=_("past their due date"))
    group.add_argument("--due-soon", action="store_true", help=_("due within the centre's due_soon_days"))
    p.add_argument("--tier", choices=TIERS, metavar="TIER", help=_("held at this tier: {tiers}").format(tiers=tiers))
    p.add_argument("--agent", metavar="NAME", help=_("carried by this proxy agent"))
    p.add_argument(
        "--stage",
        type=_stage,
        choices=STAGES[:10],
        metavar="STAGE",
        help=_("at this stage, by its key or its name"),
    )
    p.add_argument("--closed", action="store_true", help=_("finished cases too"))
    add_remote(p)
    p.set_defaults(case_func=cmd_list)

    p = command("trip", _("the weekly trip to the district: what goes up, what comes back (printable)"))
    add_remote(p)
    p.set_defaults(case_func=cmd_trip)

    p = command("slip", _("write the acceptance slip with its QR code"))
    p.add_argument("case", metavar="CASE", help=_("the case number, e.g. WC-261204-0001"))
    p.add_argument("--out", required=True, metavar="FILE", help=_("a .pdf or .png file"))
    p.add_argument(
        "--layout",
        choices=["a4", "receipt"],
        default="a4",
        metavar="LAYOUT",
        help=_("a4: an A4 page (default), or receipt: an 80 mm thermal receipt"),
    )
    add_remote(p)
    p.set_defaults(case_func=cmd_slip)
