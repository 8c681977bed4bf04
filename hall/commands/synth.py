"""`hall synth`: write a synthetic centre with a large catalog, or the stress centre, for benchmarks and tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hall.options import UsageError

HELP = "write a synthetic centre with a large catalog (for benchmarks)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument(
        "--stress",
        action="store_true",
        help="write the stress centre instead: 20 windows, 40 categories (one empty), 60 staff, names with "
        "characters of every CJK extension, 1,000-character steps",
    )
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--seed", type=int, default=1)


def run(args: argparse.Namespace) -> int:
    from content.centre.stress import write_stress_centre
    from content.centre.synth import write_synthetic_centre

    if args.items < 1:
        raise UsageError("--items must be at least 1")
    out = Path(args.out)
    try:
        if args.stress:
            write_stress_centre(out)
        else:
            write_synthetic_centre(out, args.items, seed=args.seed)
    except (FileExistsError, NotADirectoryError) as exc:  # refused: --out names someone else's files
        raise UsageError(f"--out: {exc}") from None
    except OSError as exc:
        print(f"hall synth: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    if args.stress:
        print(f"wrote the stress centre to {out}: try every screen with it")
    else:
        print(f"wrote a synthetic centre with {args.items} items to {out}")
    return 0
