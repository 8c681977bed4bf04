"""`hall synth`: write a synthetic centre with a large catalog, or the stress centre, for benchmarks and tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from content.shared.catalog import N_, domain
from hall.options import UsageError, whole_number

_ = domain("hall").gettext

HELP = N_("write a synthetic centre with a large catalog (for benchmarks)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=whole_number, default=2000, metavar="N", help=_("service items (default 2000)"))
    parser.add_argument(
        "--stress",
        action="store_true",
        help=_(
            "write the stress centre instead: 20 windows, 40 categories (one empty), 60 staff, names with "
            "characters of every CJK extension, 1,000-character steps"
        ),
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help=_("a new or empty directory, or one hall synth wrote before (which it replaces)"),
    )
    parser.add_argument("--seed", type=whole_number, default=1, metavar="N", help=_("the random seed (default 1)"))


def run(args: argparse.Namespace) -> int:
    from content.centre.stress import write_stress_centre
    from content.centre.synth import write_synthetic_centre

    if args.items < 1:
        raise UsageError(_("--items must be at least 1"))
    out = Path(args.out)
    try:
        if args.stress:
            write_stress_centre(out)
        else:
            write_synthetic_centre(out, args.items, seed=args.seed)
    except (FileExistsError, NotADirectoryError) as exc:  # refused: --out names someone else's files
        raise UsageError(_("--out: {why}").format(why=exc)) from None
    except OSError as exc:
        print(_("hall synth: cannot write {out}: {why}").format(out=out, why=exc), file=sys.stderr)
        return 1
    if args.stress:
        print(_("wrote the stress centre to {out}: try every screen with it").format(out=out))
    else:
        print(_("wrote a synthetic centre with {count} items to {out}").format(count=args.items, out=out))
    return 0
